package plan

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/state"
)

// scope is a plan limited by --target: the targets, what they contain
// and (for declared objects) what they need. A nil scope is everything.
type scope struct {
	targets []string
	in      map[string]bool // declared steps in scope, dependencies included
}

// TargetError: a --target matches nothing the plan could act on.
type TargetError struct{ Addr string }

func (e *TargetError) Error() string {
	return fmt.Sprintf("target %s is not declared, not in the state and not decided by a removed: entry", e.Addr)
}

func newScope(targets []string, p *Plan, set *manifest.Set, st *state.State) (*scope, error) {
	if len(targets) == 0 {
		return nil, nil
	}
	sc := &scope{targets: targets, in: map[string]bool{}}
	for _, t := range targets {
		if _, err := manifest.KindOf(t); err != nil {
			return nil, err
		}
		found := false
		for _, s := range p.Steps {
			found = found || covered(t, s.Addr)
		}
		for addr := range st.Objects {
			found = found || covered(t, addr)
		}
		for _, r := range set.Removed {
			found = found || covered(t, r.Addr) || r.Covers(t)
		}
		if !found {
			return nil, &TargetError{Addr: t}
		}
	}
	var add func(addr string)
	add = func(addr string) {
		if sc.in[addr] {
			return
		}
		sc.in[addr] = true
		if s := p.ByAddr[addr]; s != nil {
			for _, d := range s.Deps {
				add(d)
			}
		}
	}
	for _, s := range p.Steps {
		if sc.covers(s.Addr) || (s.Of != "" && sc.covers(s.Of)) {
			add(s.Addr)
		}
	}
	// What an object the targets cover refers to in its record (a line's
	// item), also when the manifests no longer declare it: the money of
	// its end needs the item's price.
	for addr, o := range st.Objects {
		if !sc.covers(addr) {
			continue
		}
		for _, v := range o.Spec {
			if ref, ok := strings.CutPrefix(v, "@"); ok && !strings.Contains(ref, ",") && p.ByAddr[ref] != nil {
				add(ref)
			}
		}
	}
	return sc, nil
}

// covered reports whether target covers addr: the address itself or one
// nested in it.
func covered(target, addr string) bool {
	return addr == target || strings.HasPrefix(addr, target+".")
}

// covers reports whether addr is covered by a target (true without
// targets).
func (sc *scope) covers(addr string) bool {
	if sc == nil {
		return true
	}
	return slices.ContainsFunc(sc.targets, func(t string) bool { return covered(t, addr) })
}

// filter keeps the declared steps in scope.
func (sc *scope) filter(p *Plan) {
	kept := p.Steps[:0]
	for _, s := range p.Steps {
		if sc.in[s.Addr] {
			kept = append(kept, s)
		} else {
			delete(p.ByAddr, s.Addr)
		}
	}
	p.Steps = kept
}

// declared returns the steps of declared objects, endsOf the end steps.
func declared(steps []*Step) []*Step {
	var out []*Step
	for _, s := range steps {
		if !s.Action.Ends() {
			out = append(out, s)
		}
	}
	return out
}

func endsOf(steps []*Step) []*Step {
	var out []*Step
	for _, s := range steps {
		if s.Action.Ends() {
			out = append(out, s)
		}
	}
	return out
}

// groupTitle names a customer no longer declared, from its record.
func groupTitle(st *state.State, group string) string {
	kind, name, _ := strings.Cut(group, ".")
	t := strings.ToUpper(kind[:1]) + kind[1:]
	if o := st.Objects[group]; o != nil && o.Spec["name"] != "" {
		return fmt.Sprintf("%s %s (%s)", t, name, o.Spec["name"])
	}
	return t + " " + name
}

// today is Options.Today, or the system's date.
func today(opts Options) string {
	if opts.Today != "" {
		return opts.Today
	}
	return time.Now().Format(time.DateOnly)
}

// relFile is a manifest file relative to root (slash-separated), as
// recorded in the state; as given when root is "" or the file is
// outside it.
func relFile(root, file string) string {
	if root == "" || file == "" {
		return filepath.ToSlash(file)
	}
	abs, err := filepath.Abs(file)
	if err != nil {
		return filepath.ToSlash(file)
	}
	rel, err := filepath.Rel(root, abs)
	if err != nil || strings.HasPrefix(rel, "..") {
		return filepath.ToSlash(abs)
	}
	return filepath.ToSlash(rel)
}

// fileSet is the set's files as recorded in the state.
func fileSet(set *manifest.Set, root string) map[string]bool {
	if len(set.Files) == 0 {
		return nil // a set made in memory (tests): every file
	}
	m := make(map[string]bool, len(set.Files))
	for _, f := range set.Files {
		m[relFile(root, f)] = true
	}
	return m
}
