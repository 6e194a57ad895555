package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestFaultSuite applies 200 generated customers through an unreliable API
// (5% 5xx, 3% of creates stored and then left unanswered, 5% 429, latency
// jitter) with the real binary, reruns until nothing is left to do (at most
// 3 applies), then checks the sandbox's own records: every object exactly
// once, every field as the manifest says.
func TestFaultSuite(t *testing.T) {
	const customers = 200
	dir, set := generateSet(t, customers, 20260401)
	want := generatedCounts(customers)
	if got := kindCounts(set); !equalCounts(got, want) {
		t.Fatalf("generated set holds %v, want %v", got, want)
	}
	sb := startSandbox(t, sandbox.Options{
		Fail5xx: 0.05, DropAfterCommit: 0.03, Fail429: 0.05,
		Latency: 2 * time.Millisecond, Jitter: 2 * time.Millisecond,
		Seed: 5,
	})
	statePath := filepath.Join(t.TempDir(), "onboard.state")

	start := time.Now()
	runs := len(converge(t, sb, dir, statePath, 3, "--parallelism", "16", "--rate", "0"))
	took := time.Since(start)

	assertCounts(t, sb, want)
	tl := verifyExactlyOnce(t, sb, set)
	assertStateComplete(t, statePath, tl)
	st := sb.srv.Stats()
	// The faults must really have been injected, or the suite proves
	// nothing.
	for _, f := range []string{sandbox.FaultFail5xx, sandbox.FaultDrop, sandbox.FaultFail429} {
		if st.Faults[f] == 0 {
			t.Errorf("no %s fault was injected: the suite did not exercise it", f)
		}
	}
	printFigures(t, "fault suite: requests %d, faults injected %s, runs to converge %d, duplicates %d, missing %d (%d objects, %s)",
		st.Requests, faultFigures(st), runs, tl.duplicates, tl.missing, tl.objects, took.Round(time.Millisecond))
}

// equalCounts compares two counts by kind.
func equalCounts[K comparable](a, b map[K]int) bool {
	for k, n := range a {
		if b[k] != n {
			return false
		}
	}
	for k, n := range b {
		if a[k] != n {
			return false
		}
	}
	return true
}
