package main

import (
	"context"
	"testing"
	"time"

	"github.com/spf13/cobra"
)

// The flags of onboard apply, apart from what it does.
func TestApplyFlags(t *testing.T) {
	build := func(runF func(context.Context, *applyOptions) error) *cobra.Command { return newApplyCmd(&app{}, runF) }
	testFlags(t, build, []flagCase[applyOptions]{
		{args: []string{"repo/"}, check: func(t *testing.T, o *applyOptions) {
			if o.output != "text" || o.parallelism != 8 || o.plan.statePath != "" || o.plan.adopt || o.retarget ||
				o.autoApprove || o.failFast || o.lockTimeout != 0 || o.eventsPath != "" ||
				o.refresh.mode != refreshAll || o.refresh.only || o.client.rate != defaultRate || o.client.baseURL != "" {
				t.Errorf("defaults: %+v", o)
			}
			if len(o.paths) != 1 || o.paths[0] != "repo/" {
				t.Errorf("paths %v", o.paths)
			}
		}},
		{args: []string{"a.yaml", "b/", "--state", "s.state", "--retarget", "--adopt", "--refresh", "changed", "--auto-approve",
			"-p", "3", "--fail-fast", "--lock-timeout", "5s", "-o", "json", "--events", "ev.jsonl", "--base-url", "http://x/api", "--rate", "20/s"},
			check: func(t *testing.T, o *applyOptions) {
				if o.plan.statePath != "s.state" || !o.retarget || !o.plan.adopt || o.refresh.mode != refreshChanged || !o.autoApprove ||
					o.parallelism != 3 || !o.failFast || o.lockTimeout != 5*time.Second || o.output != "json" || o.eventsPath != "ev.jsonl" ||
					o.client.baseURL != "http://x/api" || o.client.rate != "20/s" || len(o.paths) != 2 || o.paths[1] != "b/" {
					t.Errorf("flags: %+v", o)
				}
			}},
		{args: []string{"plan.onboard", "--refresh-only", "--parallelism", "1"}, check: func(t *testing.T, o *applyOptions) {
			if !o.refresh.only || o.parallelism != 1 || o.paths[0] != "plan.onboard" {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"repo/", "--output", "markdown"}, wantErr: `--output must be text or json, not "markdown"`},
		{args: []string{"repo/", "-p", "0"}, wantErr: "--parallelism must be at least 1"},
		{args: []string{"repo/", "--refresh", "some"}, wantErr: `invalid argument "some" for "--refresh"`},
		{args: []string{"repo/", "--lock-timeout", "soon"}, wantErr: `invalid argument "soon" for "--lock-timeout"`},
		{args: nil, wantErr: "apply needs at least one manifest"},
	})
}
