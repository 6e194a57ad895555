// Package apply executes a plan against the BlueRockTEL API: a parallel
// walk of the dependency graph that starts each step as soon as the
// objects it references exist, substitutes their ids into its request,
// and journals every create so that none happens twice.
package apply

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// Client is what apply needs of the API client.
type Client interface {
	Create(ctx context.Context, kind resource.Kind, query url.Values, body []byte) (*bluerocktel.Record, error)
	Lookup(ctx context.Context, kind resource.Kind, parentQuery url.Values, want map[string]string) ([]*bluerocktel.Record, error)
	Update(ctx context.Context, kind resource.Kind, id int64, body []byte) (*bluerocktel.Record, error)
}

// Journal records intents and outcomes durably.
type Journal interface {
	Intent(state.Object) error
	Put(state.Object) error
	Remove(addr string) error
}

// Claimer serialises the creation of one address with other runners sharing the state.
type Claimer interface {
	Claim(ctx context.Context, addr string) (existing *state.Object, release func(), err error)
}

// Options tune a run.
type Options struct {
	// Parallelism bounds the requests in flight (default 8). Up to as
	// many more steps journal their intent meanwhile, ready to send
	// (none at parallelism 1, which runs one step at a time, in order).
	Parallelism int
	// FailFast stops starting steps after the first failure.
	FailFast bool
	// OnEvent receives progress events, one at a time, in order.
	OnEvent func(Event)
	// MaxCreateAttempts bounds creates of one object whose earlier attempts
	// were verified absent after an unknown outcome (default 3).
	MaxCreateAttempts int
	// Now is the clock (tests).
	Now func() time.Time
}

// EventType names what happened to a step. A step's start event comes
// when its first request is about to be sent, and is followed by one of
// created, adopted, updated or failed. A step that fails before sending anything
// gets a start and a failed event; skipped steps get a skipped event only.
// A step stopped (interrupt, --fail-fast) before its request was sent gets
// no event and counts as not started (Result.Untouched).
type EventType string

// Event types.
const (
	EventStart   EventType = "start"
	EventCreated EventType = "created"
	EventAdopted EventType = "adopted"
	EventUpdated EventType = "updated"
	EventFailed  EventType = "failed"
	EventSkipped EventType = "skipped"
	// The end of an object (plan/lifecycle.go).
	EventDeactivated EventType = "deactivated"
	EventStopped     EventType = "stopped"
	EventDeleted     EventType = "deleted"
	EventForgotten   EventType = "forgotten"
)

// endEvents is the event of each end action.
var endEvents = map[plan.Action]EventType{plan.Deactivate: EventDeactivated, plan.Stop: EventStopped,
	plan.Delete: EventDeleted, plan.Forget: EventForgotten}

// Event is one progress event.
type Event struct {
	Time     time.Time     `json:"time"`
	Type     EventType     `json:"event"`
	Addr     string        `json:"address"`
	Kind     resource.Kind `json:"kind"`
	ID       int64         `json:"id,omitempty"`
	Error    string        `json:"error,omitempty"`
	Duration time.Duration `json:"duration_ns,omitempty"`
	// Done and Total count steps to do; InFlight those with a request in
	// flight (at most Options.Parallelism).
	Done     int `json:"done"`
	Total    int `json:"total"`
	InFlight int `json:"in_flight"`
}

// Failure is a step that failed, with its error.
type Failure struct {
	Addr string
	Err  error
}

// Result summarises a run.
type Result struct {
	Created   int `json:"created"`
	Adopted   int `json:"adopted"`
	Updated   int `json:"updated"`
	Failed    int `json:"failed"`
	Skipped   int `json:"skipped"`
	Untouched int `json:"untouched"`
	Unchanged int `json:"unchanged"`
	// Objects ended, by action.
	Deactivated int `json:"deactivated"`
	Stopped     int `json:"stopped"`
	Deleted     int `json:"deleted"`
	Forgotten   int `json:"forgotten"`
	// Orphans are the objects the state knows that no manifest declares
	// and no removed: entry decides: left untouched (set by the caller).
	Orphans int `json:"orphans"`
	// Interrupted: the context was cancelled before every step ran.
	Interrupted bool      `json:"interrupted"`
	Failures    []Failure `json:"-"`
}

// count tallies one step done, by its event.
func (r *Result) count(t EventType) {
	switch t {
	case EventAdopted:
		r.Adopted++
	case EventUpdated:
		r.Updated++
	case EventDeactivated:
		r.Deactivated++
	case EventStopped:
		r.Stopped++
	case EventDeleted:
		r.Deleted++
	case EventForgotten:
		r.Forgotten++
	default:
		r.Created++
	}
}

// OK reports whether everything to do was done.
func (r *Result) OK() bool { return r.Failed == 0 && r.Skipped == 0 && r.Untouched == 0 }

type outcome struct {
	step int
	id   int64
	typ  EventType // created, adopted or updated
	err  error
	took time.Duration // from the first request
}

type runner struct {
	plan    *plan.Plan
	client  Client
	journal Journal
	opts    Options
	index   map[string]int
	// ids[i] is the id of step i once known. Written by the coordinator
	// before any dependent is handed to a worker (the channel hand-off
	// orders the accesses).
	ids     []int64
	claimed *claims
	slots   *slots
}

// Run executes p. Cancelling ctx stops starting new steps: steps waiting
// to send their request give up (their fresh intent is removed), requests
// in flight finish (they run on a context detached from ctx) and are
// journaled. Run returns when nothing is in flight.
func Run(ctx context.Context, p *plan.Plan, c Client, j Journal, opts Options) *Result {
	if opts.Parallelism <= 0 {
		opts.Parallelism = 8
	}
	if opts.MaxCreateAttempts <= 0 {
		opts.MaxCreateAttempts = 3
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	r := &runner{plan: p, client: c, journal: j, opts: opts,
		index: make(map[string]int, len(p.Steps)), ids: make([]int64, len(p.Steps)),
		claimed: newClaims(p), slots: newSlots(ctx, opts.Parallelism)}
	for i, s := range p.Steps {
		r.index[s.Addr] = i
		r.ids[i] = s.ID()
	}
	return r.walk(ctx)
}

func (r *runner) walk(ctx context.Context) *Result {
	res := &Result{}
	steps := r.plan.Steps
	for _, s := range steps {
		if !s.Runs() {
			res.Unchanged++
		}
	}
	sched := newSchedule(steps, r.index)
	total := sched.Total

	jobs := make(chan int)
	results := make(chan outcome)
	// Requests run detached from ctx: an interrupt stops new steps but lets
	// the ones in flight finish and be journaled.
	reqCtx := context.WithoutCancel(ctx)
	var g errgroup.Group
	for w := 0; w < workers(r.opts.Parallelism); w++ {
		g.Go(func() error {
			for i := range jobs {
				results <- r.exec(reqCtx, i)
			}
			return nil
		})
	}

	// inflight counts steps handed to workers; announced those that have
	// had a start event.
	done, inflight := 0, 0
	announced := make([]bool, len(steps))
	stopping := false
	stop := ctx.Done()
	halt := func() {
		stopping, stop = true, nil
		r.slots.stop()
	}
	if ctx.Err() != nil {
		halt()
		res.Interrupted = true
	}
	emit := func(e Event) {
		if r.opts.OnEvent == nil {
			return
		}
		// The slots taken are the requests in flight (a step journaling
		// its intent or outcome holds none).
		e.Time, e.Done, e.Total, e.InFlight = r.opts.Now(), done, total, len(r.slots.free)
		r.opts.OnEvent(e)
	}
	start := func(i int) {
		if !announced[i] {
			announced[i] = true
			emit(Event{Type: EventStart, Addr: steps[i].Addr, Kind: steps[i].Kind})
		}
	}
	// drainStarted emits the start events workers have announced, so that
	// a step's start comes before its outcome: a worker announces before
	// it sends its outcome.
	drainStarted := func() {
		for {
			select {
			case i := <-r.slots.started:
				start(i)
			default:
				return
			}
		}
	}
	next := -1
	for {
		if next < 0 && !stopping {
			next = sched.Next()
		}
		var send chan int
		if next >= 0 && !stopping {
			send = jobs
		}
		if send == nil && inflight == 0 {
			break
		}
		select {
		case send <- next:
			next = -1
			inflight++
		case i := <-r.slots.started:
			start(i)
		case o := <-results:
			inflight--
			drainStarted()
			if o.err == errHalted { // nothing sent: not started
				continue
			}
			start(o.step) // a step that failed before sending anything
			done++
			s := steps[o.step]
			if o.err != nil {
				res.Failed++
				res.Failures = append(res.Failures, Failure{Addr: s.Addr, Err: o.err})
				emit(Event{Type: EventFailed, Addr: s.Addr, Kind: s.Kind, Error: o.err.Error(), Duration: o.took})
				for _, d := range sched.Failed(o.step) {
					res.Skipped++
					done++
					emit(Event{Type: EventSkipped, Addr: steps[d].Addr, Kind: steps[d].Kind,
						Error: "not attempted: depends on " + s.Addr + ", which failed"})
				}
				if r.opts.FailFast {
					halt()
				}
				continue
			}
			r.ids[o.step] = o.id
			res.count(o.typ)
			emit(Event{Type: o.typ, Addr: s.Addr, Kind: s.Kind, ID: o.id, Duration: o.took})
			sched.Done(o.step)
		case <-stop:
			halt()
			res.Interrupted = true
		}
	}
	close(jobs)
	_ = g.Wait()
	res.Untouched = total - done
	return res
}

// exec runs one step: its create (look up first when asked, journal the
// intent, POST, and resolve an unknown outcome by looking the object up)
// or its update.
func (r *runner) exec(ctx context.Context, i int) outcome {
	c := &call{r: r, step: i}
	s := r.plan.Steps[i]
	o := outcome{step: i, typ: EventCreated}
	if s.Effect() == plan.Update {
		o.typ = EventUpdated
	}
	var err error
	switch {
	case s.Action.Ends():
		o.typ = endEvents[s.Action]
		o.id, err = r.end(ctx, s, c)
	case s.Action == plan.Update:
		o.id, err = r.update(ctx, s, c)
	case s.Of != "":
		o.id, err = r.followUp(ctx, s, c)
	default:
		var adopted bool
		o.id, adopted, err = r.create(ctx, s, c)
		if adopted {
			o.typ = EventAdopted
		}
	}
	o.err = err
	if !c.first.IsZero() {
		o.took = time.Since(c.first)
	}
	if err != nil && err != errHalted {
		o.err = fmt.Errorf("%s: %w", s.Addr, err)
	}
	return o
}

// update PUTs the changed fields. A PUT is idempotent: the client retries
// it on an unknown outcome, and a failure leaves the state's record as it
// was, so the next plan proposes the same update. The new spec is
// recorded only after a 2xx.
func (r *runner) update(ctx context.Context, s *plan.Step, c *call) (int64, error) {
	req, err := r.request(s)
	if err != nil {
		return 0, err
	}
	id := s.Existing.ID
	if !c.acquire() {
		return 0, errHalted
	}
	rec, err := r.client.Update(ctx, s.Kind, id, req.body)
	c.release(err != nil)
	if err != nil {
		return 0, describe(s, err)
	}
	return id, r.record(s, id, rec)
}

// call is one step's use of the request slots.
type call struct {
	r     *runner
	step  int
	first time.Time // when the step first took a slot
}

// acquire takes a request slot, announcing the step the first time; false
// when the run halted before the step sent anything.
func (c *call) acquire() bool {
	if !c.r.slots.acquire(!c.first.IsZero()) {
		return false
	}
	if c.first.IsZero() {
		c.first = time.Now()
		c.r.slots.started <- c.step
	}
	return true
}

// release frees the slot; failed (the step has failed for good) halts a
// --fail-fast run first.
func (c *call) release(failed bool) { c.r.slots.release(failed && c.r.opts.FailFast) }

func (r *runner) create(ctx context.Context, s *plan.Step, c *call) (int64, bool, error) {
	req, err := r.request(s)
	if err != nil {
		return 0, false, err
	}
	verify := s.Verify
	if cl, ok := r.journal.(Claimer); ok { // another runner may be creating it: wait, then adopt its id
		existing, release, err := cl.Claim(ctx, s.Addr)
		if err != nil {
			return 0, false, fmt.Errorf("claim (nothing was sent): %w", err)
		}
		defer release() // after the outcome is journaled
		if existing != nil && existing.Status == state.StatusCreated && existing.ID > 0 {
			return existing.ID, true, nil
		}
		verify = verify || existing != nil // a pending intent of a runner that died
	}
	for attempt := 1; ; attempt++ {
		if verify {
			if !c.acquire() {
				return 0, false, errHalted
			}
			id, found, err := r.lookup(ctx, s, req)
			c.release(err != nil)
			if err != nil {
				return 0, false, err
			}
			if found {
				return id, true, r.record(s, id, nil)
			}
		}
		if attempt > r.opts.MaxCreateAttempts {
			return 0, false, fmt.Errorf("gave up after %d creates whose outcome was unknown and whose object could not be found afterwards", attempt-1)
		}
		if err := r.journal.Intent(state.Object{Addr: s.Addr, Kind: string(s.Kind), Status: state.StatusPending,
			Hash: s.Hash, Spec: s.Spec, Time: r.opts.Now()}); err != nil {
			return 0, false, fmt.Errorf("journal intent (nothing was sent): %w", err)
		}
		if !c.acquire() {
			// Nothing was sent for this intent. Forget it, unless an
			// earlier create (this run's, or the one of the run that left
			// a pending intent) may have stored the object.
			if attempt == 1 && s.Existing == nil {
				if err := r.journal.Remove(s.Addr); err != nil {
					return 0, false, fmt.Errorf("stopped before sending, but the intent could not be removed: %w", err)
				}
			}
			return 0, false, errHalted
		}
		rec, err := r.client.Create(ctx, s.Kind, req.query, req.body)
		c.release(err != nil && !errors.Is(err, bluerocktel.ErrOutcomeUnknown))
		if err == nil {
			r.claimed.claim(s.Kind, rec.ID)
			return rec.ID, false, r.record(s, rec.ID, rec)
		}
		if errors.Is(err, bluerocktel.ErrOutcomeUnknown) {
			// The server may have stored it: never POST again before
			// looking. The intent stays journaled until this resolves.
			verify = true
			continue
		}
		// The server certainly did not store it (a 4xx, or a request that
		// never reached it): forget the intent.
		if rmErr := r.journal.Remove(s.Addr); rmErr != nil {
			return 0, false, errors.Join(describe(s, err), rmErr)
		}
		return 0, false, describe(s, err)
	}
}

// record journals a created or adopted object.
func (r *runner) record(s *plan.Step, id int64, rec *bluerocktel.Record) error {
	o := state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: id, Status: state.StatusCreated,
		Hash: s.Hash, Spec: s.Spec, File: s.File, Time: r.opts.Now()}
	if s.Existing != nil && s.Action == plan.Update {
		o.Returned = maps.Clone(s.Existing.Returned)
	}
	if rec != nil {
		for _, f := range resource.Get(s.Kind).Returned {
			if v := rec.Text(f); v != "" {
				if o.Returned == nil {
					o.Returned = map[string]string{}
				}
				o.Returned[f] = v
			}
		}
	}
	if err := r.journal.Put(o); err != nil {
		return &UnrecordedError{Addr: s.Addr, ID: id, Err: err}
	}
	return nil
}

// UnrecordedError: the object exists in BlueRockTEL with ID, but the state
// could not record it; recording it by hand settles it.
type UnrecordedError struct {
	Addr string
	ID   int64
	Err  error
	// Ended is the end action done, when the object was ended rather
	// than created.
	Ended string
}

func (e *UnrecordedError) Error() string {
	if e.Ended != "" {
		return fmt.Sprintf("#%d is done (%s) but the state could not record it (%v)", e.ID, e.Ended, e.Err)
	}
	return fmt.Sprintf("created as #%d but the state could not be written (%v)", e.ID, e.Err)
}

func (e *UnrecordedError) Unwrap() error { return e.Err }

// lookup looks the object up by its natural key. Several matches, or a
// failed lookup, stop the branch with what to check.
func (r *runner) lookup(ctx context.Context, s *plan.Step, req *request) (int64, bool, error) {
	recs, err := r.client.Lookup(ctx, s.Kind, req.query, req.want)
	if err != nil {
		return 0, false, &UnresolvedError{Addr: s.Addr, Err: err}
	}
	var free []int64
	for _, rec := range recs {
		if !r.claimed.has(s.Kind, rec.ID) {
			free = append(free, rec.ID)
		}
	}
	switch len(free) {
	case 0:
		return 0, false, nil
	case 1:
		r.claimed.claim(s.Kind, free[0])
		return free[0], true, nil
	}
	return 0, false, &UnresolvedError{Addr: s.Addr, Candidates: free}
}

// UnresolvedError stops a branch whose object may or may not exist.
type UnresolvedError struct {
	Addr       string
	Err        error
	Candidates []int64
}

// Error says why the branch stopped; what to do about it (record the
// right object in the state by hand) is for the caller to phrase.
func (e *UnresolvedError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("the outcome of its create is unknown and looking it up failed (%v)", e.Err)
	}
	return fmt.Sprintf("the outcome of its create is unknown and %d existing objects match it (ids %v)", len(e.Candidates), e.Candidates)
}

func (e *UnresolvedError) Unwrap() error { return e.Err }
