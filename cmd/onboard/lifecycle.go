package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"golang.org/x/sync/errgroup"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

// todayEnv sets the date plan checks commitments against (YYYY-MM-DD),
// for reproducible plans and tests; the system's date otherwise.
const todayEnv = "ONBOARD_TODAY"

const targetHelp = "plan only this address, what it contains and what it needs (repeatable); nothing outside it is planned or reported as orphaned"

// registerTarget adds --target to plan and apply.
func (f *planFlags) registerTarget(fs *pflag.FlagSet) {
	fs.StringArrayVar(&f.targets, "target", nil, targetHelp)
}

// options are the plan options of a command whose state is at statePath.
func (f *planFlags) options(statePath string, paths []string) (plan.Options, error) {
	opts := plan.Options{Adopt: f.adopt, Targets: f.targets, Root: projectRoot(statePath, paths)}
	for _, t := range f.targets {
		if _, err := manifest.KindOf(t); err != nil {
			return opts, usagef("--target: %v", err)
		}
	}
	if d := strings.TrimSpace(os.Getenv(todayEnv)); d != "" {
		if _, err := time.Parse(time.DateOnly, d); err != nil {
			return opts, usagef("%s=%q is not a date written YYYY-MM-DD", todayEnv, d)
		}
		opts.Today = d
	}
	return opts, nil
}

// projectRoot is the directory the state records manifest files relative
// to: the state file's, or for a database the common root of the
// manifests given (run plans of a database state from the same place).
func projectRoot(statePath string, paths []string) string {
	if statePath != "" && !isURL(statePath) {
		if abs, err := filepath.Abs(statePath); err == nil {
			return filepath.Dir(abs)
		}
	}
	root, err := commonRoot(paths)
	if err != nil {
		return ""
	}
	if loc, err := findProjectState(root); err == nil && loc != "" && !isURL(loc) {
		return filepath.Dir(loc)
	}
	return root
}

// recordFiles records the manifest file of objects the plan leaves as
// they are, where the state does not know it yet (states written before
// it was recorded) or the object moved to another file: a plan of some
// of the files then reports the orphans of those files only.
//
// The records are written side by side: the journal commits what is
// queued together with one fsync (group commit), where one record after
// the other paid an fsync each (4,002 moved objects: about a second
// before the first request).
func recordFiles(p *plan.Plan, store state.Backend) error {
	var g errgroup.Group
	g.SetLimit(64)
	for _, s := range p.Steps {
		e := s.Existing
		if s.Action != plan.NoOp || s.Imported || e == nil || s.File == "" || e.File == s.File ||
			e.Status != state.StatusCreated || e.ID == 0 {
			continue
		}
		o := *e
		o.File, o.Time = s.File, time.Now()
		g.Go(func() error {
			if err := store.Put(o); err != nil {
				return fmt.Errorf("record the file of %s: %w", o.Addr, err)
			}
			return nil
		})
	}
	return g.Wait()
}

// endsText is the end actions of an apply's summary, "" when none.
func endsText(res *apply.Result) string {
	var parts []string
	for _, e := range []struct {
		n    int
		verb string
	}{{res.Deactivated, "deactivated"}, {res.Stopped, "stopped"}, {res.Deleted, "deleted"}, {res.Forgotten, "forgotten"}} {
		if e.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", e.n, e.verb))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}

// orphansText is what an apply says of the orphans it leaves untouched.
func orphansText(n int) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf(" %d orphaned left untouched (decide with a removed: entry; see onboard plan).", n)
}

// endCounts is the end actions of a plan's counts for apply's first line.
func endCounts(c plan.Counts) string {
	var parts []string
	for _, e := range []struct {
		n    int
		verb string
	}{{c.Deactivate, "deactivate"}, {c.Stop, "stop"}, {c.Delete, "delete"}, {c.Forget, "forget"}} {
		if e.n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", e.n, e.verb))
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return ", " + strings.Join(parts, ", ")
}
