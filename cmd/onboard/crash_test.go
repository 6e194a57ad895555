package main

import (
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

// TestCrashSuite kills `onboard apply` (SIGKILL) at 10 random moments while
// it applies 50 customers. After every kill the state file must be readable
// and agree with the sandbox (every object the state has as created exists;
// every object the sandbox holds is recorded, or covered by a pending
// intent), and the lock left behind must not block the next run. Then
// reruns converge with every object exactly once, as the manifest says.
func TestCrashSuite(t *testing.T) {
	const (
		customers = 50
		kills     = 10
	)
	// Contacts and their links too: a kill between a file's contacts
	// and its links PUT leaves the PUT for the next run.
	dir, set := generateContactSet(t, customers, 4242)
	sb := startSandbox(t, sandbox.Options{Latency: 5 * time.Millisecond, Jitter: 3 * time.Millisecond, Seed: 9})
	statePath := filepath.Join(t.TempDir(), "onboard.state")
	rng := rand.New(rand.NewPCG(20260401, 9))
	// A paced apply (about 100 creates a second) makes 10 kills within
	// 20-400 ms of start land at different depths of the 352 objects and 50 links PUTs,
	// mostly with a request in flight.
	args := applyArgs(dir, statePath, "--parallelism", "8", "--rate", "100/s")

	killed, finished, torn, createdBeforeLastKill, unrecorded := 0, 0, 0, 0, 0
	for i := 0; i < kills; i++ {
		after := time.Duration(20+rng.IntN(381)) * time.Millisecond
		p := startOnboard(t, sb.env(), args...)
		select {
		case <-p.done:
		case <-time.After(after):
			p.signal(syscall.SIGKILL)
		}
		r := p.wait()
		switch {
		case r.code == -1:
			killed++
		case r.code == 0:
			// It finished before its kill: fine, as long as it was not
			// refused.
			finished++
		default:
			t.Fatalf("kill %d: the apply after a kill failed by itself (a lock left behind must not block the next run):\n%s", i+1, r)
		}
		if strings.Contains(r.stderr, "is locked") {
			t.Fatalf("kill %d: the apply after a kill found the state locked:\n%s", i+1, r)
		}
		sb.settle(t)
		st, warnings, err := state.Read(statePath)
		if err != nil {
			t.Fatalf("kill %d: the state file is unreadable: %v", i+1, err)
		}
		if len(warnings) > 0 {
			torn++ // an append cut short by the kill, ignored on reading
		}
		unrecorded = checkStateMatchesSandbox(t, sb, st)
		createdBeforeLastKill = sb.totalObjects()
		t.Logf("kill %d after %s: exit %d, sandbox holds %d objects, state %d (%d not yet recorded)",
			i+1, after, r.code, createdBeforeLastKill, st.Len(), unrecorded)
	}
	if killed < kills/2 {
		t.Errorf("only %d of %d applies were killed before they finished: the suite did not exercise crashes", killed, kills)
	}

	runs := converge(t, sb, dir, statePath, 3, "--rate", "0")
	adopted := 0
	for _, r := range runs {
		if strings.Contains(r.stderr, "is locked") {
			t.Errorf("a run after the kills found the state locked:\n%s", r)
		}
		_, a, _ := applyCounts(r)
		adopted += a
	}
	assertCounts(t, sb, generatedContactCounts(customers))
	tl := verifyExactlyOnce(t, sb, set)
	assertStateComplete(t, statePath, tl)
	printFigures(t, "crash suite: kills %d (%d runs finished first, %d left a torn state line), objects created before the last kill %d of %d (%d unrecorded), adopted by the final runs %d, runs to converge %d, duplicates %d, missing %d",
		killed, finished, torn, createdBeforeLastKill, tl.objects, unrecorded, adopted, len(runs), tl.duplicates, tl.missing)
}

// TestInterruptStopsCleanly interrupts an apply of 50 customers in the
// middle of its work. SIGINT or SIGTERM: it stops starting steps, lets the
// requests in flight finish, prints the summary and exits 1 within
// seconds, leaving no lock. A second SIGINT: it exits 130 at once. Either
// way the state then records every object the sandbox holds (only creates
// that were in flight may be left pending), and a rerun converges with
// every object exactly once.
func TestInterruptStopsCleanly(t *testing.T) {
	const customers, parallelism = 50, 8
	cases := []struct {
		name    string
		signals []syscall.Signal
		// latency of the sandbox: for two signals, long enough that the
		// requests in flight cannot all finish between them.
		latency time.Duration
		code    int
		summary bool
	}{
		{"sigint", []syscall.Signal{syscall.SIGINT}, 20 * time.Millisecond, 1, true},
		{"sigterm", []syscall.Signal{syscall.SIGTERM}, 20 * time.Millisecond, 1, true},
		{"sigint-twice", []syscall.Signal{syscall.SIGINT, syscall.SIGINT}, 300 * time.Millisecond, 130, false},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, set := generateSet(t, customers, int64(31+i))
			sb := startSandbox(t, sandbox.Options{Latency: tc.latency, Seed: 2})
			statePath := filepath.Join(t.TempDir(), "onboard.state")

			p := startOnboard(t, sb.env(), applyArgs(dir, statePath, "--parallelism", strconv.Itoa(parallelism), "--rate", "0")...)
			// About 150 ms into the work: wait for its first creates
			// rather than a fixed time, which a loaded machine would
			// make meaningless.
			if !waitFor(time.Minute, func() bool { return sb.requests("POST") >= 20 || p.exited() }) || p.exited() {
				t.Fatalf("the apply did not get under way:\n%s", p.wait())
			}
			time.Sleep(50 * time.Millisecond)
			if p.exited() {
				t.Fatalf("the apply finished before it could be interrupted:\n%s", p.wait())
			}
			sent := time.Now()
			for j, sig := range tc.signals {
				if j > 0 {
					// The second signal once the first is being handled.
					if !waitFor(10*time.Second, func() bool { return strings.Contains(p.stderrSoFar(), "interrupted") || p.exited() }) {
						t.Fatalf("no sign that the first signal was handled:\n%s", p.wait())
					}
				}
				p.signal(sig)
			}
			r := p.wait()
			stopped := time.Since(sent)

			if r.code != tc.code {
				t.Fatalf("exit %d, want %d:\n%s", r.code, tc.code, r)
			}
			if stopped > 10*time.Second {
				t.Errorf("the apply took %s to stop after the signal", stopped.Round(time.Millisecond))
			}
			if !strings.Contains(r.stderr, "interrupted") {
				t.Errorf("no word of the interruption on stderr:\n%s", r)
			}
			if tc.summary {
				if !strings.Contains(r.stdout, "Interrupted: ") || !strings.Contains(r.stdout, "run apply again") {
					t.Errorf("an interrupted apply must print its summary:\n%s", r)
				}
				created, _, ok := applyCounts(r)
				if !ok || created == 0 || created >= len(set.Objects) {
					t.Errorf("the interrupt should land mid-apply (created %d of %d):\n%s", created, len(set.Objects), r)
				}
				if _, err := os.Stat(statePath + ".lock"); err == nil {
					t.Errorf("an interrupted apply left its lock file behind")
				}
			}
			sb.settle(t)
			st := mustReadState(t, statePath)
			unrecorded := checkStateMatchesSandbox(t, sb, st)
			pending := 0
			for _, o := range st.Sorted() {
				if o.Status == state.StatusPending {
					pending++
				}
			}
			if tc.summary && pending > 0 {
				t.Errorf("after a graceful stop the state holds %d pending creates: requests in flight were not waited for", pending)
			}
			held := sb.totalObjects()

			// Wide, so that the slow sandbox of two signals is quick to complete.
			runs := converge(t, sb, dir, statePath, 3, "--rate", "0", "--parallelism", "64")
			assertCounts(t, sb, generatedCounts(customers))
			tl := verifyExactlyOnce(t, sb, set)
			assertStateComplete(t, statePath, tl)
			t.Logf("stopped in %s (exit %d) with %d of %d objects created (%d pending, %d unrecorded); converged in %d run(s)",
				stopped.Round(time.Millisecond), r.code, held, len(set.Objects), pending, unrecorded, len(runs))
		})
	}
}
