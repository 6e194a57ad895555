package apply

import "github.com/onboardhq/onboard/pkg/plan"

// schedule is the bookkeeping of a walk, apart from what a step does (as
// Terraform's dag walker keeps the walk apart from its callback): which
// steps are ready, which wait on which, and the skip cascade after a
// failure. It is used by one goroutine, the coordinator.
//
// Ready steps of a group (a customer) already begun go before steps of a
// group not begun yet, so that an interrupted run leaves the customers it
// touched complete rather than every customer half done. The queue never
// waits for a group: throughput is the same, only the order changes.
type schedule struct {
	steps      []*plan.Step
	waiting    []int   // unmet dependencies of each step; -1 once skipped
	dependents [][]int // steps waiting on each step
	begun      map[string]bool
	hot        []int            // ready steps of begun groups, in order
	coldGroups []string         // groups not begun with a ready step, in order
	cold       map[string][]int // their ready steps
	// Total is the number of steps to run.
	Total int
}

func newSchedule(steps []*plan.Step, index map[string]int) *schedule {
	s := &schedule{steps: steps, waiting: make([]int, len(steps)), dependents: make([][]int, len(steps)),
		begun: map[string]bool{"": true}, cold: map[string][]int{}}
	for i, st := range steps {
		if !st.Runs() {
			continue
		}
		s.Total++
		// Creates hold back their dependents: they need the new id. An
		// end waits for every step it depends on: a DELETE goes after
		// what refers to the object (plan/lifecycle.go).
		for _, d := range st.Deps {
			di := index[d]
			if steps[di].Action == plan.Create || (st.Action.Ends() && steps[di].Runs()) {
				s.waiting[i]++
				s.dependents[di] = append(s.dependents[di], i)
			}
		}
		if s.waiting[i] == 0 {
			s.ready(i)
		}
	}
	return s
}

func (s *schedule) ready(i int) {
	g := s.steps[i].Group
	if s.begun[g] {
		s.hot = append(s.hot, i)
		return
	}
	if _, ok := s.cold[g]; !ok {
		s.coldGroups = append(s.coldGroups, g)
	}
	s.cold[g] = append(s.cold[g], i)
}

// Next returns the next step to start, -1 when none is ready.
func (s *schedule) Next() int {
	if len(s.hot) == 0 && len(s.coldGroups) > 0 {
		g := s.coldGroups[0]
		s.coldGroups = s.coldGroups[1:]
		s.begun[g] = true
		s.hot = append(s.hot, s.cold[g]...)
		delete(s.cold, g)
	}
	if len(s.hot) == 0 {
		return -1
	}
	i := s.hot[0]
	s.hot = s.hot[1:]
	return i
}

// Done marks step i as succeeded: its dependents whose dependencies are
// all met become ready.
func (s *schedule) Done(i int) {
	for _, d := range s.dependents[i] {
		if s.waiting[d]--; s.waiting[d] == 0 {
			s.ready(d)
		}
	}
}

// Failed marks step i as failed and returns the steps that depend on it,
// directly or not, in the order found; each is returned once, however
// many failed dependencies it has.
func (s *schedule) Failed(i int) []int {
	var out []int
	var walk func(int)
	walk = func(i int) {
		for _, d := range s.dependents[i] {
			if s.waiting[d] < 0 {
				continue
			}
			s.waiting[d] = -1
			out = append(out, d)
			walk(d)
		}
	}
	walk(i)
	return out
}
