package main

import (
	"context"
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/planrender"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// refreshFlags configure the read of BlueRockTEL before a plan.
type refreshFlags struct {
	enabled bool
	only    bool
}

func (f *refreshFlags) register(fs *pflag.FlagSet, verb string) {
	fs.BoolVar(&f.enabled, "refresh", true, "read the objects the state knows from BlueRockTEL first, to see what changed there (--refresh=false trusts the state and sends nothing)")
	fs.BoolVar(&f.only, "refresh-only", false, verb)
}

// refreshLive reads from BlueRockTEL the objects st knows, in bulk; nil
// (and no request) when refresh is off or st knows none. client is built
// from cf when nil.
func (a *app) refreshLive(ctx context.Context, f *refreshFlags, cf *clientFlags, client *bluerocktel.Client, st *state.State, parallelism int) (map[string]*refresh.Live, error) {
	if !f.enabled && !f.only {
		return nil, nil
	}
	live, _, err := a.readAPI(ctx, cf, client, refresh.KnownFrom(st), nil, parallelism)
	return live, err
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
func (a *app) refreshOnlyPlan(c *cobra.Command, paths []string, f *planFlags, rf *refreshFlags, cf *clientFlags, parallelism int, detailedEC bool) error {
	readOnlyGC()
	statePath, err := f.path(paths)
	if err != nil {
		return err
	}
	st, err := readState(a, statePath)
	if err != nil {
		return err
	}
	live, err := a.refreshLive(c.Context(), rf, cf, nil, st, parallelism)
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
	live, err := a.refreshLive(ctx, rf, cf, client, store.State(), parallelism)
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
