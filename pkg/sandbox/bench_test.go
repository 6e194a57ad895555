package sandbox

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// serve sends one request straight to the handler and checks its status.
func serve(b *testing.B, s *Server, method, target, body string, want int) {
	req := httptest.NewRequest(method, target, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testToken)
	rec := httptest.NewRecorder()
	s.ServeHTTP(rec, req)
	if rec.Code != want {
		b.Fatalf("%s %s: %d %s", method, target, rec.Code, rec.Body)
	}
}

// BenchmarkCreateLine measures a line create: decode, validate, two
// foreign-key checks, store, index, render.
func BenchmarkCreateLine(b *testing.B) {
	f := newFixture(b, Options{})
	body := fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":2,"service_start":"2026-04-01","billing_frequency":1,"selling_price_without_tax":19.90}`, f.fl, f.item)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, f.s, http.MethodPost, "/api/v1/customer-files/recurrings", body, http.StatusCreated)
	}
}

// BenchmarkLookupByNaturalKey measures a filter[name] lookup among 10,000
// families: it must not scan them (compare with BenchmarkListUnindexed).
func BenchmarkLookupByNaturalKey(b *testing.B) {
	s := newTest(b, Options{})
	for i := range 10000 {
		serve(b, s, http.MethodPost, "/api/v1/families", fmt.Sprintf(`{"name":"F%05d"}`, i), http.StatusCreated)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		serve(b, s, http.MethodGet, fmt.Sprintf("/api/v1/families?filter[name]=F%05d", i%10000), "", http.StatusOK)
		i++
	}
}

// BenchmarkListUnindexed is the scanning case, for comparison: a filter on
// a field no lookup uses, among 10,000 families.
func BenchmarkListUnindexed(b *testing.B) {
	s := newTest(b, Options{})
	for i := range 10000 {
		serve(b, s, http.MethodPost, "/api/v1/families", fmt.Sprintf(`{"name":"F%05d","code":"C%05d"}`, i, i), http.StatusCreated)
	}
	b.ReportAllocs()
	for b.Loop() {
		serve(b, s, http.MethodGet, "/api/v1/families?filter[code]=C05000", "", http.StatusOK)
	}
}

// BenchmarkParallelMixed measures throughput under concurrency: creates
// of distinct families and natural-key lookups from all cores, as an apply
// does them.
func BenchmarkParallelMixed(b *testing.B) {
	s := newTest(b, Options{})
	var n atomic.Int64
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			i := n.Add(1)
			if i%2 == 0 {
				serve(b, s, http.MethodPost, "/api/v1/families", fmt.Sprintf(`{"name":"F%d"}`, i), http.StatusCreated)
			} else {
				serve(b, s, http.MethodGet, fmt.Sprintf("/api/v1/families?filter[name]=F%d", i-1), "", http.StatusOK)
			}
		}
	})
}
