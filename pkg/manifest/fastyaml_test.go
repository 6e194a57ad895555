package manifest

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"github.com/onboardhq/onboard/pkg/generate"
)

// slowTree is the tree of yaml.v3 and convertDoc, when the file is one
// document that converts without diagnostics.
func slowTree(data []byte) (*tnode, bool) {
	docs, diags := parseYAML("f.yaml", data)
	if len(diags) > 0 || len(docs) != 1 {
		return nil, false
	}
	root, diags := convertDoc("f.yaml", docs[0])
	return root, root != nil && len(diags) == 0
}

// sameTree reports the first difference between two trees.
func sameTree(a, b *tnode, at string) error {
	if a == nil || b == nil {
		if a != b {
			return fmt.Errorf("%s: %v vs %v", at, a, b)
		}
		return nil
	}
	if a.kind != b.kind || a.sk != b.sk || a.line != b.line || a.col != b.col || a.text != b.text ||
		a.canon != b.canon || a.reported != b.reported || a.size != b.size ||
		len(a.entries) != len(b.entries) || len(a.items) != len(b.items) {
		return fmt.Errorf("%s: fast %+v\n slow %+v", at, *a, *b)
	}
	for i := range a.entries {
		ea, eb := a.entries[i], b.entries[i]
		if ea.key != eb.key || ea.line != eb.line || ea.col != eb.col {
			return fmt.Errorf("%s: key %q %d:%d vs %q %d:%d", at, ea.key, ea.line, ea.col, eb.key, eb.line, eb.col)
		}
		if err := sameTree(ea.val, eb.val, at+"."+ea.key); err != nil {
			return err
		}
	}
	for i := range a.items {
		if err := sameTree(a.items[i], b.items[i], fmt.Sprintf("%s[%d]", at, i)); err != nil {
			return err
		}
	}
	return nil
}

// checkFast fails when fastTree reads data differently from yaml.v3.
func checkFast(t *testing.T, name string, data []byte) bool {
	t.Helper()
	fast, ok := fastTree(data)
	if !ok {
		return false
	}
	slow, sok := slowTree(data)
	if !sok {
		t.Fatalf("%s: the fast path read a file yaml.v3 refuses or reports:\n%s", name, data)
	}
	if err := sameTree(fast, slow, name); err != nil {
		t.Fatalf("%s:\n%v", name, err)
	}
	return true
}

// TestFastTreeMatchesYAML compares the fast path with yaml.v3 on every
// manifest of the repository (files, and those in testscripts), generated
// sets, and hand-written edge cases; the fast path must read the
// generated sets and the examples, and leave everything unusual to yaml.v3.
func TestFastTreeMatchesYAML(t *testing.T) {
	fastFiles, files := 0, 0
	for _, root := range []string{filepath.Join("..", "..", "testdata"), filepath.Join("..", "..", "examples"), filepath.Join("..", "..", "cmd")} {
		err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			switch {
			case isManifestName(path):
				files++
				if checkFast(t, path, data) {
					fastFiles++
				}
			case strings.HasSuffix(path, ".txtar"):
				for _, f := range txtar.Parse(data).Files {
					if isManifestName(f.Name) {
						files++
						if checkFast(t, path+":"+f.Name, f.Data) {
							fastFiles++
						}
					}
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("the fast path read %d of %d manifest files", fastFiles, files)
	if fastFiles == 0 {
		t.Fatal("the fast path read no file of the repository")
	}
	for _, f := range generate.Files(300, 3) {
		if !checkFast(t, f.Name, f.Data) {
			t.Errorf("%s: a generated file went through yaml.v3", f.Name)
		}
	}
	// A set with contacts (lists: yaml.v3), as WriteWithContacts writes it.
	dir := t.TempDir()
	if err := generate.WriteWithContacts(dir, 300, 3); err != nil {
		t.Fatal(err)
	}
	written, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(written) == 0 {
		t.Fatalf("WriteWithContacts wrote nothing: %v", err)
	}
	for _, name := range written {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		checkFast(t, name, data)
	}
	for _, ex := range []string{"acme.yaml"} {
		data, err := os.ReadFile(filepath.Join("..", "..", "examples", ex))
		if err != nil {
			t.Fatal(err)
		}
		if !checkFast(t, ex, data) {
			t.Errorf("%s went through yaml.v3", ex)
		}
	}
	for _, c := range fastCases {
		checkFast(t, fmt.Sprintf("%q", c.data), []byte(c.data))
		if _, ok := fastTree([]byte(c.data)); ok != c.fast {
			t.Errorf("%q: fast path %v, want %v", c.data, ok, c.fast)
		}
	}
}

// fastCases are edge cases: those the fast path takes must match yaml.v3.
var fastCases = []struct {
	data string
	fast bool
}{
	{"a: b\n", true},
	{"a: b", true},
	{"# c\na:\n  b: 1\n  # x\n\n  c: -2.50\n", true},
	{"a: {b: 1, c: \"x, y\",  d: 'q' }\n", true},
	{"a: é — x: {b: 1}\n", false},
	{"a: x — y\nb: {c: é — d, e: 2026-01-02}\n", true},
	{"a: 0123\n", false},
	{"a: 1e3\n", false},
	{"a: 0x1F\n", false},
	{"a: 1_000\n", false},
	{"a: .5\n", false},
	{"a: +5\n", false},
	{"a: 5.\n", false},
	{"a: 12345678901234567890\n", false},
	{"a: yes\n", false},
	{"a: True\n", false},
	{"a: null\n", false},
	{"a: ~\n", false},
	{"a:\n", false},
	{"a:\nb: 1\n", false},
	{"a: b # c\n", false},
	{"a: b#c\n", true},
	{"a: b: c\n", false},
	{"a: http://x\n", true},
	{"a: x\na: y\n", false},
	{"a: x\n  b: y\n", false},
	{"a:\n    b: 1\n  c: 2\n", false},
	{"  a: 1\n", false},
	{"a: \"x\\ty\"\n", false},
	{"a: 'it''s'\n", false},
	{"a: \"x\" y\n", false},
	{"a: [1, 2]\n", false},
	{"a:\n- 1\n", false},
	{"a: &x 1\nb: *x\n", false},
	{"a: !!str 1\n", false},
	{"a: |\n  x\n", false},
	{"---\na: 1\n", false},
	{"a: 1\n---\nb: 2\n", false},
	{"a: b\r\n", false},
	{"a:\tb\n", false},
	{"\ufeffa: b\n", false},
	{"a: {b: 1}, c\n", false},
	{"a: {b: 1\n", false},
	{"a: {b: {c: 1}}\n", false},
	{"a: {b: x:y}\n", false},
	{"a: {b: 1, b: 2}\n", false},
	{"a: {}\n", false},
	{"a: -x\n", false},
	{"a: -5\nb: -0.5\nc: 0\nd: 0.0\ne: true\nf: false\n", true},
	{"a: 2026-13-45\nb: 2026-1-2\n", false},
	{"a: 2026-13-45\n", true},
	{"a: x \n", true},
	{"a: \"\"\nb: ''\n", true},
	{"a: O'Brien\nb: x\"y\n", true},
	{"", false},
	{"# only\n", false},
	{"a: \u2028\n", false},
}

// FuzzFastTree checks that whatever the fast path reads, it reads as
// yaml.v3 does.
func FuzzFastTree(f *testing.F) {
	for _, c := range fastCases {
		f.Add([]byte(c.data))
	}
	for _, g := range generate.Files(3, 1) {
		f.Add(g.Data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		checkFast(t, "fuzz", data)
	})
}
