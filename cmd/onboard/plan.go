package main

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/planfile"
	"github.com/onboardhq/onboard/pkg/planrender"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// planFlags are shared by plan, apply and graph.
type planFlags struct {
	statePath string
	adopt     bool
	// api is the API the plan is for ("" when not known: graph, or no
	// base URL configured); a state bound to another is refused, as apply
	// refuses it, unless retarget.
	api      string
	retarget bool
	// targets limit the plan (--target; plan and apply).
	targets []string
}

// path is the state of the manifests at paths (see stateLocation).
func (f *planFlags) path(paths []string) (string, error) {
	return stateLocation(f.statePath, paths)
}

// checkAPI refuses a state bound to another API than the plan's, as apply
// does: its ids would name other objects there.
func (f *planFlags) checkAPI(loc string, st *state.State) error {
	if f.api == "" {
		return nil
	}
	if _, _, err := state.CheckAPI(st.Meta, pgstate.Redact(loc), f.api, f.retarget); err != nil {
		return bindAPIError(err)
	}
	return nil
}

// compile loads manifests and state (read-only) into a plan.
func (a *app) compile(paths []string, f *planFlags) (*plan.Plan, error) {
	p, _, _, err := a.compileSet(paths, f, nil)
	return p, err
}

// liveReader reads BlueRockTEL for the objects a state knows, within a
// scope (nil: every one), and the objects the manifests refer to by id
// (refs); a nil liveReader: no refresh, no check.
type liveReader func(st *state.State, within scope, refs []plan.Reference) (map[string]*refresh.Live, plan.Existing, error)

// compileSet is compile, after a refresh when live is not nil, also
// returning what the plan was made from.
func (a *app) compileSet(paths []string, f *planFlags, live liveReader) (*plan.Plan, *manifest.Set, *state.State, error) {
	readOnlyGC()
	set, err := a.load(paths)
	if err != nil {
		return nil, nil, nil, err
	}
	statePath, err := f.path(paths)
	if err != nil {
		return nil, nil, nil, err
	}
	st, warnings, err := readStateAt(statePath, true)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("read state: %w", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	if err := f.checkAPI(statePath, st); err != nil {
		return nil, nil, nil, err
	}
	own := ownPart(statePath, st, set)
	opts, err := f.options(statePath, paths)
	if err != nil {
		return nil, nil, nil, err
	}
	if live != nil {
		if opts.Live, opts.Existing, err = live(own, changedScope(set, own, opts), plan.References(set)); err != nil {
			return nil, nil, nil, err
		}
	}
	p, err := plan.Compile(set, own, opts)
	return p, set, st, a.missingRefs(err)
}

// render writes a plan in one of the output formats; md is the
// Markdown's size limit and how to see the whole plan past it.
// Money settings (currency, VAT rate) are md.Money, for every format; v is
// what the project's policy found.
func render(w io.Writer, p *plan.Plan, v *policy.Verdict, output string, md planrender.MarkdownOptions) error {
	switch output {
	case "json":
		return planrender.JSONWith(w, p, planrender.JSONOptions{Tool: versionString(), Policy: v, Money: md.Money})
	case "markdown":
		md.Policy = v
		return planrender.MarkdownWith(w, p, md)
	}
	return planrender.TextWith(w, p, planrender.TextOptions{Policy: v, Money: md.Money, Verbose: md.Verbose})
}

// verboseHelp is the help of --verbose (plan and show PLAN_FILE).
const verboseHelp = "text and markdown: every request even in a large plan (past 2,000 objects to create or update, the plan shows the money and counts per kind and per customer)"

// thresholdHelp is the help of --comment-threshold.
const thresholdHelp = "--output markdown: print nothing when monthly billing moves less than AMOUNT (e.g. 50) or PERCENT of what the affected customers are billed now (e.g. 5%)"

// parseThreshold checks --comment-threshold ("" for none).
func parseThreshold(s, output string) (*planrender.Threshold, error) {
	if s == "" {
		return nil, nil
	}
	if output != "markdown" {
		return nil, usagef("--comment-threshold is for the merge-request comment: use it with --output markdown")
	}
	t, err := planrender.ParseThreshold(s)
	if err != nil {
		return nil, usagef("--comment-threshold: %v", err)
	}
	return t, nil
}

// maxBytesHelp is the help of --max-bytes (plan and show PLAN_FILE).
const maxBytesHelp = "--output markdown: past this size, write a summary (counts, money, the first objects) that fits a merge-request comment; 0 for no limit"

// checkMaxBytes refuses a negative --max-bytes.
func checkMaxBytes(n int) error {
	if n < 0 {
		return usagef("--max-bytes must be 0 (no limit) or a size in bytes, not %d", n)
	}
	return nil
}

// planOptions are onboard plan's inputs.
type planOptions struct {
	paths       []string
	plan        planFlags
	client      clientFlags
	refresh     refreshFlags
	parallelism int
	output      string
	out         string
	detailedEC  bool
	maxBytes    int
	// overrides are --override and --reason: a denying rule the saved
	// plan overrides; threshold is --comment-threshold.
	verbose      bool
	overrides    overrideFlags
	overrideList []policy.Override
	threshold    string
	thresholdAt  *planrender.Threshold
}

// newPlanCmd builds onboard plan; runF runs it (a.runPlan unless a test
// checks the flags alone).
func newPlanCmd(a *app, runF func(context.Context, *planOptions) error) *cobra.Command {
	opts := &planOptions{}
	if runF == nil {
		runF = a.runPlan
	}
	c := &cobra.Command{
		Use:   "plan PATH...",
		Short: "Show what apply would do, without sending anything",
		Long: `plan reads the manifests and the state file and shows what apply would create,
what it would update (the fields that changed, old -> new), what removed:
entries end (deactivate, stop, delete, forget), and the orphans: what the
state knows that the manifests no longer declare, left as they are until a
removed: entry decides (--detailed-exitcode exits 2 for them), with a billing
preview of each customer file in exact decimals, before -> after. It changes
nothing. --out FILE saves the plan for onboard apply FILE.

First it reads from BlueRockTEL, in bulk, the objects the state knows (a
customer file and all its lines in one request), so that what changed there
shows: a field changed in the web interface is restored ("quantity: 8 (in
BlueRockTEL) -> 5 (manifest)"), an object deleted there is created again.
It also reads the objects the manifests refer to by id (item_id: 42), shows
what they are and prices the billing preview with them; an id that
BlueRockTEL does not hold fails the plan at its file:line:col.
--refresh=changed reads only the objects whose manifests changed since the
state was written, and what they need (the project file's "refresh: changed"
makes it the default); --refresh=none plans from the state alone and sends
nothing; --refresh-only shows what changed in BlueRockTEL, for apply
--refresh-only to record. onboard drift checks the whole tenant on a
schedule.

--output text (default) shows only what would change, grouped by customer;
--output json is a versioned format for tools (see README); --output markdown
is for a merge-request comment: the money first (per customer and for the
plan, EUR excl. VAT), then the changes by customer; past --max-bytes (default
60,000, a GitHub comment holds 65,536 characters) a summary that fits;
--comment-threshold 50 (or 5%) prints nothing when monthly billing moves
less, so that a pipeline comments only on changes worth a review.

Text and Markdown open with one sentence: the signed change of monthly
billing excl. VAT, incl. VAT beside it, its percentage of what the affected
customers are billed now, and the one-time charges. onboard.project sets the
currency (currency: EUR) and the VAT rate added for customers with
charge_vat (vat_rate: 20%, the default).

The project's money guardrails (the policy: rules of onboard.project) judge
the plan: a warn is shown with it, at the object's file:line:col; a deny is
shown too, and plan exits 1 without saving it. --out FILE --override RULE
--reason TEXT saves it anyway, with the override, for review and for
onboard apply FILE.`,
		Example: `  onboard plan examples/acme.yaml
  onboard plan customers/ --output markdown > plan.md
  onboard plan customers/ --detailed-exitcode   # 0 nothing to do, 2 changes or orphans, 1 error
  onboard plan customers/ --output markdown --comment-threshold 50   # nothing under 50 a month
  onboard plan customers/ --target customer.acme  # only acme, what it contains and needs
  onboard plan customers/ --refresh=changed     # read only what the manifests changed
  onboard plan customers/ --refresh=none        # from the state alone: sends nothing
  onboard plan customers/ --refresh-only        # what changed in BlueRockTEL
  onboard plan customers/ --out plan.onboard --override discount-cap --reason 'agreed with finance (FIN-1234)'`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if err := checkOutput(opts.output, planOutputs); err != nil {
				return err
			}
			if err := checkMaxBytes(opts.maxBytes); err != nil {
				return err
			}
			th, err := parseThreshold(opts.threshold, opts.output)
			if err != nil {
				return err
			}
			overrides, err := opts.overrides.overrides(opts.out)
			if err != nil {
				return err
			}
			if overrides != nil && opts.refresh.only {
				return usagef("--override goes with a plan to apply, not with --refresh-only")
			}
			opts.thresholdAt, opts.overrideList = th, overrides
			opts.paths = paths
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.plan.statePath, "state", "", stateFlagHelp)
	c.Flags().BoolVar(&opts.plan.adopt, "adopt", false, "mark objects the state does not know as looked up first (apply --adopt)")
	c.Flags().BoolVar(&opts.plan.retarget, "retarget", false, "plan for this API although the state belongs to another (apply --retarget binds it)")
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "text, json or markdown")
	c.Flags().IntVar(&opts.maxBytes, "max-bytes", planrender.DefaultMaxBytes, maxBytesHelp)
	c.Flags().StringVar(&opts.threshold, "comment-threshold", "", thresholdHelp)
	c.Flags().BoolVar(&opts.detailedEC, "detailed-exitcode", false, "exit 0 when there is nothing to do or decide, 2 when apply would change something or an orphan awaits a removed: entry, 1 on error")
	opts.plan.registerTarget(c.Flags())
	opts.refresh.register(c.Flags(), "show only what changed in BlueRockTEL since onboard last wrote the state (apply --refresh-only records it)")
	c.Flags().IntVarP(&opts.parallelism, "parallelism", "p", 8, "requests in flight at most while refreshing")
	opts.client.register(c.Flags())
	c.Flags().StringVar(&opts.out, "out", "", "also save the plan to this file, for `onboard apply FILE` (and `onboard show FILE`)")
	c.Flags().BoolVarP(&opts.verbose, "verbose", "v", false, verboseHelp)
	opts.overrides.register(c.Flags())
	return c
}

// runPlan is onboard plan: refresh, compile, render, and save with --out.
func (a *app) runPlan(ctx context.Context, opts *planOptions) error {
	paths := opts.paths
	if err := opts.refresh.resolve(paths); err != nil {
		return err
	}
	ms, err := projectMoney(paths)
	if err != nil {
		return err
	}
	if opts.plan.api, err = opts.client.api(); err != nil {
		return err
	}
	if opts.refresh.only {
		return a.refreshOnlyPlan(ctx, paths, &opts.plan, &opts.refresh, &opts.client, opts.parallelism, opts.detailedEC)
	}
	rules, err := a.loadPolicy(paths)
	if err != nil {
		return err
	}
	p, set, st, err := a.compileSet(paths, &opts.plan, func(st *state.State, within scope, refs []plan.Reference) (map[string]*refresh.Live, plan.Existing, error) {
		return a.refreshLive(ctx, &opts.refresh, &opts.client, nil, st, opts.parallelism, within, refs)
	})
	if err != nil {
		return err
	}
	verdict, err := a.judge(rules, p, opts.overrideList)
	if err != nil {
		return err
	}
	blocked := verdict.Check() != nil
	if opts.out != "" && !blocked {
		loc, err := opts.plan.path(paths)
		if err != nil {
			return err
		}
		o, err := origin(set, st, pgstate.WithoutPassword(loc), opts.client.target())
		if err != nil {
			return err
		}
		pf := planfile.New(p, o)
		pf.Policy = verdict
		if err := pf.Write(opts.out); err != nil {
			return fmt.Errorf("write the plan: %w", err)
		}
	}
	md := planrender.MarkdownOptions{MaxBytes: opts.maxBytes, Money: ms, Threshold: opts.thresholdAt, Verbose: opts.verbose,
		Rest: "this `onboard plan` with `--output text`, or `--out FILE` then `onboard show FILE`"}
	if opts.out != "" {
		md.Rest = "`onboard show " + opts.out + "` (the saved plan: keep it, e.g. as the pipeline's artifact)"
	}
	if err := render(a.stdout, p, verdict, opts.output, md); err != nil {
		return err
	}
	if blocked {
		nothing := "apply refuses it"
		if opts.out != "" {
			nothing = "the plan was not saved"
		}
		return denied(verdict, nothing)
	}
	if opts.out != "" {
		fmt.Fprintf(a.stderr, "Saved the plan to %s; apply exactly it with: onboard apply %s\n", opts.out, opts.out)
	}
	if opts.detailedEC && p.NeedsDecision() {
		return &exitError{code: exitChanges}
	}
	return nil
}

// graphOptions are onboard graph's inputs.
type graphOptions struct {
	paths []string
	plan  planFlags
}

// newGraphCmd builds onboard graph; runF runs it (a.runGraph unless a
// test checks the flags alone).
func newGraphCmd(a *app, runF func(context.Context, *graphOptions) error) *cobra.Command {
	opts := &graphOptions{}
	if runF == nil {
		runF = a.runGraph
	}
	c := &cobra.Command{
		Use:     "graph PATH...",
		Short:   "Print the dependency graph in Graphviz DOT",
		Long:    "graph prints the plan's dependency graph in DOT; the same input gives the same bytes.",
		Example: `  onboard graph examples/acme.yaml | dot -Tsvg > acme.svg`,
		Args:    needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			opts.paths = paths
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.plan.statePath, "state", "", stateFlagHelp)
	return c
}

// runGraph is onboard graph: the plan's dependency graph in DOT.
func (a *app) runGraph(_ context.Context, opts *graphOptions) error {
	p, err := a.compile(opts.paths, &opts.plan)
	if err != nil {
		return err
	}
	return planrender.DOT(a.stdout, p)
}
