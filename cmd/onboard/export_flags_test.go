package main

import (
	"context"
	"slices"
	"testing"

	"github.com/spf13/cobra"
)

// The flags of onboard export, apart from what it does.
func TestExportFlags(t *testing.T) {
	build := func(runF func(context.Context, *exportOptions) error) *cobra.Command {
		return newExportCmd(&app{}, runF)
	}
	testFlags(t, build, []flagCase[exportOptions]{
		{args: []string{"--out", "tenant/", "--all-customers"}, check: func(t *testing.T, o *exportOptions) {
			if o.out != "tenant/" || !o.allCustomers || o.customers != nil || o.catalog || o.noCatalog || o.includeExtra ||
				o.statePath != "" || o.force || o.parallelism != 8 || o.schema != "" || o.client.rate != defaultRate {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"--out", "t", "--customer", "CL000742", "--customer", "200001", "--no-catalog", "--include-extra",
			"--state", "s.state", "--force", "-p", "3", "--schema", "https://example.com/s.json", "--base-url", "http://x/api"},
			check: func(t *testing.T, o *exportOptions) {
				if !slices.Equal(o.customers, []string{"CL000742", "200001"}) || !o.noCatalog || !o.includeExtra || o.statePath != "s.state" ||
					!o.force || o.parallelism != 3 || o.schema != "https://example.com/s.json" || o.client.baseURL != "http://x/api" {
					t.Errorf("flags: %+v", o)
				}
			}},
		{args: []string{"--out", "t", "--catalog"}, check: func(t *testing.T, o *exportOptions) {
			if !o.catalog || o.allCustomers {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"--all-customers"}, wantErr: "export needs --out DIR"},
		{args: []string{"--out", "t"}, wantErr: "nothing to export: pass --customer ID|ACCOUNT (repeatable), --all-customers or --catalog"},
		{args: []string{"--out", "t", "--customer", "1", "--all-customers"}, wantErr: "--customer and --all-customers select customers twice"},
		{args: []string{"--out", "t", "--catalog", "--no-catalog"}, wantErr: "--catalog and --no-catalog contradict each other"},
		{args: []string{"--out", "t", "--catalog", "-p", "0"}, wantErr: "--parallelism must be at least 1"},
		{args: []string{"tenant/", "--out", "t", "--catalog"}, wantErr: `unknown command "tenant/"`},
	})
}
