package bluerocktel

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"
)

// DefaultBreakAfter is how long the API may stay unreachable (every attempt
// failing to connect or to get an answer) before the breaker trips.
const DefaultBreakAfter = 30 * time.Second

// ErrBreakerOpen is matched by errors.Is against a *BreakerError.
var ErrBreakerOpen = errors.New("the client stopped sending")

// BreakCause is why the breaker tripped.
type BreakCause int

// Causes.
const (
	// BreakAuth: the API refused the token (401) or its rights (403):
	// every further request would be refused the same way.
	BreakAuth BreakCause = iota + 1
	// BreakUnreachable: no attempt got an answer for BreakAfter.
	BreakUnreachable
)

// BreakerError is returned at once, without sending, by every call after
// the breaker tripped, and by the calls it cut short. All of them share one
// cause, so a caller can report it once.
type BreakerError struct {
	Cause BreakCause
	// URL is the base URL (never holds the token).
	URL string
	// Status is the refusing status (401, 403) for BreakAuth.
	Status int
	// For is how long the API had been unreachable (BreakUnreachable).
	For time.Duration
	// Last is the last failure seen (its text is token-free).
	Last error
}

// Error states the cause once, naming the URL.
func (e *BreakerError) Error() string {
	switch e.Cause {
	case BreakAuth:
		var ae *APIError
		if errors.As(e.Last, &ae) {
			return fmt.Sprintf("the API at %s refused the request: %s", e.URL, ae.detail())
		}
		return fmt.Sprintf("the API at %s refused the request (%d)", e.URL, e.Status)
	default:
		s := fmt.Sprintf("the API at %s has not answered for %s", e.URL, e.For.Round(time.Second))
		if e.Last != nil {
			s += fmt.Sprintf(" (last error: %v)", e.Last)
		}
		return s
	}
}

// Is matches ErrBreakerOpen.
func (e *BreakerError) Is(target error) bool { return target == ErrBreakerOpen }

// Unwrap returns the failure that tripped the breaker (an *APIError for
// BreakAuth), so that errors.Is(err, ErrUnauthorized) holds for a 401.
func (e *BreakerError) Unwrap() error { return e.Last }

// breaker stops a client whose requests cannot succeed: after a 401/403, or
// when no attempt has got an answer for window. Once tripped it stays so:
// the run is over, and its calls fail at once instead of retrying.
type breaker struct {
	url    string
	window time.Duration // <= 0: never trips on unreachability

	mu      sync.Mutex
	err     *BreakerError
	since   time.Time // unreachable since; zero when answering
	lastErr error
	// lastAnswer is when the API last answered.
	lastAnswer time.Time
	gen        int // bumped by each answer: a pending timer of an older gen is void
	timer      *time.Timer

	// tripped is cancelled when the breaker trips, cutting short the calls
	// waiting in a retry back-off.
	tripped context.Context
	trip    context.CancelFunc
}

func newBreaker(url string, window time.Duration) *breaker {
	ctx, cancel := context.WithCancel(context.Background())
	return &breaker{url: url, window: window, tripped: ctx, trip: cancel}
}

// open returns the breaker's error once tripped, else nil.
func (b *breaker) open() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.err == nil {
		return nil
	}
	return b.err
}

// answered records that the API answered (any status) at now.
func (b *breaker) answered(now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.since, b.lastErr = time.Time{}, nil
	if now.After(b.lastAnswer) {
		b.lastAnswer = now
	}
	b.gen++
	if b.timer != nil {
		b.timer.Stop()
		b.timer = nil
	}
}

// refused trips the breaker for a 401 or 403 answer.
func (b *breaker) refused(e *APIError) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.tripLocked(&BreakerError{Cause: BreakAuth, URL: b.url, Status: e.Status, Last: e})
}

// failed records an attempt, started at start, that got no answer by now.
// The API counts as unreachable since the later of start and its last
// answer (an attempt that hung for the whole timeout counts from its
// start); the breaker trips when that has lasted window, checked here and
// by a timer, so that it trips on time even while every call sleeps in a
// back-off.
func (b *breaker) failed(start, now time.Time, err error) {
	if b.window <= 0 {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.lastErr = err
	from := start
	if b.lastAnswer.After(from) {
		from = b.lastAnswer
	}
	if !b.since.IsZero() && b.since.Before(from) {
		from = b.since
	}
	b.since = from
	if d := now.Sub(from); d >= b.window {
		b.tripLocked(&BreakerError{Cause: BreakUnreachable, URL: b.url, For: d, Last: err})
		return
	}
	if b.timer == nil {
		gen := b.gen
		b.timer = time.AfterFunc(b.window-now.Sub(from), func() {
			b.mu.Lock()
			defer b.mu.Unlock()
			if b.gen == gen && !b.since.IsZero() {
				b.tripLocked(&BreakerError{Cause: BreakUnreachable, URL: b.url, For: time.Since(b.since), Last: b.lastErr})
			}
		})
	}
}

func (b *breaker) tripLocked(e *BreakerError) {
	if b.err != nil {
		return
	}
	b.err = e
	if b.timer != nil {
		b.timer.Stop()
	}
	b.trip()
}

// bind returns ctx, also cancelled when the breaker trips.
func (b *breaker) bind(ctx context.Context) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(b.tripped, cancel)
	return ctx, func() { stop(); cancel() }
}

// Tripped returns the error of the client's breaker once it has tripped
// (a *BreakerError), else nil.
func (c *Client) Tripped() error { return c.brk.open() }

// TrippedContext is cancelled when the client's breaker trips.
func (c *Client) TrippedContext() context.Context { return c.brk.tripped }
