package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gofrs/flock"
)

// lockedErr asserts that err is a *LockedError with the given reason.
func lockedErr(t *testing.T, err error, reason LockReason) *LockedError {
	t.Helper()
	var le *LockedError
	if !errors.As(err, &le) {
		t.Fatalf("err = %v, want *LockedError", err)
	}
	if le.Reason != reason {
		t.Fatalf("reason %s, want %s (%v)", le.Reason, reason, err)
	}
	return le
}

func mustContain(t *testing.T, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%q\ndoes not contain %q", s, sub)
		}
	}
}

func writeLockFile(t *testing.T, path string, content string) {
	t.Helper()
	if err := os.WriteFile(lockPathFor(path), []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
}

func lockJSON(t *testing.T, info LockInfo) string {
	t.Helper()
	b, err := json.Marshal(info)
	if err != nil {
		t.Fatal(err)
	}
	return string(b) + "\n"
}

func TestSecondOpenInProcessIsLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	first := openT(t, path, Options{Command: "onboard apply first.yaml", NoSync: true})
	_, err := Open(path, Options{NoSync: true})
	le := lockedErr(t, err, LockHeld)
	if le.Holder == nil || le.Holder.PID != os.Getpid() || le.Holder.Command != "onboard apply first.yaml" {
		t.Fatalf("holder %+v", le.Holder)
	}
	mustContain(t, err.Error(), "onboard apply first.yaml", fmt.Sprintf("pid %d", os.Getpid()),
		"host "+hostname(), "user "+userName(), "since "+le.Holder.Started.Format(time.RFC3339), "--lock-timeout")
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	second := openT(t, path, Options{NoSync: true})
	if len(second.Warnings()) != 0 {
		t.Errorf("clean handover warned: %q", second.Warnings())
	}
}

func TestLockAcrossProcesses(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	h := startHelper(t, path)
	pid := h.cmd.Process.Pid

	_, err := Open(path, Options{})
	le := lockedErr(t, err, LockHeld)
	if le.Holder == nil || le.Holder.PID != pid {
		t.Fatalf("holder %+v, want pid %d", le.Holder, pid)
	}
	mustContain(t, err.Error(), fmt.Sprintf("pid %d", pid), `"helper hold"`, "host "+hostname())

	start := time.Now()
	_, err = Open(path, Options{LockTimeout: 150 * time.Millisecond})
	le = lockedErr(t, err, LockHeld)
	if waited := time.Since(start); waited < 150*time.Millisecond || le.Waited < 150*time.Millisecond {
		t.Fatalf("gave up after %v (reported %v), want >= 150ms", waited, le.Waited)
	}
	mustContain(t, err.Error(), "still locked after waiting")

	// A waiting Open gets the lock once the holder finishes.
	go func() {
		time.Sleep(50 * time.Millisecond)
		_ = h.stdin.Close()
	}()
	s, err := Open(path, Options{LockTimeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Open with timeout: %v", err)
	}
	defer s.Close()
	if len(s.Warnings()) != 0 {
		t.Errorf("clean handover warned: %q", s.Warnings())
	}
	if n := s.State().Len(); n != 11 {
		t.Fatalf("%d objects from the helper's run, want 11", n)
	}
	_ = h.cmd.Wait()
}

// A lock file left by a holder that is gone (flock free) on this host is
// taken over; one from another host is not.
func TestLeftoverLockFile(t *testing.T) {
	host := hostname()
	dead := deadPID(t)
	started := time.Date(2025, 11, 27, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		name    string
		content string
		warn    string     // substring of the warning; "" = no warning
		refuse  LockReason // non-empty: Open must fail with this reason
		errHas  []string
	}{
		{
			name:    "dead pid on this host",
			content: lockJSON(t, LockInfo{ID: "x", Host: host, PID: dead, User: "bob", Command: "onboard apply a.yaml", Started: started}),
			warn:    fmt.Sprintf("previous run pid %d on host %s started 2025-11-27T10:00:00Z did not finish", dead, host),
		},
		{
			name:    "pid reused by another process",
			content: lockJSON(t, LockInfo{ID: "x", Host: host, PID: 1, Started: started}),
			warn:    "now belongs to another process",
		},
		{
			name:    "unreadable holder",
			content: `{"id":"x","host":`,
			warn:    "unreadable lock file",
		},
		{name: "empty lock file", content: ""},
		{
			name:    "other host",
			content: lockJSON(t, LockInfo{ID: "x", Host: "ci-runner-7", PID: 4242, User: "ci", Command: "onboard apply gitops/", Started: started}),
			refuse:  LockOtherHost,
			errHas:  []string{"another host", "ci-runner-7", "pid 4242", "may still be running", "onboard force-unlock --state "},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.state")
			writeLockFile(t, path, tc.content)
			s, err := Open(path, Options{NoSync: true})
			if tc.refuse != "" {
				lockedErr(t, err, tc.refuse)
				mustContain(t, err.Error(), tc.errHas...)
				if b, _ := os.ReadFile(lockPathFor(path)); string(b) != tc.content {
					t.Fatalf("refused lock file was changed: %q", b)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if tc.warn == "" {
				checkWarnings(t, s.Warnings(), "")
			} else {
				checkWarnings(t, s.Warnings(), tc.warn)
				mustContain(t, s.Warnings()[0], "journal is replayed")
			}
			// The lock file now names this process.
			info, _ := readLockInfo(lockPathFor(path))
			if info == nil || info.PID != os.Getpid() {
				t.Fatalf("lock file holder %+v, want this process", info)
			}
		})
	}
}

// flock held, but the recorded holder is a dead pid on this host (e.g. a
// child inherited the descriptor): refused as stale, force-unlock clears it.
func TestHeldStaleLockAndForceUnlock(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	dead := deadPID(t)
	writeLockFile(t, path, lockJSON(t, LockInfo{ID: "x", Host: hostname(), PID: dead, Command: "onboard apply", Started: time.Now().UTC()}))
	inherited := flock.New(lockPathFor(path))
	if ok, err := inherited.TryLock(); !ok || err != nil {
		t.Fatalf("TryLock: %v %v", ok, err)
	}
	defer inherited.Unlock()

	_, err := Open(path, Options{NoSync: true})
	lockedErr(t, err, LockHeldStale)
	mustContain(t, err.Error(), fmt.Sprintf("pid %d", dead), "no longer running", "onboard force-unlock --state "+path)

	info, err := ForceUnlock(path)
	if err != nil {
		t.Fatalf("ForceUnlock: %v", err)
	}
	if info == nil || info.PID != dead {
		t.Fatalf("ForceUnlock returned %+v, want the dead holder", info)
	}
	// The old file is gone with its inherited flock: a new lock works...
	s := openT(t, path, Options{NoSync: true})
	// ...and still excludes a second run.
	_, err = Open(path, Options{NoSync: true})
	lockedErr(t, err, LockHeld)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestForceUnlock(t *testing.T) {
	t.Run("no lock", func(t *testing.T) {
		if _, err := ForceUnlock(filepath.Join(t.TempDir(), "s.state")); !errors.Is(err, ErrNotLocked) {
			t.Fatalf("err = %v, want ErrNotLocked", err)
		}
	})
	t.Run("live holder is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.state")
		s := openT(t, path, Options{NoSync: true, Command: "live run"})
		_, err := ForceUnlock(path)
		le := lockedErr(t, err, LockHeld)
		if le.Holder == nil || le.Holder.Command != "live run" {
			t.Fatalf("holder %+v", le.Holder)
		}
		if _, err := os.Stat(lockPathFor(path)); err != nil {
			t.Fatalf("lock file removed: %v", err)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	})
	t.Run("other host", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "s.state")
		writeLockFile(t, path, lockJSON(t, LockInfo{ID: "x", Host: "elsewhere", PID: 77, Started: time.Now().UTC()}))
		info, err := ForceUnlock(path)
		if err != nil || info == nil || info.Host != "elsewhere" || info.PID != 77 {
			t.Fatalf("ForceUnlock = %+v, %v", info, err)
		}
		s := openT(t, path, Options{NoSync: true})
		checkWarnings(t, s.Warnings(), "")
	})
}

// Many runs contending for one state: never two inside at once, even with
// lock files removed on Close while others wait on them.
func TestLockMutualExclusion(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	var inside, maxInside, runs atomic.Int32
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				s, err := Open(path, Options{LockTimeout: 20 * time.Second, NoSync: true})
				if err != nil {
					errs <- err
					return
				}
				n := inside.Add(1)
				if n > maxInside.Load() {
					maxInside.Store(n)
				}
				runs.Add(1)
				time.Sleep(time.Millisecond)
				inside.Add(-1)
				if err := s.Close(); err != nil {
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
	if maxInside.Load() != 1 || runs.Load() != 40 {
		t.Fatalf("max %d runs inside at once (want 1), %d runs (want 40)", maxInside.Load(), runs.Load())
	}
}

func TestLockedErrorMessages(t *testing.T) {
	holder := &LockInfo{Host: "h1", PID: 42, User: "ann", Command: "onboard apply x.yaml", Started: time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)}
	tests := []struct {
		name string
		err  LockedError
		want []string
	}{
		{"held", LockedError{StatePath: "a.state", Reason: LockHeld, Holder: holder},
			[]string{"a.state", "pid 42", "user ann", "host h1", "since 2025-01-02T03:04:05Z", `"onboard apply x.yaml"`, "--lock-timeout"}},
		{"held, no holder info", LockedError{StatePath: "a.state", Reason: LockHeld},
			[]string{"a.state", "no holder details", "--lock-timeout"}},
		{"held after waiting", LockedError{StatePath: "a.state", Reason: LockHeld, Holder: holder, Waited: 1500 * time.Millisecond},
			[]string{"pid 42", "still locked after waiting 1.5s"}},
		{"stale", LockedError{StatePath: "a.state", Reason: LockHeldStale, Holder: holder},
			[]string{"pid 42", "no longer running", "onboard force-unlock --state a.state"}},
		{"other host", LockedError{StatePath: "a.state", Reason: LockOtherHost, Holder: holder},
			[]string{"another host", "host h1", "may still be running", "onboard force-unlock --state a.state"}},
		{"other host, nil holder does not panic", LockedError{StatePath: "a.state", Reason: LockOtherHost},
			[]string{"force-unlock"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			mustContain(t, tc.err.Error(), tc.want...)
		})
	}
}
