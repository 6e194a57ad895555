package state_test

import (
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/state"
)

// state migrate copies the history with the objects: an audit record
// does not stay behind in the old state.
func TestRestoreKeepsHistory(t *testing.T) {
	dir := t.TempDir()
	src, err := state.Open(filepath.Join(dir, "a.state"), state.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := src.Put(state.Object{Addr: "customer.acme", Kind: "customer", ID: 7, Hash: "h"}); err != nil {
		t.Fatal(err)
	}
	e := state.Event{Kind: state.EventPolicyOverride, Details: map[string]string{"rule": "discount-cap", "reason": "agreed"}}
	if err := src.Record(e); err != nil {
		t.Fatal(err)
	}
	st := src.State()
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	dst, err := state.Open(filepath.Join(dir, "b.state"), state.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := dst.Restore(st.Meta, st.Sorted(), st.History); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	got, _, err := state.Read(filepath.Join(dir, "b.state"))
	if err != nil {
		t.Fatal(err)
	}
	if len(got.History) != 1 || got.History[0].Details["rule"] != "discount-cap" || got.History[0].Time.IsZero() || got.Len() != 1 {
		t.Errorf("migrated state: history %+v, %d objects", got.History, got.Len())
	}
}
