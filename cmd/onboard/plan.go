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
// scope (nil: every one); a nil liveReader: no refresh.
type liveReader func(*state.State, scope) (map[string]*refresh.Live, error)

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
	opts := plan.Options{Adopt: f.adopt}
	if live != nil {
		if opts.Live, err = live(own, changedScope(set, own, f.adopt)); err != nil {
			return nil, nil, nil, err
		}
	}
	p, err := plan.Compile(set, own, opts)
	return p, set, st, err
}

// render writes a plan in one of the output formats; md is the
// Markdown's size limit and how to see the whole plan past it.
func render(w io.Writer, p *plan.Plan, output string, md planrender.MarkdownOptions) error {
	switch output {
	case "json":
		return planrender.JSON(w, p, versionString())
	case "markdown":
		return planrender.MarkdownWith(w, p, md)
	}
	return planrender.Text(w, p)
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
what it would update (the fields that changed, old -> new), and what state
knows that the manifests no longer declare (never deleted), with a billing
preview of each customer file in exact decimals, before -> after. It changes
nothing. --out FILE saves the plan for onboard apply FILE.

First it reads from BlueRockTEL, in bulk, the objects the state knows (a
customer file and all its lines in one request), so that what changed there
shows: a field changed in the web interface is restored ("quantity: 8 (in
BlueRockTEL) -> 5 (manifest)"), an object deleted there is created again.
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
60,000, a GitHub comment holds 65,536 characters) a summary that fits.`,
		Example: `  onboard plan examples/acme.yaml
  onboard plan customers/ --output markdown > plan.md
  onboard plan customers/ --detailed-exitcode   # 0 nothing to do, 2 changes, 1 error
  onboard plan customers/ --refresh=changed     # read only what the manifests changed
  onboard plan customers/ --refresh=none        # from the state alone: sends nothing
  onboard plan customers/ --refresh-only        # what changed in BlueRockTEL`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if err := checkOutput(opts.output, planOutputs); err != nil {
				return err
			}
			if err := checkMaxBytes(opts.maxBytes); err != nil {
				return err
			}
			opts.paths = paths
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.plan.statePath, "state", "", stateFlagHelp)
	c.Flags().BoolVar(&opts.plan.adopt, "adopt", false, "mark objects the state does not know as looked up first (apply --adopt)")
	c.Flags().BoolVar(&opts.plan.retarget, "retarget", false, "plan for this API although the state belongs to another (apply --retarget binds it)")
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "text, json or markdown")
	c.Flags().IntVar(&opts.maxBytes, "max-bytes", planrender.DefaultMaxBytes, maxBytesHelp)
	c.Flags().BoolVar(&opts.detailedEC, "detailed-exitcode", false, "exit 0 when apply would send nothing, 2 when it would, 1 on error")
	opts.refresh.register(c.Flags(), "show only what changed in BlueRockTEL since onboard last wrote the state (apply --refresh-only records it)")
	c.Flags().IntVarP(&opts.parallelism, "parallelism", "p", 8, "requests in flight at most while refreshing")
	opts.client.register(c.Flags())
	c.Flags().StringVar(&opts.out, "out", "", "also save the plan to this file, for `onboard apply FILE` (and `onboard show FILE`)")
	return c
}

// runPlan is onboard plan: refresh, compile, render, and save with --out.
func (a *app) runPlan(ctx context.Context, opts *planOptions) error {
	paths := opts.paths
	if err := opts.refresh.resolve(paths); err != nil {
		return err
	}
	var err error
	if opts.plan.api, err = opts.client.api(); err != nil {
		return err
	}
	if opts.refresh.only {
		return a.refreshOnlyPlan(ctx, paths, &opts.plan, &opts.refresh, &opts.client, opts.parallelism, opts.detailedEC)
	}
	p, set, st, err := a.compileSet(paths, &opts.plan, func(st *state.State, within scope) (map[string]*refresh.Live, error) {
		return a.refreshLive(ctx, &opts.refresh, &opts.client, nil, st, opts.parallelism, within)
	})
	if err != nil {
		return err
	}
	if opts.out != "" {
		loc, err := opts.plan.path(paths)
		if err != nil {
			return err
		}
		o, err := origin(set, st, pgstate.WithoutPassword(loc), opts.client.target())
		if err != nil {
			return err
		}
		if err := planfile.New(p, o).Write(opts.out); err != nil {
			return fmt.Errorf("write the plan: %w", err)
		}
	}
	md := planrender.MarkdownOptions{MaxBytes: opts.maxBytes,
		Rest: "this `onboard plan` with `--output text`, or `--out FILE` then `onboard show FILE`"}
	if opts.out != "" {
		md.Rest = "`onboard show " + opts.out + "` (the saved plan: keep it, e.g. as the pipeline's artifact)"
	}
	if err := render(a.stdout, p, opts.output, md); err != nil {
		return err
	}
	if opts.out != "" {
		fmt.Fprintf(a.stderr, "Saved the plan to %s; apply exactly it with: onboard apply %s\n", opts.out, opts.out)
	}
	if opts.detailedEC && p.HasChanges() {
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
