package main

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// stateFlagHelp describes --state; the default is the project's state
// (see stateLocation), or $ONBOARD_STATE.
const stateFlagHelp = "state file or postgres:// URL (default: $ONBOARD_STATE, else the project's onboard.state; see README)"

// stateRuns run the state subcommands; a nil one (or nil stateRuns) runs
// the app's, so that a test can check the flags alone.
type stateRuns struct {
	list    func(context.Context, *stateListOptions) error
	show    func(context.Context, *stateShowOptions) error
	rm      func(context.Context, *stateRmOptions) error
	imp     func(context.Context, *stateImportOptions) error
	migrate func(context.Context, *stateMigrateOptions) error
}

// stateListOptions are onboard state list's inputs.
type stateListOptions struct {
	statePath string
	output    string
}

// stateShowOptions are onboard state show's inputs.
type stateShowOptions struct {
	statePath string
	addr      string
}

// stateRmOptions are onboard state rm's inputs.
type stateRmOptions struct {
	statePath string
	addr      string
}

// stateImportOptions are onboard state import's inputs.
type stateImportOptions struct {
	statePath string
	addr      string
	kind      resource.Kind
	id        int64
}

// newStateCmd builds onboard state and its subcommands; runs runs them.
func newStateCmd(a *app, runs *stateRuns) *cobra.Command {
	r := stateRuns{list: a.runStateList, show: a.runStateShow, rm: a.runStateRm, imp: a.runStateImport, migrate: a.runStateMigrate}
	if runs != nil {
		if runs.list != nil {
			r.list = runs.list
		}
		if runs.show != nil {
			r.show = runs.show
		}
		if runs.rm != nil {
			r.rm = runs.rm
		}
		if runs.imp != nil {
			r.imp = runs.imp
		}
		if runs.migrate != nil {
			r.migrate = runs.migrate
		}
	}
	var stateFlag, statePath string
	c := &cobra.Command{
		Use: "state",
		PersistentPreRunE: func(*cobra.Command, []string) (err error) {
			statePath, err = stateLocation(stateFlag, nil)
			return err
		},
		Short: "Inspect and repair the state file",
		Long: `The state file maps each manifest address to the BlueRockTEL object created for
it. These commands read it, and settle by hand what apply could not settle
itself: an object whose create had an unknown outcome and could not be found.`,
		Example: `  onboard state list --state examples/onboard.state
  onboard state show customer.acme
  onboard state import customer.acme 101
  onboard state rm customer.acme.file.main-2026`,
		// Without a Run, cobra would print the help and exit 0 for a
		// mistyped subcommand (`onboard state lst`).
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) == 0 {
				return c.Help()
			}
			hint := ""
			if s := c.SuggestionsFor(args[0]); len(s) > 0 {
				hint = "; did you mean " + strings.Join(s, " or ") + "?"
			}
			return usagef("unknown command %q for %q%s (see '%s --help')", args[0], c.CommandPath(), hint, c.CommandPath())
		},
	}
	c.PersistentFlags().StringVar(&stateFlag, "state", "", stateFlagHelp)
	c.SuggestionsMinimumDistance = 2

	listOpts := &stateListOptions{}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the objects in the state",
		Example: `  onboard state list
  onboard state list --state postgres://ci@db.internal/onboard -o json`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if err := checkOutput(listOpts.output, textOrJSON); err != nil {
				return err
			}
			listOpts.statePath = statePath
			return r.list(c.Context(), listOpts)
		},
	}
	list.Flags().StringVarP(&listOpts.output, "output", "o", "text", "text, or json (one object: the state's lineage, serial, API and objects)")
	show := &cobra.Command{
		Use:     "show ADDRESS",
		Short:   "Show one object of the state",
		Example: "  onboard state show customer.acme",
		Args:    exactArgs(1, "ADDRESS"),
		RunE: func(c *cobra.Command, args []string) error {
			return r.show(c.Context(), &stateShowOptions{statePath: statePath, addr: args[0]})
		},
	}
	rm := &cobra.Command{
		Use:   "rm ADDRESS",
		Short: "Forget an object (nothing is deleted in BlueRockTEL)",
		Long: `rm removes an address from the state; the object in BlueRockTEL is untouched.
The next apply creates it again unless it is looked up first (--adopt), so use
it when the object does not exist, e.g. after checking an unknown outcome.`,
		Example: "  onboard state rm customer.acme.file.main-2026.licence.seats",
		Args:    exactArgs(1, "ADDRESS"),
		RunE: func(c *cobra.Command, args []string) error {
			return r.rm(c.Context(), &stateRmOptions{statePath: statePath, addr: args[0]})
		},
	}
	imp := &cobra.Command{
		Use:   "import ADDRESS ID",
		Short: "Record that an existing BlueRockTEL object is the one at ADDRESS",
		Long: `import adopts one object by hand: the next plan takes it as matching the
manifest and apply builds on its id. Use it when apply stopped on an unknown
outcome and you found the object in BlueRockTEL.`,
		Example: "  onboard state import customer.acme 101 --state customers/onboard.state",
		Args:    exactArgs(2, "ADDRESS ID"),
		RunE: func(c *cobra.Command, args []string) error {
			kind, err := manifest.KindOf(args[0])
			if err != nil {
				return &usageError{err}
			}
			id, err := strconv.ParseInt(args[1], 10, 64)
			if err != nil || id <= 0 {
				return usagef("ID must be a positive whole number, not %q", args[1])
			}
			return r.imp(c.Context(), &stateImportOptions{statePath: statePath, addr: args[0], kind: kind, id: id})
		},
	}
	c.AddCommand(list, show, rm, imp, newStateMigrateCmd(&statePath, r.migrate), newStateHistoryCmd(a, &statePath))
	return c
}

// runStateList is onboard state list.
func (a *app) runStateList(_ context.Context, opts *stateListOptions) error {
	st, err := readState(a, opts.statePath)
	if err != nil {
		return err
	}
	if opts.output == "json" {
		return writeStateJSON(a, st)
	}
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ADDRESS\tKIND\tID\tSTATUS")
	for _, o := range st.Sorted() {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", o.Addr, o.Kind, idText(o), o.Status)
	}
	return tw.Flush()
}

// runStateShow is onboard state show ADDRESS.
func (a *app) runStateShow(_ context.Context, opts *stateShowOptions) error {
	statePath, addr := opts.statePath, opts.addr
	st, err := readState(a, statePath)
	if err != nil {
		return err
	}
	o := st.Get(addr)
	if o == nil {
		return fmt.Errorf("%s is not in the state %s%s", addr, pgstate.Redact(statePath), suggestAddr(st, addr))
	}
	fmt.Fprintf(a.stdout, "address: %s\nkind:    %s\nid:      %s\nstatus:  %s\nhash:    %s\nwritten: %s\n",
		o.Addr, o.Kind, idText(o), o.Status, o.Hash, o.Time.Format(time.RFC3339))
	if o.File != "" {
		fmt.Fprintf(a.stdout, "file:    %s\n", o.File)
	}
	if o.Ended != "" {
		fmt.Fprintf(a.stdout, "ended:   %s (by a removed: entry; no longer declared)\n", o.Ended)
	}
	writeMap(a, "returned", o.Returned)
	writeMap(a, "sent", o.Spec)
	return nil
}

// runStateRm is onboard state rm ADDRESS.
func (a *app) runStateRm(_ context.Context, opts *stateRmOptions) error {
	statePath, addr := opts.statePath, opts.addr
	return editState(a, statePath, "onboard state rm", addr, func(s state.Backend) error {
		if s.State().Get(addr) == nil {
			return fmt.Errorf("%s is not in the state %s%s", addr, pgstate.Redact(statePath), suggestAddr(s.State(), addr))
		}
		return s.Remove(addr)
	}, "removed %s from the state (nothing was deleted in BlueRockTEL)", addr)
}

// runStateImport is onboard state import ADDRESS ID.
func (a *app) runStateImport(_ context.Context, opts *stateImportOptions) error {
	statePath, addr, kind, id := opts.statePath, opts.addr, opts.kind, opts.id
	return editState(a, statePath, "onboard state import", addr, func(s state.Backend) error {
		// A pending intent is what import settles; a created object
		// is not replaced silently.
		if o := s.State().Get(addr); o != nil && o.Status == state.StatusCreated && o.ID != id {
			return fmt.Errorf("%s is already in the state as %s #%d; if that is wrong, run `onboard state rm %s` first", addr, o.Kind, o.ID, addr)
		}
		return s.Put(state.Object{Addr: addr, Kind: string(kind), ID: id,
			Status: state.StatusCreated, Time: time.Now()})
	}, "imported %s as %s #%d", addr, kind, id)
}

// forceUnlockOptions are onboard force-unlock's inputs.
type forceUnlockOptions struct {
	statePath string
}

// newForceUnlockCmd builds onboard force-unlock; runF runs it
// (a.runForceUnlock unless a test checks the flags alone).
func newForceUnlockCmd(a *app, runF func(context.Context, *forceUnlockOptions) error) *cobra.Command {
	opts := &forceUnlockOptions{}
	if runF == nil {
		runF = a.runForceUnlock
	}
	c := &cobra.Command{
		Use:   "force-unlock",
		Short: "Remove the lock of a state file whose holder is gone",
		Long: `force-unlock removes the state lock and says who held it. A lock normally goes
away with its holder; use this only when its holder ran on another machine (a
shared file system) and is certainly no longer running.`,
		Example: "  onboard force-unlock --state customers/onboard.state",
		Args:    cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.statePath, "state", "", stateFlagHelp)
	return c
}

// runForceUnlock is onboard force-unlock.
func (a *app) runForceUnlock(_ context.Context, opts *forceUnlockOptions) error {
	statePath, err := stateLocation(opts.statePath, nil)
	if err != nil {
		return err
	}
	if pgstate.IsURL(statePath) {
		fmt.Fprintln(a.stdout, "a PostgreSQL state's locks die with their holder's session: there is nothing to unlock")
		return nil
	}
	info, err := state.ForceUnlock(statePath)
	if errors.Is(err, state.ErrNotLocked) || (err == nil && info == nil) {
		fmt.Fprintf(a.stdout, "%s was not locked\n", statePath)
		return nil
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "removed the lock of %s held by pid %d on %s (%s) since %s\n",
		statePath, info.PID, info.Host, info.Command, info.Started.Format(time.RFC3339))
	return nil
}

// readState reads a state for list and show. Unlike plan, they refuse a
// missing file: an empty listing would hide a wrong --state.
func readState(a *app, loc string) (*state.State, error) {
	st, warnings, err := readStateAt(loc, false)
	if err != nil {
		return nil, err
	}
	for _, w := range warnings {
		fmt.Fprintf(a.stderr, "warning: %s\n", w)
	}
	return st, nil
}

// editState changes the state under its lock (for a shared state, the
// lock of the address's customer or catalog object).
func editState(a *app, loc, command, addr string, edit func(state.Backend) error, done string, args ...any) error {
	s, err := openState(loc, state.Options{Command: command})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Lock(context.Background(), []string{state.ScopeOf(addr)}, 0); err != nil {
		return err
	}
	if err := edit(s); err != nil {
		return err
	}
	if err := s.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, done+"\n", args...)
	return nil
}

// suggestAddr offers the addresses closest to a mistyped one: those it
// is a prefix of (or that are a prefix of it), else those a few edits
// away.
func suggestAddr(st *state.State, addr string) string {
	type cand struct {
		addr string
		dist int
	}
	var near []cand
	maxDist := max(2, len(addr)/5)
	for _, o := range st.Sorted() {
		switch {
		case strings.HasPrefix(o.Addr, addr) || strings.HasPrefix(addr, o.Addr):
			near = append(near, cand{o.Addr, 0})
		default:
			if d := manifest.EditDistance([]rune(addr), []rune(o.Addr), maxDist+1); d <= maxDist {
				near = append(near, cand{o.Addr, d})
			}
		}
	}
	sort.SliceStable(near, func(i, j int) bool { return near[i].dist < near[j].dist })
	if len(near) == 0 || (len(near) > 5 && near[0].dist == 0) {
		return " (see `onboard state list`)"
	}
	names := make([]string, 0, 3)
	for _, c := range near[:min(3, len(near))] {
		names = append(names, c.addr)
	}
	return "; did you mean " + strings.Join(names, " or ") + "?"
}

func idText(o *state.Object) string {
	if o.ID == 0 {
		return "-"
	}
	return strconv.FormatInt(o.ID, 10)
}

func writeMap(a *app, title string, m map[string]string) {
	if len(m) == 0 {
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	fmt.Fprintf(a.stdout, "%s:\n", title)
	for _, k := range keys {
		fmt.Fprintf(a.stdout, "  %s: %s\n", k, m[k])
	}
}

func exactArgs(n int, names string) cobra.PositionalArgs {
	return func(c *cobra.Command, args []string) error {
		if len(args) != n {
			return usagef("usage: %s %s (see '%s --help')", c.CommandPath(), names, c.CommandPath())
		}
		return nil
	}
}
