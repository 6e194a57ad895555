package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/plan"
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
	readOnlyGC()
	set, err := a.load(paths)
	if err != nil {
		return nil, err
	}
	statePath, err := f.path(paths)
	if err != nil {
		return nil, err
	}
	st, warnings, err := readStateAt(statePath, true)
	if err != nil {
		return nil, fmt.Errorf("read state: %w", err)
	}
	for _, w := range warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	return plan.Compile(set, ownPart(statePath, st, set), plan.Options{Adopt: f.adopt})
}

func newPlanCmd(a *app) *cobra.Command {
	var (
		f          planFlags
		output     string
		detailedEC bool
	)
	c := &cobra.Command{
		Use:   "plan PATH...",
		Short: "Show what apply would do, without sending anything",
		Long: `plan reads the manifests and the state file and shows what apply would create,
what differs from what was created (not applied yet), and what state knows that
the manifests no longer declare (never deleted), with a billing preview of each
customer file in exact decimals. It sends nothing to the API.

--output text (default) shows only what would change, grouped by customer;
--output json is a versioned format for tools (see README); --output markdown
is for a merge-request comment.`,
		Example: `  onboard plan examples/acme.yaml
  onboard plan customers/ --output markdown > plan.md
  onboard plan customers/ --detailed-exitcode   # 0 nothing to do, 2 changes, 1 error`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			switch output {
			case "text", "json", "markdown":
			default:
				return usagef("--output must be text, json or markdown, not %q", output)
			}
			p, err := a.compile(paths, &f)
			if err != nil {
				return err
			}
			switch output {
			case "json":
				err = p.RenderJSON(a.stdout)
			case "markdown":
				err = p.RenderMarkdown(a.stdout)
			default:
				err = p.RenderText(a.stdout)
			}
			if err != nil {
				return err
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
	c.Flags().BoolVar(&detailedEC, "detailed-exitcode", false, "exit 0 when there is nothing to do, 2 when there are changes, 1 on error")
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
			return p.RenderDOT(a.stdout)
		},
	}
	c.Flags().StringVar(&f.statePath, "state", "", stateFlagHelp)
	return c
}
