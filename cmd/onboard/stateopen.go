package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"

	"github.com/onboardhq/onboard/pkg/manifest"
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
	return scopes
}
