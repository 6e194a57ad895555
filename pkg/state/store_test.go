package state

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

func openT(t *testing.T, path string, opts Options) *Store {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func fileMode(t *testing.T, path string) os.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func TestJournalReplayAndCompaction(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acme.state")
	s := openT(t, path, Options{})
	if m := fileMode(t, path); m != 0o600 {
		t.Errorf("state mode %o, want 600", m)
	}
	if m := fileMode(t, lockPathFor(path)); m != 0o600 {
		t.Errorf("lock mode %o, want 600", m)
	}

	// a: intent then created; b: created; c: intent then removed (its
	// create certainly failed); d: pending.
	steps := []func() error{
		func() error { return s.Intent(sampleObject(1, StatusPending)) },
		func() error { return s.Put(sampleObject(2, "")) },
		func() error { return s.Put(sampleObject(1, "")) },
		func() error { return s.Intent(sampleObject(3, StatusPending)) },
		func() error { return s.Remove(sampleObject(3, "").Addr) },
		func() error { return s.Intent(sampleObject(4, StatusPending)) },
	}
	for i, step := range steps {
		if err := step(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
	}
	want := map[string]Status{
		sampleObject(1, "").Addr: StatusCreated,
		sampleObject(2, "").Addr: StatusCreated,
		sampleObject(4, "").Addr: StatusPending,
	}
	check := func(label string, st *State) {
		t.Helper()
		if st.Len() != len(want) {
			t.Fatalf("%s: %d objects, want %d", label, st.Len(), len(want))
		}
		for addr, status := range want {
			o := st.Get(addr)
			if o == nil || o.Status != status {
				t.Fatalf("%s: %s = %+v, want status %s", label, addr, o, status)
			}
			ref := sampleObject(1, StatusCreated)
			if status == StatusCreated && (o.ID == 0 || o.Returned["customer_account"] == "" || o.Spec["unit_price"] != ref.Spec["unit_price"]) {
				t.Fatalf("%s: %s lost fields: %+v", label, addr, o)
			}
			if o.Time.IsZero() {
				t.Fatalf("%s: %s has no time", label, addr)
			}
		}
	}
	check("live", s.State())

	// The journal on disk, before Close, replays to the same state: this
	// is what a crash right now would leave.
	st, warnings, err := Read(path)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Read journal: %v %q", err, warnings)
	}
	check("journal", st)
	journal, _ := os.ReadFile(path)
	// header, lineage (at creation), serial (before the first record)
	if n := bytes.Count(journal, []byte("\n")); n != 3+len(steps) {
		t.Fatalf("journal has %d lines, want header + 2 meta + %d records", n, len(steps))
	}

	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := s.Put(sampleObject(9, "")); !errors.Is(err, ErrClosed) {
		t.Fatalf("Put after Close = %v, want ErrClosed", err)
	}
	if _, err := os.Stat(lockPathFor(path)); !os.IsNotExist(err) {
		t.Errorf("lock file left after Close: %v", err)
	}
	if m := fileMode(t, path); m != 0o600 {
		t.Errorf("compacted state mode %o, want 600", m)
	}

	// Compacted: header, meta (serial 1), one record per object, sorted
	// by address.
	data, _ := os.ReadFile(path)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if lines[0]+"\n" != string(headerLine) {
		t.Fatalf("first line %q", lines[0])
	}
	if !strings.HasPrefix(lines[1], `{"op":"meta","meta":{"lineage":"`) || !strings.Contains(lines[1], `"serial":1}`) {
		t.Fatalf("second line %q, want the meta record with serial 1", lines[1])
	}
	if len(lines) != 2+len(want) {
		t.Fatalf("compacted file has %d lines, want %d:\n%s", len(lines), 2+len(want), data)
	}
	for i := 3; i < len(lines); i++ {
		if lines[i-1] >= lines[i] {
			t.Errorf("compacted records not sorted by address")
		}
	}
	if s.compacted.Load() != int64(len(data)) {
		t.Errorf("CompactedBytes = %d, file is %d bytes", s.compacted.Load(), len(data))
	}
	st, _, err = Read(path)
	if err != nil {
		t.Fatal(err)
	}
	check("compacted", st)
	if left, _ := filepath.Glob(filepath.Join(filepath.Dir(path), ".*tmp*")); len(left) != 0 {
		t.Errorf("temporary files left: %v", left)
	}

	// Reopen, change nothing: the compact file is not rewritten.
	s2 := openT(t, path, Options{})
	check("reopened", s2.State())
	if err := s2.Close(); err != nil {
		t.Fatal(err)
	}
	if s2.compacted.Load() != 0 || s2.BytesWritten() != 0 {
		t.Errorf("idle session wrote %d journal / %d compacted bytes", s2.BytesWritten(), s2.compacted.Load())
	}
}

func TestWriteValidation(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "s.state"), Options{NoSync: true})
	noID := sampleObject(1, StatusCreated)
	noID.ID = 0
	noKind := sampleObject(1, "")
	noKind.Kind = ""
	tests := []struct {
		name string
		call func() error
		want string
	}{
		{"put without id", func() error { return s.Put(noID) }, "no id"},
		{"put pending", func() error { return s.Put(sampleObject(1, StatusPending)) }, "Intent"},
		{"intent created", func() error { return s.Intent(sampleObject(1, StatusCreated)) }, `want "pending"`},
		{"no kind", func() error { return s.Intent(noKind) }, "needs an address and a kind"},
		{"no addr", func() error { return s.Intent(Object{Kind: "family"}) }, "needs an address and a kind"},
		{"rm unknown", func() error { return s.Remove("family.nope") }, ErrNotFound.Error()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err = %v, want one containing %q", err, tc.want)
			}
		})
	}
	if s.State().Len() != 0 || s.Meta().Serial != 0 {
		t.Fatalf("rejected writes reached the state: %d objects, %d bytes", s.State().Len(), s.BytesWritten())
	}
}

// The store keeps its own copies: callers mutating what they passed in or
// got back do not change the state.
func TestStoreCopies(t *testing.T) {
	s := openT(t, filepath.Join(t.TempDir(), "s.state"), Options{NoSync: true})
	o := sampleObject(1, StatusCreated)
	if err := s.Put(o); err != nil {
		t.Fatal(err)
	}
	o.Spec["unit_price"] = "0.01"
	got := s.State().Get(o.Addr)
	got.Returned["customer_account"] = "XX"
	one, _ := s.Get(o.Addr)
	one.Spec["quantity"] = "999"
	final, ok := s.Get(o.Addr)
	if !ok || final.Spec["unit_price"] != "19.90" || final.Returned["customer_account"] != "CL000001" || final.Spec["quantity"] != "2" {
		t.Fatalf("state changed through a caller's map: %+v", final)
	}
}

// 64 goroutines journal intents and creates at once; everything acknowledged
// is on disk and replays.
func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	s := openT(t, path, Options{}) // with fsync: group commit under load
	const workers, each = 64, 20
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				n := w*each + i
				if err := s.Intent(sampleObject(n, StatusPending)); err != nil {
					errs <- err
					return
				}
				if err := s.Put(sampleObject(n, StatusCreated)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if syncs := s.fsyncs.Load(); syncs >= 2*workers*each {
		t.Errorf("%d fsyncs for %d records: no group commit", syncs, 2*workers*each)
	}
	verify := func(label string, st *State) {
		t.Helper()
		if st.Len() != workers*each {
			t.Fatalf("%s: %d objects, want %d", label, st.Len(), workers*each)
		}
		for n := range workers * each {
			o := st.Get(sampleObject(n, "").Addr)
			if o == nil || o.Status != StatusCreated || o.ID != int64(100000+n) {
				t.Fatalf("%s: object %d = %+v", label, n, o)
			}
		}
	}
	st, warnings, err := Read(path) // the journal, as a crash would leave it
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Read: %v %q", err, warnings)
	}
	verify("journal", st)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err = Read(path)
	if err != nil {
		t.Fatal(err)
	}
	verify("compacted", st)
}

// A crash mid-append leaves half a line: the next Open ignores it with a
// warning, cuts it, and appends after the last complete record.
func TestCrashTornTailThenReopen(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	h := startHelper(t, path) // journals 10 created + 1 pending, holds the lock
	// A long torn record: longer than what is appended after reopening,
	// so that cutting it (not merely overwriting it) is needed.
	line, err := encodePut(&Object{Addr: "customer.torn", Kind: "customer", Status: StatusPending,
		Spec: map[string]string{"name": strings.Repeat("x", 8000)}})
	if err != nil {
		t.Fatal(err)
	}
	h.kill(t)
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.Write(line[:len(line)/2]); err != nil {
		t.Fatal(err)
	}
	f.Close()

	s, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	w := strings.Join(s.Warnings(), "\n")
	if !strings.Contains(w, "incomplete last line (line 15") {
		t.Errorf("warnings %q do not mention the torn line 15", w)
	}
	if !strings.Contains(w, fmt.Sprintf("previous run pid %d", h.cmd.Process.Pid)) {
		t.Errorf("warnings %q do not name the dead holder", w)
	}
	st := s.State()
	if st.Len() != 11 || st.Get("customer.torn") != nil {
		t.Fatalf("after crash: %d objects (torn present: %v), want 11", st.Len(), st.Get("customer.torn") != nil)
	}
	if o := st.Get(sampleObject(10, "").Addr); o == nil || o.Status != StatusPending {
		t.Fatalf("pending intent lost: %+v", o)
	}
	// Resolve the pending one and add more: they follow a clean boundary.
	if err := s.Put(sampleObject(10, StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(sampleObject(11, StatusCreated)); err != nil {
		t.Fatal(err)
	}
	st, warnings, err := Read(path)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("journal after reopen: %v %q", err, warnings)
	}
	if st.Len() != 12 || st.Get(sampleObject(10, "").Addr).Status != StatusCreated {
		t.Fatalf("journal after reopen: %d objects", st.Len())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

// A journal write failure is sticky: nothing more is acknowledged.
func TestJournalFailureIsSticky(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(sampleObject(1, StatusCreated)); err != nil {
		t.Fatal(err)
	}
	s.f.Close() // the disk "fails": writes now return errors
	if err := s.Put(sampleObject(2, StatusCreated)); err == nil {
		t.Fatal("Put on a failed journal succeeded")
	}
	if err := s.Put(sampleObject(3, StatusCreated)); err == nil {
		t.Fatal("Put after a failure succeeded")
	}
	if s.State().Len() != 1 {
		t.Fatalf("failed records visible: %d objects", s.State().Len())
	}
	if err := s.Close(); err == nil {
		t.Fatal("Close hid the journal failure")
	}
	if _, err := os.Stat(lockPathFor(path)); !os.IsNotExist(err) {
		t.Errorf("lock not released after failure: %v", err)
	}
	st, _, err := Read(path)
	if err != nil || st.Len() != 1 {
		t.Fatalf("journal after failure: %v, %d objects", err, st.Len())
	}
}

// State bytes per object must not grow with the size of the state (an
// append-only journal, not a rewrite per object).
func TestBytesPerObjectConstant(t *testing.T) {
	per := map[int][2]float64{}
	for _, n := range []int{1000, 10000} {
		journal, compacted := writeObjects(t, t.TempDir(), n)
		per[n] = [2]float64{journal / float64(n), compacted / float64(n)}
	}
	for i, what := range []string{"journal", "compacted"} {
		small, large := per[1000][i], per[10000][i]
		t.Logf("%s bytes/object: %.1f at 1,000, %.1f at 10,000", what, small, large)
		if r := large / small; r < 0.8 || r > 1.2 {
			t.Errorf("%s bytes/object %.1f at 10,000 vs %.1f at 1,000: not within ±20%%", what, large, small)
		}
	}
}

// writeObjects journals n objects the way apply does (intent, then created)
// and returns the journal and compacted byte counts.
func writeObjects(tb testing.TB, dir string, n int) (journal, compacted float64) {
	tb.Helper()
	s, err := Open(filepath.Join(dir, "s.state"), Options{NoSync: true})
	if err != nil {
		tb.Fatal(err)
	}
	for i := range n {
		if err := s.Intent(sampleObject(i, StatusPending)); err != nil {
			tb.Fatal(err)
		}
		if err := s.Put(sampleObject(i, StatusCreated)); err != nil {
			tb.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		tb.Fatal(err)
	}
	return float64(s.BytesWritten()), float64(s.compacted.Load())
}

// A state file readable by others (copied, made by hand) is narrowed to
// 0600 when opened, with a warning.
func TestOpenNarrowsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	if err := os.WriteFile(path, headerLine, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil { // whatever the umask
		t.Fatal(err)
	}
	s := openT(t, path, Options{NoSync: true})
	if m := fileMode(t, path); m != 0o600 {
		t.Fatalf("mode %o after Open, want 600", m)
	}
	checkWarnings(t, s.Warnings(), "mode 0644")
}

// A compaction killed before its rename leaves a temporary file: the next
// Open (holding the lock) removes it and the journal is intact.
func TestCompactionLeftoverRemoved(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "s.state")
	s := openT(t, path, Options{NoSync: true})
	if err := s.Put(sampleObject(1, StatusCreated)); err != nil {
		t.Fatal(err)
	}
	leftover := filepath.Join(dir, ".s.state.tmp-12345")
	other := filepath.Join(dir, ".other.state.tmp-1")
	for _, p := range []string{leftover, other} {
		if err := os.WriteFile(p, []byte(hdr+"{half"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2 := openT(t, path, Options{NoSync: true})
	if _, err := os.Stat(leftover); !os.IsNotExist(err) {
		t.Errorf("leftover not removed: %v", err)
	}
	if _, err := os.Stat(other); err != nil {
		t.Errorf("another state's file was touched: %v", err)
	}
	if s2.State().Len() != 1 {
		t.Fatalf("%d objects, want 1", s2.State().Len())
	}
}

// A bare file name (state beside the manifests, run from their directory)
// compacts and locks in the current directory.
func TestRelativePath(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	s, err := Open("acme.state", Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "acme.state.lock")); err != nil {
		t.Fatalf("lock file not beside the state: %v", err)
	}
	if err := s.Put(sampleObject(1, StatusCreated)); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(sampleObject(1, StatusCreated)); err != nil { // superseded: compaction runs
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 || entries[0].Name() != "acme.state" {
		t.Fatalf("directory holds %v, want only acme.state", entries)
	}
	if s.compacted.Load() == 0 {
		t.Fatal("no compaction")
	}
	st, _, err := Read(filepath.Join(dir, "acme.state"))
	if err != nil || st.Len() != 1 {
		t.Fatalf("Read: %v, %d objects", err, st.Len())
	}
}

// Open on a file that is not a state (a mistaken --state) refuses it and
// leaves it exactly as it was, and releases the lock.
func TestOpenRefusesNonState(t *testing.T) {
	path := filepath.Join(t.TempDir(), "acme.yaml")
	content := []byte("families:\n  voip: {name: VoIP}\n")
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(path, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := Open(path, Options{})
	if err == nil || !strings.Contains(err.Error(), "not an onboard state file") {
		t.Fatalf("err = %v", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, content) || fileMode(t, path) != 0o644 {
		t.Fatalf("file changed: %q mode %o", got, fileMode(t, path))
	}
	if _, err := os.Stat(lockPathFor(path)); !os.IsNotExist(err) {
		t.Fatalf("lock left behind: %v", err)
	}
}
