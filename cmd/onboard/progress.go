package main

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/bluerocktel"
)

// progress renders apply events: on a terminal, a live status line (a bar
// with done/total, rate, elapsed time, ETA, counts and what limits the
// speed) with failures printed above it so that they stay in the
// scrollback; otherwise one line per finished step; or JSON lines for
// machines.
type progress struct {
	a    *app
	json bool
	live bool
	// color marks event types (created green, failed red...) on a terminal
	// unless NO_COLOR is set or TERM=dumb.
	color bool
	width int // of the terminal, for the live line
	now   func() time.Time
	start time.Time
	// events receives every event as JSON (--events), whatever the output.
	events *eventLog

	// What the speed can be limited by (limits): the client's counters,
	// its --rate and --parallelism.
	stats       func() bluerocktel.Stats
	rateFlag    string
	ratePerSec  float64
	parallelism int

	mu         sync.Mutex
	last       apply.Event             // the latest counters (done, total, in flight)
	counts     map[apply.EventType]int // finished steps by event type
	seen       bool                    // an event has arrived
	drawn      time.Time               // when the live line was last drawn
	lineLen    int                     // visible width of the live line (0: none shown)
	samples    []sample                // recent counters, for rates
	latency    time.Duration           // moving average of step durations
	ticker     chan struct{}           // closed to stop the redraw ticker
	tickerDone chan struct{}
}

// sample is the counters at one time, for rates over a recent window.
type sample struct {
	t        time.Time
	done     int
	requests int64
	tooMany  int64
}

// rateWindow is how far back rates and the limit diagnosis look.
const rateWindow = 3 * time.Second

// redrawEvery bounds how often events redraw the live line; the ticker
// redraws it anyway so that elapsed time and ETA move while requests are
// slow.
const (
	redrawEvery = 100 * time.Millisecond
	tickEvery   = 500 * time.Millisecond
)

func newProgress(a *app, asJSON bool) *progress {
	p := &progress{a: a, json: asJSON, now: time.Now, counts: map[apply.EventType]int{}, width: 80}
	p.start = p.now()
	if f, ok := a.stderr.(*os.File); ok && !asJSON && term.IsTerminal(int(f.Fd())) {
		dumb := os.Getenv("TERM") == "dumb"
		p.live = os.Getenv("CI") == "" && !dumb
		p.color = os.Getenv("NO_COLOR") == "" && !dumb
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 20 {
			p.width = w
		}
	}
	if p.live {
		// Interrupt messages clear the live line first (note).
		a.status = p
	}
	return p
}

// limits tells progress what can limit the speed: the client (its
// counters of requests and 429s), its --rate and --parallelism.
func (p *progress) limits(stats func() bluerocktel.Stats, rate string, parallelism int) {
	p.stats, p.rateFlag, p.parallelism = stats, rate, parallelism
	p.ratePerSec, _ = parseRate(rate)
}

// event is called by apply, one event at a time.
func (p *progress) event(e apply.Event) {
	p.events.write(e)
	if p.json {
		_ = writeJSONLine(p.a, e)
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.seen && p.live {
		p.startTicker()
	}
	p.seen = true
	p.last = e
	if e.Type != apply.EventStart {
		p.counts[e.Type]++
		if e.Duration > 0 {
			if p.latency == 0 {
				p.latency = e.Duration
			}
			p.latency = (p.latency*7 + e.Duration) / 8
		}
	}
	if p.live {
		now := p.now()
		if e.Type == apply.EventFailed {
			// Above the live line, so that it stays in the scrollback.
			p.clearLine()
			// The error often names the address already.
			msg := strings.TrimPrefix(e.Error, e.Addr+": ")
			fmt.Fprintf(p.a.stderr, "%s %s: %s\n", p.paint(e.Type, "failed  "), e.Addr, msg)
			p.draw(now, false)
			return
		}
		if now.Sub(p.drawn) >= redrawEvery || e.Done == e.Total {
			p.draw(now, false)
		}
		return
	}
	if e.Type == apply.EventStart {
		return
	}
	fmt.Fprintln(p.a.stderr, p.logLine(e))
}

// logLine is the line of a finished step when stderr is not a terminal.
// Event types it does not know are shown the same way.
func (p *progress) logLine(e apply.Event) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d/%d] %s %s", e.Done, e.Total, p.paint(e.Type, fmt.Sprintf("%-8s", e.Type)), e.Addr)
	if e.ID != 0 {
		fmt.Fprintf(&b, " #%d", e.ID)
	}
	if e.Duration > 0 && e.Type != apply.EventFailed {
		fmt.Fprintf(&b, " (%s)", e.Duration.Round(time.Millisecond))
	}
	if e.Error != "" && e.Type != apply.EventFailed {
		// A failure's error is in the summary; a skip's reason only here.
		fmt.Fprintf(&b, ": %s", e.Error)
	}
	return b.String()
}

// note prints a message (an interrupt) on its own line, above the live
// line, which is then redrawn.
func (p *progress) note(msg string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.lineLen == 0 {
		fmt.Fprintln(p.a.stderr, msg)
		return
	}
	p.clearLine()
	fmt.Fprintln(p.a.stderr, msg)
	p.draw(p.now(), false)
}

// finish draws the last frame, with the final counters (so that it agrees
// with the summary that follows), and ends its line.
func (p *progress) finish() {
	p.stopTicker()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.live && p.seen {
		p.draw(p.now(), true)
		fmt.Fprintln(p.a.stderr)
		p.lineLen = 0
	}
}

func (p *progress) startTicker() {
	stop, done := make(chan struct{}), make(chan struct{})
	p.ticker, p.tickerDone = stop, done
	go func() {
		defer close(done)
		t := time.NewTicker(tickEvery)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				p.mu.Lock()
				if p.lineLen > 0 {
					p.draw(p.now(), false)
				}
				p.mu.Unlock()
			}
		}
	}()
}

func (p *progress) stopTicker() {
	p.mu.Lock()
	stop, done := p.ticker, p.tickerDone
	p.ticker = nil
	p.mu.Unlock()
	if stop != nil {
		close(stop)
		<-done
	}
}

// clearLine blanks the live line with spaces (no escape sequence, so
// that NO_COLOR output holds none) and returns to its start. A few more
// columns go too: the terminal echoes ^C after the line.
func (p *progress) clearLine() {
	if p.lineLen > 0 {
		n := min(p.lineLen+3, p.width-1)
		fmt.Fprintf(p.a.stderr, "\r%s\r", strings.Repeat(" ", n))
		p.lineLen = 0
	}
}

// draw rewrites the live line.
func (p *progress) draw(now time.Time, final bool) {
	p.record(now)
	line, n := p.frame(now, final)
	pad := ""
	if n < p.lineLen {
		pad = strings.Repeat(" ", p.lineLen-n)
	}
	fmt.Fprintf(p.a.stderr, "\r%s%s", line, pad)
	p.lineLen, p.drawn = n, now
}

// record keeps the counters of now for the rates of later frames.
func (p *progress) record(now time.Time) {
	s := sample{t: now, done: p.last.Done}
	if p.stats != nil {
		st := p.stats()
		s.requests, s.tooMany = st.Requests, st.TooManyRequests
	}
	p.samples = append(p.samples, s)
	// Keep one sample older than the window, as its far end.
	i := 0
	for i+1 < len(p.samples) && now.Sub(p.samples[i+1].t) >= rateWindow {
		i++
	}
	p.samples = p.samples[i:]
}

// seg is a piece of the live line, with its colour (or none).
type seg struct {
	text  string
	color string
}

// frame renders the live line and its visible width, fitted to the
// terminal: the least useful pieces are dropped first.
func (p *progress) frame(now time.Time, final bool) (string, int) {
	e := p.last
	elapsed := now.Sub(p.start)
	rate := p.rate(now, final)
	pct := 100
	if e.Total > 0 {
		pct = e.Done * 100 / e.Total
	}
	timing := fmt.Sprintf("%s elapsed  ETA %s", clock(elapsed), p.eta(rate))
	if final {
		timing = "in " + clock(elapsed)
		if e.Done < e.Total {
			timing = "stopped after " + clock(elapsed)
		}
	}
	head := fmt.Sprintf(" %d/%d %3d%%  %.1f/s  %s", e.Done, e.Total, pct, rate, timing)
	var counts []seg
	for _, t := range p.countOrder() {
		counts = append(counts, seg{text: fmt.Sprintf("  %d %s", p.counts[t], t), color: colorOf(t)})
	}
	tail := ""
	if !final {
		tail = fmt.Sprintf("  · %d in flight", e.InFlight)
		if why := p.limitedBy(now); why != "" {
			tail += ", " + why
		}
	}
	width := p.width - 1 // never the last column: a wrap breaks \r
	sep := ""
	if len(counts) > 0 {
		sep = "  ·"
	}
	rest := func() int {
		n := len(head) + len(sep) + len(tail)
		for _, c := range counts {
			n += len(c.text)
		}
		return n
	}
	// Too narrow: the diagnosis goes first, then the bar, then the counts.
	const minBar = 10
	if tail != "" && rest()+minBar+2 > width {
		tail = ""
	}
	barWidth := min(30, width-rest()-2)
	if barWidth < minBar {
		barWidth = 0
		if rest() > width {
			counts, sep = nil, ""
		}
	}
	if len(head) > width {
		head = head[:width]
	}
	var b strings.Builder
	n := 0
	write := func(s, color string) {
		n += len([]rune(s))
		if p.color && color != "" {
			s = color + s + "\x1b[0m"
		}
		b.WriteString(s)
	}
	if barWidth > 0 {
		filled := barWidth
		if e.Total > 0 {
			filled = e.Done * barWidth / e.Total
		}
		write("["+strings.Repeat("#", filled)+strings.Repeat("-", barWidth-filled)+"]", "")
	}
	write(head, "")
	write(sep, "")
	for _, c := range counts {
		write(c.text, c.color)
	}
	write(tail, "")
	return b.String(), n
}

// countOrder lists the event types seen, the known ones first.
func (p *progress) countOrder() []apply.EventType {
	known := []apply.EventType{apply.EventCreated, "updated", apply.EventAdopted, apply.EventFailed, apply.EventSkipped}
	var out, other []apply.EventType
	for _, t := range known {
		if p.counts[t] > 0 {
			out = append(out, t)
		}
	}
	for t, n := range p.counts {
		if n > 0 && !containsType(known, t) {
			other = append(other, t)
		}
	}
	sort.Slice(other, func(i, j int) bool { return other[i] < other[j] })
	return append(out, other...)
}

func containsType(ts []apply.EventType, t apply.EventType) bool {
	for _, x := range ts {
		if x == t {
			return true
		}
	}
	return false
}

// rate is finished steps per second: over the recent window while
// running (what the ETA should follow), over the whole run at the end.
func (p *progress) rate(now time.Time, final bool) float64 {
	elapsed := now.Sub(p.start).Seconds()
	if final || len(p.samples) < 2 || now.Sub(p.samples[0].t) < rateWindow {
		if elapsed <= 0 {
			return 0
		}
		return float64(p.last.Done) / elapsed
	}
	s := p.samples[0]
	return float64(p.last.Done-s.done) / now.Sub(s.t).Seconds()
}

// eta is the time left at rate, as m:ss.
func (p *progress) eta(rate float64) string {
	left := p.last.Total - p.last.Done
	if left <= 0 {
		return clock(0)
	}
	if rate <= 0 {
		return "--:--"
	}
	return clock(time.Duration(float64(left) / rate * float64(time.Second)))
}

// limitedBy says what holds the speed back, from the last few seconds:
// the server's 429s, the client's own --rate, or the latency of requests
// with every slot busy. Nothing is said in the first second, or when no
// client counters are known.
func (p *progress) limitedBy(now time.Time) string {
	if p.stats == nil || len(p.samples) < 2 {
		return ""
	}
	first, last := p.samples[0], p.samples[len(p.samples)-1]
	span := last.t.Sub(first.t).Seconds()
	if span < 1 {
		return ""
	}
	if last.tooMany > first.tooMany {
		pace := ""
		if r := p.stats().Rate; r > 0 {
			pace = fmt.Sprintf(", client slowed to %.0f requests/min", r*60)
		}
		return fmt.Sprintf("server answering 429 (%d in %.0fs)%s", last.tooMany-first.tooMany, span, pace)
	}
	reqRate := float64(last.requests-first.requests) / span
	if p.ratePerSec > 0 && reqRate >= 0.85*p.ratePerSec {
		return fmt.Sprintf("limited by --rate %s (%.0f requests/s)", p.rateFlag, reqRate)
	}
	if p.parallelism > 0 && p.last.InFlight >= p.parallelism {
		return fmt.Sprintf("limited by latency: all %d slots busy, ~%s a request", p.parallelism, p.latency.Round(time.Millisecond))
	}
	return ""
}

// clock formats a duration as m:ss, or h:mm:ss from an hour.
func clock(d time.Duration) string {
	s := int(d.Round(time.Second) / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%d:%02d", s/60, s%60)
}

// colorOf is the ANSI colour of an event type, if it has one.
func colorOf(t apply.EventType) string {
	switch t {
	case apply.EventCreated:
		return "\x1b[32m" // green
	case "updated":
		return "\x1b[33m" // yellow
	case apply.EventAdopted:
		return "\x1b[36m" // cyan
	case apply.EventFailed:
		return "\x1b[31m" // red
	case apply.EventSkipped:
		return "\x1b[35m" // magenta
	}
	return ""
}

// paint colours s as event type t, when colour is on.
func (p *progress) paint(t apply.EventType, s string) string {
	if c := colorOf(t); p.color && c != "" {
		return c + s + "\x1b[0m"
	}
	return s
}

func writeJSONLine(a *app, v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
