package bluerocktel

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// paginated serves n families as a Laravel length-aware paginator,
// honouring page and per_page, and records the pages asked for.
func paginated(n int, pages *[]string, mu *sync.Mutex) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		page, _ := strconv.Atoi(q.Get("page"))
		per, _ := strconv.Atoi(q.Get("per_page"))
		if page < 1 {
			page = 1
		}
		if per < 1 {
			per = 15
		}
		mu.Lock()
		*pages = append(*pages, q.Get("page"))
		mu.Unlock()
		last := max(1, (n+per-1)/per)
		var items []string
		for i := (page-1)*per + 1; i <= min(n, page*per); i++ {
			items = append(items, fmt.Sprintf(`{"id":%d,"name":"F%d"}`, i, i))
		}
		writeJSON(w, 200, fmt.Sprintf(`{"current_page":%d,"data":[%s],"last_page":%d,"per_page":%d,"total":%d}`,
			page, strings.Join(items, ","), last, per, n))
	}
}

func TestListFollowsPagination(t *testing.T) {
	for _, n := range []int{0, 1, 100, 101, 250} {
		t.Run(strconv.Itoa(n), func(t *testing.T) {
			var pages []string
			var mu sync.Mutex
			srv, _ := serve(t, paginated(n, &pages, &mu))
			c := newClient(t, srv.URL)
			recs, err := c.List(context.Background(), resource.Family, nil)
			if err != nil {
				t.Fatal(err)
			}
			if len(recs) != n {
				t.Fatalf("got %d records, want %d", len(recs), n)
			}
			for i, r := range recs {
				if r.ID != int64(i+1) || r.Text("name") != fmt.Sprintf("F%d", i+1) {
					t.Fatalf("record %d = %+v", i, r)
				}
			}
			wantPages := max(1, (n+listPageSize-1)/listPageSize)
			if len(pages) != wantPages {
				t.Errorf("asked pages %v, want %d pages", pages, wantPages)
			}
		})
	}
}

func TestListShapes(t *testing.T) {
	tests := []struct {
		name    string
		pages   []string // body per page (1-based); the last repeats
		want    []int64
		wantErr string
	}{
		{name: "bare array", pages: []string{`[{"id":3},{"id":4}]`}, want: []int64{3, 4}},
		{name: "simple paginator", pages: []string{
			`{"data":[{"id":1}],"next_page_url":"http://x/api/v1/families?page=2"}`,
			`{"data":[{"id":2}],"next_page_url":null}`,
		}, want: []int64{1, 2}},
		{name: "page numbers as strings", pages: []string{
			`{"data":[{"id":1}],"current_page":"1","last_page":"2"}`,
			`{"data":[{"id":2}],"current_page":"2","last_page":"2"}`,
		}, want: []int64{1, 2}},
		{name: "empty page stops", pages: []string{`{"data":[],"current_page":1,"last_page":9}`}, want: nil},
		{name: "object without data", pages: []string{`{"items":[]}`}, wantErr: "neither a data array"},
		{name: "item without id", pages: []string{`{"data":[{"name":"x"}],"current_page":1,"last_page":1}`}, wantErr: "no id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
				p, _ := strconv.Atoi(r.URL.Query().Get("page"))
				writeJSON(w, 200, tt.pages[min(len(tt.pages), max(p, 1))-1])
			})
			c := newClient(t, srv.URL)
			recs, err := c.List(context.Background(), resource.Family, nil)
			if !checkIDs(t, recs, err, tt.wantErr, tt.want) {
				return
			}
		})
	}
}

// filtering serves records of one kind, filtering like a lax
// spatie/laravel-query-builder server: filter[...] values match as
// substrings of the field's text, except that a value with a comma is split
// into values each of which must equal the text (an exact filter's IN).
func filtering(records []string, seen *[]url.Values, mu *sync.Mutex) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		mu.Lock()
		*seen = append(*seen, q)
		mu.Unlock()
		var out []string
		for _, raw := range records {
			var rec map[string]json.RawMessage
			if err := json.Unmarshal([]byte(raw), &rec); err != nil {
				panic(err)
			}
			ok := true
			for k, v := range q {
				if !strings.HasPrefix(k, "filter[") {
					continue
				}
				f := strings.TrimSuffix(strings.TrimPrefix(k, "filter["), "]")
				text, _ := resource.JSONText(rec[f])
				if strings.Contains(v[0], ",") {
					ok = ok && slices.Contains(strings.Split(v[0], ","), text)
				} else if !strings.Contains(text, v[0]) {
					ok = false
				}
			}
			if ok {
				out = append(out, raw)
			}
		}
		writeJSON(w, 200, `{"data":[`+strings.Join(out, ",")+`],"current_page":1,"last_page":1}`)
	}
}

func TestLookupMatchesExactly(t *testing.T) {
	tests := []struct {
		name    string
		kind    resource.Kind
		records []string
		parent  url.Values
		want    map[string]string
		filter  map[string]string // filter params expected on the request
		// nofilter are params that must not be on the request.
		nofilter []string
		ids      []int64
		wantErr  string
	}{
		{
			name: "family by exact name, substring matches excluded", kind: resource.Family,
			records: []string{`{"id":1,"name":"VoIP Services"}`, `{"id":2,"name":"VoIP Services Extra"}`, `{"id":3,"name":"voip services"}`, `{"id":4,"name":"VoIP Services"}`},
			want:    map[string]string{"name": "VoIP Services"},
			filter:  map[string]string{"filter[name]": "VoIP Services"},
			ids:     []int64{1, 4},
		},
		{
			name: "item by internal reference first", kind: resource.Item,
			records: []string{`{"id":42,"description":"SIP","family_id":7,"internal_reference":"SIP-2"}`, `{"id":43,"description":"SIP","family_id":7,"internal_reference":"SIP-22"}`},
			want:    map[string]string{"description": "Other text", "family_id": "7", "internal_reference": "SIP-2"},
			filter:  map[string]string{"filter[internal_reference]": "SIP-2"},
			ids:     []int64{42},
		},
		{
			name: "item by description within family, id compared as number", kind: resource.Item,
			records: []string{`{"id":42,"description":"SIP Trunk","family_id":7}`, `{"id":43,"description":"SIP Trunk","family_id":"7"}`, `{"id":44,"description":"SIP Trunk","family_id":17}`, `{"id":45,"description":"SIP Trunk 2","family_id":7}`},
			want:    map[string]string{"description": "SIP Trunk", "family_id": "7"},
			filter:  map[string]string{"filter[description]": "SIP Trunk", "filter[family_id]": "7"},
			ids:     []int64{42, 43},
		},
		{
			name: "customer file within its customer", kind: resource.CustomerFile,
			parent:  url.Values{"fileable_type": {"customer"}, "fileable_id": {"101"}},
			records: []string{`{"id":500,"fileable_type":"customer","fileable_id":101,"name":"Main Contract 2026"}`, `{"id":501,"fileable_type":"customer","fileable_id":102,"name":"Main Contract 2026"}`, `{"id":502,"fileable_type":"customer","fileable_id":101,"name":"Main Contract 2026 bis"}`},
			want:    map[string]string{"name": "Main Contract 2026", "billing_frequency": "1"},
			filter:  map[string]string{"filter[name]": "Main Contract 2026", "fileable_type": "customer", "fileable_id": "101"},
			ids:     []int64{500},
		},
		{
			name: "line matches every field, decimals exactly", kind: resource.Initial,
			records: []string{
				`{"id":1,"customer_file_id":500,"item_id":42,"quantity":1,"label":"Setup","selling_price_without_tax":"150.00","discount_rate":"0.1"}`,
				`{"id":2,"customer_file_id":500,"item_id":42,"quantity":"1.000","label":"Setup","selling_price_without_tax":150,"discount_rate":0.10}`,
				`{"id":3,"customer_file_id":500,"item_id":42,"quantity":1,"label":"Setup","selling_price_without_tax":"150.01","discount_rate":"0.1"}`,
				`{"id":4,"customer_file_id":500,"item_id":42,"quantity":2,"label":"Setup","selling_price_without_tax":"150.00","discount_rate":"0.1"}`,
				`{"id":5,"customer_file_id":500,"item_id":42,"quantity":1,"label":"Setup ","selling_price_without_tax":"150.00","discount_rate":"0.1"}`,
				`{"id":6,"customer_file_id":500,"item_id":42,"quantity":1,"label":null,"selling_price_without_tax":"150.00","discount_rate":"0.1"}`,
				`{"id":7,"customer_file_id":500,"item_id":420,"quantity":1,"label":"Setup","selling_price_without_tax":"150.00","discount_rate":"0.1"}`,
			},
			want:   map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "1", "label": "Setup", "selling_price_without_tax": "150.0", "discount_rate": "0.100"},
			filter: map[string]string{"filter[customer_file_id]": "500", "filter[item_id]": "42"},
			ids:    []int64{1, 2, 5}, // the server trims: "Setup " is "Setup"
		},
		{
			name: "recurring with price, date and boolean", kind: resource.Recurring,
			records: []string{
				`{"id":1,"customer_file_id":500,"item_id":42,"quantity":2,"selling_price_without_tax":"19.9","service_start":"2026-04-01","active":true}`,
				`{"id":2,"customer_file_id":500,"item_id":42,"quantity":2,"selling_price_without_tax":"19.9000","service_start":"2026-04-01","active":1}`,
				`{"id":3,"customer_file_id":500,"item_id":42,"quantity":2,"selling_price_without_tax":"19.9","service_start":"2026-04-02","active":true}`,
				`{"id":4,"customer_file_id":500,"item_id":42,"quantity":2,"selling_price_without_tax":"19.9","service_start":"2026-04-01","active":false}`,
				`{"id":5,"customer_file_id":500,"item_id":42,"quantity":2,"selling_price_without_tax":"19.09","service_start":"2026-04-01","active":true}`,
			},
			want: map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "2", "selling_price_without_tax": "19.90", "service_start": "2026-04-01", "active": "true"},
			ids:  []int64{1, 2},
		},
		{
			name: "extra fields compared as JSON", kind: resource.Licence,
			records: []string{
				`{"id":1,"customer_file_id":500,"item_id":42,"quantity":5,"note":"x","tags":[1,2.50]}`,
				`{"id":2,"customer_file_id":500,"item_id":42,"quantity":5,"note":"y","tags":[1,2.5]}`,
			},
			want: map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "5", "note": `"x"`, "tags": "[1, 2.5]"},
			ids:  []int64{1},
		},
		{
			name: "customer by name when no account", kind: resource.Customer,
			records: []string{`{"id":101,"name":"Acme Telecom SAS","email_address":"contact@acme-telecom.fr"}`, `{"id":102,"name":"Acme Telecom SAS","email_address":"other@acme-telecom.fr"}`},
			want:    map[string]string{"name": "Acme Telecom SAS", "email_address": "contact@acme-telecom.fr"},
			filter:  map[string]string{"filter[name]": "Acme Telecom SAS", "filter[email_address]": "contact@acme-telecom.fr"},
			ids:     []int64{101},
		},
		{
			name: "family sent padded, stored trimmed", kind: resource.Family,
			records: []string{`{"id":1,"name":"VoIP Services"}`, `{"id":2,"name":"VoIP Services 2"}`},
			want:    map[string]string{"name": "VoIP Services "},
			filter:  map[string]string{"filter[name]": "VoIP Services"},
			ids:     []int64{1},
		},
		{
			name: "customer account sent padded", kind: resource.Customer,
			records: []string{`{"id":9000,"name":"Acme","customer_account":"CL9000"}`},
			want:    map[string]string{"name": "Acme", "customer_account": "CL9000 "},
			filter:  map[string]string{"filter[customer_account]": "CL9000"},
			ids:     []int64{9000},
		},
		{
			name: "family with a comma: listed unfiltered, compared here", kind: resource.Family,
			records:  []string{`{"id":1,"name":"Dupont"}`, `{"id":2,"name":"Dupont, Fils"}`, `{"id":3,"name":"Dupont, Fils et Cie"}`},
			want:     map[string]string{"name": "Dupont, Fils"},
			nofilter: []string{"filter[name]"},
			ids:      []int64{2},
		},
		{
			name: "family named true: spatie would read a boolean", kind: resource.Family,
			records:  []string{`{"id":1,"name":"true"}`, `{"id":2,"name":"truer"}`},
			want:     map[string]string{"name": "true"},
			nofilter: []string{"filter[name]"},
			ids:      []int64{1},
		},
		{
			name: "customer with a comma in its name: filtered on its email only", kind: resource.Customer,
			records:  []string{`{"id":1,"name":"Dupont, Fils","email_address":"a@dupont.fr"}`, `{"id":2,"name":"Dupont","email_address":"a@dupont.fr"}`},
			want:     map[string]string{"name": "Dupont, Fils", "email_address": "a@dupont.fr"},
			filter:   map[string]string{"filter[email_address]": "a@dupont.fr"},
			nofilter: []string{"filter[name]"},
			ids:      []int64{1},
		},
		{
			name: "item with a comma in its description: filtered on its family", kind: resource.Item,
			records:  []string{`{"id":42,"description":"SIP, 2 channels","family_id":7}`, `{"id":43,"description":"SIP, 2 channels","family_id":8}`},
			want:     map[string]string{"description": "SIP, 2 channels", "family_id": "7"},
			filter:   map[string]string{"filter[family_id]": "7"},
			nofilter: []string{"filter[description]"},
			ids:      []int64{42},
		},
		{
			name: "customer file with a comma: the customer's files listed whole", kind: resource.CustomerFile,
			parent:   url.Values{"fileable_type": {"customer"}, "fileable_id": {"101"}},
			records:  []string{`{"id":500,"fileable_type":"customer","fileable_id":101,"name":"Site A, Lyon"}`, `{"id":501,"fileable_type":"customer","fileable_id":101,"name":"Site A"}`},
			want:     map[string]string{"name": "Site A, Lyon"},
			filter:   map[string]string{"fileable_type": "customer", "fileable_id": "101"},
			nofilter: []string{"filter[name]"},
			ids:      []int64{500},
		},
		{
			name: "price sent with 3 decimals, stored to the cent", kind: resource.Licence,
			records: []string{`{"id":1,"customer_file_id":500,"item_id":42,"quantity":"5.00","selling_price_without_tax":"19.91"}`, `{"id":2,"customer_file_id":500,"item_id":42,"quantity":5,"selling_price_without_tax":"19.90"}`},
			want:    map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "5", "selling_price_without_tax": "19.905"},
			ids:     []int64{1},
		},
		{
			name: "a field a candidate lacks is null", kind: resource.Initial,
			records: []string{`{"id":1,"customer_file_id":500,"item_id":42,"quantity":1}`, `{"id":2,"customer_file_id":500,"item_id":42,"quantity":1,"label":"Setup"}`},
			want:    map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "1", "label": "Setup"},
			ids:     []int64{2},
		},
		{
			name: "an item without a reference is not the one with it", kind: resource.Item,
			records:  []string{`{"id":1,"description":"SIP"}`, `{"id":2,"description":"Licence","internal_reference":"LIC-01,A"}`},
			want:     map[string]string{"description": "Licence", "internal_reference": "LIC-01,A"},
			nofilter: []string{"filter[internal_reference]"},
			ids:      []int64{2},
		},
		{
			name: "a candidate with a value of another type is uncertain", kind: resource.Initial,
			records: []string{`{"id":1,"customer_file_id":500,"item_id":42,"quantity":{"v":1},"label":"Setup"}`},
			want:    map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "1", "label": "Setup"},
			wantErr: `the API returned quantity {"v":1}, which is not a value of its type`,
		},
		{
			name: "a candidate that certainly differs is not uncertain", kind: resource.Initial,
			records: []string{`{"id":1,"customer_file_id":500,"item_id":42,"quantity":2}`},
			want:    map[string]string{"customer_file_id": "500", "item_id": "42", "quantity": "1", "label": "Setup"},
		},
		{
			name: "a blank key counts as not set", kind: resource.Customer,
			records: []string{`{"id":1,"name":"Acme","customer_account":"CL000001"}`},
			want:    map[string]string{"name": "Acme", "customer_account": "  "},
			filter:  map[string]string{"filter[name]": "Acme"},
			ids:     []int64{1},
		},
		{
			name: "no natural key set", kind: resource.Item,
			want:    map[string]string{"selling_price_without_tax": "19.90"},
			wantErr: "none of its natural keys (internal_reference, description+family_id) is set",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var seen []url.Values
			var mu sync.Mutex
			srv, _ := serve(t, filtering(tt.records, &seen, &mu))
			c := newClient(t, srv.URL)
			recs, err := c.Lookup(context.Background(), tt.kind, tt.parent, tt.want)
			if !checkIDs(t, recs, err, tt.wantErr, tt.ids) {
				return
			}
			if len(seen) != 1 {
				t.Fatalf("%d requests, want 1", len(seen))
			}
			for k, v := range tt.filter {
				if seen[0].Get(k) != v {
					t.Errorf("request param %s = %q, want %q (all: %v)", k, seen[0].Get(k), v, seen[0])
				}
			}
			for _, k := range tt.nofilter {
				if seen[0].Has(k) {
					t.Errorf("request param %s = %q: a filter that may miss the object (all: %v)", k, seen[0].Get(k), seen[0])
				}
			}
		})
	}
}

func TestEqualField(t *testing.T) {
	tests := []struct {
		typ  resource.Type
		want string
		got  string
		eq   bool
	}{
		{resource.Decimal, "19.90", `19.9`, true},
		{resource.Decimal, "19.90", `"19.9000"`, true},
		{resource.Decimal, "19.90", `"19.91"`, false},
		{resource.Decimal, "0.1", `1e-1`, true},
		{resource.Decimal, "1", `"NaN"`, false},
		{resource.Decimal, "1", `true`, false},
		{resource.Decimal, "1", `null`, false},
		{resource.Integer, "12", `12`, true},
		{resource.Integer, "12", `"12"`, true},
		{resource.Integer, "12", `120`, false},
		{resource.Boolean, "true", `true`, true},
		{resource.Boolean, "true", `1`, true},
		{resource.Boolean, "false", `"0"`, true},
		{resource.Boolean, "false", `true`, false},
		{resource.Boolean, "false", `null`, false},
		{resource.String, "Acme", `"Acme"`, true},
		{resource.String, "Acme", `"acme"`, false},
		{resource.String, "75001", `75001`, false},
		{resource.Date, "2026-04-01", `"2026-04-01"`, true},
		{resource.Date, "2026-04-01", `"2026-04-01T00:00:00Z"`, false},
		{typeGeneric, `{"a":[1,"x"]}`, `{"a":[1.0,"x"]}`, true},
		{typeGeneric, `{"a":[1,"x"]}`, `{"a":[1,"y"]}`, false},
		{typeGeneric, `plain`, `"plain"`, true},
	}
	for _, tt := range tests {
		if got := equalField(tt.typ, tt.want, json.RawMessage(tt.got)); got != tt.eq {
			t.Errorf("equalField(%v, %q, %s) = %t, want %t", tt.typ, tt.want, tt.got, got, tt.eq)
		}
	}
}

// checkIDs checks a list or lookup result: the expected error, or exactly
// the records with ids want, in order. It reports whether the caller
// should go on checking (no error was expected).
func checkIDs(t *testing.T, recs []*Record, err error, wantErr string, want []int64) bool {
	t.Helper()
	if wantErr != "" {
		logf(t, "%v", err)
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Fatalf("error %v, want %q", err, wantErr)
		}
		return false
	}
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, r := range recs {
		ids = append(ids, r.ID)
	}
	if fmt.Sprint(ids) != fmt.Sprint(want) {
		t.Errorf("ids %v, want %v", ids, want)
	}
	return true
}
