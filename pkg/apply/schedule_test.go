package apply

import (
	"slices"
	"sort"
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
	for pending(s) {
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
	var got []string
	for _, i := range skipped {
		got = append(got, steps[i].Addr)
	}
	sort.Strings(got)
	if want := []string{"customer.a.file.f.licence.l", "customer.b.file.f.licence.l"}; !slices.Equal(got, want) {
		t.Errorf("skipped %v, want the two licences %v", got, want)
	}
	// The rest still runs, and nothing skipped is handed out.
	var rest []string
	for pending(s) {
		i := s.Next()
		rest = append(rest, steps[i].Addr)
		s.Done(i)
	}
	if want := []string{"customer.a", "customer.a.file.f", "customer.b", "customer.b.file.f"}; !slices.Equal(rest, want) {
		t.Errorf("after the failure ran %v, want %v", rest, want)
	}
}

// pending reports whether a step is ready and not yet started.
func pending(s *schedule) bool { return len(s.hot)+len(s.coldGroups) > 0 }
