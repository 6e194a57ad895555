package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// legacyItem is a sandbox data file holding item #42, the existing catalog
// item that examples/gitops references by id (item_id: 42).
const legacyItem = `{"version": 1, "kinds": {"item": {"next_id": 0, "objects": [
  {"object": {"id": 42, "description": "Fibre 500 Mb/s", "selling_price_without_tax": "59.00", "active": true,
   "created_at": "2025-01-01T00:00:00Z", "updated_at": "2025-01-01T00:00:00Z"}}]}}}
`

// TestAdoptRebuildsLostState applies a set, deletes the state file, and
// checks that `apply --adopt` creates nothing (no POST at all, the
// sandbox's objects unchanged), rebuilds a state that names every address
// with the id it had, and leaves a plan with nothing to do.
func TestAdoptRebuildsLostState(t *testing.T) {
	cases := []struct {
		name string
		// manifests returns the path to apply and the sandbox data file
		// ("" for none).
		manifests func(t *testing.T) (string, string)
	}{
		{"gitops", func(t *testing.T) (string, string) {
			data := filepath.Join(t.TempDir(), "sandbox.json")
			if err := os.WriteFile(data, []byte(legacyItem), 0o600); err != nil {
				t.Fatal(err)
			}
			return filepath.Join(repoRoot(t), "examples", "gitops"), data
		}},
		{"generated", func(t *testing.T) (string, string) {
			dir, _ := generateSet(t, 20, 77)
			return dir, ""
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir, data := tc.manifests(t)
			set := loadSet(t, dir)
			sb := startSandbox(t, sandbox.Options{DataFile: data, Latency: time.Millisecond, Seed: 3})
			statePath := filepath.Join(t.TempDir(), "onboard.state")

			first := runOnboard(t, sb.env(), applyArgs(dir, statePath, "--rate", "0")...)
			if first.code != 0 {
				t.Fatalf("first apply:\n%s", first)
			}
			before := mustReadState(t, statePath)
			if before.Len() != len(set.Objects) {
				t.Fatalf("state after the first apply holds %d objects, want %d", before.Len(), len(set.Objects))
			}
			countsBefore := sb.objectCounts()
			postsBefore := sb.requests("POST")

			if err := os.Remove(statePath); err != nil {
				t.Fatal(err)
			}
			// plan --adopt writes nothing (it reads only the ids the
			// manifests refer to) and marks every object as looked up
			// first.
			reqs := sb.requests("GET")
			writes := sb.requests("POST") + sb.requests("PUT")
			pl := runOnboard(t, sb.env(), "plan", dir, "--state", statePath, "--adopt", "--output", "json")
			if pl.code != 0 {
				t.Fatalf("plan --adopt:\n%s", pl)
			}
			if got := sb.requests("POST") + sb.requests("PUT"); got != writes {
				t.Errorf("plan --adopt sent %d write(s)", got-writes)
			}
			if got := sb.requests("GET") - reqs; got > 2 {
				t.Errorf("plan --adopt sent %d request(s), want at most the preflight and a GET of item 42", got)
			}
			var doc struct {
				Steps []struct {
					Address     string `json:"address"`
					Action      string `json:"action"`
					LookupFirst bool   `json:"lookup_first"`
				} `json:"steps"`
			}
			if err := json.Unmarshal([]byte(pl.stdout), &doc); err != nil {
				t.Fatalf("plan --adopt --output json: %v\n%s", err, pl)
			}
			if len(doc.Steps) != len(set.Objects) {
				t.Errorf("plan --adopt has %d steps, want %d", len(doc.Steps), len(set.Objects))
			}
			for _, s := range doc.Steps {
				if s.Action != "create" || !s.LookupFirst {
					t.Errorf("plan --adopt: %s is %q with lookup_first %t, want a create looked up first", s.Address, s.Action, s.LookupFirst)
				}
			}

			re := runOnboard(t, sb.env(), applyArgs(dir, statePath, "--adopt", "--rate", "0")...)
			if re.code != 0 {
				t.Fatalf("apply --adopt:\n%s", re)
			}
			if n := sb.requests("POST") - postsBefore; n != 0 {
				t.Errorf("apply --adopt sent %d POST(s), want none", n)
			}
			if got := sb.objectCounts(); !equalCounts(got, countsBefore) {
				t.Errorf("apply --adopt changed the sandbox's objects: %v, was %v", got, countsBefore)
			}
			if created, adopted, ok := applyCounts(re); !ok || created != 0 || adopted != len(set.Objects) {
				t.Errorf("apply --adopt: want 0 created and %d adopted:\n%s", len(set.Objects), re)
			}

			after := mustReadState(t, statePath)
			if after.Len() != before.Len() {
				t.Errorf("rebuilt state holds %d objects, the lost one held %d", after.Len(), before.Len())
			}
			for _, o := range before.Sorted() {
				got := after.Get(o.Addr)
				switch {
				case got == nil:
					t.Errorf("rebuilt state lacks %s", o.Addr)
				case got.ID != o.ID || got.Kind != o.Kind || got.Status != o.Status:
					t.Errorf("rebuilt state has %s as %s #%d (%s), the lost one had %s #%d (%s)",
						o.Addr, got.Kind, got.ID, got.Status, o.Kind, o.ID, o.Status)
				}
			}
			tl := verifyExactlyOnce(t, sb, set)
			assertStateComplete(t, statePath, tl)
			assertCounts(t, sb, kindCounts(set))
			t.Logf("%d objects adopted with no POST; %d requests in all", tl.objects, sb.requests(""))

			// The plan refreshes: what was adopted matches BlueRockTEL.
			if r := runOnboard(t, sb.env(), "plan", dir, "--state", statePath, "--detailed-exitcode"); r.code != 0 {
				t.Errorf("plan after apply --adopt: want nothing to do (exit 0):\n%s", r)
			}
			reqs = sb.requests("")
			if r := runOnboard(t, sb.env(), append(applyArgs(dir, statePath), "--refresh=false")...); r.code != 0 || sb.requests("") != reqs {
				t.Errorf("apply after apply --adopt: want nothing done and no request (sent %d):\n%s", sb.requests("")-reqs, r)
			}
		})
	}
}
