package export

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/state"
)

// WriteOptions say where a built export goes.
type WriteOptions struct {
	// Out is the manifests' directory. An existing one is replaced: the
	// caller has checked that it may be.
	Out string
	// State is the state file to write. Inside Out it is published with
	// the manifests; elsewhere it is renamed into place after them.
	State string
	// API is the base URL the state is bound to.
	API string
	// Now stamps the state's records.
	Now time.Time
}

// InvalidError is Write's refusal of an export whose manifests do not
// validate as plan would load them (BlueRockTEL holds objects onboard
// cannot tell apart or does not accept). Its diagnostics name the files
// as they would have been written under Out. Nothing was written.
type InvalidError struct {
	Diagnostics []manifest.Diagnostic
}

func (e *InvalidError) Error() string {
	return fmt.Sprintf("%d problem(s) in the exported manifests", len(e.Diagnostics))
}

// Write writes a built export: the manifests staged beside Out, loaded
// and validated as plan will load them, their state computed (States) and
// written, then both published. Nothing is left behind unless all of it
// is: a failure, or ctx cancelled before publishing, removes what was
// staged, and the error wraps ctx's.
func Write(ctx context.Context, res *Result, opts WriteOptions) error {
	staged, err := Stage(opts.Out, res.Files)
	if err != nil {
		return err
	}
	published := false
	defer func() {
		if !published {
			os.RemoveAll(staged)
		}
	}()
	set, err := loadStaged(staged, opts.Out)
	if err != nil {
		return err
	}
	objs, err := States(set, res, opts.Now)
	if err != nil {
		return err
	}
	stagedState, inside := stagedStatePath(opts.State, opts.Out, staged)
	if err := writeState(stagedState, objs, opts.API); err != nil {
		return err
	}
	if !inside {
		defer os.Remove(stagedState)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if err := Publish(staged, opts.Out, true); err != nil {
		return err
	}
	published = true
	if !inside {
		if err := os.Rename(stagedState, opts.State); err != nil {
			return fmt.Errorf("export: write the state %s: %w", opts.State, err)
		}
	}
	return nil
}

// loadStaged loads the written manifests as plan will: an export that
// does not validate is an *InvalidError with the paths it would have had.
func loadStaged(staged, out string) (*manifest.Set, error) {
	set, err := manifest.Load(staged)
	if err == nil {
		return set, nil
	}
	var me *manifest.Error
	if errors.As(err, &me) {
		ie := &InvalidError{Diagnostics: make([]manifest.Diagnostic, len(me.Diagnostics))}
		for i, d := range me.Diagnostics {
			d.Pos.File = filepath.Join(out, strings.TrimPrefix(d.Pos.File, staged+string(filepath.Separator)))
			ie.Diagnostics[i] = d
		}
		return nil, ie
	}
	return nil, err
}

// stagedStatePath is where the state is written before it is published:
// inside the staged directory when it belongs in out (published with it),
// else beside its final place (renamed after the manifests).
func stagedStatePath(loc, out, staged string) (string, bool) {
	absLoc, err1 := filepath.Abs(loc)
	absOut, err2 := filepath.Abs(out)
	if err1 == nil && err2 == nil {
		if rel, err := filepath.Rel(absOut, absLoc); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return filepath.Join(staged, rel), true
		}
	}
	return filepath.Join(filepath.Dir(loc), "."+filepath.Base(loc)+".export"), false
}

// stateWriters journal the export's records concurrently.
const stateWriters = 32

// writeState writes a new state at path holding objs, bound to api. A
// failure to bind wraps the state's error (*state.APIMismatchError).
func writeState(path string, objs []state.Object, api string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("export: %w", err)
	}
	_ = os.Remove(path) // a leftover of an interrupted export
	// The state is staged, not yet where any run looks: its records need
	// no fsync each. The finished file is fsynced once, before it is
	// published.
	store, err := state.Open(path, state.Options{Command: "onboard export", NoSync: true})
	if err != nil {
		return err
	}
	if err := store.BindAPI(api, false); err != nil {
		store.Close()
		return err
	}
	var g errgroup.Group
	g.SetLimit(stateWriters)
	for _, o := range objs {
		g.Go(func() error { return store.Put(o) })
	}
	werr := g.Wait()
	if err := store.Close(); werr == nil && err != nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("export: write the state: %w", werr)
	}
	return syncFile(path)
}

// syncFile makes a written file durable.
func syncFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return fmt.Errorf("export: write the state: %w", err)
	}
	defer f.Close()
	if err := f.Sync(); err != nil {
		return fmt.Errorf("export: write the state: %w", err)
	}
	return nil
}
