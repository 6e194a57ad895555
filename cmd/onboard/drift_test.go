package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"
)

// The flags of onboard drift, apart from what it does.
func TestDriftFlags(t *testing.T) { // written before testFlags (flags_test.go); the same checks
	tests := []struct {
		args    []string
		wantErr string
		check   func(*testing.T, *driftOptions)
	}{
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
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *driftOptions
			c := newDriftCmd(&app{}, func(_ context.Context, o *driftOptions) error { got = o; return nil })
			c.SetArgs(tt.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("ran despite a usage error")
				}
				return
			}
			if err != nil || got == nil {
				t.Fatalf("error %v, ran %v", err, got != nil)
			}
			tt.check(t, got)
		})
	}
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
