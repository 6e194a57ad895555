package inspect_test

import (
	"context"
	"encoding/json"
	"maps"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/inspect"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

const (
	token     = "inspect-test-token"
	file      = "customer.acme.file.main-2026"
	licence   = file + ".licence.sip-trunk"
	initial   = file + ".initial.installation"
	recurring = file + ".recurring.sip-trunk"
)

// applied is examples/acme.yaml applied to a sandbox: the sandbox, a
// client of it, the state and the plan's specs by address.
func applied(t *testing.T) (*sandbox.Server, *bluerocktel.Client, *state.State, map[string]map[string]string) {
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
	set, err := manifest.Load(filepath.Join("..", "..", "examples", "acme.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(set, nil, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "onboard.state")
	store, err := state.Open(path, state.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if res := apply.Run(context.Background(), p, c, store, apply.Options{}); !res.OK() {
		t.Fatalf("apply: %+v", res)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	specs := map[string]map[string]string{}
	for _, s := range p.Steps {
		specs[s.Addr] = maps.Clone(s.Spec)
	}
	return srv, c, st, specs
}

func lineByAddr(t *testing.T, o *inspect.Object) map[string]*inspect.Object {
	t.Helper()
	m := map[string]*inspect.Object{}
	for _, l := range o.Lines {
		m[l.Addr] = l
	}
	return m
}

// A file is read with its lines in one request and compared with the
// state: a line edited in BlueRockTEL drifts, a deleted one is gone, the
// others match.
func TestReadComparesWithState(t *testing.T) {
	srv, c, st, _ := applied(t)
	if _, err := srv.Edit(resource.Recurring, st.Get(recurring).ID, []byte(`{"quantity": 7}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Delete(resource.Initial, st.Get(initial).ID); err != nil {
		t.Fatal(err)
	}
	o, err := inspect.Read(context.Background(), c, st, st.Get(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	if o.Addr != file || o.Kind != resource.CustomerFile || o.ID != st.Get(file).ID || o.Gone || o.Against != "state" || o.Manifests {
		t.Errorf("file: %+v", o)
	}
	if o.Requests < 1 || o.Requests > 2 {
		t.Errorf("%d requests, want the file's GET (and a check of the missing line)", o.Requests)
	}
	if len(o.Drift) != 0 {
		t.Errorf("file drift %+v, want none", o.Drift)
	}
	for k, v := range o.Record.Fields {
		if string(v) != "null" && (k == "licences" || k == "initials" || k == "recurrings") {
			t.Errorf("the file's record keeps its embedded %s", k)
		}
	}
	lines := lineByAddr(t, o)
	if len(o.Lines) != 3 || lines[licence] == nil || lines[recurring] == nil || lines[initial] == nil {
		t.Fatalf("lines %v, want the licence, the recurring line and the deleted initial", lines)
	}
	if l := lines[licence]; l.Gone || len(l.Drift) != 0 || l.Record == nil || l.Against != "state" {
		t.Errorf("licence: %+v", l)
	}
	if l := lines[recurring]; len(l.Drift) != 1 || l.Drift[0].Wire != "quantity" || l.Drift[0].Live != "7" || l.Drift[0].Recorded != "2" {
		t.Errorf("recurring drift %+v, want quantity 2 -> 7", l.Drift)
	}
	if l := lines[initial]; !l.Gone || l.Record != nil {
		t.Errorf("initial: %+v, want gone", l)
	}
	item := st.Get("item.sip-trunk-2ch")
	if got := o.NameOf(resource.Item, strconv.FormatInt(item.ID, 10)); got != "item.sip-trunk-2ch" {
		t.Errorf("NameOf(item #%d) = %q", item.ID, got)
	}
	if got := o.NameOf(resource.Item, "999999"); got != "" {
		t.Errorf("NameOf(an unknown id) = %q", got)
	}
}

// With the manifests' specs, what differs from them is drift, and an
// object they do not declare is compared with the state.
func TestReadComparesWithManifests(t *testing.T) {
	_, c, st, specs := applied(t)
	specs[recurring]["quantity"] = "3"
	delete(specs, licence)
	o, err := inspect.Read(context.Background(), c, st, st.Get(file), specs)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Manifests || o.Against != "manifest" {
		t.Errorf("file compared with %q (manifests %v)", o.Against, o.Manifests)
	}
	lines := lineByAddr(t, o)
	if l := lines[recurring]; l.Against != "manifest" || len(l.Drift) != 1 || l.Drift[0].Recorded != "3" || l.Drift[0].Live != "2" {
		t.Errorf("recurring against %s, drift %+v; want quantity 2 -> 3 against the manifest", l.Against, l.Drift)
	}
	if l := lines[licence]; l.Against != "state" || len(l.Drift) != 0 {
		t.Errorf("licence against %s, drift %+v; want the state's, none", l.Against, l.Drift)
	}
}

// An object deleted in BlueRockTEL is gone, with nothing more read.
func TestReadGone(t *testing.T) {
	srv, c, st, _ := applied(t)
	if _, err := srv.Delete(resource.CustomerFile, st.Get(file).ID); err != nil {
		t.Fatal(err)
	}
	o, err := inspect.Read(context.Background(), c, st, st.Get(file), nil)
	if err != nil {
		t.Fatal(err)
	}
	if !o.Gone || o.Record != nil || o.Lines != nil {
		b, _ := json.Marshal(o)
		t.Errorf("a deleted file: %s", b)
	}
}
