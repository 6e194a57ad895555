package apply

import (
	"testing"

	"github.com/onboardhq/onboard/pkg/plan"
)

// TestScheduleFinishesBegunGroups: with two customers ready at once, the
// first customer's file and line run before the second customer starts
// its own, and a failure skips exactly the steps that depend on it.
func TestScheduleFinishesBegunGroups(t *testing.T) {
	mk := func(addr, group string, deps ...string) *plan.Step {
		return &plan.Step{Addr: addr, Group: group, Action: plan.Create, Deps: deps}
	}
	steps := []*plan.Step{
		mk("item.x", ""),
		mk("customer.a", "customer.a"),
		mk("customer.b", "customer.b"),
		mk("customer.a.file.f", "customer.a", "customer.a"),
		mk("customer.b.file.f", "customer.b", "customer.b"),
		mk("customer.a.file.f.licence.l", "customer.a", "customer.a.file.f", "item.x"),
		mk("customer.b.file.f.licence.l", "customer.b", "customer.b.file.f", "item.x"),
	}
	index := map[string]int{}
	for i, s := range steps {
		index[s.Addr] = i
	}
	s := newSchedule(steps, index)
	var order []string
	for s.Pending() {
		// Run one step at a time, as parallelism 1 would.
		i := s.Next()
		order = append(order, steps[i].Addr)
		s.Done(i)
	}
	want := []string{"item.x", "customer.a", "customer.a.file.f", "customer.a.file.f.licence.l",
		"customer.b", "customer.b.file.f", "customer.b.file.f.licence.l"}
	if len(order) != len(want) {
		t.Fatalf("order = %v", order)
	}
	for i := range want {
		if order[i] != want[i] {
			t.Fatalf("order = %v, want %v", order, want)
		}
	}

	s = newSchedule(steps, index)
	if i := s.Next(); steps[i].Addr != "item.x" {
		t.Fatalf("first = %s", steps[i].Addr)
	}
	skipped := s.Failed(index["item.x"])
	if len(skipped) != 2 || steps[skipped[0]].Addr != "customer.a.file.f.licence.l" {
		t.Errorf("skipped %v, want the two licences", skipped)
	}
}
