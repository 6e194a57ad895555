package main

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// stateMigrateOptions are onboard state migrate's inputs.
type stateMigrateOptions struct {
	statePath string
	to        string
}

// newStateMigrateCmd builds onboard state migrate, of the state the
// parent's --state resolves to (statePath); runF runs it.
func newStateMigrateCmd(statePath *string, runF func(context.Context, *stateMigrateOptions) error) *cobra.Command {
	opts := &stateMigrateOptions{}
	c := &cobra.Command{
		Use:   "migrate --to LOCATION",
		Short: "Copy the state into another backend (e.g. a shared PostgreSQL state)",
		Long: `migrate copies the state (--state, or the project's) into an empty state at
--to, lineage, serial and API binding included, while holding the source's
lock so that no apply changes it meanwhile. The source is left as it is:
point every runner at the new location (--state, ONBOARD_STATE, or the
project file), then remove the old one.`,
		Example: `  onboard state migrate --to 'postgres://onboard@db.internal/onboard?state=prod'
  PGPASSWORD=... onboard state migrate --state customers/onboard.state --to postgres://onboard@db/onboard`,
		Args: cobra.NoArgs,
		RunE: func(c *cobra.Command, _ []string) error {
			if opts.to == "" {
				return usagef("state migrate needs --to LOCATION (a postgres:// URL or a file)")
			}
			if opts.to == *statePath || pgstate.Redact(opts.to) == pgstate.Redact(*statePath) {
				return usagef("--to is the state itself (%s)", pgstate.Redact(opts.to))
			}
			opts.statePath = *statePath
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.to, "to", "", "the new state: a postgres:// URL (password from the URL or $PGPASSWORD) or a file")
	return c
}

// runStateMigrate is onboard state migrate: copy the state into another
// backend.
func (a *app) runStateMigrate(_ context.Context, opts *stateMigrateOptions) error {
	statePath, to := opts.statePath, opts.to
	src, err := openState(statePath, state.Options{Command: "onboard state migrate"})
	if err != nil {
		return err
	}
	defer src.Close()
	st := src.State()
	dst, err := openState(to, state.Options{Command: "onboard state migrate"})
	if err != nil {
		return err
	}
	defer dst.Close()
	r, ok := dst.(state.Restorer)
	if !ok {
		return fmt.Errorf("state %s cannot be migrated into", dst.Location())
	}
	if err := r.Restore(st.Meta, st.Sorted(), st.History); err != nil {
		return fmt.Errorf("migrate into %s: %w", dst.Location(), err)
	}
	if err := dst.Close(); err != nil {
		return err
	}
	fmt.Fprintf(a.stdout, "migrated %d objects from %s to %s (lineage %s, serial %d)\n",
		st.Len(), src.Location(), dst.Location(), st.Meta.Lineage, st.Meta.Serial)
	fmt.Fprintf(a.stdout, "from now on use --state %s (or ONBOARD_STATE, or `state:` in onboard.project), then remove %s\n",
		dst.Location(), src.Location())
	return nil
}

// stateJSON is `state list -o json`, format_version 1.
type stateJSON struct {
	FormatVersion int          `json:"format_version"`
	Lineage       string       `json:"lineage"`
	Serial        int64        `json:"serial"`
	API           string       `json:"api,omitempty"`
	Objects       []objectJSON `json:"objects"`
}

type objectJSON struct {
	Address  string            `json:"address"`
	Kind     string            `json:"kind"`
	ID       int64             `json:"id,omitempty"`
	Status   state.Status      `json:"status"`
	Hash     string            `json:"hash,omitempty"`
	Returned map[string]string `json:"returned,omitempty"`
	Written  time.Time         `json:"written"`
}

func writeStateJSON(a *app, st *state.State) error {
	out := stateJSON{FormatVersion: 1, Lineage: st.Meta.Lineage, Serial: st.Meta.Serial, API: st.Meta.API, Objects: []objectJSON{}}
	for _, o := range st.Sorted() {
		out.Objects = append(out.Objects, objectJSON{Address: o.Addr, Kind: o.Kind, ID: o.ID, Status: o.Status,
			Hash: o.Hash, Returned: o.Returned, Written: o.Time.UTC().Truncate(time.Millisecond)})
	}
	enc := json.NewEncoder(a.stdout)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
