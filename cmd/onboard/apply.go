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
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/state"
)

// applyOptions are onboard apply's inputs.
type applyOptions struct {
	paths       []string // manifests, or one saved plan
	plan        planFlags
	client      clientFlags
	refresh     refreshFlags
	parallelism int
	failFast    bool
	autoApprove bool
	lockTimeout time.Duration
	output      string
	retarget    bool
	eventsPath  string
	verbose     bool
}

// newApplyCmd builds onboard apply; runF runs it (a.runApply unless a test
// checks the flags alone).
func newApplyCmd(a *app, runF func(context.Context, *applyOptions) error) *cobra.Command {
	opts := &applyOptions{}
	if runF == nil {
		runF = a.runApply
	}
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
			if err := checkOutput(opts.output, textOrJSON); err != nil {
				return err
			}
			if err := checkParallelism(opts.parallelism); err != nil {
				return err
			}
			opts.paths = paths
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.plan.statePath, "state", "", stateFlagHelp)
	c.Flags().BoolVar(&opts.retarget, "retarget", false, "bind the state to this API although it belongs to another (its ids are then taken to name objects here)")
	c.Flags().BoolVar(&opts.plan.adopt, "adopt", false, "look up every object the state does not know before creating it (after a lost state)")
	opts.plan.registerTarget(c.Flags())
	opts.refresh.register(c.Flags(), "record in the state what BlueRockTEL holds now (changed or deleted there), changing nothing in BlueRockTEL")
	c.Flags().BoolVar(&opts.autoApprove, "auto-approve", false, "apply without asking for confirmation (needed without a terminal)")
	c.Flags().IntVarP(&opts.parallelism, "parallelism", "p", 8, "requests in flight at most")
	c.Flags().BoolVar(&opts.failFast, "fail-fast", false, "stop starting steps after the first failure")
	c.Flags().DurationVar(&opts.lockTimeout, "lock-timeout", 0, "wait this long for another apply to release the state lock (default: fail at once)")
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "text, or json: one event per line on stdout")
	c.Flags().StringVar(&opts.eventsPath, "events", "", "also write the JSON events (as --output json prints them) to this file")
	c.Flags().BoolVarP(&opts.verbose, "verbose", "v", false, "the plan shown for confirmation: "+verboseHelp)
	opts.client.register(c.Flags())
	return c
}

// runApply is onboard apply: of the manifests (plan, confirm, apply) or of
// a saved plan.
func (a *app) runApply(ctx context.Context, opts *applyOptions) error {
	paths := opts.paths
	var saved *planfile.File
	if len(paths) == 1 && planfile.IsPlan(paths[0]) {
		var err error
		if saved, err = planfile.Read(paths[0]); err != nil {
			return &usageError{err}
		}
		paths = saved.Manifests
		if opts.plan.statePath == "" && os.Getenv(stateEnv) == "" {
			opts.plan.statePath = saved.State // the state the plan was made against
		}
	}
	set, err := a.load(paths)
	if err != nil {
		return err
	}
	if err := opts.refresh.resolve(paths); err != nil {
		return err
	}
	rules, err := a.loadPolicy(paths)
	if err != nil {
		return err
	}
	events, err := openEvents(opts.eventsPath)
	if err != nil {
		return err
	}
	defer events.Close()
	client, err := opts.client.client(a)
	if err != nil {
		return err
	}
	statePath, err := opts.plan.path(paths)
	if err != nil {
		return err
	}
	// Until its first record, an apply is a plan: one that sends
	// nothing leaves no new state behind.
	store, err := openState(statePath, state.Options{LockTimeout: opts.lockTimeout, DiscardEmpty: true,
		Command: "onboard apply " + strings.Join(paths, " "), OnWait: a.lockWait(opts.lockTimeout)})
	if err != nil {
		return err
	}
	defer store.Close()
	statePath = store.Location() // a URL without its password
	if err := store.Lock(context.Background(), customerScopes(set), opts.lockTimeout); err != nil {
		return err
	}
	for _, w := range store.Warnings() {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	if _, _, err := state.CheckAPI(store.Meta(), statePath, client.BaseURL(), opts.retarget); err != nil {
		return bindAPIError(err)
	}
	var (
		p       *plan.Plan
		verdict *policy.Verdict
	)
	if saved != nil {
		now, err := origin(set, store.State(), statePath, opts.client.target())
		if err != nil {
			return err
		}
		if err := saved.Check(now); err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("%s: %w; nothing was sent: make a new plan (onboard plan --out FILE) and review it", opts.paths[0], err)}
		}
		p = saved.Plan()
		// What the saved plan refers to by id may have been
		// deleted since: checked again before the first write.
		refs := savedReferences(p)
		_, existing, err := a.readAPI(ctx, &opts.client, client, nil, refs, opts.parallelism, readOptions{})
		if err != nil {
			return err
		}
		if err := plan.CheckReferences(refs, existing); err != nil {
			return a.missingRefs(err)
		}
		if verdict, err = a.savedVerdict(rules, saved, p); err != nil {
			return err
		}
	} else if opts.refresh.only {
		return a.refreshOnlyApply(ctx, &opts.refresh, &opts.client, client, store, opts.parallelism, opts.autoApprove)
	} else {
		own := ownPart(statePath, store.State(), set)
		popts, err := opts.plan.options(statePath, paths)
		if err != nil {
			return err
		}
		// The ids the manifests refer to are read even without
		// refresh (then only those of what is to be sent): a
		// missing one fails here, before the first write.
		refs := plan.References(set)
		if opts.refresh.mode != refreshNone {
			live, existing, err := a.refreshLive(ctx, &opts.refresh, &opts.client, client, own, opts.parallelism, changedScope(set, own, popts), refs)
			if err != nil {
				return err
			}
			popts.Live, popts.Existing = live, existing
			if p, err = plan.Compile(set, own, popts); err != nil {
				return a.missingRefs(err)
			}
		} else {
			if p, err = plan.Compile(set, own, popts); err != nil {
				return err
			}
			if refs = plan.Sending(p, refs); len(refs) > 0 {
				_, existing, err := a.readAPI(ctx, &opts.client, client, nil, refs, opts.parallelism, readOptions{})
				if err != nil {
					return err
				}
				if err := p.Describe(refs, existing); err != nil {
					return a.missingRefs(err)
				}
			}
		}
		if verdict, err = a.judge(rules, p, nil); err != nil {
			return err
		}
	}
	// A deny stops the apply before anything is written or sent;
	// only a saved plan carries overrides, made and reviewed with it.
	if verdict.Check() != nil {
		planrender.PolicyText(a.stderr, verdict)
		if saved != nil {
			return denied(verdict, "nothing was sent (the project's policy denies the saved plan, and it has no override of these rules)")
		}
		return denied(verdict, "nothing was sent")
	}
	interactive := saved == nil && !opts.autoApprove && a.interactive()
	if verdict != nil && len(verdict.Findings)+len(verdict.Overrides) > 0 && !interactive {
		planrender.PolicyText(a.stderr, verdict)
	}
	if err := apply.RecordImported(p, store); err != nil {
		return err
	}
	counts := p.Counts()
	if counts.Orphan > 0 {
		fmt.Fprintf(a.stderr, "note: %d object(s) in the state are no longer in the manifests; apply leaves them untouched until a removed: entry decides (see `onboard plan`)\n", counts.Orphan)
	}
	if !p.HasChanges() {
		if err := recordFiles(p, store); err != nil {
			return err
		}
		if err := store.Close(); err != nil {
			return fmt.Errorf("write state %s: %w", statePath, err)
		}
		events.summary(&apply.Result{Unchanged: counts.NoOp, Orphans: counts.Orphan}, 0)
		if opts.output == "json" {
			return writeJSONLine(a, map[string]any{"event": "summary", "result": apply.Result{Unchanged: counts.NoOp, Orphans: counts.Orphan}})
		}
		fmt.Fprintln(a.stdout, nothingToDo(counts))
		return nil
	}
	if saved == nil && !opts.autoApprove {
		if !a.interactive() {
			return usagef("apply asks for confirmation, and this is not a terminal: pass --auto-approve, " +
				"or apply a reviewed plan (onboard plan --out FILE, then onboard apply FILE)")
		}
		ms, err := projectMoney(paths)
		if err != nil {
			return err
		}
		if err := planrender.TextWith(a.stdout, p, planrender.TextOptions{Policy: verdict, Money: ms, Verbose: opts.verbose}); err != nil {
			return err
		}
		if !confirm(a.stdin, a.stderr) {
			return &exitError{code: exitFailure, err: errors.New("apply cancelled; nothing was sent")}
		}
	}

	if opts.output != "json" {
		fmt.Fprintf(a.stderr, "Applying: %d to create, %d to update%s, %d up to date; API %s, state %s\n",
			counts.Create, counts.Update, endCounts(counts), counts.NoOp, opts.client.target(), statePath)
	}
	prog := newProgress(a, opts.output == "json")
	prog.events = events
	prog.limits(client.Stats, opts.client.rate, opts.parallelism)
	ctx, stop := interruptible(a)
	defer stop()
	if err := preflight(ctx, store, client, opts.retarget); err != nil {
		return err
	}
	if saved != nil {
		if err := recordOverrides(store, verdict, opts.paths[0]); err != nil {
			return err
		}
	}
	ctx, unstop := stopOnTrip(ctx, client)
	defer unstop()
	// The manifest files of what the plan leaves as it is are recorded
	// beside the run, off its critical path: other objects' records.
	files := make(chan error, 1)
	go func() { files <- recordFiles(p, store) }()
	res := apply.Run(ctx, p, client, store, apply.Options{
		Parallelism: opts.parallelism, FailFast: opts.failFast, OnEvent: prog.event})
	prog.finish()
	res.Orphans = counts.Orphan
	if client.Tripped() != nil {
		res.Interrupted = false // stopped by the API's refusal, not by the user
	}
	filesErr := <-files
	closeErr := store.Close()
	if closeErr == nil {
		closeErr = filesErr
	}
	events.summary(res, store.BytesWritten())
	err = a.report(res, opts.output, closingAdvice(res, client, statePath), statePath, store.BytesWritten(), closeErr)
	if eerr := events.Close(); err == nil && eerr != nil {
		err = &exitError{code: exitFailure, err: eerr}
	}
	return err
}

// nothingToDo is apply's summary when nothing is to be sent; it still
// counts what is orphaned, so that "nothing to do" is never read as
// "state and manifests agree on everything".
func nothingToDo(c plan.Counts) string {
	msg := "Nothing to do: " + planrender.UpToDate(c)
	if c.Orphan > 0 {
		msg += fmt.Sprintf(", %d orphaned left untouched (decide with a removed: entry)", c.Orphan)
	}
	return msg + "."
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
		fmt.Fprintf(a.stdout, "%s: %d created, %d updated%s, %d adopted, %d failed, %d skipped, %d not started; %d unchanged.%s\n",
			verb, res.Created, res.Updated, endsText(res), res.Adopted, res.Failed, res.Skipped, res.Untouched, res.Unchanged, orphansText(res.Orphans))
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
