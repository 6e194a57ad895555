package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestConcurrentApplies starts two applies on one state together: exactly
// one proceeds; the other exits 1 at once, sending nothing, with a message
// that names the holder (its pid and host). With --lock-timeout, a second
// apply waits for the first instead and then finds nothing to do.
func TestConcurrentApplies(t *testing.T) {
	host, err := os.Hostname()
	if err != nil {
		t.Fatal(err)
	}
	// 30 ms per request and 4 in flight: an apply of 30 customers (152
	// objects) holds the lock for over a second.
	const customers = 30
	slow := []string{"--parallelism", "4", "--rate", "0"}

	t.Run("fail-fast", func(t *testing.T) {
		dir, set := generateSet(t, customers, 11)
		sb := startSandbox(t, sandbox.Options{Latency: 30 * time.Millisecond, Seed: 1})
		statePath := filepath.Join(t.TempDir(), "onboard.state")
		a := startOnboard(t, sb.env(), applyArgs(dir, statePath, slow...)...)
		b := startOnboard(t, sb.env(), applyArgs(dir, statePath, slow...)...)
		ra, rb := a.wait(), b.wait()

		winner, loser, wp := ra, rb, a
		if ra.code != 0 {
			winner, loser, wp = rb, ra, b
		}
		if winner.code != 0 || loser.code != 1 {
			t.Fatalf("want one apply to succeed and the other to exit 1:\n%s\n%s", ra, rb)
		}
		if !strings.Contains(winner.stdout, "Apply complete") {
			t.Errorf("the apply that proceeded did not complete:\n%s", winner)
		}
		for _, want := range []string{"is locked", fmt.Sprintf("pid %d", wp.cmd.Process.Pid), "host " + host, "--lock-timeout"} {
			if !strings.Contains(loser.stderr, want) {
				t.Errorf("the refused apply's message lacks %q:\n%s", want, loser)
			}
		}
		if loser.took >= winner.took {
			t.Errorf("the refused apply took %s, no less than the whole apply (%s): it did not fail fast",
				loser.took.Round(time.Millisecond), winner.took.Round(time.Millisecond))
		}
		if n := sb.requests("POST"); n != len(set.Objects) {
			t.Errorf("%d POSTs for %d objects: the refused apply sent requests", n, len(set.Objects))
		}
		assertCounts(t, sb, generatedCounts(customers))
		verifyExactlyOnce(t, sb, set)
		t.Logf("winner pid %d took %s; refused after %s with: %s", wp.cmd.Process.Pid,
			winner.took.Round(time.Millisecond), loser.took.Round(time.Millisecond), strings.TrimSpace(loser.stderr))
	})

	t.Run("lock-timeout", func(t *testing.T) {
		dir, set := generateSet(t, customers, 12)
		sb := startSandbox(t, sandbox.Options{Latency: 30 * time.Millisecond, Seed: 1})
		statePath := filepath.Join(t.TempDir(), "onboard.state")
		a := startOnboard(t, sb.env(), applyArgs(dir, statePath, slow...)...)
		// The first holds the lock once it sends requests.
		if !waitFor(time.Minute, func() bool { return sb.requests("POST") > 0 || a.exited() }) || a.exited() {
			t.Fatalf("the first apply sent nothing:\n%s", a.wait())
		}
		b := startOnboard(t, sb.env(), applyArgs(dir, statePath, append(slow, "--lock-timeout", "30s")...)...)
		ra, rb := a.wait(), b.wait()
		if ra.code != 0 {
			t.Fatalf("first apply:\n%s", ra)
		}
		if rb.code != 0 || !strings.Contains(rb.stdout, "Nothing to do") {
			t.Fatalf("the apply with --lock-timeout should wait, then find nothing to do:\n%s", rb)
		}
		if n := sb.requests("POST"); n != len(set.Objects) {
			t.Errorf("%d POSTs for %d objects: the waiting apply sent requests", n, len(set.Objects))
		}
		if bEnd, aEnd := b.start.Add(rb.took), a.start.Add(ra.took); bEnd.Before(aEnd) {
			t.Errorf("the waiting apply ended before the first one")
		}
		assertCounts(t, sb, generatedCounts(customers))
	})
}
