package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// goldenInvalidDir holds the invalid manifests: NAME.yaml or a directory
// NAME/, each with NAME.golden listing its exact diagnostics.
var goldenInvalidDir = filepath.Join("..", "..", "testdata", "invalid")

// goldenRun runs the real onboard binary (the copy of this test binary that
// testscript.Main put on $PATH) in dir, as a user's shell would.
func goldenRun(t *testing.T, dir string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	bin, err := exec.LookPath("onboard")
	if err != nil {
		t.Fatalf("onboard is not on $PATH (testscript.Main sets it up): %v", err)
	}
	var out, errb bytes.Buffer
	cmd := exec.Command(bin, args...)
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = &out, &errb
	cmd.Env = append(os.Environ(), "NO_COLOR=1", "ONBOARD_TOKEN=", "ONBOARD_BASE_URL=")
	err = cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("run onboard %s: %v", strings.Join(args, " "), err)
	}
	return out.String(), errb.String(), code
}

// goldenCases lists the case names of testdata/invalid: every NAME.golden,
// each of which must have its NAME.yaml or NAME/ (an orphaned golden file
// would otherwise test nothing).
func goldenCases(t *testing.T) []string {
	t.Helper()
	entries, err := os.ReadDir(goldenInvalidDir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	inputs := map[string]bool{}
	for _, e := range entries {
		switch n := e.Name(); {
		case strings.HasSuffix(n, ".golden"):
			names = append(names, strings.TrimSuffix(n, ".golden"))
		case e.IsDir():
			inputs[n] = true
		case strings.HasSuffix(n, ".yaml"):
			inputs[strings.TrimSuffix(n, ".yaml")] = true
		}
	}
	var cases []string
	for _, n := range names {
		asFile := fileExists(filepath.Join(goldenInvalidDir, n+".yaml"))
		asDir := fileExists(filepath.Join(goldenInvalidDir, n))
		switch {
		case asFile && asDir:
			t.Errorf("%s.golden: both %s.yaml and %s/ exist", n, n, n)
		case asFile:
			cases = append(cases, n+".yaml")
		case asDir:
			cases = append(cases, n)
		default:
			t.Errorf("%s.golden has no %s.yaml or %s/", n, n, n)
		}
		delete(inputs, n)
	}
	for n := range inputs {
		t.Errorf("invalid case %s has no %s.golden", n, n)
	}
	return cases
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// TestInvalidGoldenCLI runs every invalid manifest of testdata/invalid
// through the real binary, `onboard validate NAME` from inside that
// directory: exit status 1, nothing on stdout, and stderr exactly the
// golden diagnostics (file:line:col: message; hint), all of them, in order.
func TestInvalidGoldenCLI(t *testing.T) {
	cases := goldenCases(t)
	if len(cases) < 40 {
		t.Fatalf("only %d invalid cases in %s, want at least 40", len(cases), goldenInvalidDir)
	}
	for _, c := range cases {
		name := strings.TrimSuffix(c, ".yaml")
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			want, err := os.ReadFile(filepath.Join(goldenInvalidDir, name+".golden"))
			if err != nil {
				t.Fatal(err)
			}
			stdout, stderr, code := goldenRun(t, goldenInvalidDir, "validate", c)
			if code != exitFailure {
				t.Errorf("onboard validate %s exited %d, want %d", c, code, exitFailure)
			}
			if stdout != "" {
				t.Errorf("onboard validate %s wrote to stdout:\n%s", c, stdout)
			}
			if stderr != string(want) {
				t.Errorf("onboard validate %s: stderr differs from %s.golden\n--- got\n%s--- want\n%s", c, name, stderr, want)
			}
		})
	}
}

// TestInvalidGoldenCLIJSON checks that --output json reports the same
// diagnostics as the text form, for a case spanning two files (one of them
// with a hint): the golden lines rebuilt from the JSON fields.
func TestInvalidGoldenCLIJSON(t *testing.T) {
	const name = "broken-file-in-set"
	want, err := os.ReadFile(filepath.Join(goldenInvalidDir, name+".golden"))
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, code := goldenRun(t, goldenInvalidDir, "validate", name, "--output", "json")
	if code != exitFailure {
		t.Errorf("exit status %d, want %d", code, exitFailure)
	}
	if stderr != "" {
		t.Errorf("stderr is not empty:\n%s", stderr)
	}
	var got struct {
		Valid       *bool `json:"valid"`
		Diagnostics []struct {
			Position struct {
				File string `json:"file"`
				Line int    `json:"line"`
				Col  int    `json:"col"`
			} `json:"position"`
			Message string `json:"message"`
			Hint    string `json:"hint"`
		} `json:"diagnostics"`
	}
	dec := json.NewDecoder(strings.NewReader(stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&got); err != nil {
		t.Fatalf("stdout is not the documented JSON: %v\n%s", err, stdout)
	}
	if got.Valid == nil || *got.Valid {
		t.Errorf("valid = %v, want false", got.Valid)
	}
	var lines strings.Builder
	hints := 0
	for _, d := range got.Diagnostics {
		fmt.Fprintf(&lines, "%s:%d:%d: %s", d.Position.File, d.Position.Line, d.Position.Col, d.Message)
		if d.Hint != "" {
			hints++
			fmt.Fprintf(&lines, "; %s", d.Hint)
		}
		lines.WriteByte('\n')
	}
	if lines.String() != string(want) {
		t.Errorf("JSON diagnostics differ from %s.golden\n--- got\n%s--- want\n%s", name, lines.String(), want)
	}
	if hints == 0 {
		t.Errorf("no diagnostic carries a hint; the case should exercise the hint field")
	}
}
