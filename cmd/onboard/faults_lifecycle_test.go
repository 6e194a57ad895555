package main

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

// endsRE reads the end counts of apply's summary line.
var endsRE = regexp.MustCompile(`(?m)^(?:Apply complete|Apply failed|Interrupted): \d+ created, \d+ updated(?:, (\d+) deactivated)?(?:, \d+ stopped)?(?:, (\d+) deleted)?`)

// lifecycleRound ends part of what the update round left, through the
// same faults (5xx, 429, 3% of the PUTs and DELETEs done and left
// unanswered): every customer's recurring line is removed from the
// manifests and deactivated, its initial charge deleted; every fourth
// customer's licence is deleted; every tenth customer's second contact is
// unlinked from its file and deleted (links before contacts: a DELETE
// sent before the file's PUT would get a 422). The round converges, then
// checks the sandbox: no line a decision ended is left active, every
// object deleted is gone, nothing else is gone, nothing was created; the
// state has dropped what was deleted and records the deactivated lines
// as ended.
func lifecycleRound(t *testing.T, fx faultFixture) {
	sb := fx.sb
	customers := fx.want[resource.Customer]
	deactivate, del := endDecisions(t, fx.dir)
	if len(deactivate) != customers {
		t.Fatalf("decided %d deactivations, want one per customer (%d)", len(deactivate), customers)
	}
	before, _, err := state.Read(fx.statePath)
	if err != nil {
		t.Fatal(err)
	}
	ids := func(addrs []string) map[int64]string {
		m := map[int64]string{}
		for _, a := range addrs {
			o := before.Get(a)
			if o == nil || o.ID == 0 {
				t.Fatalf("%s is not in the state before the round", a)
			}
			m[o.ID] = a
		}
		return m
	}
	deactivated, deleted := ids(deactivate), ids(del)

	posts0, deletes0 := sb.requests("POST"), sb.requests("DELETE")
	stats0 := sb.srv.Stats()
	start := time.Now()
	runs := converge(t, sb, fx.dir, fx.statePath, 4, "--parallelism", "16", "--rate", "0")
	took := time.Since(start)
	posts, deletes := sb.requests("POST")-posts0, sb.requests("DELETE")-deletes0
	stats := sb.srv.Stats()

	// What the decisions ended: no line left active, nothing deleted left.
	leftActive := 0
	for _, o := range sb.srv.Objects(resource.Recurring) {
		id, _ := o["id"].(int64)
		if _, ok := deactivated[id]; ok && o["active"] != false {
			leftActive++
		}
	}
	leftOver, gone := 0, map[resource.Kind]int{}
	for _, k := range []resource.Kind{resource.Initial, resource.Licence, resource.Contact} {
		for _, o := range sb.srv.Objects(k) {
			id, _ := o["id"].(int64)
			if _, ok := deleted[id]; ok {
				leftOver++
			}
		}
		gone[k] = fx.want[k] - len(sb.srv.Objects(k))
	}
	wantGone := map[resource.Kind]int{resource.Initial: customers, resource.Licence: customers / 4, resource.Contact: customers / 10}
	if leftActive != 0 || leftOver != 0 {
		t.Errorf("%d deactivated lines still active, %d deleted objects still in BlueRockTEL; want 0 and 0", leftActive, leftOver)
	}
	for k, n := range wantGone {
		if gone[k] != n {
			t.Errorf("%d %s objects gone, want %d: nothing but what was decided may go", gone[k], k, n)
		}
	}
	if got := len(sb.srv.Objects(resource.Recurring)); got != fx.want[resource.Recurring] {
		t.Errorf("%d recurring lines in BlueRockTEL, want %d: a deactivated line stays", got, fx.want[resource.Recurring])
	}
	if posts != 0 {
		t.Errorf("the lifecycle round sent %d POSTs, want none: nothing is created", posts)
	}
	// The summaries count each object ended once.
	nDeact, nDel := 0, 0
	for _, r := range runs {
		if m := endsRE.FindStringSubmatch(r.stdout); m != nil {
			a, _ := strconv.Atoi(m[1])
			b, _ := strconv.Atoi(m[2])
			nDeact, nDel = nDeact+a, nDel+b
		}
	}
	if nDeact != len(deactivated) || nDel != len(deleted) {
		t.Errorf("the applies' summaries count %d deactivated and %d deleted, want %d and %d", nDeact, nDel, len(deactivated), len(deleted))
	}
	after, _, err := state.Read(fx.statePath)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range del {
		if after.Get(a) != nil {
			t.Errorf("%s was deleted but is still in the state", a)
		}
	}
	for _, a := range deactivate {
		if o := after.Get(a); o == nil || o.Ended != "deactivate" {
			t.Errorf("%s: state record %+v, want it kept and recorded as ended", a, o)
		}
	}
	dropped := stats.Faults[sandbox.FaultDropUpdate] - stats0.Faults[sandbox.FaultDropUpdate]
	delDropped := stats.Routes["DELETE /v1/customer-files/initials/{id}"]["dropped"] - stats0.Routes["DELETE /v1/customer-files/initials/{id}"]["dropped"]
	if delDropped == 0 {
		t.Errorf("no DELETE answer was lost: the round did not exercise settling one")
	}
	printFigures(t, "fault suite: lifecycle round: deactivated %d, deleted %d (DELETEs sent %d, answers lost %d of which DELETEs of initials %d), POSTs %d, left active %d, left over %d, runs to converge %d (%s)",
		len(deactivated), len(deleted), deletes, dropped, delDropped, posts, leftActive, leftOver, len(runs), took.Round(time.Millisecond))
}

// endDecisions rewrites the generated customer files in dir: each
// customer's recurring line and initial charge are removed, every fourth
// one's licence, every tenth one's tech contact (and its link); it writes
// the removed: entries deciding their end and returns the addresses
// deactivated and deleted.
func endDecisions(t *testing.T, dir string) (deactivate, del []string) {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "customers-*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no generated customer files in %s (%v)", dir, err)
	}
	custRE := regexp.MustCompile(`^  (c-(\d+)):$`)
	var removed strings.Builder
	removed.WriteString("removed:\n")
	decide := func(addr, then string) {
		fmt.Fprintf(&removed, "  - address: %s\n    then: %s\n", addr, then)
		if then == "deactivate" {
			deactivate = append(deactivate, addr)
		} else {
			del = append(del, addr)
		}
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var out strings.Builder
		var cust string
		var num int
		sc := bufio.NewScanner(strings.NewReader(string(b)))
		for sc.Scan() {
			line := sc.Text()
			if m := custRE.FindStringSubmatch(line); m != nil {
				cust = "customer." + m[1]
				num, _ = strconv.Atoi(m[2])
			}
			file := cust + ".file.main"
			trimmed := strings.TrimSpace(line)
			switch {
			case trimmed == "recurrings:" || trimmed == "initials:":
				continue
			case strings.HasPrefix(trimmed, "trunk: {"):
				decide(file+".recurring.trunk", "deactivate")
				continue
			case strings.HasPrefix(trimmed, "setup: {"):
				decide(file+".initial.setup", "delete")
				continue
			case num%4 == 0 && trimmed == "licences:":
				continue
			case num%4 == 0 && strings.HasPrefix(trimmed, "seats: {"):
				decide(file+".licence.seats", "delete")
				continue
			case num%10 == 0 && strings.HasPrefix(trimmed, "tech: {"):
				decide(cust+".contact.tech", "delete")
				continue
			case num%10 == 0 && trimmed == "contacts: [billing, tech]":
				line = strings.Replace(line, "[billing, tech]", "[billing]", 1)
			}
			out.WriteString(line + "\n")
		}
		if err := os.WriteFile(f, []byte(out.String()), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(dir, "removed.yaml"), []byte(removed.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return deactivate, del
}
