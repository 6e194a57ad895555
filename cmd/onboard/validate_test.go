package main

import (
	"context"
	"testing"

	"github.com/spf13/cobra"
)

// The flags of onboard validate, apart from what it does.
func TestValidateFlags(t *testing.T) {
	build := func(runF func(context.Context, *validateOptions) error) *cobra.Command {
		return newValidateCmd(&app{}, runF)
	}
	testFlags(t, build, []flagCase[validateOptions]{
		{args: []string{"repo/"}, check: func(t *testing.T, o *validateOptions) {
			if o.output != "text" || len(o.paths) != 1 || o.paths[0] != "repo/" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"a.yaml", "b/", "-o", "json"}, check: func(t *testing.T, o *validateOptions) {
			if o.output != "json" || len(o.paths) != 2 || o.paths[1] != "b/" {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"repo/", "--output", "markdown"}, wantErr: `--output must be text or json, not "markdown"`},
		{args: []string{"repo/", "--state", "s.state"}, wantErr: "unknown flag: --state"},
		{args: nil, wantErr: "validate needs at least one manifest"},
	})
}
