package refresh_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sort"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

const token = "refresh-test-token"

// world is a sandbox holding a catalog and customers, each with one file of
// three lines, and the Known list a state would give for them.
type world struct {
	srv   *sandbox.Server
	c     *bluerocktel.Client
	known []refresh.Known
	ids   map[string]int64
}

func newWorld(t testing.TB, customers int) *world {
	t.Helper()
	srv, err := sandbox.New(sandbox.Options{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	c, err := bluerocktel.New(bluerocktel.Config{BaseURL: hs.URL + "/api", Token: token, MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	w := &world{srv: srv, c: c, ids: map[string]int64{}}
	ctx := context.Background()
	create := func(addr string, k resource.Kind, q url.Values, body string) int64 {
		t.Helper()
		rec, err := c.Create(ctx, k, q, []byte(body))
		if err != nil {
			t.Fatalf("create %s: %v", addr, err)
		}
		w.ids[addr] = rec.ID
		w.known = append(w.known, refresh.Known{Addr: addr, Kind: k, ID: rec.ID, Parent: resource.ParentAddr(addr)})
		return rec.ID
	}
	fam := create("family.voip", resource.Family, nil, `{"name":"VoIP"}`)
	item := create("item.trunk", resource.Item, nil, fmt.Sprintf(`{"description":"Trunk","family_id":%d,"selling_price_without_tax":19.9}`, fam))
	for i := range customers {
		ca := fmt.Sprintf("customer.c%d", i)
		cust := create(ca, resource.Customer, nil, fmt.Sprintf(`{"name":"Customer %d"}`, i))
		file := create(ca+".file.main", resource.CustomerFile, url.Values{"fileable_type": {"customer"}, "fileable_id": {fmt.Sprint(cust)}}, `{"name":"Main"}`)
		for _, k := range []resource.Kind{resource.Licence, resource.Initial, resource.Recurring} {
			create(ca+".file.main."+string(k)+".l", k, nil, fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":5}`, file, item))
		}
	}
	return w
}

// addCustomers creates n more customers that the state does not know,
// before those it knows: the tenant's other customers.
func (w *world) addCustomers(t *testing.T, n int) {
	t.Helper()
	for i := range n {
		if _, err := w.c.Create(context.Background(), resource.Customer, nil, []byte(fmt.Sprintf(`{"name":"Other %d"}`, i))); err != nil {
			t.Fatal(err)
		}
	}
}

// only keeps the known objects whose address matches one of the prefixes
// (exactly, or as a parent).
func (w *world) only(prefixes ...string) []refresh.Known {
	var out []refresh.Known
	for _, k := range w.known {
		for _, p := range prefixes {
			if k.Addr == p || strings.HasPrefix(k.Addr, p+".") {
				out = append(out, k)
				break
			}
		}
	}
	return out
}

func (w *world) delete(t *testing.T, addr string) {
	t.Helper()
	if _, err := w.srv.Delete(kindOf(w.known, addr), w.ids[addr]); err != nil {
		t.Fatal(err)
	}
}

func kindOf(known []refresh.Known, addr string) resource.Kind {
	for _, k := range known {
		if k.Addr == addr {
			return k.Kind
		}
	}
	return ""
}

// hiding wraps a Reader: it leaves ids out of list pages and embedded
// collections out of files, as a server whose lists skip some objects, or
// which does not embed a relation, would.
type hiding struct {
	refresh.Reader
	fromLists map[int64]bool
	embeds    []string
}

func (h hiding) ListPage(ctx context.Context, kind resource.Kind, q url.Values, n, per int) (*bluerocktel.Page, error) {
	p, err := h.Reader.ListPage(ctx, kind, q, n, per)
	if err != nil {
		return nil, err
	}
	kept := p.Records[:0:0]
	for _, r := range p.Records {
		if !h.fromLists[r.ID] {
			kept = append(kept, r)
		}
	}
	p.Records = kept
	return p, nil
}

func (h hiding) Get(ctx context.Context, kind resource.Kind, id int64) (*bluerocktel.Record, error) {
	rec, err := h.Reader.Get(ctx, kind, id)
	if err == nil {
		for _, e := range h.embeds {
			delete(rec.Fields, e)
		}
	}
	return rec, err
}

// concurrency records the most calls in flight at once.
type concurrency struct {
	refresh.Reader
	now, peak atomic.Int64
}

func (c *concurrency) enter() {
	n := c.now.Add(1)
	for {
		p := c.peak.Load()
		if n <= p || c.peak.CompareAndSwap(p, n) {
			return
		}
	}
}

func (c *concurrency) Get(ctx context.Context, kind resource.Kind, id int64) (*bluerocktel.Record, error) {
	c.enter()
	defer c.now.Add(-1)
	return c.Reader.Get(ctx, kind, id)
}

func (c *concurrency) ListPage(ctx context.Context, kind resource.Kind, q url.Values, n, per int) (*bluerocktel.Page, error) {
	c.enter()
	defer c.now.Add(-1)
	return c.Reader.ListPage(ctx, kind, q, n, per)
}

func TestRead(t *testing.T) {
	tests := []struct {
		name      string
		customers int
		perPage   int
		known     func(w *world) []refresh.Known
		setup     func(t *testing.T, w *world)
		reader    func(w *world) refresh.Reader
		gone      []string
		// want are the requests by kind: "gets/pages".
		want map[resource.Kind]string
	}{
		{name: "one customer: a GET each, the file's GET covers its lines", customers: 1,
			want: map[resource.Kind]string{resource.Family: "1/0", resource.Item: "1/0", resource.Customer: "1/0", resource.CustomerFile: "1/0"}},
		{name: "deleted line: missing from its file, confirmed by a 404", customers: 1,
			setup: func(t *testing.T, w *world) { w.delete(t, "customer.c0.file.main.licence.l") },
			gone:  []string{"customer.c0.file.main.licence.l"},
			want:  map[resource.Kind]string{resource.Family: "1/0", resource.Item: "1/0", resource.Customer: "1/0", resource.CustomerFile: "1/0", resource.Licence: "1/0"}},
		{name: "deleted file: the file and its lines are gone", customers: 2,
			setup: func(t *testing.T, w *world) { w.delete(t, "customer.c1.file.main") },
			gone: []string{"customer.c1.file.main", "customer.c1.file.main.initial.l", "customer.c1.file.main.licence.l",
				"customer.c1.file.main.recurring.l"},
			want: map[resource.Kind]string{resource.Family: "1/0", resource.Item: "1/0", resource.Customer: "0/1", resource.CustomerFile: "2/0"}},
		{name: "deleted customer: gone from the list, confirmed by a 404, with its file", customers: 3,
			setup: func(t *testing.T, w *world) { w.delete(t, "customer.c1") },
			gone: []string{"customer.c1", "customer.c1.file.main", "customer.c1.file.main.initial.l", "customer.c1.file.main.licence.l",
				"customer.c1.file.main.recurring.l"},
			want: map[resource.Kind]string{resource.Family: "1/0", resource.Item: "1/0", resource.Customer: "1/1", resource.CustomerFile: "3/0"}},
		{name: "all customers of many: listed, per_page pages", customers: 45, perPage: 10,
			known: func(w *world) []refresh.Known { return w.only(customers(45)...) },
			want:  map[resource.Kind]string{resource.Customer: "0/5", resource.CustomerFile: "45/0"}},
		{name: "3 customers of many: page 1, then GETs by id (fewer than the 4 pages left)", customers: 45, perPage: 10,
			known: func(w *world) []refresh.Known { return w.only("customer.c40", "customer.c42", "customer.c44") },
			want:  map[resource.Kind]string{resource.Customer: "3/1", resource.CustomerFile: "3/0"}},
		{name: "5 customers of many: the 4 pages left cost less than 5 GETs", customers: 45, perPage: 10,
			known: func(w *world) []refresh.Known {
				return w.only("customer.c40", "customer.c41", "customer.c42", "customer.c43", "customer.c44")
			},
			want: map[resource.Kind]string{resource.Customer: "0/5", resource.CustomerFile: "5/0"}},
		{name: "5 customers of a tenant with 650, at per_page 100: page 1, then 5 GETs, not 6 pages", customers: 0,
			setup: func(t *testing.T, w *world) {
				w.addCustomers(t, 645)
				for i := range 5 {
					rec, err := w.c.Create(context.Background(), resource.Customer, nil, []byte(fmt.Sprintf(`{"name":"Known %d"}`, i)))
					if err != nil {
						t.Fatal(err)
					}
					w.known = append(w.known, refresh.Known{Addr: fmt.Sprintf("customer.k%d", i), Kind: resource.Customer, ID: rec.ID})
				}
			},
			known: func(w *world) []refresh.Known {
				return w.only("customer.k0", "customer.k1", "customer.k2", "customer.k3", "customer.k4")
			},
			want: map[resource.Kind]string{resource.Customer: "5/1"}},
		{name: "customers on the first page only: one request", customers: 45, perPage: 10,
			known: func(w *world) []refresh.Known { return w.only("customer.c0", "customer.c3", "customer.c9") },
			want:  map[resource.Kind]string{resource.Customer: "0/1", resource.CustomerFile: "3/0"}},
		{name: "a customer a list leaves out is not gone", customers: 3,
			known: func(w *world) []refresh.Known { return w.only("customer.c0", "customer.c1", "customer.c2") },
			reader: func(w *world) refresh.Reader {
				return hiding{Reader: w.c, fromLists: map[int64]bool{w.ids["customer.c1"]: true}}
			},
			want: map[resource.Kind]string{resource.Customer: "1/1", resource.CustomerFile: "3/0"}},
		{name: "lines a file does not embed are read by id", customers: 1,
			known:  func(w *world) []refresh.Known { return w.only("customer.c0.file.main") },
			reader: func(w *world) refresh.Reader { return hiding{Reader: w.c, embeds: []string{"licences", "recurrings"}} },
			want:   map[resource.Kind]string{resource.CustomerFile: "1/0", resource.Licence: "1/0", resource.Recurring: "1/0"}},
		{name: "a line whose file the state lacks is read by id", customers: 1,
			known: func(w *world) []refresh.Known { return w.only("customer.c0.file.main.licence.l") },
			want:  map[resource.Kind]string{resource.Licence: "1/0"}},
		{name: "objects without an id are skipped", customers: 1,
			known: func(w *world) []refresh.Known {
				return []refresh.Known{{Addr: "customer.x", Kind: resource.Customer}, {Addr: "family.y", Kind: resource.Family, ID: -1}}
			},
			want: map[resource.Kind]string{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := newWorld(t, tt.customers)
			if tt.setup != nil {
				tt.setup(t, w)
			}
			known := w.known
			if tt.known != nil {
				known = tt.known(w)
			}
			var r refresh.Reader = w.c
			if tt.reader != nil {
				r = tt.reader(w)
			}
			before := w.srv.Stats().Requests
			live, st, err := refresh.Read(context.Background(), r, known, refresh.Options{Parallelism: 4, PerPage: tt.perPage})
			if err != nil {
				t.Fatal(err)
			}
			got := map[resource.Kind]string{}
			for k, n := range st.Kinds {
				got[k] = fmt.Sprintf("%d/%d", n.Gets, n.Pages)
			}
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("requests (gets/pages) = %v, want %v", got, tt.want)
			}
			if sent := w.srv.Stats().Requests - before; sent != int64(st.Requests()) {
				t.Errorf("sandbox received %d requests, stats say %d", sent, st.Requests())
			}
			var gone []string
			withID := 0
			for _, k := range known {
				if k.ID <= 0 {
					if live[k.Addr] != nil {
						t.Errorf("%s without an id was read", k.Addr)
					}
					continue
				}
				withID++
				l := live[k.Addr]
				if l == nil {
					t.Errorf("%s missing from the result", k.Addr)
					continue
				}
				if l.Gone {
					gone = append(gone, k.Addr)
					continue
				}
				if l.Record == nil || l.Record.ID != k.ID || l.ID != k.ID || l.Kind != k.Kind {
					t.Errorf("%s: live %+v, want %s #%d with its record", k.Addr, l, k.Kind, k.ID)
				}
			}
			sort.Strings(gone)
			if fmt.Sprint(gone) != fmt.Sprint(tt.gone) {
				t.Errorf("gone = %v, want %v", gone, tt.gone)
			}
			if st.Objects != withID || st.Gone != len(tt.gone) {
				t.Errorf("stats: %d objects, %d gone; want %d, %d", st.Objects, st.Gone, withID, len(tt.gone))
			}
		})
	}
}

func customers(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("customer.c%d", i)
	}
	return out
}

// The client is a Reader.
var _ refresh.Reader = (*bluerocktel.Client)(nil)

// TestReadBulk is the case in small: 100 customers with one file
// and three lines each, read in at most 0.25 requests per object, never
// more requests at once than Parallelism.
func TestReadBulk(t *testing.T) {
	w := newWorld(t, 100)
	r := &concurrency{Reader: w.c}
	live, st, err := refresh.Read(context.Background(), r, w.known, refresh.Options{Parallelism: 3})
	if err != nil {
		t.Fatal(err)
	}
	// 1 family + 1 item + 1 page of 100 customers + 100 files, for 502 objects.
	if st.Requests() != 103 || st.Objects != 502 || len(live) != 502 {
		t.Errorf("%d requests for %d objects (%d live), want 103 for 502", st.Requests(), st.Objects, len(live))
	}
	if pp := st.PerObject(); pp > 0.25 {
		t.Errorf("%.3f requests per object, want <= 0.25", pp)
	}
	if p := r.peak.Load(); p > 3 || p < 2 {
		t.Errorf("peak concurrency %d, want 2..3 (Parallelism 3)", p)
	}
}

// failing answers every call with an error that is not a 404.
type failing struct{ refresh.Reader }

var errDown = errors.New("connection refused")

func (failing) Get(context.Context, resource.Kind, int64) (*bluerocktel.Record, error) {
	return nil, errDown
}

func TestReadErrors(t *testing.T) {
	w := newWorld(t, 1)
	_, _, err := refresh.Read(context.Background(), failing{w.c}, w.only("customer.c0.file.main"), refresh.Options{Parallelism: 2})
	var re *refresh.Error
	if !errors.As(err, &re) || !errors.Is(err, errDown) || !strings.Contains(err.Error(), "customer.c0.file.main (file #") {
		t.Errorf("error = %v, want a refresh.Error naming the file and wrapping the cause", err)
	}
	_, _, err = refresh.Read(context.Background(), w.c, []refresh.Known{{Addr: "widget.x", Kind: "widget", ID: 1}}, refresh.Options{})
	if err == nil || !strings.Contains(err.Error(), `unknown kind "widget"`) {
		t.Errorf("unknown kind: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := refresh.Read(ctx, w.c, w.known, refresh.Options{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled read: %v, want context.Canceled", err)
	}
}

// TestReadRecord checks that what Read returns is the API's answer: a
// file's record with its lines, a line's record with its fields.
func TestReadRecord(t *testing.T) {
	w := newWorld(t, 1)
	if _, err := w.srv.Edit(resource.Licence, w.ids["customer.c0.file.main.licence.l"], []byte(`{"quantity": 8}`)); err != nil {
		t.Fatal(err)
	}
	live, _, err := refresh.Read(context.Background(), w.c, w.known, refresh.Options{Parallelism: 2})
	if err != nil {
		t.Fatal(err)
	}
	if got := live["customer.c0.file.main.licence.l"].Record.Text("quantity"); got != "8" {
		t.Errorf("licence quantity = %s, want 8", got)
	}
	var lines []json.RawMessage
	if err := json.Unmarshal(live["customer.c0.file.main"].Record.Raw("recurrings"), &lines); err != nil || len(lines) != 1 {
		t.Errorf("the file's record lacks its recurring line: %v %s", err, live["customer.c0.file.main"].Record.Raw("recurrings"))
	}
}

// TestReadRetries: reads go through the client's retries, so a server
// failing every other request still gives the whole picture.
func TestReadRetries(t *testing.T) {
	w := newWorld(t, 3)
	var n atomic.Int64
	hs := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if n.Add(1)%2 == 1 {
			rw.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.srv.ServeHTTP(rw, r)
	}))
	defer hs.Close()
	c, err := bluerocktel.New(bluerocktel.Config{BaseURL: hs.URL + "/api", Token: token, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	live, st, err := refresh.Read(context.Background(), c, w.known, refresh.Options{Parallelism: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(live) != len(w.known) || st.Gone != 0 {
		t.Errorf("%d live, %d gone; want %d and 0", len(live), st.Gone, len(w.known))
	}
	// family, item, 1 customer page, 3 files; each sent twice.
	if st.Requests() != 6 || n.Load() != 12 || c.Stats().Retries != 6 {
		t.Errorf("%d reads, %d attempts, %d retries; want 6, 12, 6", st.Requests(), n.Load(), c.Stats().Retries)
	}
}
