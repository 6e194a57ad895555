package manifest

import (
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files of testdata/invalid")

// invalidDir holds the invalid manifests: NAME.yaml or a directory NAME/,
// each with NAME.golden listing its exact diagnostics.
var invalidDir = filepath.Join("..", "..", "testdata", "invalid")

// invalidCases lists the cases of testdata/invalid (file or directory names).
func invalidCases(t testing.TB) []string {
	entries, err := os.ReadDir(invalidDir)
	if err != nil {
		t.Fatal(err)
	}
	var cases []string
	for _, e := range entries {
		if e.IsDir() || strings.HasSuffix(e.Name(), ".yaml") {
			cases = append(cases, e.Name())
		}
	}
	return cases
}

// TestInvalidGolden loads every invalid manifest, as if run from
// testdata/invalid with the case as argument, and compares the diagnostics
// with the golden file, line by line.
func TestInvalidGolden(t *testing.T) {
	cases := invalidCases(t)
	if len(cases) < 45 {
		t.Fatalf("only %d invalid cases", len(cases))
	}
	t.Chdir(invalidDir)
	for _, c := range cases {
		name := strings.TrimSuffix(c, ".yaml")
		t.Run(name, func(t *testing.T) {
			set, err := Load(c)
			var me *Error
			if !errors.As(err, &me) {
				t.Fatalf("Load(%q) = %v, %v; want a *manifest.Error", c, set, err)
			}
			var got strings.Builder
			for _, d := range me.Diagnostics {
				if d.Pos.Line < 1 || d.Pos.Col < 1 || d.Pos.File == "" {
					t.Errorf("diagnostic without a position: %#v", d)
				}
				if !strings.HasPrefix(d.Pos.File, name) {
					t.Errorf("diagnostic names file %q, want a path under %q", d.Pos.File, name)
				}
				if d.Hint == "" {
					t.Errorf("diagnostic does not say how to fix it: %s", d)
				}
				got.WriteString(d.String())
				got.WriteByte('\n')
			}
			golden := name + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(got.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -run TestInvalidGolden -update to create it)", err)
			}
			if got.String() != string(want) {
				t.Errorf("diagnostics differ from %s\n--- got\n%s--- want\n%s", golden, got.String(), want)
			}
		})
	}
}
