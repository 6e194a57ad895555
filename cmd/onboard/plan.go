package main

import (
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/planfile"
	"github.com/onboardhq/onboard/pkg/planrender"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/state"
)

// planFlags are shared by plan, apply and graph.
type planFlags struct {
	statePath string
	adopt     bool
}

// path is the state of the manifests at paths (see stateLocation).
func (f *planFlags) path(paths []string) (string, error) {
	return stateLocation(f.statePath, paths)
}

// compile loads manifests and state (read-only) into a plan.
func (a *app) compile(paths []string, f *planFlags) (*plan.Plan, error) {
	p, _, _, err := a.compileSet(paths, f, nil)
	return p, err
}

// liveReader reads BlueRockTEL for the objects a state knows (nil: no
// refresh).
type liveReader func(*state.State) (map[string]*refresh.Live, error)

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
	own := ownPart(statePath, st, set)
	opts := plan.Options{Adopt: f.adopt}
	if live != nil {
		if opts.Live, err = live(own); err != nil {
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
	return planrender.TextWith(w, p, planrender.TextOptions{Verbose: md.Verbose})
}

// maxBytesHelp is the help of --max-bytes (plan and show PLAN_FILE).
const maxBytesHelp = "--output markdown: past this size, write a summary (counts, money, the first objects) that fits a merge-request comment; 0 for no limit"

// verboseHelp is the help of --verbose (plan and show PLAN_FILE).
const verboseHelp = "text and markdown: every request even in a large plan (past 2,000 objects to create or update, the plan shows the money and counts per kind and per customer)"

// checkMaxBytes refuses a negative --max-bytes.
func checkMaxBytes(n int) error {
	if n < 0 {
		return usagef("--max-bytes must be 0 (no limit) or a size in bytes, not %d", n)
	}
	return nil
}

func newPlanCmd(a *app) *cobra.Command {
	var (
		f           planFlags
		cf          clientFlags
		rf          refreshFlags
		parallelism int
		output      string
		out         string
		detailedEC  bool
		maxBytes    int
		verbose     bool
	)
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
--refresh=false plans from the state alone and sends nothing; --refresh-only
shows what changed in BlueRockTEL, for apply --refresh-only to record.

--output text (default) shows only what would change, grouped by customer;
--output json is a versioned format for tools (see README); --output markdown
is for a merge-request comment: the money first (per customer and for the
plan, EUR excl. VAT), then the changes by customer; past --max-bytes (default
60,000, a GitHub comment holds 65,536 characters) a summary that fits.`,
		Example: `  onboard plan examples/acme.yaml
  onboard plan customers/ --output markdown > plan.md
  onboard plan customers/ --detailed-exitcode   # 0 nothing to do, 2 changes, 1 error
  onboard plan customers/ --refresh=false       # from the state alone: sends nothing
  onboard plan customers/ --refresh-only        # what changed in BlueRockTEL`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if err := checkOutput(output, planOutputs); err != nil {
				return err
			}
			if err := checkMaxBytes(maxBytes); err != nil {
				return err
			}
			if rf.only {
				return a.refreshOnlyPlan(c, paths, &f, &rf, &cf, parallelism, detailedEC)
			}
			p, set, st, err := a.compileSet(paths, &f, func(st *state.State) (map[string]*refresh.Live, error) {
				return a.refreshLive(c.Context(), &rf, &cf, nil, st, parallelism)
			})
			if err != nil {
				return err
			}
			if out != "" {
				loc, err := f.path(paths)
				if err != nil {
					return err
				}
				o, err := origin(set, st, loc, cf.target())
				if err != nil {
					return err
				}
				if err := planfile.New(p, o).Write(out); err != nil {
					return fmt.Errorf("write the plan: %w", err)
				}
			}
			md := planrender.MarkdownOptions{MaxBytes: maxBytes, Verbose: verbose,
				Rest: "this `onboard plan` with `--output text`, or `--out FILE` then `onboard show FILE`"}
			if out != "" {
				md.Rest = "`onboard show " + out + "` (the saved plan: keep it, e.g. as the pipeline's artifact)"
			}
			if err := render(a.stdout, p, output, md); err != nil {
				return err
			}
			if out != "" {
				fmt.Fprintf(a.stderr, "Saved the plan to %s; apply exactly it with: onboard apply %s\n", out, out)
			}
			if detailedEC && p.HasChanges() {
				return &exitError{code: exitChanges}
			}
			return nil
		},
	}
	c.Flags().StringVar(&f.statePath, "state", "", stateFlagHelp)
	c.Flags().BoolVar(&f.adopt, "adopt", false, "mark objects the state does not know as looked up first (apply --adopt)")
	c.Flags().StringVarP(&output, "output", "o", "text", "text, json or markdown")
	c.Flags().IntVar(&maxBytes, "max-bytes", planrender.DefaultMaxBytes, maxBytesHelp)
	c.Flags().BoolVarP(&verbose, "verbose", "v", false, verboseHelp)
	c.Flags().BoolVar(&detailedEC, "detailed-exitcode", false, "exit 0 when apply would send nothing, 2 when it would, 1 on error")
	rf.register(c.Flags(), "show only what changed in BlueRockTEL since onboard last wrote the state (apply --refresh-only records it)")
	c.Flags().IntVarP(&parallelism, "parallelism", "p", 8, "requests in flight at most while refreshing")
	cf.register(c.Flags())
	c.Flags().StringVar(&out, "out", "", "also save the plan to this file, for `onboard apply FILE` (and `onboard show FILE`)")
	return c
}

func newGraphCmd(a *app) *cobra.Command {
	var f planFlags
	c := &cobra.Command{
		Use:     "graph PATH...",
		Short:   "Print the dependency graph in Graphviz DOT",
		Long:    "graph prints the plan's dependency graph in DOT; the same input gives the same bytes.",
		Example: `  onboard graph examples/acme.yaml | dot -Tsvg > acme.svg`,
		Args:    needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			p, err := a.compile(paths, &f)
			if err != nil {
				return err
			}
			return planrender.DOT(a.stdout, p)
		},
	}
	c.Flags().StringVar(&f.statePath, "state", "", stateFlagHelp)
	return c
}
