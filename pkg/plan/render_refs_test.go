package plan

import (
	"bytes"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/state"
)

// TestRenderedReferences checks that every rendering shows the id a
// reference will carry when its target exists already (no-op or changed,
// in the state), and the target's address only when it is still to be
// created.
func TestRenderedReferences(t *testing.T) {
	fresh, err := Compile(fixture(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The customer and the family exist as planned; the item exists with
	// another spec (changed). The file and its lines are to be created.
	existing := &state.State{Objects: map[string]*state.Object{
		"family.voip":   {Addr: "family.voip", Kind: "family", ID: 7, Status: state.StatusCreated, Hash: fresh.ByAddr["family.voip"].Hash},
		"customer.acme": {Addr: "customer.acme", Kind: "customer", ID: 101, Status: state.StatusCreated, Hash: fresh.ByAddr["customer.acme"].Hash},
		"item.sip":      {Addr: "item.sip", Kind: "item", ID: 42, Status: state.StatusCreated, Hash: "other", Spec: map[string]string{"description": "old"}},
	}}
	render := map[string]func(*Plan, *bytes.Buffer) error{
		"text":     func(p *Plan, b *bytes.Buffer) error { return p.RenderText(b) },
		"json":     func(p *Plan, b *bytes.Buffer) error { return p.RenderJSON(b) },
		"markdown": func(p *Plan, b *bytes.Buffer) error { return p.RenderMarkdown(b) },
	}
	cases := []struct {
		name, format string
		st           *state.State
		want, not    []string
	}{
		{"fresh text", "text", nil,
			[]string{"fileable_id=(id of customer.acme)", "item_id          = (id of item.sip)"},
			[]string{"101", "= 42"}},
		{"existing text", "text", existing,
			[]string{"POST /v1/customer-files?fileable_type=customer&fileable_id=101\n",
				"item_id          = 42 (item.sip)",
				"customer_file_id = (id of customer.acme.file.main)"},
			[]string{"(id of customer.acme)\n", "(id of item.sip)"}},
		{"fresh json", "json", nil,
			[]string{`"fileable_id": {`, `"ref": "customer.acme"`, `"ref": "item.sip"`},
			[]string{`"fileable_id": 101`, `"item_id": 42`}},
		{"existing json", "json", existing,
			[]string{`"fileable_id": 101,`, `"item_id": 42,`, `"ref": "customer.acme.file.main"`},
			[]string{`"ref": "customer.acme"`, `"ref": "item.sip"`}},
		{"existing markdown", "markdown", existing,
			[]string{"fileable_id=101 ", "item_id=42 (item.sip)", "customer_file_id=(id of customer.acme.file.main)"},
			[]string{"(id of customer.acme)", "(id of item.sip)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p, err := Compile(fixture(), c.st, Options{})
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			if err := render[c.format](p, &b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}
