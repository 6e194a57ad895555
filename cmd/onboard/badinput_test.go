package main

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestBadInputSendsNothing applies every invalid manifest of
// testdata/invalid (files and directories) against a sandbox of its own:
// each must exit 1 with its diagnostics, write no state, and send the
// sandbox zero requests. The cases run on a small worker pool.
func TestBadInputSendsNothing(t *testing.T) {
	dir := filepath.Join(repoRoot(t), "testdata", "invalid")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".yaml") || strings.HasSuffix(e.Name(), ".yml") {
			cases = append(cases, e.Name())
		}
	}
	if len(cases) < 10 {
		t.Fatalf("only %d invalid manifests under %s", len(cases), dir)
	}

	// Four workers run the cases' subtests side by side (t.Run may be
	// called from several goroutines): each case spawns a process, so
	// this takes a fraction of the time one by one would.
	jobs := make(chan string)
	var wg sync.WaitGroup
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range jobs {
				t.Run(name, func(t *testing.T) { applyInvalid(t, filepath.Join(dir, name)) })
			}
		}()
	}
	for _, name := range cases {
		jobs <- name
	}
	close(jobs)
	wg.Wait()
	t.Logf("%d invalid manifests applied", len(cases))
}

// applyInvalid applies one invalid manifest against a sandbox of its own,
// so that a request is pinned on the manifest that sent it.
func applyInvalid(t *testing.T, path string) {
	sb := startSandbox(t, sandbox.Options{Seed: 1})
	statePath := filepath.Join(t.TempDir(), "onboard.state")
	r := runOnboard(t, sb.env(), "apply", "--auto-approve", path, "--state", statePath)
	if n := sb.requests(""); n != 0 {
		t.Errorf("an invalid manifest sent %d request(s) to the API", n)
	}
	if r.code != 1 {
		t.Errorf("want exit 1 (invalid manifests):\n%s", r)
	}
	if !strings.Contains(r.stderr, "nothing was sent") {
		t.Errorf("the error should say that nothing was sent:\n%s", r)
	}
	if _, err := os.Stat(statePath); err == nil {
		t.Errorf("an invalid manifest created a state file")
	}
}
