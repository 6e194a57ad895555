package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/planfile"
	"github.com/onboardhq/onboard/pkg/planrender"
	"github.com/onboardhq/onboard/pkg/state"
)

func newApplyCmd(a *app) *cobra.Command {
	var (
		f           planFlags
		cf          clientFlags
		parallelism int
		failFast    bool
		autoApprove bool
		verbose     bool
		lockTimeout time.Duration
		output      string
		retarget    bool
		eventsPath  string
		rf          refreshFlags
	)
	c := &cobra.Command{
		Use:   "apply PATH... | apply PLAN_FILE",
		Short: "Make BlueRockTEL what the manifests declare: create what is missing, update what changed",
		Long: `apply validates the manifests, compiles the plan against the state file, shows
it and asks for confirmation (on a terminal; --auto-approve skips it, and is
needed without a terminal), then creates what is missing and updates what
changed (PUT of the changed fields only), in dependency order and in parallel.

Given a saved plan (onboard plan --out FILE), apply executes exactly that plan,
without asking (it was reviewed), and refuses it when the state, the manifests
or the API changed since it was made.

Every create is journaled before it is sent, and a create whose outcome is
unknown (lost response, timeout, 5xx) is looked up by its natural key before
anything is sent again, so nothing is created twice. A rerun does only what is
left; with nothing left it sends no request.

On a failure, what depends on it is skipped and everything else goes on
(--fail-fast stops instead). SIGINT/SIGTERM stops starting new steps and lets
requests in flight finish; a second signal exits at once.`,
		Example: `  export ONBOARD_BASE_URL=https://acme.bluerocktel.net/api ONBOARD_TOKEN=...
  onboard apply examples/acme.yaml
  onboard plan customers/ --out plan.onboard && onboard apply plan.onboard
  onboard apply customers/ --auto-approve --parallelism 16 --rate 30/s
  onboard apply customers/ --adopt     # state lost: adopt what already exists
  onboard apply customers/ --auto-approve --output json > events.jsonl
  onboard apply customers/ --auto-approve --events events.jsonl   # progress for people, events for tools`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if err := checkOutput(output, textOrJSON); err != nil {
				return err
			}
			if parallelism < 1 {
				return usagef("--parallelism must be at least 1")
			}
			var saved *planfile.File
			if len(paths) == 1 && planfile.IsPlan(paths[0]) {
				var err error
				if saved, err = planfile.Read(paths[0]); err != nil {
					return &usageError{err}
				}
				paths = saved.Manifests
				if f.statePath == "" && os.Getenv(stateEnv) == "" {
					f.statePath = saved.State // the state the plan was made against
				}
			}
			set, err := a.load(paths)
			if err != nil {
				return err
			}
			events, err := openEvents(eventsPath)
			if err != nil {
				return err
			}
			defer events.Close()
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
			var p *plan.Plan
			if saved != nil {
				now, err := origin(set, store.State(), statePath, cf.target())
				if err != nil {
					return err
				}
				if err := saved.Check(now); err != nil {
					return &exitError{code: exitFailure, err: fmt.Errorf("%s: %w; nothing was sent: make a new plan (onboard plan --out FILE) and review it", c.Flags().Arg(0), err)}
				}
				p = saved.Plan()
			} else if rf.only {
				return a.refreshOnlyApply(c.Context(), &rf, &cf, client, store, parallelism, autoApprove)
			} else {
				own := ownPart(statePath, store.State(), set)
				live, err := a.refreshLive(c.Context(), &rf, &cf, client, own, parallelism)
				if err != nil {
					return err
				}
				if p, err = plan.Compile(set, own, plan.Options{Adopt: f.adopt, Live: live}); err != nil {
					return err
				}
			}
			if err := recordImported(p, store); err != nil {
				return err
			}
			counts := p.Counts()
			if counts.Orphan > 0 {
				fmt.Fprintf(a.stderr, "note: %d object(s) in the state are no longer in the manifests; they are never deleted (see `onboard plan`)\n", counts.Orphan)
			}
			if !p.HasChanges() {
				if err := store.Close(); err != nil {
					return fmt.Errorf("write state %s: %w", statePath, err)
				}
				events.summary(&apply.Result{Unchanged: counts.NoOp}, 0)
				if output == "json" {
					return writeJSONLine(a, map[string]any{"event": "summary", "result": apply.Result{Unchanged: counts.NoOp}})
				}
				fmt.Fprintln(a.stdout, nothingToDo(counts))
				return nil
			}
			if saved == nil && !autoApprove {
				if !a.interactive() {
					return usagef("apply asks for confirmation, and this is not a terminal: pass --auto-approve, " +
						"or apply a reviewed plan (onboard plan --out FILE, then onboard apply FILE)")
				}
				if err := planrender.TextWith(a.stdout, p, planrender.TextOptions{Verbose: verbose}); err != nil {
					return err
				}
				if !confirm(a.stdin, a.stderr) {
					return &exitError{code: exitFailure, err: errors.New("apply cancelled; nothing was sent")}
				}
			}

			if output != "json" {
				fmt.Fprintf(a.stderr, "Applying: %d to create, %d to update, %d up to date; API %s, state %s\n",
					counts.Create, counts.Update, counts.NoOp, cf.target(), statePath)
			}
			prog := newProgress(a, output == "json")
			prog.events = events
			prog.limits(client.Stats, cf.rate, parallelism)
			ctx, stop := interruptible(a)
			defer stop()
			if err := preflight(ctx, store, client, retarget); err != nil {
				return err
			}
			ctx, unstop := stopOnTrip(ctx, client)
			defer unstop()
			res := apply.Run(ctx, p, client, store, apply.Options{
				Parallelism: parallelism, FailFast: failFast, OnEvent: prog.event})
			prog.finish()
			if client.Tripped() != nil {
				res.Interrupted = false // stopped by the API's refusal, not by the user
			}
			closeErr := store.Close()
			events.summary(res, store.BytesWritten())
			err = a.report(res, output, closingAdvice(res, client, statePath), statePath, store.BytesWritten(), closeErr)
			if eerr := events.Close(); err == nil && eerr != nil {
				err = &exitError{code: exitFailure, err: eerr}
			}
			return err
		},
	}
	c.Flags().StringVar(&f.statePath, "state", "", stateFlagHelp)
	c.Flags().BoolVar(&retarget, "retarget", false, "bind the state to this API although it belongs to another (its ids are then taken to name objects here)")
	c.Flags().BoolVar(&f.adopt, "adopt", false, "look up every object the state does not know before creating it (after a lost state)")
	rf.register(c.Flags(), "record in the state what BlueRockTEL holds now (changed or deleted there), changing nothing in BlueRockTEL")
	c.Flags().BoolVar(&autoApprove, "auto-approve", false, "apply without asking for confirmation (needed without a terminal)")
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, "the plan shown for confirmation: "+verboseHelp)
	c.Flags().IntVarP(&parallelism, "parallelism", "p", 8, "requests in flight at most")
	c.Flags().BoolVar(&failFast, "fail-fast", false, "stop starting steps after the first failure")
	c.Flags().DurationVar(&lockTimeout, "lock-timeout", 0, "wait this long for another apply to release the state lock (default: fail at once)")
	c.Flags().StringVarP(&output, "output", "o", "text", "text, or json: one event per line on stdout")
	c.Flags().StringVar(&eventsPath, "events", "", "also write the JSON events (as --output json prints them) to this file")
	cf.register(c.Flags())
	return c
}

// nothingToDo is apply's summary when nothing is to be sent; it still
// counts what is orphaned, so that "nothing to do" is never read as
// "state and manifests agree on everything".
func nothingToDo(c plan.Counts) string {
	msg := fmt.Sprintf("Nothing to do: %d objects up to date", c.NoOp)
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
		if err := writeJSONLine(a, summaryEvent(res, stateBytes)); err != nil {
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
		fmt.Fprintf(a.stdout, "%s: %d created, %d updated, %d adopted, %d failed, %d skipped, %d not started; %d unchanged.\n",
			verb, res.Created, res.Updated, res.Adopted, res.Failed, res.Skipped, res.Untouched, res.Unchanged)
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
