package plan

import (
	"errors"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// fixture builds the cookbook's objects by hand: family, item, customer,
// file, and the three lines.
func fixture() *manifest.Set {
	v := func(t resource.Type, s string) manifest.Value { return manifest.Value{Text: s, Type: t} }
	fam := &manifest.Object{Kind: resource.Family, Name: "voip", Fields: map[string]manifest.Value{"name": v(resource.String, "VoIP Services")}}
	item := &manifest.Object{Kind: resource.Item, Name: "sip", Fields: map[string]manifest.Value{
		"description":               v(resource.String, "SIP Trunk — 2 channels"),
		"selling_price_without_tax": v(resource.Decimal, "19.90"),
		"billing_frequency":         v(resource.Integer, "1"),
	}, Refs: map[string]manifest.Ref{"family": {Target: fam}}}
	cust := &manifest.Object{Kind: resource.Customer, Name: "acme", Fields: map[string]manifest.Value{"name": v(resource.String, "Acme Telecom SAS")}}
	file := &manifest.Object{Kind: resource.CustomerFile, Name: "main", Parent: cust, Fields: map[string]manifest.Value{
		"name": v(resource.String, "Main Contract 2026"), "billing_frequency": v(resource.Integer, "1")}}
	lic := &manifest.Object{Kind: resource.Licence, Name: "seats", Parent: file, Fields: map[string]manifest.Value{
		"quantity": v(resource.Decimal, "5"), "frequency": v(resource.Integer, "12")},
		Refs: map[string]manifest.Ref{"item": {Target: item}}}
	ini := &manifest.Object{Kind: resource.Initial, Name: "setup", Parent: file, Fields: map[string]manifest.Value{
		"quantity": v(resource.Decimal, "1"), "selling_price_without_tax": v(resource.Decimal, "150.00")},
		Refs: map[string]manifest.Ref{"item": {Target: item}}}
	rec := &manifest.Object{Kind: resource.Recurring, Name: "trunk", Parent: file, Fields: map[string]manifest.Value{
		"quantity": v(resource.Decimal, "2")},
		Refs: map[string]manifest.Ref{"item": {Target: item}}}
	objs := []*manifest.Object{cust, file, lic, ini, rec, fam, item} // customer first: Compile must still put the catalog first
	set := &manifest.Set{ByAddr: map[string]*manifest.Object{}}
	for _, o := range objs {
		o.Addr = manifest.Address(o.Parent, o.Kind, o.Name)
		if o.Parent != nil {
			o.Parent.Children = append(o.Parent.Children, o)
		}
		set.Objects = append(set.Objects, o)
		set.ByAddr[o.Addr] = o
	}
	return set
}

func TestCompileActions(t *testing.T) {
	set := fixture()
	fresh, err := Compile(set, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := fresh.Counts(); got != (Counts{Create: 7}) {
		t.Fatalf("fresh counts = %+v, want 7 creates", got)
	}
	if fresh.Steps[0].Kind != resource.Family || fresh.Steps[1].Kind != resource.Item {
		t.Errorf("catalog is not first: %s, %s", fresh.Steps[0].Addr, fresh.Steps[1].Addr)
	}
	lic := fresh.ByAddr["customer.acme.file.main.licence.seats"]
	if want := []string{"customer.acme.file.main", "item.sip"}; strings.Join(lic.Deps, ",") != strings.Join(want, ",") {
		t.Errorf("licence deps = %v, want %v", lic.Deps, want)
	}
	if lic.Body[0].Wire != "customer_file_id" || lic.Body[1].Wire != "item_id" {
		t.Errorf("licence body starts with %s, %s; want customer_file_id, item_id", lic.Body[0].Wire, lic.Body[1].Wire)
	}

	// State: family as planned, item created from another spec, customer
	// pending, an orphan.
	st := &state.State{Objects: map[string]*state.Object{
		"family.voip":    {Addr: "family.voip", ID: 7, Status: state.StatusCreated, Hash: fresh.ByAddr["family.voip"].Hash},
		"item.sip":       {Addr: "item.sip", ID: 42, Status: state.StatusCreated, Hash: "other", Spec: map[string]string{"description": "old"}},
		"customer.acme":  {Addr: "customer.acme", Status: state.StatusPending, Hash: "x"},
		"customer.gone":  {Addr: "customer.gone", Kind: "customer", ID: 9, Status: state.StatusCreated, Hash: "y"},
		"family.imports": {Addr: "family.imports", Kind: "family", ID: 8, Status: state.StatusCreated},
	}}
	p, err := Compile(set, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		addr   string
		action Action
		verify bool
	}{
		{"family.voip", NoOp, false},
		{"item.sip", Update, false},
		{"customer.acme", Create, true},
		{"customer.acme.file.main", Create, false},
	}
	for _, c := range cases {
		s := p.ByAddr[c.addr]
		if s.Action != c.action || s.Verify != c.verify {
			t.Errorf("%s: action %s verify %v, want %s %v", c.addr, s.Action, s.Verify, c.action, c.verify)
		}
	}
	item := p.ByAddr["item.sip"]
	if len(item.Changes) == 0 || item.Changes[0].Field != "description" || item.Method != "PUT" || item.Path != "/v1/items/42" {
		t.Errorf("item update = %s %s %+v", item.Method, item.Path, item.Changes)
	}
	if len(p.Orphans) != 2 || p.Orphans[0].Addr != "customer.gone" || p.Orphans[1].Addr != "family.imports" {
		t.Errorf("orphans = %+v", p.Orphans)
	}

	adopt, err := Compile(set, nil, Options{Adopt: true})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range adopt.Steps {
		if !s.Verify {
			t.Errorf("%s: --adopt must look up first", s.Addr)
		}
	}
}

func TestHashIsStableAndSensitive(t *testing.T) {
	a, _ := Compile(fixture(), nil, Options{})
	b, _ := Compile(fixture(), nil, Options{})
	set := fixture()
	set.ByAddr["customer.acme.file.main.initial.setup"].Fields["selling_price_without_tax"] = manifest.Value{Text: "120.00", Type: resource.Decimal}
	c, _ := Compile(set, nil, Options{})
	// The state holds what the API stores: 150.0 is stored as 150.00.
	same := fixture()
	same.ByAddr["customer.acme.file.main.initial.setup"].Fields["selling_price_without_tax"] = manifest.Value{Text: "150.0", Type: resource.Decimal}
	d, _ := Compile(same, nil, Options{})
	addr := "customer.acme.file.main.initial.setup"
	if a.ByAddr[addr].Hash != b.ByAddr[addr].Hash {
		t.Error("same manifest, different hash")
	}
	if a.ByAddr[addr].Hash == c.ByAddr[addr].Hash {
		t.Error("150.00 and 120.00 must hash differently")
	}
	if a.ByAddr[addr].Hash != d.ByAddr[addr].Hash || d.ByAddr[addr].Spec["selling_price_without_tax"] != "150.00" {
		t.Errorf("150.0 must be recorded as the API stores it (150.00): spec %q", d.ByAddr[addr].Spec["selling_price_without_tax"])
	}
}

func TestCheckCycles(t *testing.T) {
	type node struct {
		name string
		deps []string
	}
	cases := []struct {
		name  string
		nodes []node
		want  string // "" = no cycle
	}{
		{"dag", []node{{"a", nil}, {"b", []string{"a"}}, {"c", []string{"a", "b"}}}, ""},
		{"self", []node{{"a", []string{"a"}}}, "a -> a"},
		{"three", []node{{"x", nil}, {"a", []string{"b"}}, {"b", []string{"c"}}, {"c", []string{"a", "x"}}}, "a -> b -> c -> a"},
		{"unknown deps ignored", []node{{"a", []string{"zz"}}}, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := checkCycles(c.nodes, func(n node) string { return n.name }, func(n node) []string { return n.deps })
			var ce *CycleError
			switch {
			case c.want == "" && err != nil:
				t.Fatalf("unexpected %v", err)
			case c.want != "" && !errors.As(err, &ce):
				t.Fatalf("want cycle %q, got %v", c.want, err)
			case c.want != "" && strings.Join(ce.Path, " -> ") != c.want:
				t.Fatalf("cycle %q, want %q", strings.Join(ce.Path, " -> "), c.want)
			}
		})
	}
}

func TestPreviewIsExact(t *testing.T) {
	p, err := Compile(fixture(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	pv := p.Previews
	if len(pv) != 1 {
		t.Fatalf("%d previews, want 1", len(pv))
	}
	got := strings.Join(pv[0].Lines(), "\n")
	want := strings.Join([]string{
		"one-time 150.00 (1 × 150.00 = 150.00)",
		"recurring 2 × 19.90 = 39.80 per monthly cycle",
		"licences 5 × 19.90 = 99.50 every 12 months",
	}, "\n")
	if got != want {
		t.Fatalf("preview:\n%s\nwant:\n%s", got, want)
	}
}

func TestMoneyNeverRounds(t *testing.T) {
	for in, want := range map[string]string{"150": "150.00", "19.9": "19.90", "0.125": "0.125", "39.8000": "39.80", "1E+2": "100.00", "75.0000": "75.00", "0.1250": "0.125", "12.3456": "12.3456"} {
		d := mustDec(t, in)
		if got := Money(d); got != want {
			t.Errorf("Money(%s) = %s, want %s", in, got, want)
		}
	}
}

func mustDec(t *testing.T, s string) *apd.Decimal {
	t.Helper()
	d, _, err := apd.NewFromString(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestPreviewCycleFallback: a recurring line's cycle is its own, else its
// file's, else its item's billing frequency.
func TestPreviewCycleFallback(t *testing.T) {
	const rec, file, item = "customer.acme.file.main.recurring.trunk", "customer.acme.file.main", "item.sip"
	cases := []struct {
		name  string
		set   map[string]string // address -> billing_frequency ("" removes it)
		cycle string
	}{
		{"line's own", map[string]string{rec: "3", file: "1", item: "12"}, "per quarterly cycle"},
		{"file's", map[string]string{rec: "", file: "6", item: "12"}, "per half-yearly cycle"},
		{"item's", map[string]string{rec: "", file: "", item: "12"}, "per yearly cycle"},
		{"none", map[string]string{rec: "", file: "", item: ""}, "per billing cycle"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			set := fixture()
			for addr, v := range c.set {
				o := set.ByAddr[addr]
				if v == "" {
					delete(o.Fields, "billing_frequency")
					continue
				}
				o.Fields["billing_frequency"] = manifest.Value{Text: v, Type: resource.Integer}
			}
			p, err := Compile(set, nil, Options{})
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(p.Previews[0].Lines(), "\n")
			if want := "recurring 2 × 19.90 = 39.80 " + c.cycle; !strings.Contains(got, want) {
				t.Errorf("preview:\n%s\nwant a line %q", got, want)
			}
		})
	}
}
