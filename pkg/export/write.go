package export

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

// States returns the state records of an export: for each object, its id
// and the spec and hash plan.Compile computes for the exported manifests
// (set, as loaded from the written files), so that a plan of them against
// these records has nothing to do.
func States(set *manifest.Set, res *Result, now time.Time) ([]state.Object, error) {
	p, err := plan.Compile(set, nil, plan.Options{})
	if err != nil {
		return nil, fmt.Errorf("compile the export: %w", err)
	}
	objects := 0
	for _, s := range p.Steps {
		if s.Of == "" {
			objects++
		}
	}
	if objects != len(res.IDs) {
		return nil, fmt.Errorf("the export declares %d objects, %d were exported", objects, len(res.IDs))
	}
	out := make([]state.Object, 0, len(p.Steps))
	for _, s := range p.Steps {
		// A follow-up (a file's contact links and billing dates) is
		// recorded under the id of the object it PUTs to.
		owner := s.Addr
		if s.Of != "" {
			owner = s.Of
		}
		id, ok := res.IDs[owner]
		if !ok {
			return nil, fmt.Errorf("the export declares %s, which was not exported", s.Addr)
		}
		out = append(out, state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: id, Status: state.StatusCreated,
			Hash: s.Hash, Spec: s.Spec, Returned: res.Returned[s.Addr], Time: now})
	}
	return out, nil
}

// stageWriters bounds the files written at once.
const stageWriters = 16

// Stage writes files into a new hidden directory beside out (so that
// Publish is a rename on one file system), and returns it.
func Stage(out string, files []File) (string, error) {
	parent := filepath.Dir(filepath.Clean(out))
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	dir, err := os.MkdirTemp(parent, "."+filepath.Base(filepath.Clean(out))+".export-")
	if err != nil {
		return "", fmt.Errorf("export: %w", err)
	}
	if err := os.Chmod(dir, 0o755); err != nil {
		os.RemoveAll(dir)
		return "", fmt.Errorf("export: %w", err)
	}
	// Files are written and fsynced in parallel: their syncs share the
	// file system's journal commits, where one after another cost a
	// commit each.
	dirs := map[string]bool{}
	for _, f := range files {
		d := filepath.Dir(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if !dirs[d] {
			dirs[d] = true
			if err := os.MkdirAll(d, 0o755); err != nil {
				os.RemoveAll(dir)
				return "", fmt.Errorf("export: %w", err)
			}
		}
	}
	var g errgroup.Group
	g.SetLimit(stageWriters)
	for _, f := range files {
		g.Go(func() error { return writeFile(filepath.Join(dir, filepath.FromSlash(f.Path)), f.Data) })
	}
	if err := g.Wait(); err != nil {
		os.RemoveAll(dir)
		return "", err
	}
	for d := range dirs {
		syncDir(d)
	}
	return dir, nil
}

func writeFile(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return fmt.Errorf("export: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("export: write %s: %w", p, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("export: write %s: %w", p, err)
	}
	return f.Close()
}

// Publish makes the staged directory out, atomically: a rename. An
// existing out is replaced only with replace (it is renamed aside first,
// then removed).
func Publish(staged, out string, replace bool) error {
	out = filepath.Clean(out)
	_, err := os.Lstat(out)
	exists := err == nil
	if exists && !replace {
		return fmt.Errorf("export: %s already exists", out)
	}
	var old string
	if exists {
		old = staged + ".old"
		if err := os.Rename(out, old); err != nil {
			return fmt.Errorf("export: move the previous %s aside: %w", out, err)
		}
	}
	if err := os.Rename(staged, out); err != nil {
		if old != "" {
			_ = os.Rename(old, out) // put it back; the rename error is the one to report
		}
		return fmt.Errorf("export: %w", err)
	}
	syncDir(filepath.Dir(out))
	if old != "" {
		if err := os.RemoveAll(old); err != nil {
			return fmt.Errorf("export: remove the previous %s (now %s): %w", out, old, err)
		}
	}
	return nil
}

// syncDir makes a rename in dir durable; best effort (not every file
// system syncs directories).
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
