package plan_test

import (
	"os/exec"
	"strings"
	"testing"
)

// plan compiles manifests and the state with refreshed records given as
// data: it reads nothing from BlueRockTEL itself, so it imports neither
// the refresh nor the HTTP client (the design's "plan takes refreshed
// records as data").
func TestPlanImportsNoReader(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) < 5 {
		t.Fatalf("go list -deps listed %d packages: %q", len(deps), deps)
	}
	for _, d := range deps {
		for _, banned := range []string{"github.com/onboardhq/onboard/pkg/refresh", "github.com/onboardhq/onboard/pkg/bluerocktel"} {
			if d == banned {
				t.Errorf("plan depends on %s", d)
			}
		}
	}
	if !strings.Contains(string(out), "github.com/onboardhq/onboard/pkg/resource\n") {
		t.Errorf("go list -deps does not list pkg/resource: %s", out)
	}
}
