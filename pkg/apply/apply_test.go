package apply

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// fault is what the fake API does with one create.
type fault int

const (
	ok       fault = iota
	drop           // stored, then the answer is lost
	lost           // not stored, and the answer is lost
	reject         // 422 on the item_id field
	lookFail       // stored, answer lost, and lookups fail
)

// cookbookKinds are the kinds of the onboarding cookbook's seven calls,
// one object each in the test set.
var cookbookKinds = []resource.Kind{resource.Family, resource.Item, resource.Customer, resource.CustomerFile,
	resource.Licence, resource.Initial, resource.Recurring}

// fakeAPI is an in-memory API whose creates fail as scripted, per kind and
// attempt.
type fakeAPI struct {
	mu      sync.Mutex
	next    int64
	stored  map[resource.Kind][]storedObj
	creates map[resource.Kind]int
	faults  map[resource.Kind][]fault // by attempt; missing = ok
	lookErr bool
	updates int
}

type storedObj struct {
	id     int64
	fields map[string]string
	query  url.Values
}

func newFake() *fakeAPI {
	return &fakeAPI{next: 100, stored: map[resource.Kind][]storedObj{}, creates: map[resource.Kind]int{},
		faults: map[resource.Kind][]fault{}}
}

func (f *fakeAPI) Create(_ context.Context, k resource.Kind, q url.Values, body []byte) (*bluerocktel.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	attempt := f.creates[k]
	f.creates[k]++
	fl := ok
	if attempt < len(f.faults[k]) {
		fl = f.faults[k][attempt]
	}
	if fl == reject {
		return nil, &bluerocktel.APIError{Method: "POST", Path: resource.Get(k).Path, Status: 422,
			Message: "The selected item id is invalid.", Fields: map[string][]string{"item_id": {"The selected item id is invalid."}}}
	}
	if fl == lost {
		return nil, &bluerocktel.OutcomeUnknownError{Method: "POST", Path: resource.Get(k).Path, Err: errors.New("connection reset")}
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	fields := map[string]string{}
	for w, v := range raw {
		s := string(v)
		if uq, err := strconv.Unquote(s); err == nil {
			s = uq
		}
		fields[w] = s
	}
	f.next++
	f.stored[k] = append(f.stored[k], storedObj{id: f.next, fields: fields, query: q})
	if fl == drop || fl == lookFail {
		f.lookErr = fl == lookFail
		return nil, &bluerocktel.OutcomeUnknownError{Method: "POST", Path: resource.Get(k).Path, Err: errors.New("EOF")}
	}
	rec := &bluerocktel.Record{ID: f.next, Fields: map[string]json.RawMessage{}}
	if k == resource.Customer {
		rec.Fields["customer_account"] = json.RawMessage(fmt.Sprintf(`"CL%06d"`, f.next))
	}
	return rec, nil
}

// Lookup matches every wanted field exactly (the real client compares by
// the table's rules; here texts are as sent).
func (f *fakeAPI) Lookup(_ context.Context, k resource.Kind, q url.Values, want map[string]string) ([]*bluerocktel.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lookErr {
		return nil, errors.New("503 Service Unavailable")
	}
	var out []*bluerocktel.Record
	for _, o := range f.stored[k] {
		match := q.Encode() == o.query.Encode()
		for w, v := range want {
			match = match && o.fields[w] == v
		}
		if match {
			out = append(out, &bluerocktel.Record{ID: o.id})
		}
	}
	return out, nil
}

// Update applies a partial update to a stored object (null removes the
// field), or answers 404.
func (f *fakeAPI) Update(_ context.Context, k resource.Kind, id int64, body []byte) (*bluerocktel.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.updates++
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil {
		return nil, err
	}
	for i, o := range f.stored[k] {
		if o.id != id {
			continue
		}
		for w, v := range raw {
			if string(v) == "null" {
				delete(f.stored[k][i].fields, w)
				continue
			}
			s := string(v)
			if uq, err := strconv.Unquote(s); err == nil {
				s = uq
			}
			f.stored[k][i].fields[w] = s
		}
		return &bluerocktel.Record{ID: id}, nil
	}
	return nil, &bluerocktel.APIError{Method: "PUT", Path: resource.Get(k).ObjectPath(id), Status: 404, Message: "Not Found"}
}

func (f *fakeAPI) count(k resource.Kind) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.stored[k])
}

func acme(t *testing.T) *manifest.Set {
	t.Helper()
	set, err := manifest.Load(filepath.Join("..", "..", "examples", "acme.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func openStore(t *testing.T, path string) *state.Store {
	t.Helper()
	s, err := state.Open(path, state.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func run(t *testing.T, api *fakeAPI, statePath string, opts Options, planOpts plan.Options) (*Result, *state.State) {
	t.Helper()
	store := openStore(t, statePath)
	p, err := plan.Compile(acme(t), store.State(), planOpts)
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), p, api, store, opts)
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := state.Read(statePath)
	if err != nil {
		t.Fatal(err)
	}
	return res, st
}

const (
	licence  = "customer.acme.file.main-2026.licence.sip-trunk"
	fileAddr = "customer.acme.file.main-2026"
)

func TestApplyScenarios(t *testing.T) {
	cases := []struct {
		name    string
		faults  map[resource.Kind][]fault
		want    Result
		creates map[resource.Kind]int // POSTs sent per kind
		stored  map[resource.Kind]int // objects the API holds per kind
		errHas  string
		pending []string // addresses left pending in state
		absent  []string // addresses not in state
	}{
		{name: "all created", want: Result{Created: 7},
			creates: map[resource.Kind]int{resource.Customer: 1, resource.Licence: 1},
			stored:  map[resource.Kind]int{resource.Customer: 1, resource.Licence: 1}},
		{name: "answer lost after commit: adopted, not created twice",
			faults: map[resource.Kind][]fault{resource.Customer: {drop}}, want: Result{Created: 6, Adopted: 1},
			creates: map[resource.Kind]int{resource.Customer: 1}, stored: map[resource.Kind]int{resource.Customer: 1}},
		{name: "answer lost, never stored: created again after the lookup",
			faults: map[resource.Kind][]fault{resource.Licence: {lost}}, want: Result{Created: 7},
			creates: map[resource.Kind]int{resource.Licence: 2}, stored: map[resource.Kind]int{resource.Licence: 1}},
		{name: "422 on a line: the rest is created, the intent forgotten",
			faults: map[resource.Kind][]fault{resource.Licence: {reject}}, want: Result{Created: 6, Failed: 1},
			creates: map[resource.Kind]int{resource.Licence: 1}, stored: map[resource.Kind]int{resource.Licence: 0},
			errHas: "acme.yaml:40:19: item_id: The selected item id is invalid.", absent: []string{licence}},
		{name: "422 on the file: its lines are skipped",
			faults: map[resource.Kind][]fault{resource.CustomerFile: {reject}}, want: Result{Created: 3, Failed: 1, Skipped: 3},
			creates: map[resource.Kind]int{resource.Licence: 0}, absent: []string{fileAddr, licence}},
		{name: "unknown outcome that lookups cannot settle: branch stopped, intent kept",
			faults: map[resource.Kind][]fault{resource.CustomerFile: {lookFail}}, want: Result{Created: 3, Failed: 1, Skipped: 3},
			creates: map[resource.Kind]int{resource.CustomerFile: 1}, stored: map[resource.Kind]int{resource.CustomerFile: 1},
			errHas: "the outcome of its create is unknown and looking it up failed", pending: []string{fileAddr}},
		{name: "unknown outcomes every time: gives up after the bounded attempts",
			faults:  map[resource.Kind][]fault{resource.Family: {lost, lost, lost, lost}},
			want:    Result{Created: 2, Failed: 1, Skipped: 4},
			creates: map[resource.Kind]int{resource.Family: 3}, stored: map[resource.Kind]int{resource.Family: 0},
			errHas: "gave up after 3 creates", pending: []string{"family.voip"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			api := newFake()
			api.faults = c.faults
			if api.faults == nil {
				api.faults = map[resource.Kind][]fault{}
			}
			res, st := run(t, api, filepath.Join(t.TempDir(), "s"), Options{Parallelism: 4}, plan.Options{})
			got := *res
			got.Failures = nil
			if fmt.Sprintf("%+v", got) != fmt.Sprintf("%+v", c.want) {
				t.Fatalf("result %+v, want %+v", got, c.want)
			}
			for k, n := range c.creates {
				if api.creates[k] != n {
					t.Errorf("%s: %d POSTs, want %d", k, api.creates[k], n)
				}
			}
			for k, n := range c.stored {
				if api.count(k) != n {
					t.Errorf("%s: API holds %d, want %d", k, api.count(k), n)
				}
			}
			if c.errHas != "" {
				if len(res.Failures) == 0 || !strings.Contains(res.Failures[0].Err.Error(), c.errHas) {
					t.Errorf("failure %v, want it to contain %q", res.Failures, c.errHas)
				}
			}
			for _, a := range c.pending {
				if o := st.Get(a); o == nil || o.Status != state.StatusPending {
					t.Errorf("%s: state %+v, want pending", a, o)
				}
			}
			for _, a := range c.absent {
				if o := st.Get(a); o != nil {
					t.Errorf("%s: state %+v, want absent", a, o)
				}
			}
		})
	}
}

// TestRerunConverges: after each kind of fault, a rerun on the same state
// completes the set without creating anything twice.
func TestRerunConverges(t *testing.T) {
	for _, fl := range []fault{drop, lost, reject, lookFail} {
		for _, k := range []resource.Kind{resource.Family, resource.Customer, resource.CustomerFile, resource.Recurring} {
			t.Run(fmt.Sprintf("%d-%s", fl, k), func(t *testing.T) {
				api := newFake()
				api.faults[k] = []fault{fl}
				path := filepath.Join(t.TempDir(), "state")
				run(t, api, path, Options{Parallelism: 3}, plan.Options{})
				api.lookErr = false
				res, st := run(t, api, path, Options{Parallelism: 3}, plan.Options{})
				if !res.OK() {
					t.Fatalf("rerun: %+v %v", res, res.Failures)
				}
				for _, k := range cookbookKinds {
					if n := api.count(k); n != 1 {
						t.Errorf("%s: API holds %d objects, want exactly 1", k, n)
					}
				}
				if st.Len() != 7 {
					t.Errorf("state holds %d objects, want 7", st.Len())
				}
				// A third run sends nothing: no create, no update.
				before := fmt.Sprint(api.creates) // a copy: the map itself changes
				puts := api.updates
				res3, _ := run(t, api, path, Options{}, plan.Options{})
				if res3.Created+res3.Adopted+res3.Updated != 0 || res3.Unchanged != 7 || before != fmt.Sprint(api.creates) {
					t.Errorf("third run did something: %+v", res3)
				}
				if api.updates != puts {
					t.Errorf("third run sent %d PUTs, want none", api.updates-puts)
				}
			})
		}
	}
}

func TestIdsAreSubstituted(t *testing.T) {
	api := newFake()
	_, st := run(t, api, filepath.Join(t.TempDir(), "s"), Options{}, plan.Options{})
	id := func(a string) string { return strconv.FormatInt(st.Get(a).ID, 10) }
	file := api.stored[resource.CustomerFile][0]
	if got := file.query.Get("fileable_id"); got != id("customer.acme") {
		t.Errorf("file query fileable_id = %s, want the customer's id %s", got, id("customer.acme"))
	}
	if got := file.query.Get("fileable_type"); got != "customer" {
		t.Errorf("fileable_type = %q", got)
	}
	for _, k := range []resource.Kind{resource.Licence, resource.Initial, resource.Recurring} {
		l := api.stored[k][0]
		if l.fields["customer_file_id"] != id(fileAddr) || l.fields["item_id"] != id("item.sip-trunk-2ch") {
			t.Errorf("%s: customer_file_id %s item_id %s, want %s %s", k, l.fields["customer_file_id"], l.fields["item_id"], id(fileAddr), id("item.sip-trunk-2ch"))
		}
	}
	if item := api.stored[resource.Item][0]; item.fields["family_id"] != id("family.voip") {
		t.Errorf("item family_id %s, want %s", item.fields["family_id"], id("family.voip"))
	}
	if got := st.Get("customer.acme").Returned["customer_account"]; got != "CL"+fmt.Sprintf("%06d", st.Get("customer.acme").ID) {
		t.Errorf("customer_account in state = %q", got)
	}
}

func TestAdoptFindsEverything(t *testing.T) {
	api := newFake()
	run(t, api, filepath.Join(t.TempDir(), "first"), Options{}, plan.Options{})
	// State lost: --adopt finds all seven, creates nothing.
	res, st := run(t, api, filepath.Join(t.TempDir(), "lost"), Options{}, plan.Options{Adopt: true})
	if res.Adopted != 7 || res.Created != 0 {
		t.Fatalf("adopt: %+v", res)
	}
	for _, k := range cookbookKinds {
		if api.creates[k] != 1 {
			t.Errorf("%s: %d POSTs in all, want 1", k, api.creates[k])
		}
	}
	if st.Len() != 7 {
		t.Errorf("rebuilt state has %d objects", st.Len())
	}
}

func TestFailFastAndInterrupt(t *testing.T) {
	api := newFake()
	api.faults[resource.Family] = []fault{reject}
	res, _ := run(t, api, filepath.Join(t.TempDir(), "s"), Options{Parallelism: 1, FailFast: true}, plan.Options{})
	if res.Failed != 1 || res.Untouched == 0 || res.OK() {
		t.Errorf("fail-fast: %+v, want 1 failed and the rest not started", res)
	}

	store := openStore(t, filepath.Join(t.TempDir(), "s2"))
	p, err := plan.Compile(acme(t), store.State(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	api2 := newFake()
	res2 := Run(ctx, p, api2, store, Options{})
	if !res2.Interrupted || res2.Created != 0 || res2.Untouched != 7 || len(api2.stored) != 0 {
		t.Errorf("interrupted before start: %+v", res2)
	}
}
