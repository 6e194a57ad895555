package main

import (
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/state"
)

// outputFormats are the values an --output flag may take; a command's own
// are those its flag's usage names, so that completion follows the help.
var outputFormats = []string{"text", "json", "markdown"}

// registerCompletions teaches shell completion (onboard completion bash|
// zsh|fish|powershell) what the defaults cannot know: the values of every
// --output flag, and the addresses in the state for the state commands
// that take one and for --target, instead of file names.
func registerCompletions(root *cobra.Command) {
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		if f := c.Flags().Lookup("output"); f != nil {
			var values []string
			for _, v := range outputFormats {
				if strings.Contains(f.Usage, v) {
					values = append(values, v)
				}
			}
			_ = c.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
		}
		if f := c.Flags().Lookup("target"); f != nil {
			// --target takes an address of the state, like the state commands.
			complete := completeAddress(false)
			_ = c.RegisterFlagCompletionFunc("target", func(c *cobra.Command, _ []string, toComplete string) ([]string, cobra.ShellCompDirective) {
				return complete(c, nil, toComplete)
			})
		}
		if c.Parent() != nil && c.Parent().Name() == "state" && c.ValidArgsFunction == nil {
			switch c.Name() {
			case "show", "rm":
				c.ValidArgsFunction = completeAddress(false)
			case "import":
				c.ValidArgsFunction = completeAddress(true)
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}

// completeAddress completes the first argument with the addresses of the
// state that --state names; import's second argument (an id) gets nothing.
func completeAddress(thenID bool) cobra.CompletionFunc {
	return func(c *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		path := "onboard.state"
		if f := c.Flag("state"); f != nil && f.Value.String() != "" {
			path = f.Value.String()
		}
		st, _, err := state.Read(path)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		var out []string
		for _, o := range st.Sorted() {
			if strings.HasPrefix(o.Addr, toComplete) {
				out = append(out, o.Addr)
			}
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}
