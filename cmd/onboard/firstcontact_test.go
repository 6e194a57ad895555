package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestRepositoryHygiene: what the README's try-it block writes in the
// clone (try.state, try.plan) and the benchmark binary built at its root
// are ignored by git, and no such binary is committed.
func TestRepositoryHygiene(t *testing.T) {
	root := repoRoot(t)
	for _, p := range []string{"try.state", "try.plan", "onboard-bench", "bin/onboard"} {
		cmd := exec.Command("git", "check-ignore", "--no-index", "-q", p)
		cmd.Dir = root
		if err := cmd.Run(); err != nil {
			t.Errorf("git does not ignore %s (git check-ignore: %v): add it to .gitignore", p, err)
		}
	}
	cmd := exec.Command("git", "ls-files", "--", "onboard-bench", "onboard")
	cmd.Dir = root
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("git ls-files: %v", err)
	}
	if s := strings.TrimSpace(string(out)); s != "" {
		t.Errorf("binaries committed at the root: %s (git rm them)", s)
	}
}

// TestReadmeCommandTable: the README's command table lists each command
// once, and says what `make test` installs besides Go.
func TestReadmeCommandTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join(repoRoot(t), "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	seen := map[string]bool{}
	for _, line := range strings.Split(readme, "\n") {
		cmd, ok := strings.CutPrefix(line, "| `onboard ")
		if !ok {
			continue
		}
		cmd, _, _ = strings.Cut(cmd, "` |")
		if seen[cmd] {
			t.Errorf("the command table lists onboard %s twice", cmd)
		}
		seen[cmd] = true
	}
	if !seen["show PLAN_FILE"] || !seen["version"] {
		t.Errorf("the command table lacks show PLAN_FILE or version: %v", seen)
	}
	for _, dep := range []string{"PostgreSQL", "Chromium", "shellcheck"} {
		if !strings.Contains(readme, dep) {
			t.Errorf("the README does not say that make test installs %s", dep)
		}
	}
	if strings.Contains(readme, "only Go") {
		t.Error(`the README says "only Go", but make test installs more`)
	}
}
