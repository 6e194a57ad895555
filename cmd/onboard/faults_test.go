package main

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestFaultSuite runs its rounds: generated customers through an
// unreliable API, then a change of every line of theirs through the same
// faults (see updateRound), then a hazard set through lost responses and
// spatie filters.
func TestFaultSuite(t *testing.T) {
	t.Run("faults", func(t *testing.T) {
		fx := faultRound(t)
		t.Run("updates", func(t *testing.T) { updateRound(t, fx) })
		t.Run("lifecycle", func(t *testing.T) { lifecycleRound(t, fx) })
	})
	t.Run("spatie", spatieRound)
}

// faultFixture is what faultRound leaves converged, for the update round
// to change.
type faultFixture struct {
	sb             *e2eSandbox
	dir, statePath string
	want           map[resource.Kind]int
}

// faultRound applies 200 generated customers through an unreliable API
// (5% 5xx, 3% of creates stored and then left unanswered, 5% 429, latency
// jitter) with the real binary, reruns until nothing is left to do (at most
// 3 applies), then checks the sandbox's own records: every object exactly
// once, every field as the manifest says (a file's contact_ids the ids of
// its two contacts). The follow-up PUTs that link them lose 3% of their
// responses too.
func faultRound(t *testing.T) faultFixture {
	const customers = 200
	// With two contacts per customer linked to its file by a follow-up
	// PUT: a PUT that gets a 5xx is retried, never doubled.
	dir, set := generateContactSet(t, customers, 20260401)
	want := generatedContactCounts(customers)
	if got := kindCounts(set); !equalCounts(got, want) {
		t.Fatalf("generated set holds %v, want %v", got, want)
	}
	sb := startSandbox(t, sandbox.Options{
		Fail5xx: 0.05, DropAfterCommit: 0.03, DropUpdate: 0.03, Fail429: 0.05,
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
	return faultFixture{sb: sb, dir: dir, statePath: statePath, want: want}
}

// spatieRound applies a hazard set of 200 customers (names with commas,
// apostrophes and accents, customers found by name alone, prices to the
// cent written 19.9 or 150, decimal quantities, lines without labels; see
// generate.HazardFiles) to a sandbox whose filters behave like spatie's
// (substring matches, values split at commas) and that loses the response
// of 20% of the creates it stores, so that a fifth of the objects are
// found again by lookup. Every object must be there exactly once, with
// every stored field equal to the manifest's canonical value.
func spatieRound(t *testing.T) {
	const customers = 200
	dir := filepath.Join(t.TempDir(), "manifests")
	if err := generate.WriteHazards(dir, customers, 20260402); err != nil {
		t.Fatal(err)
	}
	set := loadSet(t, dir)
	want := map[resource.Kind]int{
		resource.Family: generate.HazardFamilies, resource.Item: generate.HazardItems,
		resource.Customer: customers, resource.CustomerFile: customers,
		resource.Licence: customers, resource.Initial: customers, resource.Recurring: customers,
	}
	if got := kindCounts(set); !equalCounts(got, want) {
		t.Fatalf("hazard set holds %v, want %v", got, want)
	}
	sb := startSandbox(t, sandbox.Options{
		Filters: sandbox.FiltersSpatie, DropAfterCommit: 0.2,
		Latency: time.Millisecond, Jitter: time.Millisecond,
		Seed: 9,
	})
	statePath := filepath.Join(t.TempDir(), "onboard.state")

	start := time.Now()
	runs := len(converge(t, sb, dir, statePath, 3, "--parallelism", "16", "--rate", "0"))
	took := time.Since(start)

	assertCounts(t, sb, want)
	tl := verifyExactlyOnce(t, sb, set)
	assertStateComplete(t, statePath, tl)
	equal, fields := fieldsEqual(sb, set, tl)
	if equal != fields {
		t.Errorf("%d of %d stored fields differ from the manifest's canonical value", fields-equal, fields)
	}
	st := sb.srv.Stats()
	if st.Faults[sandbox.FaultDrop] < customers/2 {
		t.Errorf("only %d responses were dropped: the lookups were hardly exercised", st.Faults[sandbox.FaultDrop])
	}
	printFigures(t, "fault suite: spatie round (hazard set, spatie filters, 20%% of create responses lost): requests %d, faults injected %s, runs to converge %d, duplicates %d, missing %d, fields equal %d/%d (%d objects, %s)",
		st.Requests, faultFigures(st), runs, tl.duplicates, tl.missing, equal, fields, tl.objects, took.Round(time.Millisecond))
}

// fieldsEqual counts the manifest fields (values, references, `extra:`
// entries) of set and how many of them the sandbox object matched to
// their object stores equal to the manifest's canonical value.
func fieldsEqual(sb *e2eSandbox, set *manifest.Set, tl tally) (equal, fields int) {
	ids := make(map[*manifest.Object]int64, len(set.Objects))
	for _, o := range set.Objects {
		if id, ok := tl.ids[o.Addr]; ok {
			ids[o] = id
		}
	}
	stored := map[resource.Kind]map[int64]map[string]any{}
	for _, spec := range resource.All() {
		stored[spec.Kind] = map[int64]map[string]any{}
		for _, so := range sb.objects(spec.Kind) {
			stored[spec.Kind][storedID(so)] = so
		}
	}
	for _, o := range set.Objects {
		n := len(o.Fields) + len(o.Refs) + len(o.Extra)
		fields += n
		so, ok := stored[o.Kind][ids[o]]
		if !ok {
			continue
		}
		equal += max(0, n-len(diffObject(o, resource.Get(o.Kind), so, ids)))
	}
	return equal, fields
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
