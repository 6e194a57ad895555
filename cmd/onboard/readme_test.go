package main

import (
	"flag"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

var update = flag.Bool("update", false, "rewrite golden files and generated documentation")

// TestReadmeFieldReference keeps the README's field reference equal to the
// resource table (go test ./cmd/onboard -run Readme -update rewrites it).
func TestReadmeFieldReference(t *testing.T) {
	const begin, end = "<!-- fields:begin -->\n", "<!-- fields:end -->"
	path := "../../README.md"
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	i, j := strings.Index(readme, begin), strings.Index(readme, end)
	if i < 0 || j < i {
		t.Fatalf("README.md lacks the %q ... %q markers", begin, end)
	}
	want := fieldReference()
	if got := readme[i+len(begin) : j]; got != want {
		if !*update {
			t.Fatalf("README field reference is out of date: run go test ./cmd/onboard -run Readme -update")
		}
		if err := os.WriteFile(path, []byte(readme[:i+len(begin)]+want+readme[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// fieldReference renders the table as Markdown: one section per kind.
func fieldReference() string {
	var b strings.Builder
	for _, s := range resource.All() {
		where := "top level `" + s.Collection + ":`"
		if s.Parent != nil {
			where = "`" + s.Collection + ":` of a " + resource.Get(s.Parent.Kind).Title
		}
		fmt.Fprintf(&b, "**%s** (%s; `POST %s`). %s\n\n", s.Title, where, s.Path, s.Description)
		b.WriteString("| field | type | required | description |\n|---|---|---|---|\n")
		for _, f := range s.Fields {
			name, typ := "`"+f.Name+"`", f.Type.String()
			if f.Type == resource.Reference {
				name = "`" + f.Name + "` or `" + f.IDName + "`"
				typ = "local name of a " + resource.Get(f.Target).Title + ", or an id"
			}
			req := ""
			if f.Required {
				req = "yes"
			}
			fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", name, typ, req, strings.ReplaceAll(f.Description, "|", `\|`))
		}
		fmt.Fprintf(&b, "| `extra` | map | | Sent verbatim in the request, unchecked. |\n\n")
	}
	b.WriteString("**How the API stores each type.** onboard compares what it sends with what is stored in this form, and refuses a value the API would alter.\n\n| type | stored as |\n|---|---|\n")
	for _, t := range []resource.Type{resource.String, resource.Integer, resource.Decimal, resource.Boolean, resource.Date, resource.Reference} {
		fmt.Fprintf(&b, "| %s | %s |\n", t, t.Stored())
	}
	b.WriteString("\n")
	return b.String()
}
