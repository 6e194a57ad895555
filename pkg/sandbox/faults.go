package sandbox

import (
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Fault types, as counted in Stats.Faults.
const (
	FaultLatency     = "latency"           // a request was delayed (Latency/Jitter)
	FaultMaxInflight = "max_inflight"      // 429: too many concurrent requests
	FaultRateLimit   = "rate_limit"        // 429: over the request rate
	FaultFail5xx     = "fail_5xx"          // 500/503 answered before processing
	FaultDrop        = "drop_after_commit" // create stored, connection closed unanswered
	FaultFail429     = "fail_429"          // 429 answered at random, before processing
	FaultDropUpdate  = "drop_after_update" // update stored, connection closed unanswered
)

// faults injects the configured faults. Random choices come from one
// seeded generator, drawn in a fixed order per request, so that the same
// seed gives the same fault sequence for sequential requests.
type faults struct {
	opts     Options
	seed     int64
	mu       sync.Mutex
	rng      *rand.Rand
	random   bool // some fault is random: draw per request
	limiter  *rate.Limiter
	inflight atomic.Int64
	// dropFirst holds the kinds of Options.DropFirst whose first create
	// has not been dropped yet (under mu).
	dropFirst map[resource.Kind]bool
}

// draw is the fate of one request.
type draw struct {
	delay      time.Duration
	fail       bool
	failStatus int
	drop       bool // a create loses its response
	dropUpdate bool // an update loses its response
	throttle   bool
}

func newFaults(opts Options) *faults {
	f := &faults{opts: opts, seed: opts.Seed, dropFirst: map[resource.Kind]bool{}}
	for _, k := range opts.DropFirst {
		f.dropFirst[k] = true
	}
	if f.seed == 0 {
		f.seed = rand.Int64() // reported in Stats so a run can be replayed
	}
	f.rng = rand.New(rand.NewPCG(uint64(f.seed), 0x5eed5a4db0c5))
	f.random = opts.Jitter > 0 || opts.Fail5xx > 0 || opts.DropAfterCommit > 0 || opts.DropUpdate > 0 || opts.Fail429 > 0
	if opts.Rate > 0 {
		// A second's worth of burst, at least one request.
		f.limiter = rate.NewLimiter(rate.Limit(opts.Rate), max(1, int(math.Ceil(opts.Rate))))
	}
	return f
}

// next draws the fate of the next API request: always four numbers, so
// that the sequence does not depend on which faults a request reached.
func (f *faults) next() draw {
	d := draw{delay: f.opts.Latency}
	if !f.random {
		return d
	}
	f.mu.Lock()
	j, u, v, w := f.rng.Float64(), f.rng.Float64(), f.rng.Float64(), f.rng.Float64()
	f.mu.Unlock()
	if f.opts.Jitter > 0 {
		d.delay += time.Duration((2*j - 1) * float64(f.opts.Jitter))
		d.delay = max(d.delay, 0)
	}
	if u < f.opts.Fail5xx {
		d.fail = true
		// Reuse u's position inside [0, P) to pick the status without
		// another draw: the lower half 500, the upper half 503.
		d.failStatus = 500
		if u >= f.opts.Fail5xx/2 {
			d.failStatus = 503
		}
	}
	// A request is a create or an update, never both: one draw serves
	// both drops, and the sequence keeps its four numbers.
	d.drop = v < f.opts.DropAfterCommit
	d.dropUpdate = v < f.opts.DropUpdate
	d.throttle = w < f.opts.Fail429
	return d
}

// dropCreate reports whether the successful create of kind k whose fate
// is d loses its response: a DropAfterCommit draw, or the first create of
// a DropFirst kind.
func (f *faults) dropCreate(k resource.Kind, d draw) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.dropFirst[k] {
		delete(f.dropFirst, k)
		return true
	}
	return d.drop
}

// acquire takes an in-flight slot; ok is false above MaxInflight. The
// caller must call release either way.
func (f *faults) acquire() bool {
	n := f.inflight.Add(1)
	return f.opts.MaxInflight <= 0 || n <= int64(f.opts.MaxInflight)
}

func (f *faults) release() { f.inflight.Add(-1) }

// allow takes a token from the rate limiter; when none is available it
// returns the whole seconds to wait (at least 1, as Retry-After needs).
func (f *faults) allow(now time.Time) (retryAfter int, ok bool) {
	if f.limiter == nil {
		return 0, true
	}
	r := f.limiter.ReserveN(now, 1)
	if !r.OK() {
		return 1, false
	}
	delay := r.DelayFrom(now)
	if delay <= 0 {
		return 0, true
	}
	r.CancelAt(now)
	return max(1, int(math.Ceil(delay.Seconds()))), false
}
