package sandbox

import (
	"fmt"
	"net/http"
	"sync"
	"testing"
)

// TestConcurrentRequests mixes creates, updates, gets and lists from many
// goroutines; run with -race. Every create must get its own id and be
// stored exactly once.
func TestConcurrentRequests(t *testing.T) {
	f := newFixture(t, Options{})
	const workers, perWorker = 8, 40
	var wg sync.WaitGroup
	ids := make([][]int64, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range perWorker {
				r := call(t, f.s, http.MethodPost, "/api/v1/customer-files/recurrings",
					fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":1,"label":"w%d-%d"}`, f.fl, f.item, w, i))
				if r.status != http.StatusCreated {
					t.Errorf("create: %d %s", r.status, r.raw)
					return
				}
				id := idOf(t, r.obj)
				ids[w] = append(ids[w], id)
				if r := call(t, f.s, http.MethodPut, fmt.Sprintf("/api/v1/customer-files/recurrings/%d", id), `{"quantity":2}`); r.status != http.StatusOK {
					t.Errorf("update: %d %s", r.status, r.raw)
				}
				call(t, f.s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/recurrings?filter[customer_file_id]=%d&per_page=5", f.fl), "")
				call(t, f.s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", f.fl), "")
				f.s.Stats()
			}
		})
	}
	wg.Wait()
	seen := map[int64]bool{}
	for _, ws := range ids {
		for _, id := range ws {
			if seen[id] {
				t.Fatalf("id %d given twice", id)
			}
			seen[id] = true
		}
	}
	objs := f.s.Objects("recurring")
	if len(objs) != workers*perWorker || len(seen) != len(objs) {
		t.Fatalf("%d stored, %d ids returned, want %d", len(objs), len(seen), workers*perWorker)
	}
	for _, o := range objs {
		if text(o["quantity"]) != "2" {
			t.Errorf("line %v: quantity %v, want 2", o["id"], o["quantity"])
		}
	}
	r := call(t, f.s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/recurrings?filter[customer_file_id]=%d", f.fl), "")
	if text(r.obj["total"]) != fmt.Sprint(workers*perWorker) {
		t.Errorf("filtered total = %v", r.obj["total"])
	}
	if d := f.s.Stats().Duplicates["recurring"]; d != 0 {
		t.Errorf("recurring duplicates = %d, want 0 (every label differs)", d)
	}
}
