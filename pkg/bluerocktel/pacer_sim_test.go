package bluerocktel

import (
	"container/heap"
	"math"
	"math/rand"
	"time"
)

// A discrete-event simulation of callers driving the pacer against a
// token-bucket server, on a simulated clock: it runs minutes of traffic in
// milliseconds, deterministically, so that the pacing algorithm can be
// checked across server limits, bursts and latencies.

type simConfig struct {
	workers    int
	latency    time.Duration // round trip
	srvRate    float64       // server token bucket: tokens per second
	srvBurst   float64       // bucket size
	clientRate float64       // Config.Rate (0 = unlimited)
	requests   int           // successful requests to complete
	retryCap   time.Duration // Retry-After cap
	seed       int64
	trace      func(at time.Duration, rate float64) // called when the pace changes
}

type simResult struct {
	accepted, rejected int
	elapsed            time.Duration
}

func (r simResult) throughput() float64 { return float64(r.accepted) / r.elapsed.Seconds() }
func (r simResult) rejectShare() float64 {
	return float64(r.rejected) / float64(r.accepted+r.rejected)
}

type simEvent struct {
	at     time.Time
	worker int
	kind   int // 0 ready to send, 1 arrives at server, 2 answer arrives
	sent   slot
	status int
	after  time.Duration
}

type simQueue []simEvent

func (q simQueue) Len() int           { return len(q) }
func (q simQueue) Less(i, j int) bool { return q[i].at.Before(q[j].at) }
func (q simQueue) Swap(i, j int)      { q[i], q[j] = q[j], q[i] }
func (q *simQueue) Push(x any)        { *q = append(*q, x.(simEvent)) }
func (q *simQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	*q = old[:len(old)-1]
	return e
}

func simulate(c simConfig) simResult {
	rng := rand.New(rand.NewSource(c.seed))
	t0 := time.Unix(1_700_000_000, 0)
	p := newPacer(c.clientRate, t0)
	tokens, last := c.srvBurst, t0
	half := func() time.Duration {
		// one way: half the latency, ±20%, at least 100µs (loopback).
		d := time.Duration(float64(c.latency/2) * (0.8 + 0.4*rng.Float64()))
		return d + 100*time.Microsecond
	}
	q := &simQueue{}
	for w := 0; w < c.workers; w++ {
		heap.Push(q, simEvent{at: t0.Add(time.Duration(w) * time.Microsecond), worker: w})
	}
	var res simResult
	started := 0
	var now time.Time
	for q.Len() > 0 {
		e := heap.Pop(q).(simEvent)
		now = e.at
		switch e.kind {
		case 0:
			s := p.reserve(now)
			heap.Push(q, simEvent{at: s.at.Add(half()), worker: e.worker, kind: 1, sent: s})
		case 1:
			tokens = math.Min(c.srvBurst, tokens+now.Sub(last).Seconds()*c.srvRate)
			last = now
			ev := simEvent{at: now.Add(half()), worker: e.worker, kind: 2, sent: e.sent, status: 201}
			if tokens >= 1 {
				tokens--
			} else {
				ev.status = 429
				ev.after = time.Duration(math.Ceil((1-tokens)/c.srvRate)) * time.Second
			}
			heap.Push(q, ev)
		case 2:
			before := p.cur
			p.observe(e.sent, now, e.status)
			if c.trace != nil && p.cur != before {
				c.trace(now.Sub(t0), p.cur)
			}
			if e.status == 429 {
				res.rejected++
				heap.Push(q, simEvent{at: now.Add(min(e.after, c.retryCap)), worker: e.worker})
				continue
			}
			res.accepted++
			started++
			if started+c.workers <= c.requests {
				heap.Push(q, simEvent{at: now, worker: e.worker})
			}
		}
	}
	res.elapsed = now.Sub(t0)
	return res
}
