package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

// byID is the fixture with its recurring line's item given by id (42),
// written at acme.yaml:14:22.
func byID() *manifest.Set {
	set := fixture()
	rec := set.ByAddr["customer.acme.file.main.recurring.trunk"]
	rec.Refs["item"] = manifest.Ref{ID: "42", Pos: manifest.Pos{File: "acme.yaml", Line: 14, Col: 22}}
	return set
}

func TestReferencesByID(t *testing.T) {
	item42 := map[string]string{"description": "Fibre 500 Mb/s", "selling_price_without_tax": "59.00", "billing_frequency": "1"}
	tests := []struct {
		name     string
		existing Existing
		// missing is the error's text, "" for none.
		missing string
		// ref is the recurring step's description of item 42, "" for none.
		ref string
		// recurring is the preview of the recurring lines.
		recurring string
	}{
		{name: "not read: unchecked, no price", existing: nil,
			recurring: "recurring 2 × catalog price of item #42 = 0.00 + catalog prices not known here per monthly cycle"},
		{name: "read: described, priced", existing: Existing{resource.Item: {42: item42}},
			ref: `item #42 "Fibre 500 Mb/s", 59.00`, recurring: "recurring 2 × 59.00 = 118.00 per monthly cycle"},
		{name: "missing", existing: Existing{resource.Item: {43: item42}},
			missing: "acme.yaml:14:22: item_id: item #42 does not exist in BlueRockTEL; use the id of an item that exists in this BlueRockTEL, or declare the item in the manifests and refer to it by its local name (item: NAME)"},
		{name: "none exist", existing: Existing{},
			missing: "acme.yaml:14:22: item_id: item #42 does not exist in BlueRockTEL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(byID(), nil, Options{Existing: tt.existing})
			if tt.missing != "" {
				var me *MissingError
				if !errors.As(err, &me) || len(me.Missing) != 1 || !strings.HasPrefix(err.Error(), tt.missing) {
					t.Fatalf("err = %v, want a MissingError %q", err, tt.missing)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			s := p.ByAddr["customer.acme.file.main.recurring.trunk"]
			got := ""
			if len(s.Refs) > 0 {
				got = s.Refs[0].String()
			}
			if got != tt.ref || len(s.Refs) > 1 {
				t.Errorf("refs = %v, want %q", s.Refs, tt.ref)
			}
			lines := strings.Join(p.Previews[0].Lines(), "\n")
			if !strings.Contains(lines, tt.recurring) {
				t.Errorf("preview:\n%s\nwant a line %q", lines, tt.recurring)
			}
		})
	}
}

func TestSending(t *testing.T) {
	set := byID()
	p, err := Compile(set, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	refs := References(set)
	if len(refs) != 1 || refs[0].Kind != resource.Item || refs[0].ID != 42 || refs[0].Field != "item_id" {
		t.Fatalf("References = %+v, want item 42 by item_id", refs)
	}
	if got := Sending(p, refs); len(got) != 1 {
		t.Errorf("Sending of a plan that creates the line = %v, want its reference", got)
	}
	p.ByAddr["customer.acme.file.main.recurring.trunk"].Action = NoOp
	if got := Sending(p, refs); len(got) != 0 {
		t.Errorf("Sending of a plan that leaves the line alone = %v, want none", got)
	}
}
