package bluerocktel

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// BenchmarkCreate measures one create through the whole client (pace,
// retry policy, transport, body read, decoding) against a loopback server
// that answers at once; server time is included.
func BenchmarkCreate(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		writeJSON(w, 201, `{"id":42,"description":"SIP Trunk — 2 channels","family_id":7,"selling_price_without_tax":"19.90","billing_frequency":1}`)
	}))
	defer srv.Close()
	c, err := New(Config{BaseURL: srv.URL + "/api", Token: testToken})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	body := []byte(`{"description":"SIP Trunk — 2 channels","family_id":7,"selling_price_without_tax":19.90,"billing_frequency":1}`)
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.Create(context.Background(), resource.Item, nil, body); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkLookupCompare measures the client-side exact comparison of a
// page of 100 candidate lines.
func BenchmarkLookupCompare(b *testing.B) {
	spec := resource.Get(resource.Recurring)
	want := map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "2", "selling_price_without_tax": "19.90", "service_start": "2026-04-01", "active": "true"}
	page := []byte(`[` + repeatJoin(`{"id":1,"customer_file_id":500,"item_id":42,"quantity":2,"selling_price_without_tax":"19.9","service_start":"2026-04-01","active":true}`, 100) + `]`)
	recs, err := decodeRecords(page)
	if err != nil {
		b.Fatal(err)
	}
	fields := []string{"active", "customer_file_id", "item_id", "quantity", "selling_price_without_tax", "service_start"}
	b.ReportAllocs()
	for b.Loop() {
		for _, r := range recs {
			if v, _ := compareRecord(spec, r, want, fields); v != same {
				b.Fatal("no match")
			}
		}
	}
}

func repeatJoin(s string, n int) string {
	out := s
	for i := 1; i < n; i++ {
		out += "," + s
	}
	return out
}
