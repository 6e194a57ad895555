package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// The flags of onboard drift, apart from what it does.
func TestDriftFlags(t *testing.T) {
	build := func(runF func(context.Context, *driftOptions) error) *cobra.Command { return newDriftCmd(&app{}, runF) }
	testFlags(t, build, []flagCase[driftOptions]{
		{args: []string{"repo/"}, check: func(t *testing.T, o *driftOptions) {
			if o.output != "text" || o.parallelism != 8 || o.plan.statePath != "" || o.client.rate != defaultRate {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"repo/", "--output", "markdown", "--state", "s.state", "-p", "3", "--rate", "20/s"}, check: func(t *testing.T, o *driftOptions) {
			if o.output != "markdown" || o.plan.statePath != "s.state" || o.parallelism != 3 || o.client.rate != "20/s" || o.paths[0] != "repo/" {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"repo/", "--output", "yaml"}, wantErr: `--output must be text, json or markdown, not "yaml"`},
		{args: []string{"repo/", "-p", "0"}, wantErr: "--parallelism must be at least 1"},
		{args: nil, wantErr: "drift needs at least one manifest"},
	})
}

func TestETA(t *testing.T) {
	tests := []struct {
		read, total int
		elapsed     time.Duration
		want        time.Duration
	}{
		{0, 100, time.Minute, 0},
		{25, 100, time.Minute, 3 * time.Minute},
		{50, 100, 90 * time.Second, 90 * time.Second},
		{99, 100, 99 * time.Second, time.Second},
		{100, 100, time.Hour, 0},
	}
	for _, tt := range tests {
		if got := eta(tt.read, tt.total, tt.elapsed); got != tt.want {
			t.Errorf("eta(%d, %d, %s) = %s, want %s", tt.read, tt.total, tt.elapsed, got, tt.want)
		}
	}
	if got, want := progressLine(1200, 50000, 3*time.Second), "Reading BlueRockTEL: 1,200 of 50,000 objects (2%), about 2m2s left"; got != want {
		t.Errorf("progressLine = %q, want %q", got, want)
	}
}

// In a log, a line per tenth read, not per object.
func TestETAProgressInALog(t *testing.T) {
	var b bytes.Buffer
	p := newETAProgress(&b)
	for i := 1; i <= 1000; i++ {
		p.update(i, 1000)
	}
	p.done()
	lines := strings.Split(strings.TrimSpace(b.String()), "\n")
	if len(lines) != 10 {
		t.Fatalf("%d lines, want 10:\n%s", len(lines), b.String())
	}
	if !strings.HasPrefix(lines[0], "Reading BlueRockTEL: 100 of 1,000 objects (10%)") || lines[9] != "Reading BlueRockTEL: 1,000 of 1,000 objects (100%)" {
		t.Errorf("lines:\n%s", b.String())
	}
	if strings.Contains(b.String(), "\r") {
		t.Error("a log got terminal redraws")
	}
}
