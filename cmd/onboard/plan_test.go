package main

import (
	"context"
	"testing"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/planrender"
)

// The flags of onboard plan, apart from what it does.
func TestPlanFlags(t *testing.T) {
	build := func(runF func(context.Context, *planOptions) error) *cobra.Command { return newPlanCmd(&app{}, runF) }
	testFlags(t, build, []flagCase[planOptions]{
		{args: []string{"repo/"}, check: func(t *testing.T, o *planOptions) {
			if o.output != "text" || o.parallelism != 8 || o.maxBytes != planrender.DefaultMaxBytes || o.out != "" || o.detailedEC ||
				o.plan.statePath != "" || o.plan.adopt || o.plan.retarget || o.refresh.mode != refreshAll || o.refresh.only ||
				o.client.rate != defaultRate || len(o.paths) != 1 || o.paths[0] != "repo/" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"a.yaml", "b/", "--state", "s.state", "--adopt", "--retarget", "-o", "markdown", "--max-bytes", "0",
			"--detailed-exitcode", "--refresh=none", "-p", "2", "--out", "plan.onboard", "--base-url", "http://x/api"},
			check: func(t *testing.T, o *planOptions) {
				if o.plan.statePath != "s.state" || !o.plan.adopt || !o.plan.retarget || o.output != "markdown" || o.maxBytes != 0 ||
					!o.detailedEC || o.refresh.mode != refreshNone || o.parallelism != 2 || o.out != "plan.onboard" ||
					o.client.baseURL != "http://x/api" || len(o.paths) != 2 {
					t.Errorf("flags: %+v", o)
				}
			}},
		{args: []string{"repo/", "--refresh-only"}, check: func(t *testing.T, o *planOptions) {
			if !o.refresh.only {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"repo/", "-o", "yaml"}, wantErr: `--output must be text, json or markdown, not "yaml"`},
		{args: []string{"repo/", "--max-bytes", "-1"}, wantErr: "--max-bytes must be 0 (no limit) or a size in bytes, not -1"},
		{args: []string{"repo/", "--refresh", "sometimes"}, wantErr: `invalid argument "sometimes" for "--refresh"`},
		{args: nil, wantErr: "plan needs at least one manifest"},
	})
}

// The flags of onboard graph, apart from what it does.
func TestGraphFlags(t *testing.T) {
	build := func(runF func(context.Context, *graphOptions) error) *cobra.Command { return newGraphCmd(&app{}, runF) }
	testFlags(t, build, []flagCase[graphOptions]{
		{args: []string{"repo/"}, check: func(t *testing.T, o *graphOptions) {
			if o.plan.statePath != "" || len(o.paths) != 1 || o.paths[0] != "repo/" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"a.yaml", "--state", "s.state"}, check: func(t *testing.T, o *graphOptions) {
			if o.plan.statePath != "s.state" || o.paths[0] != "a.yaml" {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"repo/", "-o", "json"}, wantErr: "unknown shorthand flag: 'o'"},
		{args: nil, wantErr: "graph needs at least one manifest"},
	})
}
