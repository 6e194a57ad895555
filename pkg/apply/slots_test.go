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

// countingAPI creates everything it is sent, after an optional hook
// (where tests hold calls in flight), and tracks how many calls are in
// flight at once.
type countingAPI struct {
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
	ch := make(chan struct{})
	if a.inflight >= n {
		close(ch)
		return ch
	}
	a.reached, a.reachN = ch, n
	return ch
}

// syncTimeout bounds every wait of these tests on the code under test: a
// wait that times out is a failure (or a hang turned into one), never a
// pause that lets other goroutines get somewhere.
const syncTimeout = 10 * time.Second

// await waits for ch, and reports whether it came in time.
func await(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	case <-time.After(syncTimeout):
		return false
	}
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
	a.mu.Lock()
	defer a.mu.Unlock()
	a.next++
	return &bluerocktel.Record{ID: a.next}, nil
}

func (a *countingAPI) Lookup(context.Context, resource.Kind, url.Values, map[string]string) ([]*bluerocktel.Record, error) {
	a.enter()
	defer a.leave()
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
			api := &countingAPI{}
			// The first calls wait until par are in flight at once, which
			// only a run that fills its slots reaches.
			full := api.watch(par)
			api.before = func(n, _ int) error {
				if n <= par && !await(full) {
					t.Errorf("call %d: %d calls were never in flight at once", n, par)
				}
				return nil
			}
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
	// Every call but the first stays in flight until the first step's
	// journal write has seen par calls at once (or given up).
	release := make(chan struct{})
	api := &countingAPI{before: func(n, _ int) error {
		if n > 1 && !await(release) {
			t.Errorf("call %d was never released", n)
		}
		return nil
	}}
	var heldOnce sync.Once
	held := false
	j := &hookJournal{Store: store, put: func(state.Object) {
		heldOnce.Do(func() {
			held = await(api.watch(par))
			close(release)
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
			// Every slot is taken and another step has journaled its
			// intent: it waits for a slot, or is about to. Either way the
			// interrupt must leave it unsent, so no pause is needed to
			// tell the two apart.
			if !await(waiting) {
				t.Error("no step beyond the slots journaled its intent")
			}
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
			res, api, failedEvents := runFailFast(t, p, store, par)
			if calls, _ := api.stats(); calls != par {
				t.Errorf("%d creates sent, want %d: the failed one and those in flight beside it", calls, par)
			}
			if res.Failed != 1 || res.Created != par-1 || res.OK() {
				t.Errorf("result %+v, want 1 failed, %d created", res, par-1)
			}
			if n := store.State().Len(); n != par-1 {
				t.Errorf("state holds %d objects, want %d: no intent left for what was not sent", n, par-1)
			}
			if failedEvents != 1 {
				t.Errorf("%d failed events, want 1", failedEvents)
			}
		})
	}
}

// runFailFast runs p under --fail-fast where the first call fails once
// every slot is taken and (with par > 1) a step beyond the slots has
// journaled its intent, so it is waiting for a slot or about to; the
// other calls stay in flight until the failure has been reported.
func runFailFast(t *testing.T, p *plan.Plan, store *state.Store, par int) (*Result, *countingAPI, int) {
	t.Helper()
	api := &countingAPI{}
	full := api.watch(par)
	var mu sync.Mutex
	intents := 0
	beyond := make(chan struct{}) // par+1 intents journaled
	if par == 1 {
		close(beyond) // strictly sequential: no step is prepared ahead
	}
	j := &hookJournal{Store: store, intent: func(state.Object) {
		mu.Lock()
		defer mu.Unlock()
		if intents++; intents == par+1 && par > 1 {
			close(beyond)
		}
	}}
	failed := make(chan struct{})
	failedEvents := 0
	api.before = func(n, _ int) error {
		if n == 1 {
			if !await(full) || !await(beyond) {
				t.Errorf("the slots never filled, or no step was ready beyond them")
			}
			return &bluerocktel.APIError{Method: "POST", Status: 422, Message: "no"}
		}
		// Still in flight when the failure halts the run.
		if !await(failed) {
			t.Errorf("call %d: the failure was never reported", n)
		}
		return nil
	}
	res := Run(context.Background(), p, api, j, Options{Parallelism: par, FailFast: true,
		OnEvent: func(e Event) {
			if e.Type == EventFailed {
				if failedEvents++; failedEvents == 1 {
					close(failed)
				}
			}
		}})
	return res, api, failedEvents
}

// TestHaltedIsNotAFailure: a step halted before its request is "not
// started", never a failure, whether it waited for a slot (the slots say
// no) or was still journaling.
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

	// In a run: the steps that journaled their intent and were halted
	// before sending count as not started, not as failures, and get no
	// failed event; only the call that failed is one.
	p, store, _ := generatedPlan(t, 10)
	res, api, failedEvents := runFailFast(t, p, store, 2)
	calls, _ := api.stats()
	if res.Failed != 1 || len(res.Failures) != 1 || failedEvents != 1 {
		t.Errorf("result %+v with %d failure(s) and %d failed event(s): want only the call that failed", res, len(res.Failures), failedEvents)
	}
	for _, f := range res.Failures {
		if errors.Is(f.Err, errHalted) {
			t.Errorf("%s: halted, yet reported as a failure: %v", f.Addr, f.Err)
		}
	}
	if res.Untouched == 0 || res.Created+res.Failed+res.Skipped+res.Untouched != len(p.Steps) || calls != 2 {
		t.Errorf("result %+v after %d calls: want the %d steps not sent counted as not started", res, calls, len(p.Steps)-calls)
	}
}

func (a *countingAPI) Update(_ context.Context, _ resource.Kind, id int64, _ []byte) (*bluerocktel.Record, error) {
	a.enter()
	defer a.leave()
	return &bluerocktel.Record{ID: id}, nil
}
