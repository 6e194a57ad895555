package sandbox

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestAuth(t *testing.T) {
	s := newTest(t, Options{})
	tests := []struct {
		name, auth string
		want       int
	}{
		{"no header", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"token prefix only", "Bearer " + testToken[:5], http.StatusUnauthorized},
		{"basic scheme", "Basic " + testToken, http.StatusUnauthorized},
		{"right token", "Bearer " + testToken, http.StatusOK},
		{"scheme is case-insensitive", "bearer " + testToken, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, method := range []string{http.MethodGet, http.MethodPost} {
				r := callAuth(t, s, method, "/api/v1/families", `{"name":"n"}`, tt.auth)
				want := tt.want
				if method == http.MethodPost && want == http.StatusOK {
					want = http.StatusCreated
				}
				if r.status != want {
					t.Fatalf("%s: status %d, want %d: %s", method, r.status, want, r.raw)
				}
				if want == http.StatusUnauthorized {
					if r.raw != `{"message":"Unauthenticated."}` {
						t.Errorf("401 body = %s", r.raw)
					}
					if strings.Contains(r.raw, testToken) {
						t.Errorf("401 body contains the token")
					}
				}
			}
		})
	}
	if n := len(s.Objects("family")); n != 2 {
		t.Errorf("%d families stored, want 2 (only authorized creates)", n)
	}
	// Version and stats need no token.
	r := callAuth(t, s, http.MethodGet, "/api/version", "", "")
	if r.status != http.StatusOK || r.obj["version"] != "sandbox" || r.obj["status"] != "ok" {
		t.Errorf("version: %d %s", r.status, r.raw)
	}
	if r := callAuth(t, s, http.MethodGet, StatsPath, "", ""); r.status != http.StatusOK {
		t.Errorf("stats: %d %s", r.status, r.raw)
	}
}

func TestGenerateToken(t *testing.T) {
	a, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Token()) < 32 || a.Token() == b.Token() {
		t.Fatalf("generated tokens %q and %q: want long and distinct", a.Token(), b.Token())
	}
	r := callAuth(t, a, http.MethodGet, "/api/v1/families", "", "Bearer "+a.Token())
	if r.status != http.StatusOK {
		t.Errorf("generated token refused: %d", r.status)
	}
}

func TestNotFoundAndRoutes(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		method, path string
		want         int
	}{
		{http.MethodGet, "/api/v1/families/999", http.StatusNotFound},
		{http.MethodPut, "/api/v1/families/999", http.StatusNotFound},
		{http.MethodGet, fmt.Sprintf("/api/v1/families/%d", f.item), http.StatusNotFound}, // an item's id
		{http.MethodGet, "/api/v1/customer-files/licences/1", http.StatusNotFound},
		{http.MethodGet, "/api/v1/nothing", http.StatusNotFound},
		{http.MethodGet, "/api/v1/families/abc", http.StatusNotFound},
		{http.MethodDelete, "/api/v1/families/1", http.StatusUnprocessableEntity}, // its item refers to it
		{http.MethodDelete, "/api/v1/families/999", http.StatusNotFound},
		{http.MethodDelete, "/api/v1/families", http.StatusMethodNotAllowed},
		{http.MethodPost, "/api/v1/families/1", http.StatusMethodNotAllowed},
		{http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", f.fl), http.StatusOK},
		{http.MethodGet, fmt.Sprintf("/api/v1/items/%d", f.item), http.StatusOK},
		{http.MethodGet, "/api/v1/customer-files/licences", http.StatusOK},
	}
	for _, tt := range tests {
		r := call(t, f.s, tt.method, tt.path, `{}`)
		if r.status != tt.want {
			t.Errorf("%s %s: status %d, want %d: %s", tt.method, tt.path, r.status, tt.want, r.raw)
		}
		if r.status >= 400 && r.obj["message"] == nil {
			t.Errorf("%s %s: error without a message: %s", tt.method, tt.path, r.raw)
		}
	}
	r := call(t, f.s, http.MethodGet, "/api/v1/families/999", "")
	if r.raw != `{"message":"Not found."}` {
		t.Errorf("404 body = %s", r.raw)
	}
}

func TestUpdate(t *testing.T) {
	f := newFixture(t, Options{})
	path := fmt.Sprintf("/api/v1/items/%d", f.item)
	before := call(t, f.s, http.MethodGet, path, "")
	r := call(t, f.s, http.MethodPut, path, `{"selling_price_without_tax":"21.5","internal_reference":"SIP-2"}`)
	if r.status != http.StatusOK {
		t.Fatalf("PUT: %d %s", r.status, r.raw)
	}
	for field, want := range map[string]string{
		"selling_price_without_tax": `"21.50"`, "internal_reference": `"SIP-2"`,
		"description": `"SIP"`, "family_id": fmt.Sprint(f.family), "active": "true",
	} {
		if got := text(r.obj[field]); got != want {
			t.Errorf("after PUT %s = %s, want %s", field, got, want)
		}
	}
	if r.obj["created_at"] != before.obj["created_at"] || r.obj["updated_at"] == before.obj["updated_at"] {
		t.Errorf("timestamps after PUT: created %v -> %v, updated %v -> %v",
			before.obj["created_at"], r.obj["created_at"], before.obj["updated_at"], r.obj["updated_at"])
	}
	if got := call(t, f.s, http.MethodGet, path, ""); got.raw != r.raw {
		t.Errorf("GET after PUT = %s, want %s", got.raw, r.raw)
	}

	// Invalid updates are refused and change nothing.
	for _, body := range []string{`{"description":null}`, `{"family_id":424242}`, `{"billing_frequency":0}`} {
		bad := call(t, f.s, http.MethodPut, path, body)
		if bad.status != http.StatusUnprocessableEntity {
			t.Errorf("PUT %s: status %d, want 422", body, bad.status)
		}
	}
	if got := call(t, f.s, http.MethodGet, path, ""); got.raw != r.raw {
		t.Errorf("a refused PUT changed the item: %s", got.raw)
	}
}

func TestListPagination(t *testing.T) {
	s := newTest(t, Options{})
	const n = 35
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = mustCreate(t, s, "/api/v1/families", fmt.Sprintf(`{"name":"F%02d"}`, i))
	}
	tests := []struct {
		query                        string
		page, lastPage, perPage, cnt int
		first                        int // index into ids of the first row
	}{
		{"", 1, 3, 15, 15, 0},
		{"?per_page=10&page=4", 4, 4, 10, 5, 30},
		{"?per_page=10&page=2", 2, 4, 10, 10, 10},
		{"?per_page=10&page=9", 9, 4, 10, 0, 0},
		{"?per_page=100", 1, 1, 100, 35, 0},
		{"?per_page=5000", 1, 1, 1000, 35, 0}, // capped at maxPerPage
		{"?page=abc&per_page=-3", 1, 3, 15, 15, 0},
	}
	for _, tt := range tests {
		r := call(t, s, http.MethodGet, "/api/v1/families"+tt.query, "")
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.query, r.status, r.raw)
		}
		for field, want := range map[string]int{"current_page": tt.page, "last_page": tt.lastPage, "per_page": tt.perPage, "total": n} {
			if got := text(r.obj[field]); got != fmt.Sprint(want) {
				t.Errorf("%s: %s = %s, want %d", tt.query, field, got, want)
			}
		}
		data := r.obj["data"].([]any)
		if len(data) != tt.cnt {
			t.Fatalf("%s: %d rows, want %d", tt.query, len(data), tt.cnt)
		}
		for i, row := range data {
			if got := idOf(t, row.(map[string]any)); got != ids[tt.first+i] {
				t.Errorf("%s: row %d id %d, want %d", tt.query, i, got, ids[tt.first+i])
			}
		}
	}
}

func TestListFilters(t *testing.T) {
	f := newFixture(t, Options{})
	item2 := mustCreate(t, f.s, "/api/v1/items", `{"description":"Other","internal_reference":"REF-9"}`)
	cust2 := mustCreate(t, f.s, "/api/v1/customers", `{"name":"Beta","customer_account":"B-1"}`)
	file2 := mustCreate(t, f.s, fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", cust2), `{"name":"Main"}`)
	line := func(file, item int64, q string) int64 {
		return mustCreate(t, f.s, "/api/v1/customer-files/recurrings",
			fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":%s}`, file, item, q))
	}
	l1, l2, l3 := line(f.fl, f.item, "1"), line(f.fl, item2, "2"), line(file2, f.item, "3")

	tests := []struct {
		path string
		want []int64
	}{
		{"/api/v1/families?filter[name]=" + url.QueryEscape("VoIP Services"), []int64{f.family}},
		{"/api/v1/families?filter[name]=VoIP", nil}, // exact match only
		{"/api/v1/items?filter[internal_reference]=REF-9", []int64{item2}},
		{fmt.Sprintf("/api/v1/items?filter[description]=SIP&filter[family_id]=%d", f.family), []int64{f.item}},
		{"/api/v1/customers?filter[customer_account]=B-1", []int64{cust2}},
		{fmt.Sprintf("/api/v1/customers?filter[customer_account]=CL%06d", f.customer), []int64{f.customer}},
		{fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", f.customer), []int64{f.fl}},
		{fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d&filter[name]=Main", cust2), []int64{file2}},
		{"/api/v1/customer-files?filter[name]=Main", []int64{f.fl, file2}},
		{fmt.Sprintf("/api/v1/customer-files/recurrings?filter[customer_file_id]=%d", f.fl), []int64{l1, l2}},
		{fmt.Sprintf("/api/v1/customer-files/recurrings?filter[customer_file_id]=%d&filter[item_id]=%d", f.fl, item2), []int64{l2}},
		{fmt.Sprintf("/api/v1/customer-files/recurrings?filter[item_id]=%d", f.item), []int64{l1, l3}},
		{"/api/v1/customer-files/recurrings?filter[quantity]=3", []int64{l3}}, // an unindexed field
		{"/api/v1/customer-files/recurrings?filter[customer_file_id]=1", nil},
	}
	for _, tt := range tests {
		r := call(t, f.s, http.MethodGet, tt.path, "")
		if r.status != http.StatusOK {
			t.Fatalf("%s: %d %s", tt.path, r.status, r.raw)
		}
		var got []int64
		for _, row := range r.obj["data"].([]any) {
			got = append(got, idOf(t, row.(map[string]any)))
		}
		if fmt.Sprint(got) != fmt.Sprint(tt.want) || text(r.obj["total"]) != fmt.Sprint(len(tt.want)) {
			t.Errorf("%s: ids %v total %v, want %v", tt.path, got, r.obj["total"], tt.want)
		}
	}

	// The index follows updates: the old value no longer matches.
	call(t, f.s, http.MethodPut, fmt.Sprintf("/api/v1/families/%d", f.family), `{"name":"Renamed"}`)
	for name, want := range map[string]int{"VoIP Services": 0, "Renamed": 1} {
		r := call(t, f.s, http.MethodGet, "/api/v1/families?filter[name]="+url.QueryEscape(name), "")
		if got := len(r.obj["data"].([]any)); got != want {
			t.Errorf("after rename, filter[name]=%s: %d rows, want %d", name, got, want)
		}
	}
}

func TestStatsCounting(t *testing.T) {
	s := newTest(t, Options{})
	mustCreate(t, s, "/api/v1/families", `{"name":"a"}`)
	call(t, s, http.MethodPost, "/api/v1/families", `{}`)
	call(t, s, http.MethodGet, "/api/v1/families/1", "")
	callAuth(t, s, http.MethodGet, "/api/version", "", "")
	for range 3 { // the stats endpoint does not count itself
		callAuth(t, s, http.MethodGet, StatsPath, "", "")
	}
	st := s.Stats()
	if st.Requests != 4 {
		t.Errorf("requests = %d, want 4", st.Requests)
	}
	want := map[string]map[string]int64{
		"POST /v1/families":     {"201": 1, "422": 1},
		"GET /v1/families/{id}": {"200": 1},
		"GET /version":          {"200": 1},
	}
	if fmt.Sprint(st.Routes) != fmt.Sprint(want) {
		t.Errorf("routes = %v, want %v", st.Routes, want)
	}
	if st.Objects["family"] != 1 || st.Objects["item"] != 0 {
		t.Errorf("objects = %v", st.Objects)
	}
	// The endpoint serves the same numbers as JSON.
	r := callAuth(t, s, http.MethodGet, StatsPath, "", "")
	if text(r.obj["requests"]) != "4" || text(r.obj["objects"].(map[string]any)["family"]) != "1" {
		t.Errorf("stats endpoint = %s", r.raw)
	}
	if strings.Contains(r.raw, testToken) {
		t.Error("the stats contain the token")
	}
}

func TestDuplicates(t *testing.T) {
	f := newFixture(t, Options{})
	lineBody := fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":1}`, f.fl, f.item)
	tests := []struct {
		name, path, body string
		dups             int // duplicates of the kind after posting body
	}{
		{"family with a new name", "/api/v1/families", `{"name":"Other"}`, 0},
		{"family with the same name", "/api/v1/families", `{"name":"VoIP Services"}`, 1},
		{"customer with a generated account is keyed by name", "/api/v1/customers", `{"name":"Acme"}`, 1},
		{"customer with its own account", "/api/v1/customers", `{"name":"Acme","customer_account":"X1"}`, 1},
		{"same file name under another customer", fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", f.customer), `{"name":"Other"}`, 0},
		{"same file name under the same customer", fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", f.customer), `{"name":"Main"}`, 1},
		{"first line", "/api/v1/customer-files/licences", lineBody, 0},
		{"a line differing in one field", "/api/v1/customer-files/licences", strings.Replace(lineBody, `"quantity":1`, `"quantity":2`, 1), 0},
		{"the same line again", "/api/v1/customer-files/licences", lineBody, 1},
	}
	for _, tt := range tests {
		mustCreate(t, f.s, tt.path, tt.body)
		kind := kindOfPath(t, f.s, tt.path)
		if got := f.s.Stats().Duplicates[kind]; got != tt.dups {
			t.Errorf("%s: %s duplicates = %d, want %d (keys %v)", tt.name, kind, got, tt.dups, f.s.Stats().DuplicateKeys[kind])
		}
	}
	// Renaming the duplicate family away removes the duplicate.
	fams := f.s.Objects("family")
	call(t, f.s, http.MethodPut, fmt.Sprintf("/api/v1/families/%d", fams[len(fams)-1]["id"]), `{"name":"Unique"}`)
	if got := f.s.Stats().Duplicates["family"]; got != 0 {
		t.Errorf("after rename: family duplicates = %d, want 0", got)
	}
}

func TestObjectsSnapshot(t *testing.T) {
	s := newTest(t, Options{Now: func() time.Time { return time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC) }})
	id := mustCreate(t, s, "/api/v1/items", `{"description":"d","selling_price_without_tax":1.5,"billing_frequency":3}`)
	objs := s.Objects("item")
	if len(objs) != 1 {
		t.Fatalf("%d objects", len(objs))
	}
	o := objs[0]
	if o["id"] != id || o["selling_price_without_tax"] != "1.50" || text(o["billing_frequency"]) != "3" ||
		o["active"] != true || o["created_at"] != "2026-01-02T03:04:05Z" {
		t.Errorf("snapshot = %v", o)
	}
	o["description"] = "changed" // a snapshot is a copy
	if s.Objects("item")[0]["description"] != "d" {
		t.Error("changing a snapshot changed the store")
	}
}
