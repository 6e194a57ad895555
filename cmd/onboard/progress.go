package main

import (
	"encoding/json"
	"fmt"
	"os"
	"time"

	"golang.org/x/term"

	"github.com/onboardhq/onboard/pkg/apply"
)

// progress renders apply events: a live status line on a terminal, one
// line per finished step otherwise, or JSON lines for machines.
type progress struct {
	a     *app
	json  bool
	live  bool
	start time.Time
	last  time.Time
	shown bool
	// events receives every event as JSON (--events), whatever the output.
	events *eventLog
}

func newProgress(a *app, asJSON bool) *progress {
	p := &progress{a: a, json: asJSON, start: time.Now()}
	if f, ok := a.stderr.(*os.File); ok && !asJSON && os.Getenv("CI") == "" {
		p.live = term.IsTerminal(int(f.Fd()))
	}
	return p
}

// event is called by apply, one event at a time.
func (p *progress) event(e apply.Event) {
	p.events.write(e)
	if p.json {
		_ = writeJSONLine(p.a, e)
		return
	}
	finished := e.Type != apply.EventStart
	if p.live {
		if e.Type == apply.EventFailed {
			p.clear()
			fmt.Fprintf(p.a.stderr, "failed   %s: %s\n", e.Addr, e.Error)
		}
		if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond || e.Done == e.Total {
			p.last = now
			rate := float64(e.Done) / now.Sub(p.start).Seconds()
			fmt.Fprintf(p.a.stderr, "\r\033[K[%d/%d] %d in flight, %.0f objects/s", e.Done, e.Total, e.InFlight, rate)
			p.shown = true
		}
		return
	}
	if !finished {
		return
	}
	switch e.Type {
	case apply.EventCreated, apply.EventAdopted:
		fmt.Fprintf(p.a.stderr, "[%d/%d] %-8s %s #%d (%s)\n", e.Done, e.Total, e.Type, e.Addr, e.ID, e.Duration.Round(time.Millisecond))
	case apply.EventFailed:
		fmt.Fprintf(p.a.stderr, "[%d/%d] failed   %s\n", e.Done, e.Total, e.Addr)
	case apply.EventSkipped:
		fmt.Fprintf(p.a.stderr, "[%d/%d] skipped  %s: %s\n", e.Done, e.Total, e.Addr, e.Error)
	}
}

func (p *progress) clear() {
	if p.shown {
		fmt.Fprint(p.a.stderr, "\r\033[K")
	}
}

func (p *progress) finish() {
	if p.live && p.shown {
		fmt.Fprintln(p.a.stderr)
	}
}

func writeJSONLine(a *app, v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
