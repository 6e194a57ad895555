package main

import (
	"context"
	"testing"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// The flags of onboard sandbox, apart from serving. (--detach starts the
// same command line again: testdata/script/first-contact.txtar.)
func TestSandboxFlags(t *testing.T) {
	build := func(runF func(context.Context, *sandboxOptions) error) *cobra.Command {
		return newSandboxCmd(&app{}, runF)
	}
	testFlags(t, build, []flagCase[sandboxOptions]{
		{args: nil, check: func(t *testing.T, o *sandboxOptions) {
			s := o.sandbox
			if o.addr != "127.0.0.1:0" || o.detach || s.Token != "" || s.Latency != 0 || s.MaxInflight != 0 || s.Rate != 0 ||
				s.Fail5xx != 0 || s.DropAfterCommit != 0 || s.Filters != sandbox.FiltersExact || s.DataFile != "" || s.Preload != "" {
				t.Errorf("defaults: %+v", o)
			}
			if s.Seed == 0 {
				t.Error("no --seed: the seed is not drawn")
			}
		}},
		{args: []string{"--addr", "127.0.0.1:8080", "--token", "secret", "--latency", "20ms", "--jitter", "5ms", "--max-inflight", "16",
			"--rate", "50", "--fail-5xx", "0.05", "--fail-429", "0.1", "--drop-after-commit", "0.03", "--drop-after-update", "0.02",
			"--filters", "spatie", "--seed", "1", "--data", "sandbox.json", "--preload", "examples"},
			check: func(t *testing.T, o *sandboxOptions) {
				s := o.sandbox
				if o.addr != "127.0.0.1:8080" || s.Token != "secret" || s.Latency != 20*time.Millisecond || s.Jitter != 5*time.Millisecond ||
					s.MaxInflight != 16 || s.Rate != 50 || s.Fail5xx != 0.05 || s.Fail429 != 0.1 || s.DropAfterCommit != 0.03 ||
					s.DropUpdate != 0.02 || s.Filters != sandbox.FiltersSpatie || s.Seed != 1 || s.DataFile != "sandbox.json" || s.Preload != "examples" {
					t.Errorf("flags: %+v", o)
				}
			}},
		{args: []string{"--filters", "fuzzy"}, wantErr: `--filters must be exact or spatie, not "fuzzy"`},
		{args: []string{"--latency", "soon"}, wantErr: `invalid argument "soon" for "--latency"`},
		{args: []string{"examples"}, wantErr: `unknown command "examples"`},
	})
}
