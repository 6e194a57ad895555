package main

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/planfile"
	"github.com/onboardhq/onboard/pkg/planrender"
	"github.com/onboardhq/onboard/pkg/state"
)

// origin is what a plan is computed from now: the manifests read, the
// state's version and the API.
func origin(set *manifest.Set, st *state.State, stateLoc, api string) (planfile.Origin, error) {
	digest, err := planfile.Digest(set.Files)
	if err != nil {
		return planfile.Origin{}, fmt.Errorf("digest of the manifests: %w", err)
	}
	return planfile.Origin{Manifests: set.Files, Digest: digest, State: stateLoc, StateLineage: st.Meta.Lineage, StateSerial: st.Meta.Serial,
		API: api, Tool: versionString()}, nil
}

// confirm asks on the terminal, as Terraform does; only "yes" goes on.
func confirm(in io.Reader, out io.Writer) bool {
	fmt.Fprint(out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, _ := bufio.NewReader(in).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

// show FILE renders a saved plan (see show.go's hooks).
func init() {
	isSavedPlan = planfile.IsPlan
	showSavedPlan = func(a *app, c *cobra.Command, args []string) error {
		output, _ := c.Flags().GetString("output")
		if err := checkOutput(output, planOutputs); err != nil {
			return err
		}
		maxBytes, _ := c.Flags().GetInt("max-bytes")
		if err := checkMaxBytes(maxBytes); err != nil {
			return err
		}
		threshold, _ := c.Flags().GetString("comment-threshold")
		th, err := parseThreshold(threshold, output)
		if err != nil {
			return err
		}
		if len(args) != 1 {
			return usagef("show PLAN_FILE takes no other argument")
		}
		f, err := planfile.Read(args[0])
		if err != nil {
			return &usageError{err}
		}
		ms, err := projectMoney(f.Manifests)
		if err != nil {
			return err
		}
		verbose, _ := c.Flags().GetBool("verbose")
		return render(a.stdout, f.Plan(), f.Policy, output, planrender.MarkdownOptions{MaxBytes: maxBytes, Money: ms, Threshold: th, Verbose: verbose,
			Rest: "`onboard show " + args[0] + " --max-bytes 0` (or --output text)"})
	}
	// show's own flags are for addresses; --max-bytes is for a saved plan.
	showPlanFlags = func(c *cobra.Command) {
		c.Flags().Int("max-bytes", planrender.DefaultMaxBytes, "a saved plan, "+maxBytesHelp)
		c.Flags().String("comment-threshold", "", "a saved plan, "+thresholdHelp)
		c.Flags().BoolP("verbose", "v", false, "a saved plan, "+verboseHelp)
	}
}
