package export

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// tenant serves a sandbox holding a family, an item and n customers,
// each with one file holding one line of each kind (2 + 5n objects),
// with the sandbox's spatie filters (substring matches).
func tenant(t *testing.T, n int) *bluerocktel.Client {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Token: "read-test", Filters: sandbox.FiltersSpatie})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); _ = srv.Close() })
	c, err := bluerocktel.New(bluerocktel.Config{BaseURL: hs.URL + "/api", Token: "read-test"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	ctx := context.Background()
	create := func(k resource.Kind, q url.Values, body string) int64 {
		t.Helper()
		rec, err := c.Create(ctx, k, q, []byte(body))
		if err != nil {
			t.Fatalf("create %s %s: %v", k, body, err)
		}
		return rec.ID
	}
	fam := create(resource.Family, nil, `{"name":"VoIP"}`)
	item := create(resource.Item, nil, fmt.Sprintf(`{"description":"Trunk","family_id":%d}`, fam))
	for i := range n {
		cust := create(resource.Customer, nil, fmt.Sprintf(`{"name":"Customer %d","customer_account":"ACC-%d"}`, i, i))
		file := create(resource.CustomerFile, url.Values{"fileable_type": {"customer"}, "fileable_id": {strconv.FormatInt(cust, 10)}}, `{"name":"Main"}`)
		for _, k := range []resource.Kind{resource.Licence, resource.Initial, resource.Recurring} {
			create(k, nil, fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":1}`, file, item))
		}
	}
	return c
}

// degraded is a server that refuses to list customer files without their
// customer, and whose file GET does not embed the lines.
type degraded struct {
	refresh.Reader
	refuseWhole, noEmbed bool
}

func (d *degraded) ListPage(ctx context.Context, k resource.Kind, q url.Values, n, per int) (*bluerocktel.Page, error) {
	if d.refuseWhole && k == resource.CustomerFile && q.Get("fileable_id") == "" {
		return nil, &bluerocktel.APIError{Method: http.MethodGet, Path: "/v1/customer-files", Status: 422, Message: "The fileable id field is required."}
	}
	return d.Reader.ListPage(ctx, k, q, n, per)
}

func (d *degraded) Get(ctx context.Context, k resource.Kind, id int64) (*bluerocktel.Record, error) {
	rec, err := d.Reader.Get(ctx, k, id)
	if err == nil && d.noEmbed && k == resource.CustomerFile {
		for _, c := range resource.Get(k).Children() {
			delete(rec.Fields, c.Collection)
		}
	}
	return rec, err
}

// TestRead checks what is read and with which requests, on a server that
// lists as the sandbox does and on ones that do not.
func TestRead(t *testing.T) {
	const n = 12
	c := tenant(t, n)
	all := map[resource.Kind]int{resource.Family: 1, resource.Item: 1, resource.Customer: n, resource.CustomerFile: n,
		resource.Licence: n, resource.Initial: n, resource.Recurring: n}
	for _, tc := range []struct {
		name   string
		sel    Selection
		r      refresh.Reader
		want   map[resource.Kind]int
		pages  map[resource.Kind]int
		gets   map[resource.Kind]int
		others int // fallback lists
	}{
		{name: "everything", sel: Selection{AllCustomers: true, Catalog: CatalogAll}, r: c, want: all,
			pages: map[resource.Kind]int{resource.Contact: 1, resource.Family: 1, resource.Item: 1, resource.Customer: 1, resource.CustomerFile: 1},
			gets:  map[resource.Kind]int{resource.CustomerFile: n}},
		{name: "catalog used", sel: Selection{AllCustomers: true}, r: c, want: all,
			pages: map[resource.Kind]int{resource.Contact: 1, resource.Customer: 1, resource.CustomerFile: 1},
			gets:  map[resource.Kind]int{resource.CustomerFile: n, resource.Family: 1, resource.Item: 1}},
		{name: "no catalog", sel: Selection{AllCustomers: true, Catalog: CatalogNone}, r: c,
			want:  map[resource.Kind]int{resource.Customer: n, resource.CustomerFile: n, resource.Licence: n, resource.Initial: n, resource.Recurring: n},
			pages: map[resource.Kind]int{resource.Contact: 1, resource.Customer: 1, resource.CustomerFile: 1},
			gets:  map[resource.Kind]int{resource.CustomerFile: n}},
		{name: "files listed per customer", sel: Selection{AllCustomers: true, Catalog: CatalogAll}, r: &degraded{Reader: c, refuseWhole: true}, want: all,
			pages:  map[resource.Kind]int{resource.Contact: 1, resource.Family: 1, resource.Item: 1, resource.Customer: 1, resource.CustomerFile: 1 + n},
			gets:   map[resource.Kind]int{resource.CustomerFile: n},
			others: n},
		{name: "lines listed per file", sel: Selection{AllCustomers: true, Catalog: CatalogAll}, r: &degraded{Reader: c, noEmbed: true}, want: all,
			pages: map[resource.Kind]int{resource.Contact: 1, resource.Family: 1, resource.Item: 1, resource.Customer: 1, resource.CustomerFile: 1,
				resource.Licence: n, resource.Initial: n, resource.Recurring: n},
			gets:   map[resource.Kind]int{resource.CustomerFile: n},
			others: 3 * n},
		{name: "two customers, by account and id", sel: Selection{Customers: []string{"ACC-3", "200001"}}, r: c,
			want:   map[resource.Kind]int{resource.Family: 1, resource.Item: 1, resource.Customer: 2, resource.CustomerFile: 2, resource.Licence: 2, resource.Initial: 2, resource.Recurring: 2},
			pages:  map[resource.Kind]int{resource.Contact: 2, resource.Customer: 1, resource.CustomerFile: 2},
			gets:   map[resource.Kind]int{resource.Customer: 1, resource.CustomerFile: 2, resource.Family: 1, resource.Item: 1},
			others: 4}, // the files and the contacts of each
	} {
		t.Run(tc.name, func(t *testing.T) {
			est, st, err := Read(context.Background(), tc.r, tc.sel, ReadOptions{Parallelism: 4})
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range resource.All() {
				if got := len(est.Objects[s.Kind]); got != tc.want[s.Kind] {
					t.Errorf("%s: %d read, want %d", s.Kind, got, tc.want[s.Kind])
				}
				if st.Pages[s.Kind] != tc.pages[s.Kind] || st.Gets[s.Kind] != tc.gets[s.Kind] {
					t.Errorf("%s: %d pages and %d GETs, want %d and %d", s.Kind, st.Pages[s.Kind], st.Gets[s.Kind], tc.pages[s.Kind], tc.gets[s.Kind])
				}
			}
			if st.FallbackLists != tc.others {
				t.Errorf("%d per-parent lists, want %d", st.FallbackLists, tc.others)
			}
			for _, f := range est.Objects[resource.CustomerFile] {
				if f.Parent == nil || f.Parent.Spec.Kind != resource.Customer {
					t.Errorf("file #%d has no customer", f.ID)
				}
			}
		})
	}
}

func TestReadUnknownCustomer(t *testing.T) {
	c := tenant(t, 1)
	for _, sel := range []string{"ACC-9", "999"} {
		_, _, err := Read(context.Background(), c, Selection{Customers: []string{sel}}, ReadOptions{})
		if _, ok := err.(*NotFoundError); !ok {
			t.Errorf("customer %s: got %v, want a *NotFoundError", sel, err)
		}
	}
}
