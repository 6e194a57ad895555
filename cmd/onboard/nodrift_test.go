package main

import (
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestNoPerpetualDiff applies every example and a generated set, then
// plans with the refresh: BlueRockTEL's own forms of what was sent (trimmed
// strings, prices to the cent, defaults it fills in, booleans as it answers
// them) must never read as drift.
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
			writes := sb.requests("POST") + sb.requests("PUT")
			r := runOnboard(t, sb.env(), "plan", path, "--state", statePath, "--detailed-exitcode", "--parallelism", "16")
			if r.code != 0 {
				t.Errorf("plan right after apply reports changes (exit %d):\n%s", r.code, r)
			}
			if got := sb.requests("POST") + sb.requests("PUT"); got != writes {
				t.Errorf("plan sent %d writes", got-writes)
			}
		})
	}
}
