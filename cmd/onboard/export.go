package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/onboardhq/onboard/pkg/export"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// exportOptions are onboard export's inputs.
type exportOptions struct {
	client       clientFlags
	out          string
	customers    []string
	allCustomers bool
	catalog      bool
	noCatalog    bool
	includeExtra bool
	statePath    string
	force        bool
	parallelism  int
	schema       string
}

// newExportCmd builds onboard export; runF runs it (a.runExport unless a
// test checks the flags alone).
func newExportCmd(a *app, runF func(context.Context, *exportOptions) error) *cobra.Command {
	opts := &exportOptions{}
	if runF == nil {
		runF = a.runExport
	}
	c := &cobra.Command{
		Use:   "export --out DIR (--customer ID|ACCOUNT... | --all-customers | --catalog)",
		Short: "Write manifests and state for what already exists in BlueRockTEL",
		Long: `export brings an existing BlueRockTEL tenant under manifests: it reads the
selected customers (with their files and lines) and the catalog objects they
use, and writes them as manifests in the GitOps layout of examples/gitops/ (a
catalog.yaml plus one file per customer under customers/), with the state that
makes the next plan show nothing to do.

Local names derive from names (slugs, unique, the oldest object keeping the
plain one); references are by local name within the export and by id
(family_id, item_id) to objects outside it; decimals and dates are exact, as
BlueRockTEL holds them; fields at the API's defaults are left out. Fields the
schema does not know are left out too, or kept under extra: with
--include-extra. The same tenant gives the same bytes.

The state goes where plan will look for it (beside the manifests, a project
file's state:, $ONBOARD_STATE, or --state). Without it, apply --adopt on the
export adopts every object and creates none.

Reads are bulk: lists of 100 per page, the customer files of every customer in
one list, one GET per customer file for all its lines. Nothing is written
until everything is read and the manifests validate: an interrupted export
leaves nothing behind.`,
		Example: `  onboard export --all-customers --catalog --out tenant/
  onboard export --customer CL000742 --customer 200001 --out customers/
  onboard export --catalog --out catalog/
  onboard export --all-customers --include-extra --out tenant/ --force   # export again over tenant/`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.out == "" {
				return usagef("export needs --out DIR, the directory to write the manifests to")
			}
			if len(opts.customers) == 0 && !opts.allCustomers && !opts.catalog {
				return usagef("nothing to export: pass --customer ID|ACCOUNT (repeatable), --all-customers or --catalog")
			}
			if len(opts.customers) > 0 && opts.allCustomers {
				return usagef("--customer and --all-customers select customers twice: pass one of them")
			}
			if opts.catalog && opts.noCatalog {
				return usagef("--catalog and --no-catalog contradict each other")
			}
			if err := checkParallelism(opts.parallelism); err != nil {
				return err
			}
			return runF(c.Context(), opts)
		},
	}
	f := c.Flags()
	f.StringVar(&opts.out, "out", "", "directory to write the manifests to (must not exist, or be empty, unless --force)")
	f.StringArrayVar(&opts.customers, "customer", nil, "a customer to export, by id (digits) or customer account; repeatable")
	f.BoolVar(&opts.allCustomers, "all-customers", false, "export every customer")
	f.BoolVar(&opts.catalog, "catalog", false, "export the whole catalog (default: the families and items the exported customers use)")
	f.BoolVar(&opts.noCatalog, "no-catalog", false, "export no catalog object: customers refer to items by id (item_id)")
	f.BoolVar(&opts.includeExtra, "include-extra", false, "keep the fields the schema does not know under extra:")
	f.StringVar(&opts.statePath, "state", "", "state file to write (default: $ONBOARD_STATE, else where plan finds the state of --out; see README)")
	f.BoolVar(&opts.force, "force", false, "replace an existing --out directory and state")
	f.IntVarP(&opts.parallelism, "parallelism", "p", 8, "requests in flight at most")
	f.StringVar(&opts.schema, "schema", "", "the $schema the files refer to, a URL or a path relative to --out (default: "+export.SchemaFile+", written into --out)")
	opts.client.register(f)
	return c
}

// runExport is onboard export: read, build, then write the manifests and
// their state. It stops on its own signals (an interrupted export writes
// nothing), not on the context it is given.
func (a *app) runExport(_ context.Context, opts *exportOptions) error {
	sel := export.Selection{Customers: opts.customers, AllCustomers: opts.allCustomers}
	switch {
	case opts.catalog:
		sel.Catalog = export.CatalogAll
	case opts.noCatalog:
		sel.Catalog = export.CatalogNone
	}
	if err := checkOut(opts.out, opts.force); err != nil {
		return err
	}
	loc, err := exportStateLocation(opts.statePath, opts.out)
	if err != nil {
		return err
	}
	if isURL(loc) {
		return usagef("export writes a state file; %s is not one: pass --state FILE", pgstate.Redact(loc))
	}
	if err := checkState(loc, opts.force); err != nil {
		return err
	}
	client, err := opts.client.client(a)
	if err != nil {
		return err
	}
	defer client.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	prog := newReadProgress(a.stderr)
	start := time.Now()
	est, st, err := export.Read(ctx, client, sel, export.ReadOptions{Parallelism: opts.parallelism, OnRequest: prog.update})
	prog.done()
	readTook := time.Since(start)
	if err != nil {
		if ctx.Err() != nil {
			return &exitError{code: exitFailure, err: errors.New("interrupted: nothing was written")}
		}
		return err
	}
	res, err := export.Build(est, export.BuildOptions{IncludeExtra: opts.includeExtra, Schema: opts.schema})
	if err != nil {
		return err
	}
	for _, w := range res.Warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	err = export.Write(ctx, res, export.WriteOptions{Out: opts.out, State: loc, API: client.BaseURL(),
		Now: time.Now().UTC().Truncate(time.Millisecond)})
	if err != nil {
		return a.exportWriteError(ctx, err)
	}
	customersN := len(est.Objects[resource.Customer])
	fmt.Fprintf(a.stdout, "Exported %d objects (%d customers) to %s in %d files; state %s.\n",
		res.Objects, customersN, opts.out, len(res.Files), loc)
	fmt.Fprintf(a.stderr, "Read %d objects with %d requests (%.3f per object) in %.3f s; wrote and checked the manifests and state in %.3f s.\n",
		st.Objects, st.Requests(), st.PerObject(), readTook.Seconds(), (time.Since(start) - readTook).Seconds())
	if res.Unmodelled > 0 && !opts.includeExtra {
		fmt.Fprintf(a.stderr, "note: %d objects have fields onboard does not model; they were left out (--include-extra keeps them under extra:)\n", res.Unmodelled)
	}
	return nil
}

// checkOut refuses to write over a directory that holds something,
// unless forced.
func checkOut(out string, force bool) error {
	fi, err := os.Stat(out)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return nil
	case err != nil:
		return &usageError{fmt.Errorf("--out %s: %w", out, err)}
	case !fi.IsDir():
		return usagef("--out %s is a file, not a directory", out)
	}
	entries, err := os.ReadDir(out)
	if err != nil {
		return &usageError{fmt.Errorf("--out %s: %w", out, err)}
	}
	if len(entries) > 0 && !force {
		return usagef("--out %s is not empty: choose a new directory, or pass --force to replace it", out)
	}
	return nil
}

// exportStateLocation is where plan will look for the state of the
// manifests in out (see stateLocation), whether or not out exists yet.
func exportStateLocation(flag, out string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := strings.TrimSpace(os.Getenv(stateEnv)); env != "" {
		return env, nil
	}
	abs, err := filepath.Abs(out)
	if err != nil {
		return "", fmt.Errorf("state location: %w", err)
	}
	loc, err := findProjectState(abs)
	if err != nil {
		return "", err
	}
	if loc == "" {
		loc = filepath.Join(abs, stateFileName)
	}
	return relToCwd(loc), nil
}

// checkState refuses to replace a state that records objects, unless
// forced: it may be another project's.
func checkState(loc string, force bool) error {
	if force {
		return nil
	}
	if _, err := os.Stat(loc); errors.Is(err, os.ErrNotExist) {
		return nil
	}
	st, _, err := state.Read(loc)
	if err != nil {
		return fmt.Errorf("read state %s: %w", loc, err)
	}
	if st.Len() > 0 {
		return usagef("the state %s already records %d objects: pass --state to write another one, or --force to replace it", loc, st.Len())
	}
	return nil
}

// exportWriteError phrases export.Write's errors: the diagnostics of
// manifests that do not validate, an interruption, a state bound
// elsewhere.
func (a *app) exportWriteError(ctx context.Context, err error) error {
	var ie *export.InvalidError
	if errors.As(err, &ie) {
		for _, d := range ie.Diagnostics {
			fmt.Fprintln(a.stderr, d.String())
		}
		return &exitError{code: exitFailure, err: fmt.Errorf("%d problem(s) in the exported manifests (BlueRockTEL holds objects onboard cannot tell apart or does not accept); nothing was written", len(ie.Diagnostics))}
	}
	if ctx.Err() != nil && errors.Is(err, ctx.Err()) {
		return &exitError{code: exitFailure, err: errors.New("interrupted: nothing was written")}
	}
	return bindAPIError(err)
}

// readProgress shows the reads on a terminal: one line, redrawn at most
// ten times a second. A dumb terminal (TERM=dumb) cannot erase it: none.
type readProgress struct {
	w    io.Writer
	on   bool
	mu   sync.Mutex
	last time.Time
	line bool
}

func newReadProgress(w io.Writer) *readProgress {
	f, ok := w.(*os.File)
	return &readProgress{w: w, on: ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"}
}

func (p *readProgress) update(requests, objects int) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if now := time.Now(); now.Sub(p.last) >= 100*time.Millisecond {
		p.last = now
		fmt.Fprintf(p.w, "\r\x1b[KReading BlueRockTEL: %d requests, %d objects", requests, objects)
		p.line = true
	}
}

func (p *readProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.line {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.line = false
	}
}
