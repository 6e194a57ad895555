package apply

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// A run has more workers than request slots. Options.Parallelism bounds
// the API calls in flight (slots); each worker takes a slot only for the
// round trip itself, and journals the step's intent before, and its
// outcome after, without one. Journal writes wait for an fsync (group
// commit shares it, but a record still waits for the fsync in progress and
// then its own): a worker that held its slot meanwhile left the API with
// fewer than Parallelism requests. Measured by cmd/onboard-bench apply-1k
// (sandbox at 20 ms, 16 in flight, 5,002 objects; ideal 6.25 s, a bare Go
// client 6.64 s): 7.19 s with one slot per worker, 6.86 s this way. The
// journal also shares its fsyncs better (2,644 instead of 4,281).

// workers is how many steps may be under way at once for a parallelism of
// p: p holding a slot, and as many more journaling or waiting for one.
// With parallelism 1 a run stays strictly sequential, in plan order, as
// one asks of it when debugging: no step is prepared ahead (which could
// take the slot before an earlier one), at the cost of the journal waits.
func workers(p int) int {
	if p == 1 {
		return 1
	}
	return 2 * p
}

// errHalted ends a step whose request was not sent because the run
// stopped (interrupted, or --fail-fast after a failure) while it waited
// for a slot. It counts as not started.
var errHalted = errors.New("not started: the run stopped before its request was sent")

// slots are the request slots of a run and its halt switch.
type slots struct {
	free chan struct{} // a token is held per call in flight
	// started receives a step's index when it first takes a slot: the
	// coordinator emits its start event then.
	started chan int
	halt    chan struct{} // closed by stop
	halted  atomic.Bool
	once    sync.Once
	// ctx is the run's context: an interrupt halts at once, not when the
	// coordinator gets to it (a slot freed meanwhile would be taken).
	ctx context.Context
}

func newSlots(ctx context.Context, parallelism int) *slots {
	return &slots{
		free:    make(chan struct{}, parallelism),
		started: make(chan int, workers(parallelism)),
		halt:    make(chan struct{}),
		ctx:     ctx,
	}
}

// acquire takes a slot; false when the run has halted first, in which
// case nothing may be sent. A step that has sent a request already
// (resuming) gets its slot anyway: it finishes what it began, e.g. looks
// up an object whose create had an unknown outcome.
func (s *slots) acquire(resuming bool) bool {
	if resuming {
		s.free <- struct{}{}
		return true
	}
	select {
	case s.free <- struct{}{}:
	case <-s.halt:
		return false
	case <-s.ctx.Done():
		return false
	}
	// A slot freed by a call that failed under --fail-fast is freed only
	// after the halt (see release): whoever takes it sees the halt here.
	if s.halted.Load() || s.ctx.Err() != nil {
		<-s.free
		return false
	}
	return true
}

// release frees a slot. haltFirst stops the run before the slot is free,
// so that no other request starts after the one that failed.
func (s *slots) release(haltFirst bool) {
	if haltFirst {
		s.stop()
	}
	<-s.free
}

// stop halts the run: steps waiting for a slot give up.
func (s *slots) stop() {
	s.once.Do(func() {
		s.halted.Store(true)
		close(s.halt)
	})
}
