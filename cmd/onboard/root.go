package main

import (
	"fmt"
	"io"
	"os"
	"runtime/debug"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/onboardhq/onboard/pkg/manifest"
)

// app holds what every command shares.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	status         *progress // apply's live progress line, if shown (see note)
}

func newRoot(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "onboard",
		Short: "Onboard customers into BlueRockTEL from declarative YAML manifests",
		Long: `onboard turns YAML manifests (families, catalog items, customers, customer
files and their licence, one-time and recurring lines) into the objects of the
BlueRockTEL billing API: validated first, planned for review, then created in
dependency order, in parallel, exactly once. A state file records what exists,
so a rerun only does what is missing.`,
		Example: `  onboard validate examples/acme.yaml
  onboard plan examples/gitops/ --output markdown
  ONBOARD_TOKEN=... onboard apply acme.yaml --base-url https://acme.bluerocktel.net/api
  onboard sandbox   # a local BlueRockTEL API to try manifests against`,
		SilenceUsage:  true,
		SilenceErrors: true,
		// onboard --version prints what onboard version does.
		Version: versionString(),
	}
	root.SetVersionTemplate("{{.Version}}\n")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &usageError{fmt.Errorf("%w (see '%s --help')", err, c.CommandPath())}
	})
	root.AddCommand(
		newValidateCmd(a, nil), newPlanCmd(a, nil), newApplyCmd(a, nil), newGraphCmd(a, nil), newDriftCmd(a, nil),
		newStateCmd(a, nil), newShowCmd(a, nil), newExportCmd(a, nil), newImportCmd(a, nil), newInvoicesCmd(a, nil), newForceUnlockCmd(a, nil), newSandboxCmd(a, nil), newSchemaCmd(a), newVersionCmd(a),
	)
	registerCompletions(root)
	return root
}

// isCobraUsage recognises cobra's own errors for unknown commands and
// wrong argument counts, which it does not type.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand", "accepts ", "requires at least", "invalid argument"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

// needPaths is an Args validator for commands that read manifests.
func needPaths(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usagef("%s needs at least one manifest file or directory (see '%s --help')", c.Name(), c.CommandPath())
	}
	return nil
}

// needAddress is an Args validator for commands about one object of the
// state (ADDRESS [PATH...]).
func needAddress(c *cobra.Command, args []string) error {
	if len(args) == 0 {
		return usagef("usage: %s ADDRESS [PATH...] (see '%s --help')", c.CommandPath(), c.CommandPath())
	}
	return nil
}

// readOnlyGC trades memory for speed in commands that only read manifests
// (validate, plan, graph): loading allocates many short-lived objects, and
// GOGC=200 took validate of 10,000 customers from 0.96 s to 0.82 s (peak
// 244 MB) and plan from 1.34 s to 1.11 s (267 MB), measured with
// cmd/onboard-bench -run 'validate-10k|plan-10k'. apply keeps Go's
// default: its peak at 10,000 customers grew 423 -> 620 MB with GOGC=200.
// An explicit GOGC in the environment wins.
func readOnlyGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(200)
	}
}

// load reads and validates a manifest set, printing every diagnostic.
// Invalid manifests exit 1; unreadable paths exit 2.
func (a *app) load(paths []string) (*manifest.Set, error) {
	set, err := manifest.Load(paths...)
	if err == nil {
		return set, nil
	}
	if me, ok := err.(*manifest.Error); ok {
		for _, d := range me.Diagnostics {
			fmt.Fprintln(a.stderr, d.String())
		}
		return nil, &exitError{code: exitFailure, err: fmt.Errorf("%d problem(s) in the manifests; nothing was sent", len(me.Diagnostics))}
	}
	return nil, &usageError{err}
}

func newVersionCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:     "version",
		Short:   "Print the version and commit of onboard",
		Example: "  onboard version",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			fmt.Fprintln(a.stdout, versionString())
			return nil
		},
	}
}

// version and commit are set at link time by the Makefile (-X main.version,
// -X main.commit); otherwise they come from build info.
var version, commit = "", ""

func versionString() string {
	v, commit, dirty := version, commit, false
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				if commit == "" {
					commit = s.Value
				}
			case "vcs.modified":
				dirty = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	out := "onboard " + v
	if commit != "" {
		if len(commit) > 12 {
			commit = commit[:12]
		}
		out += " commit " + commit
		if dirty {
			out += " (modified)"
		}
	}
	return out
}

// interactive reports whether a person can answer a question: stdin and
// stderr are terminals.
func (a *app) interactive() bool {
	in, ok := a.stdin.(*os.File)
	if !ok {
		return false
	}
	errf, ok := a.stderr.(*os.File)
	return ok && term.IsTerminal(int(in.Fd())) && term.IsTerminal(int(errf.Fd()))
}

// The --output values of the commands: every one takes text and json, and
// the plan's renderings take markdown too.
var (
	textOrJSON  = []string{"text", "json"}
	planOutputs = []string{"text", "json", "markdown"}
)

// checkOutput refuses an --output value outside allowed, naming them
// ("text, json or markdown").
func checkOutput(output string, allowed []string) error {
	if slices.Contains(allowed, output) {
		return nil
	}
	names := strings.Join(allowed[:len(allowed)-1], ", ") + " or " + allowed[len(allowed)-1]
	return usagef("--output must be %s, not %q", names, output)
}

// checkParallelism refuses a --parallelism below 1.
func checkParallelism(n int) error {
	if n < 1 {
		return usagef("--parallelism must be at least 1")
	}
	return nil
}
