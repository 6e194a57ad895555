package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

func newApplyCmd(a *app) *cobra.Command {
	var (
		f           planFlags
		cf          clientFlags
		parallelism int
		failFast    bool
		lockTimeout time.Duration
		output      string
		retarget    bool
	)
	c := &cobra.Command{
		Use:   "apply PATH...",
		Short: "Create in BlueRockTEL what the manifests declare and the state lacks",
		Long: `apply validates the manifests, compiles the plan against the state file and
creates what is missing, in dependency order and in parallel: a step starts as
soon as the objects it references exist. Every create is journaled before it is
sent, and a create whose outcome is unknown (lost response, timeout, 5xx) is
looked up by its natural key before anything is sent again, so nothing is
created twice. A rerun does only what is left; with nothing left it sends no
request.

On a failure, what depends on it is skipped and everything else goes on
(--fail-fast stops instead). SIGINT/SIGTERM stops starting new steps and lets
requests in flight finish; a second signal exits at once. The state stays
consistent either way, and a rerun completes the work.`,
		Example: `  export ONBOARD_BASE_URL=https://acme.bluerocktel.net/api ONBOARD_TOKEN=...
  onboard apply examples/acme.yaml
  onboard apply customers/ --parallelism 16 --rate 30/s
  onboard apply customers/ --adopt     # state lost: adopt what already exists
  onboard apply customers/ --output json > events.jsonl`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if output != "text" && output != "json" {
				return usagef("--output must be text or json, not %q", output)
			}
			if parallelism < 1 {
				return usagef("--parallelism must be at least 1")
			}
			set, err := a.load(paths)
			if err != nil {
				return err
			}
			client, err := cf.client(a)
			if err != nil {
				return err
			}
			statePath, err := f.path(paths)
			if err != nil {
				return err
			}
			store, err := openState(statePath, state.Options{LockTimeout: lockTimeout,
				Command: "onboard apply " + strings.Join(paths, " "), OnWait: a.lockWait(lockTimeout)})
			if err != nil {
				return err
			}
			defer store.Close()
			statePath = store.Location() // a URL without its password
			if err := store.Lock(context.Background(), customerScopes(set), lockTimeout); err != nil {
				return err
			}
			for _, w := range store.Warnings() {
				fmt.Fprintf(a.stderr, "warning: %s\n", w)
			}
			if _, _, err := state.CheckAPI(store.Meta(), statePath, client.BaseURL(), retarget); err != nil {
				return bindAPIError(err)
			}
			p, err := plan.Compile(set, ownPart(statePath, store.State(), set), plan.Options{Adopt: f.adopt})
			if err != nil {
				return err
			}
			if err := recordImported(p, store); err != nil {
				return err
			}
			counts := p.Counts()
			if counts.Change > 0 {
				fmt.Fprintf(a.stderr, "note: %d object(s) differ from what was created; updates are not applied yet (see `onboard plan`)\n", counts.Change)
			}
			if counts.Orphan > 0 {
				fmt.Fprintf(a.stderr, "note: %d object(s) in the state are no longer in the manifests; they are never deleted (see `onboard plan`)\n", counts.Orphan)
			}
			if counts.Create == 0 {
				if err := store.Close(); err != nil {
					return fmt.Errorf("write state %s: %w", statePath, err)
				}
				if output == "json" {
					return writeJSONLine(a, map[string]any{"event": "summary", "result": apply.Result{Unchanged: counts.NoOp, Changed: counts.Change}})
				}
				fmt.Fprintln(a.stdout, nothingToDo(counts))
				return nil
			}

			if output != "json" {
				fmt.Fprintf(a.stderr, "Applying: %d to create, %d up to date; API %s, state %s\n",
					counts.Create, counts.NoOp, cf.target(), statePath)
			}
			ctx, stop := interruptible(a)
			defer stop()
			if err := preflight(ctx, store, client, retarget); err != nil {
				return err
			}
			ctx, unstop := stopOnTrip(ctx, client)
			defer unstop()
			prog := newProgress(a, output == "json")
			res := apply.Run(ctx, p, client, store, apply.Options{
				Parallelism: parallelism, FailFast: failFast, OnEvent: prog.event})
			prog.finish()
			if client.Tripped() != nil {
				res.Interrupted = false // stopped by the API's refusal, not by the user
			}
			closeErr := store.Close()
			return a.report(res, output, closingAdvice(res, client, statePath), statePath, store.BytesWritten(), closeErr)
		},
	}
	c.Flags().StringVar(&f.statePath, "state", "", stateFlagHelp)
	c.Flags().BoolVar(&retarget, "retarget", false, "bind the state to this API although it belongs to another (its ids are then taken to name objects here)")
	c.Flags().BoolVar(&f.adopt, "adopt", false, "look up every object the state does not know before creating it (after a lost state)")
	c.Flags().IntVarP(&parallelism, "parallelism", "p", 8, "requests in flight at most")
	c.Flags().BoolVar(&failFast, "fail-fast", false, "stop starting steps after the first failure")
	c.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for another apply to release the state lock (default: fail at once)")
	c.Flags().StringVarP(&output, "output", "o", "text", "text, or json: one event per line on stdout")
	cf.register(c.Flags())
	return c
}

// nothingToDo is apply's summary when nothing is to be created; it still
// counts what differs or is orphaned, so that "nothing to do" is never
// read as "everything matches".
func nothingToDo(c plan.Counts) string {
	msg := fmt.Sprintf("Nothing to do: %d objects up to date", c.NoOp)
	if c.Change > 0 {
		msg += fmt.Sprintf(", %d changed (not applied)", c.Change)
	}
	if c.Orphan > 0 {
		msg += fmt.Sprintf(", %d orphaned (never deleted)", c.Orphan)
	}
	return msg + "."
}

// recordImported writes the manifest's spec for objects imported by hand,
// so later plans can diff them.
func recordImported(p *plan.Plan, store state.Backend) error {
	for _, s := range p.Steps {
		if !s.Imported {
			continue
		}
		o := *s.Existing
		o.Hash, o.Spec, o.Time = s.Hash, s.Spec, time.Now()
		if err := store.Put(o); err != nil {
			return fmt.Errorf("record imported %s: %w", s.Addr, err)
		}
	}
	return nil
}

// report prints failures and the summary, and picks the exit code.
func (a *app) report(res *apply.Result, output, advice, statePath string, stateBytes int64, closeErr error) error {
	if output == "json" {
		if err := writeJSONLine(a, map[string]any{"event": "summary", "result": res, "state_bytes_written": stateBytes}); err != nil {
			return err
		}
	} else {
		a.printFailures(res)
		verb := "Apply complete"
		switch {
		case res.Interrupted:
			verb = "Interrupted"
		case !res.OK():
			verb = "Apply failed"
		}
		fmt.Fprintf(a.stdout, "%s: %d created, %d adopted, %d failed, %d skipped, %d not started; %d unchanged, %d changed (not applied).\n",
			verb, res.Created, res.Adopted, res.Failed, res.Skipped, res.Untouched, res.Unchanged, res.Changed)
		if !res.OK() {
			fmt.Fprintln(a.stdout, advice)
		}
		for _, f := range res.Failures {
			var ue *apply.UnresolvedError
			if errors.As(f.Err, &ue) {
				// The state commands default to ./onboard.state; say which.
				fmt.Fprintf(a.stderr, "To settle an unknown outcome by hand, add --state %s to the state commands above.\n", statePath)
				break
			}
		}
	}
	if closeErr != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("write state %s: %w", statePath, closeErr)}
	}
	if !res.OK() {
		return &exitError{code: exitFailure}
	}
	return nil
}

// interruptible returns a context cancelled by the first SIGINT or
// SIGTERM; a second one exits at once (the journal is consistent after
// every record, so no state is lost).
func interruptible(a *app) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	go func() {
		n := 0
		for range sig {
			n++
			if n == 1 {
				fmt.Fprintln(a.stderr, "\ninterrupted: starting nothing new, waiting for requests in flight (signal again to exit now)")
				cancel()
				continue
			}
			fmt.Fprintln(a.stderr, "interrupted again: exiting now; the state journal is consistent, run apply again to complete")
			os.Exit(130)
		}
	}()
	return ctx, func() { signal.Stop(sig); cancel() }
}
