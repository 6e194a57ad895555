package statetest

import (
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/state"
)

// same sees a difference in every field a backend must keep.
func TestSameSeesEveryField(t *testing.T) {
	want := Object(1, state.StatusCreated)
	if d := same(&want, want); d != "" {
		t.Fatalf("an object differs from itself: %s", d)
	}
	for name, change := range map[string]func(*state.Object){
		"addr":     func(o *state.Object) { o.Addr = "customer.other" },
		"kind":     func(o *state.Object) { o.Kind = "file" },
		"status":   func(o *state.Object) { o.Status = state.StatusPending },
		"id":       func(o *state.Object) { o.ID++ },
		"hash":     func(o *state.Object) { o.Hash = "x" },
		"spec":     func(o *state.Object) { o.Spec = map[string]string{"name": "other"} },
		"returned": func(o *state.Object) { o.Returned = nil },
		"time":     func(o *state.Object) { o.Time = o.Time.Add(time.Second) },
	} {
		got := Object(1, state.StatusCreated)
		change(&got)
		if same(&got, want) == "" {
			t.Errorf("a different %s is not seen", name)
		}
	}
	if same(nil, want) == "" {
		t.Error("a missing object is not seen")
	}
}
