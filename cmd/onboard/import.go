package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/export"
	"github.com/onboardhq/onboard/pkg/importer"
)

// importOptions are the import command's arguments and flags.
type importOptions struct {
	inputs []string
	out    string
	force  bool
	schema string
}

// newImportCmd builds onboard import; runF runs it (a.runImport unless a
// test checks the flags alone).
func newImportCmd(a *app, runF func(context.Context, *importOptions) error) *cobra.Command {
	o := &importOptions{}
	if runF == nil {
		runF = a.runImport
	}
	c := &cobra.Command{
		Use:   "import (WORKBOOK.xlsx | FILE.csv...) --out DIR",
		Short: "Write manifests from the onboarding spreadsheet (a workbook or CSV files)",
		Long: `import turns the onboarding spreadsheet into manifests, in the layout export
writes (catalog.yaml plus customers/<key>.yaml under --out), rendered the same
way, deterministic to the byte.

The input is a workbook with one sheet per kind, or one CSV file per kind,
named after the kinds' collections:
  ` + strings.Join(importer.Sheets(), ", ") + `
Columns are manifest field names (the API's camelCase spellings too); the key
column holds the row's local name, a parent column (customer, file, prospect)
the key of its parent's row. References take keys (item, family) or ids
(item_id, family_id).

Every bad cell is reported at once, as file:Sheet!A1 in a workbook and
file:line:field in a CSV file, with the checks of validate; nothing is
written then. Otherwise the new and changed files replace the old ones in one
rename. A file changed by hand since the last import (see the record,
DIR/.onboard-import) is not overwritten unless --force. A row that is gone is
reported, never deleted: a customer's file is kept, and plan shows the
objects no longer declared as orphaned.`,
		Example: `  onboard import pack.xlsx --out customers/
  onboard import customers.csv files.csv recurrings.csv --out customers/
  onboard import pack.xlsx --out customers/ --force   # overwrite files changed by hand`,
		Args: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usagef("import needs a workbook (.xlsx) or CSV files, one per kind")
			}
			return nil
		},
		RunE: func(c *cobra.Command, args []string) error {
			if o.out == "" {
				return usagef("import needs --out DIR, the directory to write the manifests to")
			}
			o.inputs = args
			return runF(c.Context(), o)
		},
	}
	f := c.Flags()
	f.StringVar(&o.out, "out", "", "directory to write the manifests to (created if needed; imported into again)")
	f.BoolVar(&o.force, "force", false, "overwrite files changed by hand since the last import")
	f.StringVar(&o.schema, "schema", "", "the $schema the files refer to, a URL or a path relative to --out (default: "+export.SchemaFile+", written into --out)")
	return c
}

// runImport reads the inputs, builds and checks the manifests, and
// publishes them into o.out.
func (a *app) runImport(_ context.Context, o *importOptions) error {
	workbooks := 0
	for _, p := range o.inputs {
		switch strings.ToLower(filepath.Ext(p)) {
		case ".xlsx", ".xlsm":
			workbooks++
		case ".csv":
		default:
			return usagef("%s is not a workbook (.xlsx) or a CSV file (.csv)", p)
		}
	}
	if workbooks > 0 && len(o.inputs) > 1 {
		return usagef("import one workbook, or CSV files: not both, nor several workbooks")
	}
	readOnlyGC() // a batch that ends soon: less GC, as validate (its largest part)
	var tables []*importer.Table
	for _, p := range o.inputs {
		ts, err := importer.ReadFile(p)
		if err != nil {
			return &exitError{code: exitFailure, err: fmt.Errorf("%w; nothing was written", err)}
		}
		tables = append(tables, ts...)
	}
	res, oc, err := importer.Import(o.out, tables, importer.Options{Schema: o.schema}, o.force)
	var ierr *importer.Error
	var ee *importer.EditedError
	switch {
	case errors.As(err, &ierr):
		for _, d := range ierr.Diagnostics {
			fmt.Fprintln(a.stderr, d.String())
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("%d problem(s) in the input; nothing was written", len(ierr.Diagnostics))}
	case errors.As(err, &ee):
		for _, f := range ee.Files {
			fmt.Fprintf(a.stderr, "%s: changed since the last import (not what %s records); bring the change into the spreadsheet, or pass --force to overwrite it\n",
				filepath.Join(o.out, f), importer.RecordFile)
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("%d file(s) changed by hand would be overwritten; nothing was written", len(ee.Files))}
	case err != nil:
		return &exitError{code: exitFailure, err: err}
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	for _, f := range oc.Kept {
		fmt.Fprintf(a.stderr, "note: %s is kept: its rows are no longer in the input (nothing is deleted; remove the file, or say what to do in BlueRockTEL with removed:)\n", filepath.Join(o.out, f))
	}
	for _, addr := range oc.Gone {
		fmt.Fprintf(a.stderr, "note: %s: its row is no longer in the input, and the manifests no longer declare it (plan shows it orphaned; nothing is deleted)\n", addr)
	}
	if len(oc.Edited) > 0 {
		fmt.Fprintf(a.stderr, "note: overwrote %d file(s) changed by hand (--force): %s\n", len(oc.Edited), strings.Join(oc.Edited, ", "))
	}
	objects := 0
	if res.Set != nil {
		objects = len(res.Set.Objects)
	}
	if len(oc.Added)+len(oc.Changed)+len(oc.Edited) == 0 {
		fmt.Fprintf(a.stdout, "No changes: %d objects (%d customers) in %s are as the input says.\n", objects, res.Customers, o.out)
		return nil
	}
	fmt.Fprintf(a.stdout, "Imported %d objects (%d customers) to %s: %d file(s) added, %d changed, %d unchanged.\n",
		objects, res.Customers, o.out, len(oc.Added), len(oc.Changed)+len(oc.Edited), len(oc.Unchanged))
	return nil
}
