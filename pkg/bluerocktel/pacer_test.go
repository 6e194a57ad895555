package bluerocktel

import (
	"context"
	"math"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/onboardhq/onboard/pkg/resource"
)

// TestPacingAgainstTokenBucketSimulated runs the pacer on a simulated clock
// against token-bucket servers of 200 requests/s with various bursts and
// latencies, 16 callers, 5,000 requests each run (about 25 s of traffic):
// the server's limit must be used (>= 180/s) with under 2% of 429s. The
// simulation is deterministic, so the thresholds are exact.
func TestPacingAgainstTokenBucketSimulated(t *testing.T) {
	for _, lat := range []time.Duration{0, 5 * time.Millisecond, 20 * time.Millisecond} {
		for _, burst := range []float64{10, 50, 200} {
			for _, clientRate := range []float64{0, 1000} {
				r := simulate(simConfig{workers: 16, latency: lat, srvRate: 200, srvBurst: burst,
					clientRate: clientRate, requests: 5000, retryCap: time.Minute, seed: 1})
				if r.throughput() < 180 || r.rejectShare() >= 0.02 {
					t.Errorf("latency %v, server burst %g, client rate %g: %.1f req/s with %.2f%% 429s, want >= 180 req/s and < 2%%",
						lat, burst, clientRate, r.throughput(), 100*r.rejectShare())
				}
			}
		}
	}
}

func TestPacingKeepsUnderConfiguredRate(t *testing.T) {
	r := simulate(simConfig{workers: 16, latency: 5 * time.Millisecond, srvRate: 200, srvBurst: 50,
		clientRate: 100, requests: 1000, retryCap: time.Minute, seed: 1})
	if r.rejected != 0 || r.throughput() > 101 || r.throughput() < 95 {
		t.Errorf("client rate 100 under a 200/s server: %.1f req/s, %d 429s; want about 100 and none", r.throughput(), r.rejected)
	}
}

func TestPacerReactions(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

	// Pace-bound at 100/s for 2 s, all accepted.
	p := newPacer(100, t0)
	var s slot
	for ms := 0; ms < 2000; ms += 5 {
		s = p.reserve(at(ms))
		p.observe(s, at(ms+1), 200)
	}
	if p.limit() != 100 {
		t.Fatalf("limit %v, want the configured 100 (never above it)", p.limit())
	}
	// A 429: cut to 0.9 × what the server accepted over the last second.
	p.observe(s, at(2001), 429)
	if got := p.limit(); got < 80 || got > 91 {
		t.Fatalf("after a 429: limit %v, want about 0.9 × 100", got)
	}
	cut := p.limit()
	// A second 429 for a request booked before the cut: no second cut.
	p.observe(s, at(2002), 429)
	if p.limit() != cut {
		t.Errorf("a 429 booked before the cut cut again: %v -> %v", cut, p.limit())
	}
	// A 429 for a request booked after the cut does cut again.
	s2 := p.reserve(at(2003))
	p.observe(s2, at(2004), 429)
	if p.limit() >= cut {
		t.Errorf("a 429 under the new pace did not cut: %v", p.limit())
	}
	low := p.limit()
	// Quiet and pace-bound: the rate climbs back, slowly.
	ms := 2005
	for ; ms < 4000; ms++ {
		s := p.reserve(at(ms))
		p.observe(s, at(ms), 200)
	}
	if got := p.limit(); got <= low || got > low*math.Pow(1+raiseStep, 21)+1 {
		t.Errorf("after 2 quiet seconds: limit %v from %v, want a slow rise", got, low)
	}
	// Idle: no rise while callers do not use the pace.
	before := p.limit()
	for ; ms < 8000; ms += 100 {
		s := p.reserve(at(ms))
		p.observe(s, at(ms), 200)
	}
	if p.limit() != before {
		t.Errorf("idle client: limit rose %v -> %v", before, p.limit())
	}
	// Transport errors say nothing about the pace.
	p.observe(p.reserve(at(ms)), at(ms), 0)
	if p.limit() != before {
		t.Errorf("transport error changed the limit")
	}
}

func TestPacerSpacesSlotsEvenlyAcrossRateChanges(t *testing.T) {
	t0 := time.Unix(1_700_000_000, 0)
	p := newPacer(100, t0)
	p.cur, p.ceiling = 50, 100
	p.setRate(t0, 50)
	var slots []time.Time
	for i := 0; i < 16; i++ { // 16 callers queue up at once
		slots = append(slots, p.reserve(t0).at)
	}
	p.setRate(t0, 60) // a raise while 16 slots are booked
	for i := 0; i < 16; i++ {
		slots = append(slots, p.reserve(t0).at)
	}
	for i := 1; i < len(slots); i++ {
		if gap := slots[i].Sub(slots[i-1]); gap < time.Second/60-time.Millisecond {
			t.Fatalf("slots %d and %d only %v apart: a raise squeezed requests together", i-1, i, gap)
		}
	}
}

// TestPacingAgainstRateLimitedServer drives 16 concurrent callers through
// one client against an httptest server that enforces a 200 requests/s
// token bucket, for a bounded run. Thresholds are generous for a loaded
// 2-core CI machine; the precise target is measured end to end.
func TestPacingAgainstRateLimitedServer(t *testing.T) {
	t.Parallel() // overlaps the tests that only wait
	lim := rate.NewLimiter(200, 20)
	var ok429, ok2xx atomic.Int64
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		if !lim.Allow() {
			ok429.Add(1)
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"message":"Too Many Attempts."}`)
			return
		}
		ok2xx.Add(1)
		writeJSON(w, 200, `{"id":1,"name":"x"}`)
	})
	c := newClient(t, srv.URL, func(c *Config) { c.Debug = nil; c.Rate = 0; c.RetryAfterCap = time.Minute; c.MaxRetries = 10 })

	const total, workers = 500, 16
	deadline := time.Now().Add(4 * time.Second)
	var done atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for done.Load() < total && time.Now().Before(deadline) {
				if _, err := c.Get(context.Background(), resource.Family, 1); err != nil {
					t.Error(err)
					return
				}
				done.Add(1)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	thr := float64(ok2xx.Load()) / elapsed.Seconds()
	share := float64(ok429.Load()) / float64(ok429.Load()+ok2xx.Load())
	logf(t, "%d OK, %d 429 (%.2f%%) in %v: %.1f req/s; final pace %.1f/s; stats %+v",
		ok2xx.Load(), ok429.Load(), 100*share, elapsed.Round(time.Millisecond), thr, c.Stats().Rate, c.Stats())
	if thr < 120 || share > 0.10 {
		t.Errorf("%.1f req/s with %.2f%% 429s, want >= 120 req/s and <= 10%% (target: 180 and 2%%)", thr, 100*share)
	}
}
