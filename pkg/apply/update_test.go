package apply

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// TestUpdatesAreApplied applies acme, edits the manifest as a GitOps team
// would (a quantity, a price, a removed field), and checks that apply
// sends exactly one PUT per changed object with only its changed fields,
// records the new spec, and that a rerun does nothing.
func TestUpdatesAreApplied(t *testing.T) {
	const (
		initial   = "customer.acme.file.main-2026.initial.installation"
		recurring = "customer.acme.file.main-2026.recurring.sip-trunk"
	)
	api := newFake()
	path := filepath.Join(t.TempDir(), "onboard.state")
	if res, _ := run(t, api, path, Options{}, plan.Options{}); res.Created != 7 {
		t.Fatalf("first apply: %+v", res)
	}

	edit := func(set *manifest.Set) {
		set.ByAddr[licence].Fields["quantity"] = manifest.Value{Text: "8", Type: resource.Decimal}
		set.ByAddr[initial].Fields["selling_price_without_tax"] = manifest.Value{Text: "120.00", Type: resource.Decimal}
		delete(set.ByAddr[recurring].Fields, "commitment")
	}
	store := openStore(t, path)
	set := acme(t)
	edit(set)
	p, err := plan.Compile(set, store.State(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if c := p.Counts(); c.Update != 3 || c.Create != 0 || c.NoOp != 4 {
		t.Fatalf("counts = %+v, want 3 updates and 4 no-ops", c)
	}
	want := map[string][]plan.FieldChange{
		licence:   {{Field: "quantity", Old: "5", New: "8"}},
		initial:   {{Field: "selling_price_without_tax", Old: "150.00", New: "120.00"}},
		recurring: {{Field: "commitment", Old: "24", Reset: true}},
	}
	for addr, w := range want {
		s := p.ByAddr[addr]
		if s.Method != "PUT" || s.Path != resource.Get(s.Kind).ObjectPath(s.Existing.ID) {
			t.Errorf("%s: %s %s", addr, s.Method, s.Path)
		}
		if len(s.Changes) != len(w) || s.Changes[0] != w[0] || len(s.Body) != 1 || s.Body[0].Wire != w[0].Field {
			t.Errorf("%s: changes %+v body %+v, want %+v", addr, s.Changes, s.Body, w)
		}
	}
	res := Run(context.Background(), p, api, store, Options{})
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if res.Updated != 3 || res.Failed != 0 || res.Created != 0 || api.updates != 3 {
		t.Fatalf("result %+v, %d PUTs", res, api.updates)
	}
	got := map[string]string{}
	for _, o := range api.stored[resource.Licence] {
		got["licence quantity"] = o.fields["quantity"]
	}
	for _, o := range api.stored[resource.Initial] {
		got["initial price"] = o.fields["selling_price_without_tax"]
	}
	for _, o := range api.stored[resource.Recurring] {
		_, has := o.fields["commitment"]
		got["recurring has commitment"] = map[bool]string{true: "yes", false: "no"}[has]
	}
	for k, v := range map[string]string{"licence quantity": "8", "initial price": "120.00", "recurring has commitment": "no"} {
		if got[k] != v {
			t.Errorf("%s = %q, want %q", k, got[k], v)
		}
	}

	// The rerun sees the recorded specs: nothing to do.
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	set = acme(t)
	edit(set)
	again, err := plan.Compile(set, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if again.HasChanges() {
		t.Errorf("rerun plan has changes: %+v", again.Counts())
	}
}

// TestUpdateRefusals: a change no update can make is refused by plan with
// what to do instead.
func TestUpdateRefusals(t *testing.T) {
	api := newFake()
	path := filepath.Join(t.TempDir(), "onboard.state")
	run(t, api, path, Options{}, plan.Options{})
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	set := acme(t)
	set.ByAddr[licence].Refs["item"] = manifest.Ref{ID: "99"}
	_, err = plan.Compile(set, st, plan.Options{})
	var refused *plan.RefusedError
	if !asRefused(err, &refused) || len(refused.Refusals) != 1 || refused.Refusals[0].Field != "item_id" {
		t.Fatalf("err = %v, want a refusal of item_id", err)
	}
	if r := refused.Refusals[0]; r.Hint == "" || r.Addr != licence {
		t.Errorf("refusal %+v lacks its address or hint", r)
	}
}

func asRefused(err error, target **plan.RefusedError) bool {
	r, ok := err.(*plan.RefusedError)
	if ok {
		*target = r
	}
	return ok
}
