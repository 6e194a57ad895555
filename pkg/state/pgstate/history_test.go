package pgstate_test

import (
	"context"
	"testing"

	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// state migrate into PostgreSQL copies the history with the objects.
func TestRestoreKeepsHistory(t *testing.T) {
	ctx := context.Background()
	dst, err := pgstate.Open(ctx, newLoc(t), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	objs := []*state.Object{{Addr: "customer.acme", Kind: "customer", ID: 7, Status: state.StatusCreated, Hash: "h"}}
	history := []state.Event{
		{Kind: state.EventPolicyOverride, By: "ana", Details: map[string]string{"rule": "discount-cap", "reason": "agreed"}},
		{Kind: state.EventPolicyOverride, By: "bob", Details: map[string]string{"rule": "big-change", "reason": "launch"}},
	}
	if err := dst.Restore(state.Meta{Lineage: "l-1", Serial: 4}, objs, history); err != nil {
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := pgstate.Read(ctx, dst.Location())
	if err != nil {
		t.Fatal(err)
	}
	if len(got.History) != 2 || got.History[0].By != "ana" || got.History[1].Details["rule"] != "big-change" || got.Len() != 1 {
		t.Errorf("migrated state: history %+v, %d objects", got.History, got.Len())
	}
}
