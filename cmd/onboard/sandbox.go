package main

import (
	"context"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// sandboxOptions are onboard sandbox's inputs.
type sandboxOptions struct {
	addr    string
	sandbox sandbox.Options
	detach  bool
}

// newSandboxCmd builds onboard sandbox; runF serves it in the foreground
// (a.runSandbox unless a test checks the flags alone). --detach starts
// this command line again in the background (detachSandbox).
func newSandboxCmd(a *app, runF func(context.Context, *sandboxOptions) error) *cobra.Command {
	opts := &sandboxOptions{}
	if runF == nil {
		runF = a.runSandbox
	}
	o := &opts.sandbox
	c := &cobra.Command{
		Use:   "sandbox",
		Short: "Serve a local, in-memory BlueRockTEL API to try manifests against",
		Long: `sandbox serves the BlueRockTEL API of the onboarding cookbook from memory:
the same routes, validation, response shapes and errors. Its first two lines
are the base URL and the token, as shell assignments:

  ONBOARD_BASE_URL=http://127.0.0.1:41234/api
  ONBOARD_TOKEN=...

Like a stock Laravel server it trims strings, stores a blank one as null
and keeps money to the cent. Fault flags make it slow, busy or unreliable,
and --filters spatie makes its list filters as treacherous as the real
API's may be (substring matches, values split at commas), to see how apply
copes; its statistics are at /_sandbox/stats.

To change its data behind onboard's back (drift), as an edit in
BlueRockTEL's web interface would, with the same token:

  curl -X PUT -H "Authorization: Bearer $ONBOARD_TOKEN" -d '{"quantity": 8}' \
    http://127.0.0.1:41234/_sandbox/objects/licence/400001
  curl -X DELETE -H "Authorization: Bearer $ONBOARD_TOKEN" \
    http://127.0.0.1:41234/_sandbox/objects/file/300001     # with its lines

To make invoices, as a billing run of the vendor would, over a file's lines
due at a date (then onboard invoices lists them):

  curl -X POST -H "Authorization: Bearer $ONBOARD_TOKEN" \
    -d '{"customer_file_id": 300001, "date": "2026-05-01"}' http://127.0.0.1:41234/_sandbox/billing-run

It serves until interrupted.

--detach serves in the background instead and prints export lines for a
shell to evaluate, then exits; the sandbox's pid is in ONBOARD_SANDBOX_PID:

  eval "$(onboard sandbox --detach --preload examples)"
  onboard apply examples/gitops/ --state try.state --auto-approve
  kill "$ONBOARD_SANDBOX_PID"

--preload starts it with objects that already exist in the account:
"examples" holds those the examples refer to by id (family 7, item 42),
or give a data file (read only; the format of --data).`,

		Example: `  onboard sandbox
  eval "$(onboard sandbox --detach --preload examples)"
  onboard sandbox --addr 127.0.0.1:8080 --token secret --data sandbox.json
  onboard sandbox --latency 20ms --max-inflight 16 --fail-5xx 0.05 --drop-after-commit 0.03 --seed 1
  onboard sandbox --filters spatie --drop-after-commit 0.2`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if o.Filters != sandbox.FiltersExact && o.Filters != sandbox.FiltersSpatie {
				return usagef("--filters must be %s or %s, not %q", sandbox.FiltersExact, sandbox.FiltersSpatie, o.Filters)
			}
			if opts.detach {
				return detachSandbox(a, c)
			}
			if !c.Flags().Changed("seed") {
				o.Seed = time.Now().UnixNano()
			}
			return runF(c.Context(), opts)
		},
	}
	fs := c.Flags()
	fs.StringVar(&opts.addr, "addr", "127.0.0.1:0", "address to listen on (port 0: a free port)")
	fs.StringVar(&o.Token, "token", "", "bearer token to require (default: a random one, printed)")
	fs.DurationVar(&o.Latency, "latency", 0, "added to every API request")
	fs.DurationVar(&o.Jitter, "jitter", 0, "latency varies uniformly by up to this much")
	fs.IntVar(&o.MaxInflight, "max-inflight", 0, "answer 429 above this many concurrent requests (0: no limit)")
	fs.Float64Var(&o.Rate, "rate", 0, "requests per second allowed; above it 429 with Retry-After (0: no limit)")
	fs.Float64Var(&o.Fail5xx, "fail-5xx", 0, "probability of a 5xx answer before processing")
	fs.Float64Var(&o.Fail429, "fail-429", 0, "probability of a 429 answer (Retry-After: 1) before processing")
	fs.Float64Var(&o.DropAfterCommit, "drop-after-commit", 0, "probability that a create is stored and the connection then closed with no response")
	fs.Float64Var(&o.DropUpdate, "drop-after-update", 0, "probability that an update (PUT) is stored and the connection then closed with no response")
	fs.StringVar(&o.Filters, "filters", sandbox.FiltersExact, "how list filters match: exact, or spatie (string filters match substrings, case-insensitively; a value with a comma is split into values each matched exactly; true/false read as 1/0)")
	fs.Int64Var(&o.Seed, "seed", 0, "seed of the fault draws, for reproducible runs (default: random)")
	fs.StringVar(&o.DataFile, "data", "", "load objects from this JSON file at start and save them there on exit")
	fs.StringVar(&o.Preload, "preload", "", "start with these existing objects: a built-in seed ("+strings.Join(sandbox.SeedNames(), ", ")+") or a data file, read only")
	fs.BoolVar(&opts.detach, "detach", false, "serve in the background; print export lines for eval and the pid (ONBOARD_SANDBOX_PID)")
	return c
}

// runSandbox is onboard sandbox: serve until interrupted.
func (a *app) runSandbox(_ context.Context, opts *sandboxOptions) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	return sandbox.Serve(ctx, opts.addr, opts.sandbox, a.stdout)
}
