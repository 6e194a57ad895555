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

// sameFields returns an earlier kind at the same path whose fields have
// the same names as s's (a prospect's contacts are a customer's), or nil.
func sameFields(s *resource.Spec) *resource.Spec {
	for _, o := range resource.All() {
		if o == s {
			return nil
		}
		if o.Path != s.Path || len(o.Fields) < len(s.Fields) || o.Parent == nil {
			continue
		}
		same := len(o.Fields) == len(s.Fields)
		for i := range s.Fields {
			same = same && o.Fields[i].Name == s.Fields[i].Name
		}
		if same {
			return o
		}
	}
	return nil
}

// fieldReference renders the table as Markdown: one section per kind.
func fieldReference() string {
	var b strings.Builder
	for _, s := range resource.All() {
		where := "top level `" + s.Collection + ":`"
		if s.Parent != nil {
			where = "`" + s.Collection + ":` of a " + resource.Get(s.Parent.Kind).Title
		}
		if twin := sameFields(s); twin != nil {
			// A prospect's contacts and files are a customer's, owned
			// through another query constant: say so, not the table again.
			fmt.Fprintf(&b, "**%s** (%s; `POST %s`). %s The fields of a %s of a %s.\n\n", s.Title, where, s.Path, s.Description,
				twin.Title, resource.Get(twin.Parent.Kind).Title)
			continue
		}
		fmt.Fprintf(&b, "**%s** (%s; `POST %s`). %s\n\n", s.Title, where, s.Path, s.Description)
		b.WriteString("| field | type | required | description |\n|---|---|---|---|\n")
		for _, f := range s.Fields {
			name, typ := "`"+f.Name+"`", f.Type.String()
			if f.Type == resource.Reference {
				name = "`" + f.Name + "` or `" + f.IDName + "`"
				typ = "local name of a " + resource.Get(f.Target).Title + ", or an id"
			}
			if f.Type == resource.ReferenceList {
				name = "`" + f.Name + "` and/or `" + f.IDName + "`"
				typ = "list of local names of " + resource.Get(f.Target).Title + "s, and/or of ids"
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
	for _, t := range []resource.Type{resource.String, resource.Integer, resource.Decimal, resource.Boolean, resource.Date, resource.Reference, resource.ReferenceList} {
		fmt.Fprintf(&b, "| %s | %s |\n", t, t.Stored())
	}
	b.WriteString("\n")
	return b.String()
}
