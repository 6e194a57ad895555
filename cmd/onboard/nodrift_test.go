package main

import (
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

// TestNoPerpetualDiff applies every example and a generated set, then
// plans with the refresh: BlueRockTEL's own forms of what was sent (trimmed
// strings, prices to the cent, defaults it fills in, booleans as it answers
// them) must never read as drift. The plan must have read every object
// the state knows, and a real change made in BlueRockTEL must show.
func TestNoPerpetualDiff(t *testing.T) {
	root := repoRoot(t)
	gen, _ := generateSet(t, 200, 11)
	// Names with commas, accents and apostrophes, prices written 19.9 or
	// 150, lines without labels, decimal quantities.
	hazards := filepath.Join(t.TempDir(), "hazards")
	if err := generate.WriteHazards(hazards, 50, 3); err != nil {
		t.Fatal(err)
	}
	sets := map[string]string{
		"acme":      filepath.Join(root, "examples", "acme.yaml"),
		"gitops":    filepath.Join(root, "examples", "gitops"),
		"generated": gen,
		"hazards":   hazards,
	}
	for name, path := range sets {
		t.Run(name, func(t *testing.T) {
			sb := startSandbox(t, sandbox.Options{Preload: "examples"})
			statePath := filepath.Join(t.TempDir(), "onboard.state")
			if r := runOnboard(t, sb.env(), "apply", "--auto-approve", path, "--state", statePath, "--rate", "0", "--parallelism", "16"); r.code != 0 {
				t.Fatalf("apply:\n%s", r)
			}
			st, _, err := state.Read(statePath)
			if err != nil {
				t.Fatal(err)
			}
			created := 0
			var customer *state.Object
			for _, o := range st.Sorted() {
				if o.Status == state.StatusCreated && o.ID > 0 {
					created++
				}
				if o.Kind == string(resource.Customer) && customer == nil {
					customer = o
				}
			}
			writes := sb.requests("POST") + sb.requests("PUT")
			gets := sb.requests("GET")
			r := runOnboard(t, sb.env(), "plan", path, "--state", statePath, "--detailed-exitcode", "--parallelism", "16")
			if r.code != 0 {
				t.Errorf("plan right after apply reports changes (exit %d):\n%s", r.code, r)
			}
			if got := sb.requests("POST") + sb.requests("PUT"); got != writes {
				t.Errorf("plan sent %d writes", got-writes)
			}
			// The plan did read every object the state knows: no drift
			// because nothing differs, not because nothing was read.
			m := regexp.MustCompile(`Refreshed (\d+) objects (?:and read \d+ referred to by id )?from BlueRockTEL in (\d+) requests`).FindStringSubmatch(r.stderr)
			if m == nil {
				t.Fatalf("plan did not refresh:\n%s", r)
			}
			if n, _ := strconv.Atoi(m[1]); n != created || created == 0 {
				t.Errorf("plan refreshed %d objects, the state knows %d", n, created)
			}
			if n, _ := strconv.Atoi(m[2]); n < 1 || sb.requests("GET")-gets != n+1 { // and the preflight
				t.Errorf("plan says %s requests, the sandbox received %d GETs", m[2], sb.requests("GET")-gets)
			}
			// And what it read is compared: a change made in BlueRockTEL
			// is drift.
			if customer == nil {
				t.Fatal("the set has no customer to change")
			}
			if _, err := sb.srv.Edit(resource.Customer, customer.ID, []byte(`{"name":"Renamed in BlueRockTEL"}`)); err != nil {
				t.Fatal(err)
			}
			r = runOnboard(t, sb.env(), "plan", path, "--state", statePath, "--detailed-exitcode", "--parallelism", "16")
			if r.code != 2 || !strings.Contains(r.stdout, "name: Renamed in BlueRockTEL (in BlueRockTEL) -> ") {
				t.Errorf("a customer renamed in BlueRockTEL: want the plan to restore its name (exit 2):\n%s", r)
			}
		})
	}
}
