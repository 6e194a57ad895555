package main

// Acceptance tests of the shared PostgreSQL state (issue 13): runners on
// different customers of one catalog proceed in parallel and create every
// object once; a runner killed with kill -9 holds nothing; two runners on
// the same customers take turns.

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
	"github.com/onboardhq/onboard/pkg/state/pgstate/pgtest"
)

// The one PostgreSQL server of this test binary, started by the first test
// that needs it and stopped after the last (stopPGAfter).
var (
	pgOnce sync.Once
	pgSrv  *pgtest.Server
	pgErr  error
	pgN    int
	pgMu   sync.Mutex
)

// stopPGAfter runs the tests, then stops the server if one was started.
type stopPGAfter struct{ m *testing.M }

func (s stopPGAfter) Run() int {
	code := s.m.Run()
	if pgSrv != nil {
		pgSrv.Stop()
	}
	return code
}

// pgState returns the URL of a new, empty state in the shared server.
func pgState(t *testing.T) string {
	t.Helper()
	loc, err := newPGState()
	if err != nil {
		t.Fatalf("PostgreSQL: %v", err)
	}
	return loc
}

// cmdPGState sets $PGSTATE to a new, empty PostgreSQL state and $PGPASSWORD
// to the password in it, for the scripts to check it is never shown:
//
//	pgstate
func cmdPGState(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 0 {
		ts.Fatalf("usage: pgstate")
	}
	loc, err := newPGState()
	ts.Check(err)
	ts.Setenv("PGSTATE", loc)
	ts.Setenv("PGSTATE_PASSWORD", pgtest.Password)
}

func newPGState() (string, error) {
	pgOnce.Do(func() { pgSrv, pgErr = pgtest.Start() })
	if pgErr != nil {
		return "", pgErr
	}
	pgMu.Lock()
	pgN++
	n := pgN
	pgMu.Unlock()
	return pgSrv.StateURL(fmt.Sprintf("cmd%d", n)), nil
}

// teamSets writes n sets of per customers each, disjoint customers over
// the same catalog (the same local names, so one shared family and item),
// and returns their directories and the union set for the audit.
func teamSets(t *testing.T, n, per int) ([]string, *manifest.Set) {
	t.Helper()
	root := t.TempDir()
	var dirs, all []string
	for team := range n {
		dir := filepath.Join(root, fmt.Sprintf("team%d", team))
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, f := range generate.Files(per, int64(team+1)) {
			data := string(f.Data)
			if f.Name != "catalog.yaml" {
				r := strings.NewReplacer("  c-", fmt.Sprintf("  t%d-", team), "GEN", fmt.Sprintf("T%d", team),
					"Customer ", fmt.Sprintf("Customer %d-", team), "billing+c", fmt.Sprintf("billing+t%d-", team))
				data = r.Replace(data)
			}
			path := filepath.Join(dir, f.Name)
			if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
				t.Fatal(err)
			}
			if f.Name != "catalog.yaml" || team == 0 {
				all = append(all, path)
			}
		}
		dirs = append(dirs, dir)
	}
	return dirs, loadSet(t, all...)
}

func pgApplyArgs(dir, loc string, extra ...string) []string {
	return append([]string{"apply", "--auto-approve", dir, "--state", loc, "--rate", "0", "--parallelism", "8"}, extra...)
}

// checkPGState asserts that the shared state records every object of set
// as created, and agrees with the sandbox.
func checkPGState(t *testing.T, sb *e2eSandbox, loc string, set *manifest.Set) {
	t.Helper()
	st, err := pgstate.Read(t.Context(), loc)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range set.Objects {
		if so := st.Get(o.Addr); so == nil || so.ID == 0 {
			t.Errorf("the state does not record %s as created: %+v", o.Addr, so)
		}
	}
	if n := checkStateMatchesSandbox(t, sb, st); n != 0 {
		t.Errorf("%d objects in the sandbox are not in the state", n)
	}
}

func TestSharedStateFourRunners(t *testing.T) {
	const latency = 60 * time.Millisecond
	dirs, set := teamSets(t, 5, 100)

	// One apply alone, for the reference time.
	solo := startSandbox(t, sandbox.Options{Latency: latency})
	alone := runOnboard(t, solo.env(), pgApplyArgs(dirs[4], pgState(t))...)
	if alone.code != 0 {
		t.Fatalf("apply alone: %s", alone)
	}

	sb := startSandbox(t, sandbox.Options{Latency: latency})
	loc := pgState(t)
	start := time.Now()
	var procs []*proc
	for _, dir := range dirs[:4] {
		procs = append(procs, startOnboard(t, sb.env(), pgApplyArgs(dir, loc)...))
	}
	for i, p := range procs {
		if r := p.wait(); r.code != 0 || strings.Contains(r.stdout+r.stderr, pgtest.Password) {
			t.Fatalf("runner %d: %s", i, r)
		}
	}
	wall := time.Since(start)
	t.Logf("one apply alone: %s; four together: %s (%.2fx)", alone.took.Round(time.Millisecond), wall.Round(time.Millisecond), wall.Seconds()/alone.took.Seconds())
	if wall.Seconds() > 1.5*alone.took.Seconds() {
		t.Errorf("four runners took %s, more than 1.5x one alone (%s)", wall, alone.took)
	}
	// A rerun of one team: nothing to do, and the other teams' customers
	// are theirs, not orphans of this set.
	again := runOnboard(t, sb.env(), pgApplyArgs(dirs[1], loc)...)
	if again.code != 0 || !strings.Contains(again.stdout, "Nothing to do: 502 objects up to date.\n") {
		t.Fatalf("rerun of team 1: %s", again)
	}
	set4 := subset(t, set, 4)
	tl := verifyExactlyOnce(t, sb, set4)
	if tl.duplicates != 0 || tl.missing != 0 || tl.objects != len(set4.Objects) {
		t.Fatalf("audit: %+v, want %d objects exactly once", tl, len(set4.Objects))
	}
	checkPGState(t, sb, loc, set4)
}

// subset is set without the customers of teams >= n.
func subset(t *testing.T, set *manifest.Set, n int) *manifest.Set {
	t.Helper()
	var paths []string
	for _, f := range set.Files {
		keep := true
		for team := n; team < 10; team++ {
			if strings.Contains(f, fmt.Sprintf("team%d%c", team, filepath.Separator)) {
				keep = false
			}
		}
		if keep {
			paths = append(paths, f)
		}
	}
	return loadSet(t, paths...)
}

func TestSharedStateRunnerKilled(t *testing.T) {
	dirs, set := teamSets(t, 4, 100)
	sb := startSandbox(t, sandbox.Options{Latency: 30 * time.Millisecond})
	loc := pgState(t)
	var procs []*proc
	for _, dir := range dirs {
		procs = append(procs, startOnboard(t, sb.env(), pgApplyArgs(dir, loc)...))
	}
	// Kill runner 0 midway: once its customers are being created.
	if !waitFor(time.Minute, func() bool {
		return strings.Count(procs[0].stderrSoFar(), " created ") >= 150 || procs[0].exited()
	}) {
		t.Fatal("runner 0 did not get going")
	}
	procs[0].signal(syscall.SIGKILL)
	if r := procs[0].wait(); r.code != -1 {
		t.Fatalf("runner 0 was not killed: %s", r)
	}
	for i, p := range procs[1:] {
		if r := p.wait(); r.code != 0 {
			t.Fatalf("runner %d: %s", i+1, r)
		}
	}
	sb.settle(t)
	// Its rerun completes what it left, duplicating nothing.
	r := runOnboard(t, sb.env(), pgApplyArgs(dirs[0], loc)...)
	if r.code != 0 {
		t.Fatalf("rerun of the killed runner: %s", r)
	}
	tl := verifyExactlyOnce(t, sb, set)
	if tl.duplicates != 0 || tl.missing != 0 || tl.objects != len(set.Objects) {
		t.Fatalf("audit: %+v, want %d objects exactly once", tl, len(set.Objects))
	}
	checkPGState(t, sb, loc, set)
}

func TestSharedStateSameCustomersTakeTurns(t *testing.T) {
	// Big and slow enough (about 2.5 s) that the first is still running
	// when the second starts.
	dirs, set := teamSets(t, 1, 60)
	sb := startSandbox(t, sandbox.Options{Latency: 60 * time.Millisecond})
	loc := pgState(t)
	a := startOnboard(t, sb.env(), pgApplyArgs(dirs[0], loc)...)
	if !waitFor(time.Minute, func() bool { return strings.Contains(a.stderrSoFar(), " created ") || a.exited() }) {
		t.Fatal("the first apply did not get going")
	}
	// Without --lock-timeout the second fails at once, naming the holder.
	r := runOnboard(t, sb.env(), pgApplyArgs(dirs[0], loc)...)
	if r.code != 1 || !strings.Contains(r.stderr, "is locked by another onboard run") || !strings.Contains(r.stderr, fmt.Sprintf("pid %d", a.cmd.Process.Pid)) {
		t.Fatalf("second apply without --lock-timeout: %s", r)
	}
	if strings.Contains(r.stderr, pgtest.Password) {
		t.Fatalf("the password was shown: %s", r)
	}
	// With it, it waits for the first, then finds nothing left to do.
	b := startOnboard(t, sb.env(), pgApplyArgs(dirs[0], loc, "--lock-timeout", "2m")...)
	ra, rb := a.wait(), b.wait()
	if ra.code != 0 || rb.code != 0 {
		t.Fatalf("first: %s\nsecond: %s", ra, rb)
	}
	if !strings.Contains(rb.stderr, fmt.Sprintf("waiting up to 2m0s for customer.t0-000001, locked by \"onboard apply %s", dirs[0])) {
		t.Fatalf("the waiting apply does not name the holder: %s", rb)
	}
	if !strings.Contains(rb.stdout, "Nothing to do:") {
		t.Fatalf("the second apply worked on customers the first held: %s", rb)
	}
	tl := verifyExactlyOnce(t, sb, set)
	if tl.duplicates != 0 || tl.missing != 0 {
		t.Fatalf("audit: %+v", tl)
	}
}
