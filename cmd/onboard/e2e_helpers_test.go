package main

// Helpers of the exactly-once acceptance tests (faults_test.go,
// crash_test.go, adopt_test.go, lock_test.go, token_test.go,
// badinput_test.go, and audit_test.go which tests the audit): a sandbox
// served in-process that counts requests by method, the real CLI run as a
// subprocess (TestMain puts it on PATH as `onboard`), and the check of the
// sandbox's own records against the manifests.

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

// cliTimeout bounds one CLI run: generous, since a loaded 2-core CI machine
// may be slow, but a hang must fail the test rather than the whole binary.
const cliTimeout = 2 * time.Minute

// e2eSandbox is a sandbox API served over HTTP by the test process.
type e2eSandbox struct {
	srv  *sandbox.Server
	hs   *httptest.Server
	base string // ONBOARD_BASE_URL

	mu       sync.Mutex
	byMethod map[string]int // API requests received, by method
	inflight int            // requests being served

	// preexisting are the objects loaded before the test applied
	// anything (Options.DataFile): no manifest object stands for them.
	preexisting map[resource.Kind]map[int64]bool
}

// startSandbox serves a sandbox until the test ends.
func startSandbox(t *testing.T, opts sandbox.Options) *e2eSandbox {
	t.Helper()
	if opts.Token == "" {
		opts.Token = "e2e-token-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	}
	srv, err := sandbox.New(opts)
	if err != nil {
		t.Fatalf("sandbox: %v", err)
	}
	sb := &e2eSandbox{srv: srv, byMethod: map[string]int{}}
	sb.hs = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// Counted on arrival, before any fault: a request the sandbox
		// refuses still reached the API.
		api := strings.HasPrefix(r.URL.Path, "/api/")
		sb.mu.Lock()
		if api {
			sb.byMethod[r.Method]++
		}
		sb.inflight++
		sb.mu.Unlock()
		defer func() {
			sb.mu.Lock()
			sb.inflight--
			sb.mu.Unlock()
		}()
		srv.ServeHTTP(w, r)
	}))
	sb.base = sb.hs.URL + "/api"
	sb.preexisting = map[resource.Kind]map[int64]bool{}
	for _, spec := range resource.All() {
		for _, so := range srv.Objects(spec.Kind) {
			if sb.preexisting[spec.Kind] == nil {
				sb.preexisting[spec.Kind] = map[int64]bool{}
			}
			sb.preexisting[spec.Kind][storedID(so)] = true
		}
	}
	t.Cleanup(func() {
		sb.hs.Close()
		_ = srv.Close()
	})
	return sb
}

// requests returns the API requests received with the given method, or all
// of them for "".
func (sb *e2eSandbox) requests(method string) int {
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if method != "" {
		return sb.byMethod[method]
	}
	n := 0
	for _, c := range sb.byMethod {
		n += c
	}
	return n
}

// settle waits until the sandbox serves no request: a killed client's
// request may still be on its way through the handler, and its object
// stored after the client is gone.
func (sb *e2eSandbox) settle(t *testing.T) {
	t.Helper()
	if !waitFor(30*time.Second, func() bool {
		sb.mu.Lock()
		defer sb.mu.Unlock()
		return sb.inflight == 0
	}) {
		t.Fatal("the sandbox still serves requests after 30s")
	}
}

// env is the environment of a CLI run against this sandbox.
func (sb *e2eSandbox) env() []string { return cliEnv(sb.base, sb.srv.Token()) }

// objectCounts returns the stored objects by kind, preexisting ones aside.
func (sb *e2eSandbox) objectCounts() map[resource.Kind]int {
	m := sb.srv.Stats().Objects
	for k, ids := range sb.preexisting {
		m[k] -= len(ids)
	}
	return m
}

// objects returns the stored objects of a kind, preexisting ones aside.
func (sb *e2eSandbox) objects(k resource.Kind) []map[string]any {
	all := sb.srv.Objects(k)
	out := all[:0]
	for _, so := range all {
		if !sb.preexisting[k][storedID(so)] {
			out = append(out, so)
		}
	}
	return out
}

// totalObjects sums objectCounts.
func (sb *e2eSandbox) totalObjects() int {
	n := 0
	for _, c := range sb.objectCounts() {
		n += c
	}
	return n
}

// cliEnv is the test process's environment without any ONBOARD_* or CI
// setting of the caller, plus the API settings given.
func cliEnv(baseURL, token string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "ONBOARD_") || strings.HasPrefix(kv, "CI=") {
			continue
		}
		env = append(env, kv)
	}
	env = append(env, "NO_COLOR=1")
	if baseURL != "" {
		env = append(env, "ONBOARD_BASE_URL="+baseURL)
	}
	if token != "" {
		env = append(env, "ONBOARD_TOKEN="+token)
	}
	return env
}

// cliRun is a finished run of the CLI.
type cliRun struct {
	args           []string
	code           int
	stdout, stderr string
	took           time.Duration
}

func (r cliRun) String() string {
	return fmt.Sprintf("onboard %s: exit %d after %s\n--- stdout\n%s--- stderr\n%s",
		strings.Join(r.args, " "), r.code, r.took.Round(time.Millisecond), e2eTail(r.stdout, 3000), e2eTail(r.stderr, 3000))
}

// e2eTail keeps the end of a long output.
func e2eTail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "...\n" + s[len(s)-n:]
}

// proc is a CLI run in progress.
type proc struct {
	t              *testing.T
	cmd            *exec.Cmd
	args           []string
	stdout, stderr lockedBuffer
	start          time.Time
	done           chan struct{}
	res            cliRun
	cancel         context.CancelFunc
}

// startOnboard starts `onboard ARGS...` with env. It is killed if still
// running when the test ends or after cliTimeout.
func startOnboard(t *testing.T, env []string, args ...string) *proc {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	p := &proc{t: t, args: args, done: make(chan struct{}), cancel: cancel}
	p.cmd = exec.CommandContext(ctx, "onboard", args...)
	p.cmd.Env = env
	p.cmd.Stdout, p.cmd.Stderr = &p.stdout, &p.stderr
	p.start = time.Now()
	if err := p.cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start onboard %s: %v", strings.Join(args, " "), err)
	}
	go func() {
		err := p.cmd.Wait()
		p.res = cliRun{args: args, took: time.Since(p.start), stdout: p.stdout.String(), stderr: p.stderr.String()}
		p.res.code = exitCode(err)
		cancel()
		close(p.done)
	}()
	t.Cleanup(func() {
		cancel()
		<-p.done
	})
	return p
}

// exitCode maps Wait's error to an exit code: -1 for a process ended by a
// signal or not run at all.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	if ee, ok := err.(*exec.ExitError); ok {
		return ee.ExitCode()
	}
	return -1
}

// lockedBuffer is a buffer that may be read while the process writes it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// stderrSoFar is what the process has written on stderr so far.
func (p *proc) stderrSoFar() string { return p.stderr.String() }

// wait waits for the run to end.
func (p *proc) wait() cliRun {
	<-p.done
	return p.res
}

// exited reports whether the process has ended.
func (p *proc) exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// signal sends sig unless the process has already ended.
func (p *proc) signal(sig syscall.Signal) {
	if p.exited() {
		return
	}
	// An error means it exited meanwhile, which wait reports.
	_ = p.cmd.Process.Signal(sig)
}

// runOnboard runs `onboard ARGS...` to completion.
func runOnboard(t *testing.T, env []string, args ...string) cliRun {
	t.Helper()
	return startOnboard(t, env, args...).wait()
}

// waitFor polls cond every few milliseconds until it holds or timeout
// passes; it reports whether it held.
func waitFor(timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// generateSet writes a generated set of n customers into a new directory
// and loads it.
func generateSet(t *testing.T, n int, seed int64) (string, *manifest.Set) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "manifests")
	if err := generate.Write(dir, n, seed); err != nil {
		t.Fatal(err)
	}
	return dir, loadSet(t, dir)
}

// loadSet loads a valid manifest set.
func loadSet(t *testing.T, paths ...string) *manifest.Set {
	t.Helper()
	set, err := manifest.Load(paths...)
	if err != nil {
		t.Fatalf("load %v: %v", paths, err)
	}
	return set
}

// kindCounts counts a set's objects by kind.
func kindCounts(set *manifest.Set) map[resource.Kind]int {
	m := map[resource.Kind]int{}
	for _, o := range set.Objects {
		m[o.Kind]++
	}
	return m
}

// generatedCounts is what a generated set of n customers holds by kind:
// the shared catalog, then one of each other kind per customer.
func generatedCounts(n int) map[resource.Kind]int {
	return map[resource.Kind]int{
		resource.Family: 1, resource.Item: 1, resource.Customer: n, resource.CustomerFile: n,
		resource.Licence: n, resource.Initial: n, resource.Recurring: n,
	}
}

// generateContactSet is generateSet with two contacts per customer linked
// to its file (generate.WriteWithContacts).
func generateContactSet(t *testing.T, n int, seed int64) (string, *manifest.Set) {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "manifests")
	if err := generate.WriteWithContacts(dir, n, seed); err != nil {
		t.Fatal(err)
	}
	return dir, loadSet(t, dir)
}

// generatedContactCounts is what generateContactSet's set holds.
func generatedContactCounts(n int) map[resource.Kind]int {
	c := generatedCounts(n)
	c[resource.Contact] = 2 * n
	return c
}

// followUpOf returns the address of the object whose follow-up step addr
// is (customer.acme.file.main for customer.acme.file.main.links).
func followUpOf(addr string) (string, bool) {
	i := strings.LastIndexByte(addr, '.')
	if i < 0 || strings.Count(addr, ".")%2 == 1 {
		return "", false
	}
	k, err := manifest.KindOf(addr[:i])
	if err != nil || resource.Get(k).FollowUp != addr[i+1:] {
		return "", false
	}
	return addr[:i], true
}

// applyArgs is an apply of dir with the state at statePath.
func applyArgs(dir, statePath string, extra ...string) []string {
	return append([]string{"apply", "--auto-approve", dir, "--state", statePath}, extra...)
}

// converge applies dir until a run exits 0 and `plan --detailed-exitcode`
// then says there is nothing left to do, at most maxRuns applies. It
// returns the applies run.
func converge(t *testing.T, sb *e2eSandbox, dir, statePath string, maxRuns int, extra ...string) []cliRun {
	t.Helper()
	var runs []cliRun
	for run := 1; run <= maxRuns; run++ {
		r := runOnboard(t, sb.env(), applyArgs(dir, statePath, extra...)...)
		runs = append(runs, r)
		if r.code != 0 {
			t.Logf("apply run %d did not complete:\n%s", run, r)
			continue
		}
		pl := runOnboard(t, sb.env(), "plan", dir, "--state", statePath, "--detailed-exitcode")
		if pl.code == 0 {
			return runs
		}
		t.Logf("apply run %d exited 0 but the plan is not empty:\n%s", run, pl)
	}
	t.Fatalf("no convergence after %d apply runs", maxRuns)
	return nil
}

// summaryRE reads the counts of apply's summary line.
var summaryRE = regexp.MustCompile(`(?m)^(?:Apply complete|Apply failed|Interrupted): (\d+) created, \d+ updated, (\d+) adopted, (\d+) failed, (\d+) skipped, (\d+) not started`)

// applyCounts returns the created and adopted counts of an apply's summary
// (ok false when the output has no summary).
func applyCounts(r cliRun) (created, adopted int, ok bool) {
	m := summaryRE.FindStringSubmatch(r.stdout)
	if m == nil {
		return 0, 0, false
	}
	created, _ = strconv.Atoi(m[1])
	adopted, _ = strconv.Atoi(m[2])
	return created, adopted, true
}

// checkStateMatchesSandbox asserts that the state and the sandbox agree:
// every object the state has as created exists in the sandbox with its
// kind and id, and every sandbox object is in the state as created, except
// at most as many per kind as the state holds pending intents of that kind
// (creates whose outcome the state does not know yet). It returns the
// number of such unrecorded objects.
func checkStateMatchesSandbox(t *testing.T, sb *e2eSandbox, st *state.State) int {
	t.Helper()
	recorded := map[resource.Kind]map[int64]string{}
	pending := map[resource.Kind]int{}
	for _, o := range st.Sorted() {
		k := resource.Kind(o.Kind)
		switch o.Status {
		case state.StatusPending:
			pending[k]++
		case state.StatusCreated:
			if of, ok := followUpOf(o.Addr); ok {
				// The follow-up PUT's record has its object's id.
				if obj := st.Get(of); obj == nil || obj.ID != o.ID {
					t.Errorf("state has %s #%d, but %s is not #%d", o.Addr, o.ID, of, o.ID)
				}
				continue
			}
			if recorded[k] == nil {
				recorded[k] = map[int64]string{}
			}
			if prev, dup := recorded[k][o.ID]; dup {
				t.Errorf("state gives %s #%d to both %s and %s", k, o.ID, prev, o.Addr)
			}
			recorded[k][o.ID] = o.Addr
		default:
			t.Errorf("state: %s has status %q", o.Addr, o.Status)
		}
	}
	unrecorded := 0
	for _, spec := range resource.All() {
		k := spec.Kind
		have := map[int64]bool{}
		n := 0
		for _, so := range sb.srv.Objects(k) {
			id := storedID(so)
			have[id] = true
			if _, ok := recorded[k][id]; !ok && !sb.preexisting[k][id] {
				n++
			}
		}
		for id, addr := range recorded[k] {
			if !have[id] {
				t.Errorf("state has %s as %s #%d, which the sandbox does not hold", addr, k, id)
			}
		}
		if n > pending[k] {
			t.Errorf("the sandbox holds %d %s object(s) the state does not record, but the state has only %d pending %s intent(s)", n, k, pending[k], k)
		}
		unrecorded += n
	}
	return unrecorded
}

// mustReadState reads a state file and fails the test if it is unreadable.
func mustReadState(t *testing.T, path string) *state.State {
	t.Helper()
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatalf("state %s is unreadable: %v", path, err)
	}
	return st
}

// tally is what verifyExactlyOnce found.
type tally struct {
	objects, duplicates, missing, extra, mismatched int
	// ids maps each manifest address to the id of its sandbox object.
	ids map[string]int64
}

// verifyExactlyOnce asserts, from the sandbox's own records, that every
// object of set exists exactly once with every field as the manifest says
// (see auditSandbox).
func verifyExactlyOnce(t *testing.T, sb *e2eSandbox, set *manifest.Set) tally {
	t.Helper()
	tl, problems := auditSandbox(sb, set)
	for i, p := range problems {
		if i == 25 {
			t.Errorf("... and %d more problems", len(problems)-25)
			break
		}
		t.Error(p)
	}
	return tl
}

// auditSandbox compares the sandbox's records with a manifest set: no
// duplicate by natural key, no object missing or unexplained, and each
// manifest field's value equal to the stored one (their canonical forms,
// resource.Field.Canonical: a price sent as 150 is stored as "150.00");
// references to the id of the object matched for their target).
// Objects are matched within their parent, kinds in dependency order.
func auditSandbox(sb *e2eSandbox, set *manifest.Set) (tally, []string) {
	var (
		tl       tally
		problems []string
	)
	report := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	st := sb.srv.Stats()
	tl.duplicates = st.TotalDuplicates()
	if tl.duplicates != 0 {
		report("sandbox holds duplicates: %v (keys %v)", st.Duplicates, st.DuplicateKeys)
	}
	byKind := map[resource.Kind][]*manifest.Object{}
	for _, o := range set.Objects {
		byKind[o.Kind] = append(byKind[o.Kind], o)
	}
	ids := map[*manifest.Object]int64{} // manifest object -> matched sandbox id
	for _, spec := range dependencyOrder() {
		want := byKind[spec.Kind]
		stored := sb.objects(spec.Kind)
		tl.objects += len(stored)
		used := make([]bool, len(stored))
		// Exact matches first, so that one near-miss cannot take the
		// object another manifest object matches exactly.
		var pending []*manifest.Object
		for _, o := range want {
			found := false
			for i, so := range stored {
				if !used[i] && len(diffObject(o, spec, so, ids)) == 0 {
					used[i], ids[o], found = true, storedID(so), true
					break
				}
			}
			if !found {
				pending = append(pending, o)
			}
		}
		for _, o := range pending {
			best, bestDiffs := -1, []string(nil)
			for i, so := range stored {
				if used[i] || !sameParent(o, spec, so, ids) {
					continue
				}
				if d := diffObject(o, spec, so, ids); best < 0 || len(d) < len(bestDiffs) {
					best, bestDiffs = i, d
				}
			}
			if best < 0 {
				tl.missing++
				report("missing: %s (%s) has no object in the sandbox", o.Addr, o.Pos)
				continue
			}
			used[best], ids[o] = true, storedID(stored[best])
			tl.mismatched++
			report("%s (%s) differs from sandbox %s #%d: %s", o.Addr, o.Pos, spec.Kind, storedID(stored[best]), strings.Join(bestDiffs, "; "))
		}
		for i, so := range stored {
			if !used[i] {
				tl.extra++
				report("sandbox holds %s #%d that no manifest object explains: %v", spec.Kind, storedID(so), so)
			}
		}
	}
	tl.ids = make(map[string]int64, len(ids))
	for o, id := range ids {
		tl.ids[o.Addr] = id
	}
	return tl, problems
}

// dependencyOrder is the table with each kind after its parent and the
// kinds its fields refer to (a file after the contacts it links), so that
// an object is matched after what it refers to.
func dependencyOrder() []*resource.Spec {
	var out []*resource.Spec
	done := map[resource.Kind]bool{}
	var visit func(s *resource.Spec)
	visit = func(s *resource.Spec) {
		if done[s.Kind] {
			return
		}
		done[s.Kind] = true
		if s.Parent != nil {
			visit(resource.Get(s.Parent.Kind))
		}
		for _, f := range s.Fields {
			if f.IsRef() {
				visit(resource.Get(f.Target))
			}
		}
		out = append(out, s)
	}
	for _, s := range resource.All() {
		visit(s)
	}
	return out
}

// assertStateComplete asserts that the state records every address of the
// set as created, with the id of the sandbox object verifyExactlyOnce
// matched to it, and nothing else.
func assertStateComplete(t *testing.T, statePath string, tl tally) {
	t.Helper()
	st := mustReadState(t, statePath)
	bad := 0
	for addr, id := range tl.ids {
		o := st.Get(addr)
		switch {
		case o == nil:
			bad++
			if bad <= 10 {
				t.Errorf("state lacks %s (sandbox #%d)", addr, id)
			}
		case o.Status != state.StatusCreated || o.ID != id:
			bad++
			if bad <= 10 {
				t.Errorf("state has %s as %s #%d, want created #%d", addr, o.Status, o.ID, id)
			}
		}
	}
	followUps := 0
	for _, o := range st.Sorted() {
		of, ok := followUpOf(o.Addr)
		if !ok {
			continue
		}
		followUps++
		if id := tl.ids[of]; o.Status != state.StatusCreated || o.ID != id {
			t.Errorf("state has %s as %s #%d, want created #%d (its file's id)", o.Addr, o.Status, o.ID, id)
		}
	}
	if st.Len()-followUps != len(tl.ids) {
		t.Errorf("state holds %d objects (and %d follow-ups), want %d", st.Len()-followUps, followUps, len(tl.ids))
	}
}

// storedID is a stored object's id.
func storedID(so map[string]any) int64 {
	id, _ := so["id"].(int64)
	return id
}

// sameParent reports whether a stored object hangs off the object matched
// for o's parent (true for top-level kinds).
func sameParent(o *manifest.Object, spec *resource.Spec, so map[string]any, ids map[*manifest.Object]int64) bool {
	p := spec.Parent
	if p == nil {
		return true
	}
	pid, ok := ids[o.Parent]
	if !ok {
		return false
	}
	for _, f := range []string{p.BodyField, p.QueryField} {
		if f != "" {
			if got, _ := valueText(so[f]); got != strconv.FormatInt(pid, 10) {
				return false
			}
		}
	}
	return true
}

// diffObject lists how the stored object so differs from the manifest
// object o: the parent link, every manifest field, `extra:` entries, and
// any stored field that neither the manifest, the parent link nor a server
// default explains.
func diffObject(o *manifest.Object, spec *resource.Spec, so map[string]any, ids map[*manifest.Object]int64) []string {
	var diffs []string
	allowed := map[string]bool{"id": true, "created_at": true, "updated_at": true}
	for _, d := range spec.Defaults {
		allowed[d.Wire] = true
	}
	if p := spec.Parent; p != nil {
		if !sameParent(o, spec, so, ids) {
			diffs = append(diffs, fmt.Sprintf("not attached to %s", o.Parent.Addr))
		}
		for k, v := range p.QueryConst {
			allowed[k] = true
			if got, _ := valueText(so[k]); got != v {
				diffs = append(diffs, fmt.Sprintf("%s: stored %q, want %q", k, got, v))
			}
		}
		allowed[p.BodyField], allowed[p.QueryField] = true, true
	}
	for _, f := range spec.Fields {
		wire := f.WireName()
		got, has := valueText(so[wire])
		if f.Type == resource.Reference {
			r, ok := o.Refs[f.Name]
			if !ok {
				continue
			}
			allowed[wire] = true
			want := r.ID
			if r.Target != nil {
				id, ok := ids[r.Target]
				if !ok {
					diffs = append(diffs, fmt.Sprintf("%s: target %s was not matched", wire, r.Target.Addr))
					continue
				}
				want = strconv.FormatInt(id, 10)
			}
			if !has || got != want {
				diffs = append(diffs, fmt.Sprintf("%s: stored %q, want %q", wire, got, want))
			}
			continue
		}
		if f.Type == resource.ReferenceList {
			refs, ok := o.Lists[f.Name]
			if !ok {
				continue
			}
			allowed[wire] = true
			want := make([]string, 0, len(refs))
			for _, r := range refs {
				id := r.ID
				if r.Target != nil {
					n, ok := ids[r.Target]
					if !ok {
						diffs = append(diffs, fmt.Sprintf("%s: target %s was not matched", wire, r.Target.Addr))
						continue
					}
					id = strconv.FormatInt(n, 10)
				}
				want = append(want, id)
			}
			b, _ := json.Marshal(so[wire])
			if got, ok := f.CanonicalJSON(b); !ok || got != f.Canonical(strings.Join(want, ",")) {
				diffs = append(diffs, fmt.Sprintf("%s: stored %s, want [%s]", wire, b, strings.Join(want, ",")))
			}
			continue
		}
		v, ok := o.Fields[f.Name]
		if !ok {
			continue
		}
		allowed[wire] = true
		if !has {
			diffs = append(diffs, fmt.Sprintf("%s: not stored, want %q", wire, v.Text))
			continue
		}
		if f.Canonical(v.Text) != f.Canonical(got) {
			diffs = append(diffs, fmt.Sprintf("%s: stored %q, want %q", wire, got, v.Text))
		}
	}
	for _, e := range o.Extra {
		allowed[e.Key] = true
		want, err1 := canonicalValue(e.Raw)
		b, err := json.Marshal(so[e.Key])
		got, err2 := canonicalValue(b)
		if err != nil || err1 != nil || err2 != nil || got != want {
			diffs = append(diffs, fmt.Sprintf("extra %s: stored %s, want %s", e.Key, b, e.Raw))
		}
	}
	var unexplained []string
	for k := range so {
		if !allowed[k] {
			unexplained = append(unexplained, k)
		}
	}
	if len(unexplained) > 0 {
		sort.Strings(unexplained)
		diffs = append(diffs, "fields not in the manifest: "+strings.Join(unexplained, ", "))
	}
	return diffs
}

// valueText renders a stored value as text: strings as they are, numbers
// as their exact text, booleans as true/false.
func valueText(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case int64:
		return strconv.FormatInt(v, 10), true
	case nil:
		return "", false
	}
	return fmt.Sprint(v), true
}

// canonicalValue re-encodes JSON with sorted keys and numbers as written.
func canonicalValue(b []byte) (string, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", err
	}
	out, err := json.Marshal(v)
	return string(out), err
}

// assertCounts checks the sandbox holds exactly want objects of each kind.
func assertCounts(t *testing.T, sb *e2eSandbox, want map[resource.Kind]int) {
	t.Helper()
	got := sb.objectCounts()
	for _, spec := range resource.All() {
		if got[spec.Kind] != want[spec.Kind] {
			t.Errorf("sandbox holds %d %s object(s), want %d", got[spec.Kind], spec.Kind, want[spec.Kind])
		}
	}
}

// faultFigures renders the injected faults other than latency, sorted.
func faultFigures(st sandbox.Stats) string {
	keys := make([]string, 0, len(st.Faults))
	for k := range st.Faults {
		if k != sandbox.FaultLatency {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s: %d", k, st.Faults[k])
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// printFigures prints a figure line both to the test log and to stdout, so
// that it shows with and without -v.
func printFigures(t *testing.T, format string, args ...any) {
	t.Helper()
	line := fmt.Sprintf(format, args...)
	t.Log(line)
	fmt.Println(line)
}
