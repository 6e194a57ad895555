package main

import (
	"context"
	"testing"

	"github.com/spf13/cobra"
)

// The flags of onboard import, apart from what it does.
func TestImportFlags(t *testing.T) {
	build := func(runF func(context.Context, *importOptions) error) *cobra.Command {
		return newImportCmd(&app{}, runF)
	}
	testFlags(t, build, []flagCase[importOptions]{
		{args: []string{"pack.xlsx", "--out", "customers/"}, check: func(t *testing.T, o *importOptions) {
			if len(o.inputs) != 1 || o.inputs[0] != "pack.xlsx" || o.out != "customers/" || o.force || o.schema != "" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"customers.csv", "files.csv", "--out", "c", "--force", "--schema", "../s.json"}, check: func(t *testing.T, o *importOptions) {
			if len(o.inputs) != 2 || o.inputs[1] != "files.csv" || o.out != "c" || !o.force || o.schema != "../s.json" {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"pack.xlsx"}, wantErr: "import needs --out DIR"},
		{args: []string{"--out", "c"}, wantErr: "import needs a workbook (.xlsx) or CSV files"},
	})
}
