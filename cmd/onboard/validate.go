package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/schemas"
)

// validateOptions are onboard validate's inputs.
type validateOptions struct {
	paths  []string
	output string
}

// newValidateCmd builds onboard validate; runF runs it (a.runValidate unless a
// test checks the flags alone).
func newValidateCmd(a *app, runF func(context.Context, *validateOptions) error) *cobra.Command {
	opts := &validateOptions{}
	if runF == nil {
		runF = a.runValidate
	}
	c := &cobra.Command{
		Use:   "validate PATH...",
		Short: "Check manifests against the schema and the semantic rules",
		Long: `validate reads manifest files and directories (recursively, *.yaml and *.yml)
and reports every problem as file:line:col: message, in file and position order.
It sends nothing to the API. Exit status: 0 valid, 1 invalid, 2 usage error.`,
		Example: `  onboard validate examples/acme.yaml
  onboard validate examples/gitops/
  onboard validate customers/ --output json`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if err := checkOutput(opts.output, textOrJSON); err != nil {
				return err
			}
			opts.paths = paths
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "diagnostics format: text or json")
	return c
}

// runValidate is onboard validate: load the manifests, report every
// diagnostic.
func (a *app) runValidate(_ context.Context, opts *validateOptions) error {
	readOnlyGC()
	limitValidateMemory()
	set, err := manifest.Load(opts.paths...)
	if err == nil {
		// The project's policy is checked with the manifests.
		rules, perr := a.loadPolicyDiagnostics(opts.paths)
		if perr != nil {
			return &usageError{perr}
		}
		if len(rules) > 0 {
			err = &manifest.Error{Diagnostics: rules}
		}
	}
	if err == nil {
		if opts.output == "json" {
			return writeJSON(a, map[string]any{"valid": true, "objects": len(set.Objects), "files": len(set.Files), "diagnostics": []manifest.Diagnostic{}})
		}
		fmt.Fprintf(a.stdout, "valid: %d objects in %d file(s)\n", len(set.Objects), len(set.Files))
		return nil
	}
	me, ok := err.(*manifest.Error)
	if !ok {
		return &usageError{err}
	}
	if opts.output == "json" {
		if err := writeJSON(a, map[string]any{"valid": false, "diagnostics": me.Diagnostics}); err != nil {
			return err
		}
		return &exitError{code: exitFailure}
	}
	for _, d := range me.Diagnostics {
		fmt.Fprintln(a.stderr, d.String())
	}
	return &exitError{code: exitFailure}
}

func writeJSON(a *app, v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newSchemaCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "schema",
		Short: "Print the manifest JSON Schema",
		Long: `schema prints the JSON Schema (2020-12) of manifests, the one validate uses.
Editors with the YAML language server use it for completion and hover docs:
start a manifest with  # yaml-language-server: $schema=<path to the schema>`,
		Example: "  onboard schema > manifest.schema.json",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			_, err := a.stdout.Write(schemas.Manifest)
			return err
		},
	}
}
