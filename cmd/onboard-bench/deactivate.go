package main

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// recurringLineRE finds a generated recurring line (generate names it
// "trunk", one per customer file) with its block key.
var recurringLineRE = regexp.MustCompile(`(?m)^ *recurrings:\n( *)trunk: \{[^\n]*\}\n`)

// customerRE finds a generated customer's key.
var customerRE = regexp.MustCompile(`(?m)^  (c-\d+):$`)

// deactivateRecurrings copies the manifests of src into dst without
// their recurring lines, and writes the removed: entries that deactivate
// them (issue 19); it returns how many it decided.
func deactivateRecurrings(src, dst string) int {
	check(os.MkdirAll(dst, 0o755))
	entries, err := os.ReadDir(src)
	check(err)
	var removed strings.Builder
	removed.WriteString("removed:\n")
	n := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		check(err)
		text := string(b)
		// Each customer has one file "main" with one line "trunk".
		for _, m := range customerRE.FindAllStringSubmatch(text, -1) {
			fmt.Fprintf(&removed, "  - address: customer.%s.file.main.recurring.trunk\n    then: deactivate\n", m[1])
		}
		out := recurringLineRE.ReplaceAllStringFunc(text, func(string) string { n++; return "" })
		check(os.WriteFile(filepath.Join(dst, e.Name()), []byte(out), 0o644))
	}
	check(os.WriteFile(filepath.Join(dst, "removed.yaml"), []byte(removed.String()), 0o644))
	return n
}

// deactivateTargets are issue 19's: deactivating every recurring line
// within 1.15 × the API bound of its PUTs plus the preflight, with one
// PUT a line, no POST and no DELETE.
func (r *report) deactivateTargets(note string) []target {
	for _, run := range r.runs {
		if run.update == nil {
			return []target{{name: r.name, measured: "the setup apply failed (see above)"}}
		}
	}
	changed := r.runs[0].update.changed
	return r.putTargets(fmt.Sprintf("deactivate %d recurring lines", changed), fmt.Sprintf("deactivate %d recurring lines", changed), "deactivated", note)
}
