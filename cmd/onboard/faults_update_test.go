package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// quantityRE finds the quantity of a generated line (licences, initial
// charges and recurring lines all have one).
var quantityRE = regexp.MustCompile(`quantity: (\d+)`)

// updatedRE reads the updated count of apply's summary line.
var updatedRE = regexp.MustCompile(`(?m)^(?:Apply complete|Apply failed|Interrupted): \d+ created, (\d+) updated`)

// planUpdatesRE reads the create and update counts of plan's summary line.
var planUpdatesRE = regexp.MustCompile(`(?m)^Plan: (\d+) to create, (\d+) to update, `)

// updateRound changes the quantity of every line of the customers
// faultRound converged (three lines a customer), then applies the set
// through the same faults (5% 5xx, 5% 429, 3% of the updates stored and
// left unanswered, latency jitter) until nothing is left to do. Every
// object must end equal to the manifest, with nothing created, and the
// PUTs the sandbox received must be the changed objects plus at most one
// retry per fault that hit a PUT: a PUT is sent again only when its answer
// was a fault or never came.
func updateRound(t *testing.T, fx faultFixture) {
	sb := fx.sb
	changed := rewriteQuantities(t, fx.dir)
	set := loadSet(t, fx.dir)
	if got := kindCounts(set); !equalCounts(got, fx.want) {
		t.Fatalf("rewritten set holds %v, want %v", got, fx.want)
	}
	pl := runOnboard(t, sb.env(), "plan", fx.dir, "--state", fx.statePath)
	m := planUpdatesRE.FindStringSubmatch(pl.stdout)
	if pl.code != 0 || m == nil || m[1] != "0" || m[2] != strconv.Itoa(changed) {
		t.Fatalf("plan of the rewritten set: want 0 to create, %d to update:\n%s", changed, pl)
	}

	before := sb.srv.Stats()
	puts0, posts0 := sb.requests("PUT"), sb.requests("POST")
	start := time.Now()
	runs := converge(t, sb, fx.dir, fx.statePath, 3, "--parallelism", "16", "--rate", "0")
	took := time.Since(start)
	puts, posts := sb.requests("PUT")-puts0, sb.requests("POST")-posts0

	assertCounts(t, sb, fx.want)
	tl := verifyExactlyOnce(t, sb, set)
	assertStateComplete(t, fx.statePath, tl)
	equal, fields := fieldsEqual(sb, set, tl)
	if equal != fields {
		t.Errorf("%d of %d stored fields differ from the manifest's canonical value", fields-equal, fields)
	}
	if posts != 0 {
		t.Errorf("the update round sent %d POSTs, want none: every change is an update", posts)
	}
	updated := 0
	for _, r := range runs {
		if m := updatedRE.FindStringSubmatch(r.stdout); m != nil {
			n, _ := strconv.Atoi(m[1])
			updated += n
		}
	}
	if updated != changed {
		t.Errorf("the applies' summaries count %d updated, want %d", updated, changed)
	}

	after := sb.srv.Stats()
	byFault := putFaults(before, after)
	faults := byFault[sandbox.FaultFail5xx] + byFault[sandbox.FaultFail429] + byFault[sandbox.FaultDropUpdate]
	if puts < changed || puts-changed > faults {
		t.Errorf("%d PUTs for %d changed objects and %d faults on PUTs: want between %d and %d", puts, changed, faults, changed, changed+faults)
	}
	// The faults must really have hit PUTs, lost answers included, or the
	// round proves nothing about retried updates.
	for _, f := range []string{sandbox.FaultFail5xx, sandbox.FaultDropUpdate, sandbox.FaultFail429} {
		if byFault[f] == 0 {
			t.Errorf("no %s fault hit a PUT: the round did not exercise it", f)
		}
	}
	printFigures(t, "fault suite: update round: changed %d, PUTs %d, faults on PUTs %d, runs to converge %d, duplicates %d, missing %d, fields equal %d/%d (faults on PUTs {%s: %d, %s: %d, %s: %d}, %d objects, %s)",
		changed, puts, faults, len(runs), tl.duplicates, tl.missing, equal, fields,
		sandbox.FaultDropUpdate, byFault[sandbox.FaultDropUpdate], sandbox.FaultFail429, byFault[sandbox.FaultFail429],
		sandbox.FaultFail5xx, byFault[sandbox.FaultFail5xx], tl.objects, took.Round(time.Millisecond))
}

// rewriteQuantities adds one to the quantity of every line of the
// generated customer files in dir and returns how many it changed.
func rewriteQuantities(t *testing.T, dir string) int {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "customers-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated customer files in %s (%v)", dir, err)
	}
	n := 0
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out := quantityRE.ReplaceAllStringFunc(string(b), func(s string) string {
			q, _ := strconv.Atoi(strings.TrimPrefix(s, "quantity: "))
			n++
			return "quantity: " + strconv.Itoa(q+1)
		})
		if err := os.WriteFile(f, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return n
}

// putFaults counts, by fault type, the PUT answers between two stats
// snapshots that were faults: 500 and 503 (fail_5xx), 429 (fail_429; the
// round sets no rate or in-flight limit) and lost answers
// (drop_after_update).
func putFaults(before, after sandbox.Stats) map[string]int {
	out := map[string]int{}
	for route, statuses := range after.Routes {
		if !strings.HasPrefix(route, "PUT ") {
			continue
		}
		delta := func(status string) int { return int(statuses[status] - before.Routes[route][status]) }
		out[sandbox.FaultFail5xx] += delta("500") + delta("503")
		out[sandbox.FaultFail429] += delta("429")
		out[sandbox.FaultDropUpdate] += delta("dropped")
	}
	return out
}
