package main

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/apply"
)

func TestProgressRendering(t *testing.T) {
	events := []apply.Event{
		{Type: apply.EventStart, Addr: "family.voip", Total: 3, InFlight: 1},
		{Type: apply.EventCreated, Addr: "family.voip", ID: 7, Done: 1, Total: 3, Duration: 12 * time.Millisecond},
		{Type: apply.EventFailed, Addr: "item.sip", Done: 2, Total: 3, Error: "rejected"},
		{Type: apply.EventSkipped, Addr: "customer.acme.file.main.licence.seats", Done: 3, Total: 3, Error: "not attempted: depends on item.sip, which failed"},
	}
	cases := []struct {
		name string
		live bool
		json bool
		want []string // substrings, in order, of the output
		not  []string
	}{
		{name: "log lines", want: []string{"[1/3] created  family.voip #7 (12ms)\n", "[2/3] failed   item.sip\n", "[3/3] skipped  customer.acme.file.main.licence.seats: not attempted"}, not: []string{"\r"}},
		{name: "live line", live: true, want: []string{"\r\033[K[0/3] 1 in flight", "failed   item.sip: rejected\n", "[3/3] 0 in flight"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var stderr bytes.Buffer
			p := &progress{a: &app{stderr: &stderr}, live: c.live, start: time.Now()}
			for _, e := range events {
				p.event(e)
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
