package bluerocktel

import (
	"context"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// pacer is the rate limit shared by every request of a Client, made
// adaptive so that the server's limit is used without a storm of 429s:
//
//   - it never exceeds the configured rate (the ceiling);
//   - on a 429 it lowers the pace to cutFactor × the rate the server was
//     seen to accept, at most once per round trip: a 429 for a request
//     booked before the last decrease is about the old pace. (Once per
//     Retry-After window would be too slow when a decrease was not enough:
//     a whole second of excess requests rejected.)
//   - while no 429 arrives, and the pace (not the callers) is what limits
//     the client, it raises the pace by raiseStep every raiseTick
//     (additive increase, multiplicative decrease, as TCP does).
//
// The server's rate is measured while the client is pace-bound: from the
// first 429 of a congestion episode its bucket is empty, so what it accepts
// from then on is its sustained rate; otherwise over the last second. When
// no such measure exists yet (a first 429 less than a second after start,
// e.g. an unlimited client flooding a server), the pace is halved and then
// grows fast (probeStep per tick) until the next 429 gives a measure.
//
// Every method takes the current time so that the algorithm can be driven by
// a simulated clock in tests.
type pacer struct {
	mu  sync.Mutex
	lim *rate.Limiter

	ceiling float64 // configured rate; +Inf when unlimited
	cur     float64 // effective rate; +Inf until the first 429 when unlimited
	probing bool    // cur is a guess: grow fast until the next 429

	start      time.Time
	lastCut    time.Time // last decrease
	lastRaise  time.Time // last increase (or increase check)
	lastReject time.Time // last 429 seen
	lastAccrue time.Time // allowed is accrued up to here
	lastSlot   time.Time // latest send slot booked
	gen        uint64    // incremented by every decrease

	// A congestion episode is a run of 429s less than episodeGap apart.
	epStart                       time.Time
	epAccepted, epSent, epAllowed float64

	// Totals since start, and the same over the last second.
	accepted, sent, allowed float64
	oks, sends, allowedW    window
}

const (
	// cutFactor: on a 429, the new pace is this share of the rate the
	// server accepted.
	cutFactor = 0.9
	// Every raiseTick without a 429, the pace grows by raiseStep of itself
	// (about +16%/s), or by probeStep (×2.6/s) while probing.
	raiseTick = 100 * time.Millisecond
	raiseStep = 0.015
	probeStep = 0.1
	// minRate keeps the pace from collapsing to nothing.
	minRate = 0.5
	// episodeGap ends a congestion episode.
	episodeGap = time.Second
	// minEpisode is the shortest episode whose accepted rate is trusted.
	minEpisode = 200 * time.Millisecond
	// minElapsed is the shortest span a send rate is computed over.
	minElapsed = 50 * time.Millisecond
	// busyShare: the client is pace-bound over a span when it sent at least
	// this share of what the pace allowed.
	busyShare = 0.8
)

// newPacer returns a pacer for the configured rate (0 = unlimited).
func newPacer(perSecond float64, now time.Time) *pacer {
	ceiling := math.Inf(1)
	if perSecond > 0 {
		ceiling = perSecond
	}
	// Burst 1: requests are spread evenly; a token-bucket server with a
	// small burst rejects clumps even when the average rate is fine.
	return &pacer{
		lim:        rate.NewLimiter(toLimit(ceiling), 1),
		ceiling:    ceiling,
		cur:        ceiling,
		start:      now,
		lastAccrue: now,
	}
}

func toLimit(r float64) rate.Limit {
	if math.IsInf(r, 1) {
		return rate.Inf
	}
	return rate.Limit(r)
}

// slot is a booked send: its time and the pace it was booked under.
type slot struct {
	at  time.Time
	gen uint64
	r   *rate.Reservation
}

// wait blocks until the next request may be sent.
func (p *pacer) wait(ctx context.Context) (slot, error) {
	now := time.Now()
	s := p.reserve(now)
	if d := s.at.Sub(now); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			s.r.CancelAt(time.Now())
			return slot{}, ctx.Err()
		}
	}
	return s, nil
}

// reserve books the next send slot.
func (p *pacer) reserve(now time.Time) slot {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accrue(now)
	p.maybeRaise(now)
	// Book from the last slot already booked, not from now: rate.Limiter
	// computes a reservation relative to the time it is given, so after a
	// rate increase a reservation made "now" behind a queue of slots
	// booked at the old rate would squeeze in right after them (or even
	// before the last one), and a server with a small burst would reject
	// the pair. From the last slot, spacing is always 1/rate.
	bt := p.bookingTime(now)
	r := p.lim.ReserveN(bt, 1) // always OK with burst >= 1
	at := bt.Add(r.DelayFrom(bt))
	p.lastSlot = at
	p.sent++
	p.sends.add(now, 1) // counted when booked: a future slot would land in a stale bucket
	return slot{at: at, gen: p.gen, r: r}
}

// bookingTime is now, or the last booked slot when that is later.
func (p *pacer) bookingTime(now time.Time) time.Time {
	if p.lastSlot.After(now) {
		return p.lastSlot
	}
	return now
}

// accrue adds what the pace allowed since the last call.
func (p *pacer) accrue(now time.Time) {
	d := now.Sub(p.lastAccrue)
	if d <= 0 {
		return
	}
	p.lastAccrue = now
	if math.IsInf(p.cur, 1) {
		return
	}
	a := p.cur * d.Seconds()
	p.allowed += a
	p.allowedW.add(now, a)
}

// setRate changes the pace from now on.
func (p *pacer) setRate(now time.Time, r float64) {
	p.cur = math.Min(p.ceiling, math.Max(minRate, r))
	p.lim.SetLimitAt(p.bookingTime(now), toLimit(p.cur))
}

// maybeRaise grows the pace after a quiet tick, only while the pace is what
// limits the client: an idle client must not build up a rate it never
// tested against the server.
func (p *pacer) maybeRaise(now time.Time) {
	if p.cur >= p.ceiling || now.Sub(latest(p.lastCut, p.lastRaise, p.lastReject)) < raiseTick {
		return
	}
	p.lastRaise = now
	if !busy(p.sends.count(now), p.allowedW.count(now)) {
		return
	}
	step := raiseStep
	if p.probing {
		step = probeStep
	}
	p.setRate(now, p.cur+math.Max(minRate, p.cur*step))
}

// observe takes the outcome of a request sent in slot s: status is the
// HTTP status, 0 for a transport error (which says nothing about the pace).
func (p *pacer) observe(s slot, now time.Time, status int) {
	if status == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.accrue(now)
	if status != 429 {
		p.accepted++
		p.oks.add(now, 1)
		return
	}
	if now.Sub(p.lastReject) > episodeGap {
		p.epStart, p.epAccepted, p.epSent, p.epAllowed = now, p.accepted, p.sent, p.allowed
	}
	p.lastReject = now
	// A request booked before the last decrease tells about the old pace,
	// which has been dealt with: one decrease per round trip.
	if s.gen != p.gen {
		return
	}
	base := p.cur
	if math.IsInf(base, 1) {
		base = float64(p.sends.count(now)) / math.Max(minElapsed.Seconds(), math.Min(1, now.Sub(p.start).Seconds()))
	}
	if est, ok := p.acceptedRate(now); ok {
		p.probing = false
		p.setRate(now, cutFactor*math.Min(est, base))
	} else {
		p.probing = true
		p.setRate(now, 0.5*base)
	}
	p.lastCut = now
	p.gen++
}

// acceptedRate estimates the server's sustained rate from what it accepted
// while the client was pace-bound (not idle, not waiting out Retry-After):
// since the episode began, or over the last second. Unknown when neither
// span qualifies.
func (p *pacer) acceptedRate(now time.Time) (float64, bool) {
	ep := now.Sub(p.epStart)
	if ep >= minEpisode && ep <= windowSpan && busy(p.sent-p.epSent, p.allowed-p.epAllowed) {
		return (p.accepted - p.epAccepted) / ep.Seconds(), true
	}
	if now.Sub(p.start) >= windowSpan && busy(p.sends.count(now), p.allowedW.count(now)) {
		return p.oks.count(now), true
	}
	return 0, false
}

// busy reports whether the client sent most of what the pace allowed.
func busy(sent, allowed float64) bool { return allowed > 0 && sent >= busyShare*allowed }

// limit returns the effective rate, 0 when unlimited.
func (p *pacer) limit() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	if math.IsInf(p.cur, 1) {
		return 0
	}
	return p.cur
}

func latest(ts ...time.Time) time.Time {
	var m time.Time
	for _, t := range ts {
		if t.After(m) {
			m = t
		}
	}
	return m
}
