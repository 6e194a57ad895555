package main

import (
	"encoding/json"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/state"
)

// newStateHistoryCmd lists the state's history: the decisions recorded by
// the sessions that acted on them (policy overrides applied with a saved
// plan), oldest first.
func newStateHistoryCmd(a *app, statePath *string) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "history",
		Short: "List the decisions recorded in the state (policy overrides)",
		Long: `history lists, oldest first, what the state recorded besides objects: each
override of a policy rule that apply FILE applied, with the rule, the reason,
who made the plan with it and when, and who applied it.`,
		Example: `  onboard state history
  onboard state history --state postgres://ci@db.internal/onboard -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkOutput(output, textOrJSON); err != nil {
				return err
			}
			st, err := readState(a, *statePath)
			if err != nil {
				return err
			}
			if output == "json" {
				events := st.History
				if events == nil {
					events = []state.Event{}
				}
				enc := json.NewEncoder(a.stdout)
				enc.SetEscapeHTML(false)
				enc.SetIndent("", "  ")
				return enc.Encode(events)
			}
			if len(st.History) == 0 {
				fmt.Fprintln(a.stdout, "No history recorded.")
				return nil
			}
			for _, e := range st.History {
				fmt.Fprintf(a.stdout, "%s  %s", e.Time.UTC().Format("2006-01-02 15:04:05 UTC"), e.Kind)
				if e.By != "" {
					fmt.Fprintf(a.stdout, "  by %s", e.By)
				}
				if e.Command != "" {
					fmt.Fprintf(a.stdout, "  (%s)", e.Command)
				}
				fmt.Fprintln(a.stdout)
				keys := make([]string, 0, len(e.Details))
				for k := range e.Details {
					keys = append(keys, k)
				}
				sort.Strings(keys)
				for _, k := range keys {
					fmt.Fprintf(a.stdout, "    %s: %s\n", k, e.Details[k])
				}
			}
			return nil
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "text, or json (a list of events)")
	return c
}
