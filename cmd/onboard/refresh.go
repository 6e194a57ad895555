package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/planrender"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// refreshMode is what a plan reads from BlueRockTEL before it compares.
type refreshMode string

// Refresh modes. "true" and "false", the flag's values before modes, are
// kept as all and none.
const (
	// refreshAll reads every object the state knows.
	refreshAll refreshMode = "all"
	// refreshChanged reads only the objects whose manifests differ from
	// the state, and what they depend on: a merge request that edits one
	// customer of 10,000 costs a handful of requests.
	refreshChanged refreshMode = "changed"
	// refreshNone trusts the state and sends nothing.
	refreshNone refreshMode = "none"
)

// parseRefreshMode reads a mode as the flag and the project file write it.
func parseRefreshMode(s string) (refreshMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "all", "true":
		return refreshAll, nil
	case "changed":
		return refreshChanged, nil
	case "none", "false":
		return refreshNone, nil
	}
	return "", fmt.Errorf("refresh must be all, changed or none, not %q", s)
}

// String implements pflag.Value.
func (m *refreshMode) String() string { return string(*m) }

// Set implements pflag.Value.
func (m *refreshMode) Set(s string) error {
	v, err := parseRefreshMode(s)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// Type implements pflag.Value.
func (m *refreshMode) Type() string { return "all|changed|none" }

// refreshFlags configure the read of BlueRockTEL before a plan.
type refreshFlags struct {
	mode refreshMode
	only bool
	fs   *pflag.FlagSet
}

func (f *refreshFlags) register(fs *pflag.FlagSet, verb string) {
	f.mode, f.fs = refreshAll, fs
	fs.Var(&f.mode, "refresh", "what to read from BlueRockTEL first, to see what changed there: all the objects the state knows, "+
		"only those whose manifests `changed` (and what they need), or none (trust the state, send nothing); "+
		"default all, or the project file's `refresh:`")
	fs.BoolVar(&f.only, "refresh-only", false, verb)
}

// resolve settles the mode: the flag when given, else the project file's
// `refresh:` for the manifests at paths, else all.
func (f *refreshFlags) resolve(paths []string) error {
	if f.fs != nil && f.fs.Changed("refresh") {
		return nil
	}
	m, err := projectRefreshMode(paths)
	if err != nil {
		return err
	}
	if m != "" {
		f.mode = m
	}
	return nil
}

// scope lists the addresses a refresh reads (nil: every object the state
// knows), computed only in changed mode.
type scope func() (map[string]bool, error)

// changedScope is what --refresh=changed reads: the plan made from the
// state alone says which objects differ from it, and what they need.
func changedScope(set *manifest.Set, st *state.State, opts plan.Options) scope {
	return func() (map[string]bool, error) {
		opts.Live, opts.Existing = nil, nil
		p, err := plan.Compile(set, st, opts)
		if err != nil {
			return nil, err
		}
		return p.ReadScope(), nil
	}
}

// refreshLive reads from BlueRockTEL, in bulk, the objects st knows (in
// changed mode, only those within scope) and the objects the manifests
// refer to by id (refs; nil: none to check). With refresh off it reads
// nothing and returns nil, nil: the ids are then not checked here (apply
// checks those it sends). client is built from cf when nil.
func (a *app) refreshLive(ctx context.Context, f *refreshFlags, cf *clientFlags, client *bluerocktel.Client, st *state.State, parallelism int, within scope, refs []plan.Reference) (map[string]*refresh.Live, plan.Existing, error) {
	if f.mode == refreshNone && !f.only {
		if len(refs) > 0 {
			fmt.Fprintf(a.stderr, "note: %d id(s) the manifests refer to were not checked (no refresh); apply checks them before its first write\n", len(refs))
		}
		return nil, nil, nil
	}
	known := refresh.KnownFrom(st)
	all := len(known)
	if f.mode == refreshChanged && !f.only && within != nil {
		wanted, err := within()
		if err != nil {
			return nil, nil, err
		}
		kept := known[:0:0]
		for _, k := range known {
			if wanted[k.Addr] {
				kept = append(kept, k)
			}
		}
		known = kept
	}
	return a.readAPI(ctx, cf, client, known, refs, parallelism, readOptions{stateKnows: all})
}

// writeRefreshChanges lists what a refresh-only run records.
func writeRefreshChanges(w io.Writer, changes []refresh.Changed) {
	if len(changes) == 0 {
		fmt.Fprintln(w, "No changes in BlueRockTEL: the state matches what it holds.")
		return
	}
	fmt.Fprintln(w, "Changed in BlueRockTEL since onboard last wrote the state:")
	for _, c := range changes {
		title := string(c.Kind)
		if spec := resource.Get(c.Kind); spec != nil {
			title = spec.Title
		}
		if c.Gone {
			fmt.Fprintf(w, "  - %s %s #%d: gone from BlueRockTEL\n", title, c.Addr, c.ID)
			continue
		}
		fmt.Fprintf(w, "  ~ %s %s #%d\n", title, c.Addr, c.ID)
		for _, d := range c.Drift {
			fmt.Fprintf(w, "      %s: %s (state) -> %s (in BlueRockTEL)\n", d.Wire, planrender.OrNone(d.Recorded), planrender.OrNone(d.Live))
		}
	}
	fmt.Fprintf(w, "\n%d object(s) changed in BlueRockTEL.\n", len(changes))
}

// recordRefresh writes the changes into the state: a gone object leaves
// it, a drifted one gets BlueRockTEL's values. Nothing is sent.
func recordRefresh(store state.Backend, changes []refresh.Changed) error {
	for _, c := range changes {
		if c.Gone {
			if err := store.Remove(c.Addr); err != nil {
				return fmt.Errorf("record %s as gone: %w", c.Addr, err)
			}
			continue
		}
		o, ok := store.Get(c.Addr)
		if !ok {
			continue
		}
		o.Spec, o.Hash, o.Time = c.Spec, c.Hash, time.Now()
		if err := store.Put(o); err != nil {
			return fmt.Errorf("record %s: %w", c.Addr, err)
		}
	}
	return nil
}

// refreshOnlyPlan is plan --refresh-only: what changed in BlueRockTEL.
func (a *app) refreshOnlyPlan(ctx context.Context, paths []string, f *planFlags, rf *refreshFlags, cf *clientFlags, parallelism int, detailedEC bool) error {
	readOnlyGC()
	statePath, err := f.path(paths)
	if err != nil {
		return err
	}
	st, err := readState(a, statePath)
	if err != nil {
		return err
	}
	if err := f.checkAPI(statePath, st); err != nil {
		return err
	}
	live, _, err := a.refreshLive(ctx, rf, cf, nil, st, parallelism, nil, nil)
	if err != nil {
		return err
	}
	changes := refresh.Changes(st, live)
	writeRefreshChanges(a.stdout, changes)
	if detailedEC && len(changes) > 0 {
		return &exitError{code: exitChanges}
	}
	return nil
}

// refreshOnlyApply is apply --refresh-only: the state takes what
// BlueRockTEL holds now, for teams that accept a change made there.
// Nothing is sent but the reads.
func (a *app) refreshOnlyApply(ctx context.Context, rf *refreshFlags, cf *clientFlags, client *bluerocktel.Client, store state.Backend, parallelism int, autoApprove bool) error {
	live, _, err := a.refreshLive(ctx, rf, cf, client, store.State(), parallelism, nil, nil)
	if err != nil {
		return err
	}
	changes := refresh.Changes(store.State(), live)
	writeRefreshChanges(a.stdout, changes)
	if len(changes) == 0 {
		return store.Close()
	}
	if !autoApprove {
		if !a.interactive() {
			return usagef("apply --refresh-only asks for confirmation, and this is not a terminal: pass --auto-approve")
		}
		if !confirm(a.stdin, a.stderr) {
			return &exitError{code: exitFailure, err: fmt.Errorf("cancelled; the state was not changed")}
		}
	}
	if err := recordRefresh(store, changes); err != nil {
		return err
	}
	if err := store.Close(); err != nil {
		return fmt.Errorf("write state %s: %w", store.Location(), err)
	}
	fmt.Fprintf(a.stdout, "Recorded %d change(s) in the state %s; BlueRockTEL was not changed.\n", len(changes), store.Location())
	return nil
}
