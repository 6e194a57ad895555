package sandbox

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// listIDs lists path with query and returns the ids of the page, in order.
func listIDs(t *testing.T, s *Server, path string, q url.Values) []int64 {
	t.Helper()
	r := call(t, s, http.MethodGet, path+"?"+q.Encode(), "")
	if r.status != http.StatusOK {
		t.Fatalf("GET %s?%s: status %d: %s", path, q.Encode(), r.status, r.raw)
	}
	data, _ := r.obj["data"].([]any)
	var ids []int64
	for _, d := range data {
		ids = append(ids, idOf(t, d.(map[string]any)))
	}
	return ids
}

func TestFilterModes(t *testing.T) {
	type query struct {
		path   string
		params url.Values
		exact  []int // indexes of the created objects found in FiltersExact
		spatie []int // ... and in FiltersSpatie
	}
	families := []string{"Dupont", "Dupont, Fils", "dupont fils", "true", "Plan 1", "VoIP Services"}
	queries := []query{
		{"/api/v1/families", url.Values{"filter[name]": {"Dupont"}}, []int{0}, []int{0, 1, 2}},
		// Split at the comma: "Dupont" or " Fils", each exactly; the object
		// named "Dupont, Fils" is not found.
		{"/api/v1/families", url.Values{"filter[name]": {"Dupont, Fils"}}, []int{1}, []int{0}},
		{"/api/v1/families", url.Values{"filter[name]": {"Dupont,Plan 1"}}, nil, []int{0, 4}},
		{"/api/v1/families", url.Values{"filter[name]": {"true"}}, []int{3}, []int{4}},
		{"/api/v1/families", url.Values{"filter[name]": {"voip"}}, nil, []int{5}},
		// The middleware trims query input too.
		{"/api/v1/families", url.Values{"filter[name]": {"VoIP Services "}}, []int{5}, []int{5}},
	}
	for _, mode := range []string{FiltersExact, FiltersSpatie} {
		t.Run(mode, func(t *testing.T) {
			s := newTest(t, Options{Filters: mode})
			ids := make([]int64, len(families))
			for i, n := range families {
				ids[i] = mustCreate(t, s, "/api/v1/families", fmt.Sprintf(`{"name":%q}`, n))
			}
			for _, q := range queries {
				want := q.exact
				if mode == FiltersSpatie {
					want = q.spatie
				}
				var wantIDs []int64
				for _, i := range want {
					wantIDs = append(wantIDs, ids[i])
				}
				if got := listIDs(t, s, q.path, q.params); fmt.Sprint(got) != fmt.Sprint(wantIDs) {
					t.Errorf("%s: ids %v, want %v", q.params.Encode(), got, wantIDs)
				}
			}
			// Ids filter exactly in both modes: 1 does not find 10.
			fam := ids[0]
			item := mustCreate(t, s, "/api/v1/items", fmt.Sprintf(`{"description":"SIP","family_id":%d}`, fam))
			mustCreate(t, s, "/api/v1/items", `{"description":"SIP 2"}`)
			if got := listIDs(t, s, "/api/v1/items", url.Values{"filter[family_id]": {fmt.Sprint(fam)}}); fmt.Sprint(got) != fmt.Sprint([]int64{item}) {
				t.Errorf("items by family_id: %v, want [%d]", got, item)
			}
		})
	}
	if _, err := New(Options{Filters: "fuzzy"}); err == nil || !strings.Contains(err.Error(), `"exact" or "spatie"`) {
		t.Errorf("New with an unknown filter mode: %v", err)
	}
}

// TestDropFirst loses the response of the first create of a chosen kind
// only: it is stored all the same.
func TestDropFirst(t *testing.T) {
	s := newTest(t, Options{DropFirst: []resource.Kind{resource.Family}})
	srv := httptest.NewServer(s)
	defer srv.Close()
	post := func(path, body string) (int, error) { return sendOver(t, srv, http.MethodPost, path, body) }
	if _, err := post("/v1/customers", `{"name":"Acme"}`); err != nil {
		t.Fatalf("a customer create was dropped: %v", err)
	}
	if code, err := post("/v1/families", `{"name":"VoIP Services "}`); err == nil {
		t.Fatalf("the first family create was answered (%d), want its connection dropped", code)
	}
	if code, err := post("/v1/families", `{"name":"Data"}`); err != nil || code != http.StatusCreated {
		t.Fatalf("the second family create: %d, %v; want 201", code, err)
	}
	fams := s.Objects(resource.Family)
	if len(fams) != 2 || fams[0]["name"] != "VoIP Services" {
		t.Errorf("families stored: %v, want the dropped one (trimmed) and the second", fams)
	}
	if st := s.Stats(); st.Faults[FaultDrop] != 1 {
		t.Errorf("drops counted: %v, want 1", st.Faults)
	}
}
