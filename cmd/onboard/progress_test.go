package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/bluerocktel"
)

// fakeClock is a clock that tests move by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

// testProgress is a progress writing to a buffer, on a fake clock, with no
// redraw ticker (frames are drawn by events and finish only).
func testProgress(live, color bool) (*progress, *bytes.Buffer, *fakeClock) {
	var stderr bytes.Buffer
	clk := &fakeClock{t: time.Date(2026, 4, 1, 10, 0, 0, 0, time.UTC)}
	p := &progress{a: &app{stderr: &stderr}, live: live, color: color, width: 160,
		now: clk.now, start: clk.t, counts: map[apply.EventType]int{}}
	p.seen = true // no ticker in unit tests: the clock is fake
	return p, &stderr, clk
}

func TestProgressRendering(t *testing.T) {
	events := []apply.Event{
		{Type: apply.EventStart, Addr: "family.voip", Total: 4, InFlight: 1},
		{Type: apply.EventCreated, Addr: "family.voip", ID: 7, Done: 1, Total: 4, Duration: 12 * time.Millisecond},
		{Type: apply.EventFailed, Addr: "item.sip", Done: 2, Total: 4, Error: "rejected"},
		{Type: "updated", Addr: "customer.acme", ID: 9, Done: 3, Total: 4, Duration: 5 * time.Millisecond},
		{Type: apply.EventSkipped, Addr: "customer.acme.file.main.licence.seats", Done: 4, Total: 4, Error: "not attempted: depends on item.sip, which failed"},
	}
	cases := []struct {
		name  string
		live  bool
		color bool
		want  []string // substrings, in order, of the output
		not   []string
	}{
		{name: "log lines",
			want: []string{"[1/4] created  family.voip #7 (12ms)\n", "[2/4] failed   item.sip\n",
				// An event type progress does not know is shown like the others.
				"[3/4] updated  customer.acme #9 (5ms)\n",
				"[4/4] skipped  customer.acme.file.main.licence.seats: not attempted"},
			not: []string{"\r", "\x1b", "rejected"}},
		{name: "log lines in colour", color: true,
			want: []string{"[1/4] \x1b[32mcreated \x1b[0m family.voip", "\x1b[31mfailed  \x1b[0m item.sip", "\x1b[33mupdated \x1b[0m customer.acme"}},
		{name: "live line",
			live: true,
			want: []string{
				"\r[------------------------------] 0/4   0%",
				"1/4  25%", "1 created",
				// The failure goes above the line, blanked with spaces first...
				"\r" + strings.Repeat(" ", 20), "\rfailed   item.sip: rejected\n",
				// ...and the line comes back at once, though within 100ms.
				"\r[###############---------------] 2/4  50%", "1 created  1 failed",
				// The last frame: the final counts, as the summary will say.
				"\r[##############################] 4/4 100%", "in 0:03  ·  1 created  1 updated  1 failed  1 skipped", "\n"},
			not: []string{"\x1b"}},
		{name: "live line in colour", live: true, color: true,
			want: []string{"\x1b[31mfailed  \x1b[0m item.sip: rejected\n", "\x1b[32m  1 created\x1b[0m\x1b[33m  1 updated\x1b[0m\x1b[31m  1 failed\x1b[0m\x1b[35m  1 skipped\x1b[0m", "\n"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, stderr, clk := testProgress(c.live, c.color)
			for _, e := range events {
				p.event(e)
				clk.t = clk.t.Add(500 * time.Millisecond)
			}
			p.finish()
			out := stderr.String()
			rest := out
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("output lacks %q (in order):\n%q", w, out)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("output contains %q:\n%q", n, out)
				}
			}
		})
	}
	t.Run("json", func(t *testing.T) {
		var stdout bytes.Buffer
		p := &progress{a: &app{stdout: &stdout}, json: true}
		for _, e := range events {
			p.event(e)
		}
		lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
		if len(lines) != len(events) {
			t.Fatalf("%d JSON lines, want %d", len(lines), len(events))
		}
		var e map[string]any
		if err := json.Unmarshal([]byte(lines[1]), &e); err != nil || e["event"] != "created" || e["address"] != "family.voip" || e["id"] != float64(7) {
			t.Errorf("second event %s (%v)", lines[1], err)
		}
	})
}

// TestProgressETA: the ETA follows the recent rate, not the average since
// the start, and elapsed time is shown.
func TestProgressETA(t *testing.T) {
	p, stderr, clk := testProgress(true, false)
	// 10 objects in the first 10 s (slow start), then 10 a second.
	done := 0
	for s := 1; s <= 14; s++ {
		clk.t = clk.t.Add(time.Second)
		done += map[bool]int{true: 1, false: 10}[s <= 10]
		p.event(apply.Event{Type: apply.EventCreated, Addr: "x", Done: done, Total: 200, InFlight: 8})
	}
	frames := strings.Split(stderr.String(), "\r")
	last := frames[len(frames)-1]
	// 50 done, 150 left at 10/s: 15 s, where the average (50 in 14 s)
	// would say 42 s.
	if !strings.Contains(last, " 50/200  25%  10.0/s  0:14 elapsed  ETA 0:15") {
		t.Errorf("last frame %q: want 50/200 at 10.0/s, 0:14 elapsed, ETA 0:15", last)
	}
}

// TestProgressLimitedBy: the live line says what holds the speed back.
func TestProgressLimitedBy(t *testing.T) {
	cases := []struct {
		name     string
		rate     string
		inFlight int
		reqPerS  int64 // requests a second the client sends
		tooMany  int64 // 429s a second
		want     string
	}{
		{name: "client rate limit", rate: "1800/m", inFlight: 3, reqPerS: 30, want: "limited by --rate 1800/m (30 requests/s)"},
		{name: "server 429s", rate: "1800/m", inFlight: 8, reqPerS: 30, tooMany: 2, want: "server answering 429 (6 in 3s), client slowed to 1200 requests/min"},
		{name: "latency", rate: "0", inFlight: 8, reqPerS: 20, want: "limited by latency: all 8 slots busy, ~400ms a request"},
		{name: "below every limit", rate: "1800/m", inFlight: 2, reqPerS: 5, want: ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, _, clk := testProgress(true, false)
			var st bluerocktel.Stats
			st.Rate = 20
			p.limits(func() bluerocktel.Stats { return st }, c.rate, 8)
			for s := 0; s <= 4; s++ {
				p.event(apply.Event{Type: apply.EventCreated, Addr: "x", Done: s, Total: 100, InFlight: c.inFlight, Duration: 400 * time.Millisecond})
				p.draw(clk.t, false)
				clk.t = clk.t.Add(time.Second)
				st.Requests += c.reqPerS
				st.TooManyRequests += c.tooMany
			}
			clk.t = clk.t.Add(-time.Second)
			if got := p.limitedBy(clk.t); got != c.want {
				t.Errorf("limitedBy = %q, want %q", got, c.want)
			}
		})
	}
}

// TestProgressNarrowTerminal: the live line never reaches the last column
// (a wrap would break the \r redraw).
func TestProgressNarrowTerminal(t *testing.T) {
	for _, width := range []int{40, 60, 80, 120} {
		p, _, clk := testProgress(true, false)
		p.width = width
		p.limits(func() bluerocktel.Stats { return bluerocktel.Stats{} }, "1800/m", 8)
		p.last = apply.Event{Done: 1234, Total: 50000, InFlight: 8}
		p.counts[apply.EventCreated], p.counts[apply.EventFailed] = 1200, 34
		clk.t = clk.t.Add(time.Minute)
		if _, n := p.frame(clk.t, false); n >= width {
			t.Errorf("width %d: frame is %d wide", width, n)
		}
	}
}

func TestClock(t *testing.T) {
	for d, want := range map[time.Duration]string{0: "0:00", 1499 * time.Millisecond: "0:01", 75 * time.Second: "1:15", 2*time.Hour + 3*time.Minute + 4*time.Second: "2:03:04"} {
		if got := clock(d); got != want {
			t.Errorf("clock(%v) = %q, want %q", d, got, want)
		}
	}
}
