package bluerocktel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestListPage reads single pages of a sandbox list: the paginator's total
// and last page, and per_page capped at MaxPerPage.
func TestListPage(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Token: "page-token"})
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var perPage, page string // of the last request
	hs := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		perPage, page = r.URL.Query().Get("per_page"), r.URL.Query().Get("page")
		mu.Unlock()
		srv.ServeHTTP(w, r)
	}))
	defer hs.Close()
	c, err := bluerocktel.New(bluerocktel.Config{BaseURL: hs.URL + "/api", Token: "page-token"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	for i := range 7 {
		if _, err := c.Create(ctx, resource.Family, nil, []byte(fmt.Sprintf(`{"name":"f%d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		number, perPage         int
		records, last, total    int
		more                    bool
		wantPerPage             string
		wantFirstName, wantLast string
	}{
		{number: 1, perPage: 3, records: 3, last: 3, total: 7, more: true, wantPerPage: "3", wantFirstName: "f0", wantLast: "f2"},
		{number: 3, perPage: 3, records: 1, last: 3, total: 7, more: false, wantPerPage: "3", wantFirstName: "f6", wantLast: "f6"},
		{number: 1, perPage: 0, records: 7, last: 1, total: 7, more: false, wantPerPage: "100", wantFirstName: "f0", wantLast: "f6"},
		{number: 1, perPage: 5000, records: 7, last: 1, total: 7, more: false, wantPerPage: "100", wantFirstName: "f0", wantLast: "f6"},
		{number: 4, perPage: 3, records: 0, last: 3, total: 7, more: false, wantPerPage: "3"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("page%d-per%d", tt.number, tt.perPage), func(t *testing.T) {
			p, err := c.ListPage(ctx, resource.Family, nil, tt.number, tt.perPage)
			if err != nil {
				t.Fatal(err)
			}
			if len(p.Records) != tt.records || p.LastPage != tt.last || p.Total != tt.total || p.More != tt.more || p.Number != tt.number {
				t.Fatalf("page = %d records, last %d, total %d, more %v, number %d; want %d, %d, %d, %v, %d",
					len(p.Records), p.LastPage, p.Total, p.More, p.Number, tt.records, tt.last, tt.total, tt.more, tt.number)
			}
			mu.Lock()
			defer mu.Unlock()
			if perPage != tt.wantPerPage || page != fmt.Sprint(tt.number) {
				t.Errorf("sent per_page=%s page=%s, want %s and %d", perPage, page, tt.wantPerPage, tt.number)
			}
			if tt.records > 0 {
				if got := p.Records[0].Text("name"); got != tt.wantFirstName {
					t.Errorf("first = %s, want %s", got, tt.wantFirstName)
				}
				if got := p.Records[len(p.Records)-1].Text("name"); got != tt.wantLast {
					t.Errorf("last = %s, want %s", got, tt.wantLast)
				}
			}
		})
	}
	if _, err := c.ListPage(ctx, resource.Family, nil, 0, 10); err == nil {
		t.Error("page 0 accepted")
	}
	st := srv.Stats() // one request per page

	if n := st.Routes["GET /v1/families"]["200"]; n != int64(len(tests)) {
		t.Errorf("list requests = %d, want %d", n, len(tests))
	}
}

// TestEmbedded reads the relations a record carries.
func TestEmbedded(t *testing.T) {
	rec := &bluerocktel.Record{ID: 5, Fields: map[string]json.RawMessage{
		"licences":   json.RawMessage(`[{"id": 7, "quantity": "5"}, {"id": "8"}]`),
		"initials":   json.RawMessage(`[]`),
		"recurrings": json.RawMessage(`null`),
		"name":       json.RawMessage(`"x"`),
		"bad":        json.RawMessage(`[{"quantity": 1}]`),
	}}
	tests := []struct {
		key     string
		ids     []int64
		ok, err bool
	}{
		{key: "licences", ids: []int64{7, 8}, ok: true},
		{key: "initials", ids: nil, ok: true},
		{key: "recurrings", ok: false},
		{key: "missing", ok: false},
		{key: "name", err: true},
		{key: "bad", err: true},
	}
	for _, tt := range tests {
		recs, ok, err := bluerocktel.Embedded(rec, tt.key)
		if (err != nil) != tt.err || ok != tt.ok {
			t.Errorf("Embedded(%s): ok %v, err %v; want ok %v, error %v", tt.key, ok, err, tt.ok, tt.err)
			continue
		}
		var ids []int64
		for _, r := range recs {
			ids = append(ids, r.ID)
		}
		if fmt.Sprint(ids) != fmt.Sprint(tt.ids) {
			t.Errorf("Embedded(%s) ids = %v, want %v", tt.key, ids, tt.ids)
		}
	}
}
