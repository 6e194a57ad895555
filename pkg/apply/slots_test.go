package apply

import (
	"context"
	"errors"
	"net/url"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// countingAPI creates everything it is sent, after an optional delay or a
// hook, and tracks how many calls are in flight at once.
type countingAPI struct {
	delay time.Duration
	// before runs at the start of every call, with the call's number (1 is
	// the first) and the calls in flight then (this one included).
	before func(n, inflight int) error

	mu       sync.Mutex
	calls    int
	inflight int
	max      int
	next     int64
	// reached, when set, is closed once reachN calls are in flight.
	reached chan struct{}
	reachN  int
}

func (a *countingAPI) enter() (int, int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	a.inflight++
	a.max = max(a.max, a.inflight)
	if a.reached != nil && a.inflight >= a.reachN {
		close(a.reached)
		a.reached = nil
	}
	return a.calls, a.inflight
}

// watch returns a channel closed when n calls are in flight at once from
// now on.
func (a *countingAPI) watch(n int) <-chan struct{} {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.reached, a.reachN = make(chan struct{}), n
	return a.reached
}

func (a *countingAPI) leave() {
	a.mu.Lock()
	a.inflight--
	a.mu.Unlock()
}

func (a *countingAPI) Create(context.Context, resource.Kind, url.Values, []byte) (*bluerocktel.Record, error) {
	n, inflight := a.enter()
	defer a.leave()
	if a.before != nil {
		if err := a.before(n, inflight); err != nil {
			return nil, err
		}
	}
	time.Sleep(a.delay)
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	return &bluerocktel.Record{ID: a.next}, nil
}

func (a *countingAPI) Lookup(context.Context, resource.Kind, url.Values, map[string]string) ([]*bluerocktel.Record, error) {
	a.enter()
	defer a.leave()
	time.Sleep(a.delay)
	return nil, nil
}

func (a *countingAPI) stats() (calls, maxInflight int) {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.calls, a.max
}

// hookJournal is a journal that can hold writes back, over a real store.
type hookJournal struct {
	*state.Store
	intent func(state.Object)
	put    func(state.Object)
}

func (j *hookJournal) Intent(o state.Object) error {
	if j.intent != nil {
		j.intent(o)
	}
	return j.Store.Intent(o)
}

func (j *hookJournal) Put(o state.Object) error {
	if j.put != nil {
		j.put(o)
	}
	return j.Store.Put(o)
}

// generatedPlan compiles a fresh plan of n generated customers and opens
// an empty store.
func generatedPlan(t testing.TB, customers int) (*plan.Plan, *state.Store, string) {
	t.Helper()
	dir := t.TempDir()
	if err := generate.Write(filepath.Join(dir, "set"), customers, 1); err != nil {
		t.Fatal(err)
	}
	set, err := manifest.Load(filepath.Join(dir, "set"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(set, nil, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range p.Steps {
		s.Verify = false // these tests count creates; catalog look-ups are tested by the CLI scripts
	}
	path := filepath.Join(dir, "state")
	st, err := state.Open(path, state.Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return p, st, path
}

// TestParallelismBoundsRequests: the API never sees more than Parallelism
// calls at once and does see that many; events say so, and each outcome
// follows its step's start.
func TestParallelismBoundsRequests(t *testing.T) {
	for _, par := range []int{1, 3, 8} {
		t.Run("parallelism="+string(rune('0'+par)), func(t *testing.T) {
			p, store, _ := generatedPlan(t, 20)
			api := &countingAPI{delay: 2 * time.Millisecond}
			var events []Event
			res := Run(context.Background(), p, api, store, Options{Parallelism: par,
				OnEvent: func(e Event) { events = append(events, e) }})
			if !res.OK() || res.Created != len(p.Steps) {
				t.Fatalf("result %+v, want %d created", res, len(p.Steps))
			}
			calls, most := api.stats()
			if calls != len(p.Steps) {
				t.Errorf("%d calls, want %d", calls, len(p.Steps))
			}
			if most != par {
				t.Errorf("at most %d calls in flight, want exactly %d (the parallelism)", most, par)
			}
			started := map[string]bool{}
			for _, e := range events {
				if e.InFlight > par {
					t.Fatalf("event %+v: in_flight above the parallelism %d", e, par)
				}
				switch e.Type {
				case EventStart:
					if started[e.Addr] {
						t.Fatalf("%s started twice", e.Addr)
					}
					started[e.Addr] = true
				case EventCreated:
					if !started[e.Addr] {
						t.Fatalf("%s created before its start event", e.Addr)
					}
				}
			}
			if len(started) != len(p.Steps) {
				t.Errorf("%d start events, want %d", len(started), len(p.Steps))
			}
		})
	}
}

// TestJournalOutsideSlots: while one step's journal write is held back,
// the other steps still fill every request slot. (A worker that kept its
// slot while journaling would leave Parallelism-1 calls in flight.)
func TestJournalOutsideSlots(t *testing.T) {
	const par = 3
	p, store, _ := generatedPlan(t, 20)
	api := &countingAPI{delay: 5 * time.Millisecond}
	var heldOnce sync.Once
	held := false
	j := &hookJournal{Store: store, put: func(state.Object) {
		heldOnce.Do(func() {
			select {
			case <-api.watch(par):
				held = true
			case <-time.After(10 * time.Second):
			}
		})
	}}
	res := Run(context.Background(), p, api, j, Options{Parallelism: par})
	if !res.OK() {
		t.Fatalf("result %+v", res)
	}
	if !held {
		t.Errorf("with the first step's journal write held back, the API never saw %d calls at once", par)
	}
}

// TestInterruptWhileWaitingForSlot: a step that journaled its intent and
// waits for a slot when the run is interrupted sends nothing, and its
// intent is removed: the state holds only what was sent.
func TestInterruptWhileWaitingForSlot(t *testing.T) {
	const par = 2
	p, store, path := generatedPlan(t, 5)
	ctx, cancel := context.WithCancel(context.Background())
	waiting := make(chan struct{}) // a step beyond the slots journaled its intent
	intents := 0
	var mu sync.Mutex
	j := &hookJournal{Store: store, intent: func(state.Object) {
		mu.Lock()
		defer mu.Unlock()
		if intents++; intents == par+1 {
			close(waiting)
		}
	}}
	release := make(chan struct{})
	api := &countingAPI{before: func(n, _ int) error {
		switch {
		case n < par:
			<-release
		case n == par:
			// Every slot is taken; another step has its intent
			// journaled and waits for one.
			<-waiting
			time.Sleep(20 * time.Millisecond) // let it reach the slots
			cancel()
			close(release)
		}
		return nil
	}}
	res := Run(ctx, p, api, j, Options{Parallelism: par})
	if !res.Interrupted || res.Created != par || res.Untouched != len(p.Steps)-par {
		t.Fatalf("result %+v, want interrupted with %d created and the rest not started", res, par)
	}
	if calls, _ := api.stats(); calls != par {
		t.Errorf("%d creates sent, want %d", calls, par)
	}
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Len() != par {
		t.Errorf("state holds %d objects, want only the one created: %v", st.Len(), st.Sorted())
	}
	for _, o := range st.Sorted() {
		if o.Status != state.StatusCreated {
			t.Errorf("%s left %s", o.Addr, o.Status)
		}
	}
}

// TestFailFastSendsNothingAfter: under --fail-fast no request starts
// after one fails, though other steps were ready and journaled: only the
// one in flight beside it finishes.
func TestFailFastSendsNothingAfter(t *testing.T) {
	for _, par := range []int{1, 2} {
		t.Run("parallelism="+string(rune('0'+par)), func(t *testing.T) {
			p, store, _ := generatedPlan(t, 10)
			api := &countingAPI{}
			full := api.watch(par)
			api.before = func(n, _ int) error {
				if n == 1 {
					// Fail once every slot is taken, and other steps
					// have had time to journal and wait.
					<-full
					time.Sleep(10 * time.Millisecond)
					return &bluerocktel.APIError{Method: "POST", Status: 422, Message: "no"}
				}
				time.Sleep(50 * time.Millisecond) // still in flight at the failure
				return nil
			}
			res := Run(context.Background(), p, api, store, Options{Parallelism: par, FailFast: true})
			if calls, _ := api.stats(); calls != par {
				t.Errorf("%d creates sent, want %d: the failed one and those in flight beside it", calls, par)
			}
			if res.Failed != 1 || res.Created != par-1 || res.OK() {
				t.Errorf("result %+v, want 1 failed, %d created", res, par-1)
			}
			if n := store.State().Len(); n != par-1 {
				t.Errorf("state holds %d objects, want %d: no intent left for what was not sent", n, par-1)
			}
		})
	}
}

// TestHaltedIsNotAFailure: errHalted is recognised as is, never wrapped.
func TestHaltedIsNotAFailure(t *testing.T) {
	s := newSlots(context.Background(), 1)
	if !s.acquire(false) {
		t.Fatal("a free slot was refused")
	}
	done := make(chan bool)
	go func() { done <- s.acquire(false) }()
	s.release(true) // fail-fast: halt before freeing
	if <-done {
		t.Error("a waiting step took the slot freed by a failure under --fail-fast")
	}
	if !s.acquire(true) {
		t.Error("a resuming step was refused a slot")
	}
	s.release(false)
	if errors.Is(errHalted, context.Canceled) {
		t.Error("errHalted must not look like a cancellation")
	}
}
