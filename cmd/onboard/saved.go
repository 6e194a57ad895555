package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/planfile"
	"github.com/onboardhq/onboard/pkg/state"
)

// origin is what a plan is computed from now: the manifests read, the
// state's version and the API.
func origin(set *manifest.Set, st *state.State, api string) (planfile.Origin, error) {
	digest, err := planfile.Digest(set.Files)
	if err != nil {
		return planfile.Origin{}, fmt.Errorf("digest of the manifests: %w", err)
	}
	return planfile.Origin{Manifests: set.Files, Digest: digest, StateLineage: st.Meta.Lineage, StateSerial: st.Meta.Serial,
		API: api, Tool: versionString()}, nil
}

// confirm asks on the terminal, as Terraform does; only "yes" goes on.
func confirm(in io.Reader, out io.Writer) bool {
	fmt.Fprint(out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// showSavedPlan renders a saved plan in one of the plan's output formats.
func showSavedPlan(a *app, path, output string) error {
	f, err := planfile.Read(path)
	if err != nil {
		return &usageError{err}
	}
	return render(a.stdout, f.Plan(), output)
}

func newShowCmd(a *app) *cobra.Command {
	var output string
	c := &cobra.Command{
		Use:   "show PLAN_FILE",
		Short: "Render a saved plan (onboard plan --out FILE) as text, Markdown or JSON",
		Example: `  onboard plan customers/ --out plan.onboard
  onboard show plan.onboard --output markdown > comment.md`,
		Args: cobra.ExactArgs(1),
		RunE: func(c *cobra.Command, args []string) error {
			switch output {
			case "text", "json", "markdown":
			default:
				return usagef("--output must be text, json or markdown, not %q", output)
			}
			return showSavedPlan(a, args[0], output)
		},
	}
	c.Flags().StringVarP(&output, "output", "o", "text", "text, json or markdown")
	return c
}
