package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// openState opens the state at loc for writing: a PostgreSQL URL or a
// file path.
func openState(loc string, opts state.Options) (state.Backend, error) {
	if pgstate.IsURL(loc) {
		return pgstate.Open(context.Background(), loc, opts)
	}
	return state.Open(loc, opts)
}

// readStateAt reads the state at loc without locking; a missing one is
// empty. missingOK false refuses a missing file (the state commands: an
// empty listing would hide a wrong location).
func readStateAt(loc string, missingOK bool) (*state.State, []string, error) {
	if pgstate.IsURL(loc) {
		st, err := pgstate.Read(context.Background(), loc)
		return st, nil, err
	}
	if !missingOK {
		if _, err := os.Stat(loc); errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("no state file %s: run this in the project (the directory of the manifests or below), or pass --state or set ONBOARD_STATE", loc)
		}
	}
	return state.Read(loc)
}

// customerScopes are the lock scopes of a run over set: every customer it
// declares. Catalog objects are claimed one by one as they are created.
func customerScopes(set *manifest.Set) []string {
	var scopes []string
	for _, o := range set.Objects {
		if o.Customer() == o {
			scopes = append(scopes, state.ScopeOf(o.Addr))
		}
	}
	// An owner (customer, prospect) ended by a removed: entry is this
	// set's to change too.
	seen := map[string]bool{}
	for _, s := range scopes {
		seen[s] = true
	}
	for _, r := range set.Removed {
		if sc := state.ScopeOf(r.Addr); sc != r.Addr || resource.Get(r.Kind).Owner {
			if !seen[sc] {
				seen[sc] = true
				scopes = append(scopes, sc)
			}
		}
	}
	return scopes
}

// ownPart is what a run over set sees of a state shared by runners on
// other customers (PostgreSQL): the objects of set's customers and of the
// catalog objects it declares. The rest belongs to the other runners, not
// to the orphans of this set. A file state is the set's own, whole.
func ownPart(loc string, st *state.State, set *manifest.Set) *state.State {
	if !pgstate.IsURL(loc) {
		return st
	}
	scopes := map[string]bool{}
	for _, s := range customerScopes(set) {
		scopes[s] = true
	}
	own := &state.State{Objects: make(map[string]*state.Object, len(set.Objects)), Meta: st.Meta}
	for addr, o := range st.Objects {
		if scopes[state.ScopeOf(addr)] || set.ByAddr[addr] != nil || decidedIn(set, addr) {
			own.Objects[addr] = o
		}
	}
	return own
}

// lockWait tells, once per lock waited for, who holds it: a shared state's
// customer can be held by a runner on another machine.
func (a *app) lockWait(timeout time.Duration) func(*state.LockedError) {
	return func(e *state.LockedError) {
		who := "another run"
		if e.Holder != nil {
			who = e.Holder.Describe()
		}
		fmt.Fprintf(a.stderr, "waiting up to %s for %s, locked by %s\n", timeout, e.Scope, who)
	}
}

// decidedIn reports whether a removed: entry of set covers addr.
func decidedIn(set *manifest.Set, addr string) bool {
	for i := range set.Removed {
		if set.Removed[i].Covers(addr) {
			return true
		}
	}
	return false
}
