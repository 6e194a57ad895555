package manifest

import (
	"slices"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// TestRemovedRefused: each decision the table does not allow, a stop
// without a real date, an address still declared and malformed entries
// are refused at the entry, with what is allowed.
func TestRemovedRefused(t *testing.T) {
	const head = "customers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\nremoved:\n"
	tests := []struct {
		name, entry string
		want        []string
	}{
		{"customer delete", "  - {address: customer.globex, then: delete}\n",
			[]string{"m.yaml:8:38: removed customer.globex: a customer cannot be ended by delete; for a customer write then: stop or forget"}},
		{"initial deactivate", "  - {address: customer.x.file.f.initial.setup, then: deactivate}\n",
			[]string{"m.yaml:8:54: removed customer.x.file.f.initial.setup: an initial charge cannot be ended by deactivate; for an initial charge write then: delete or forget"}},
		{"stop without date", "  - {address: customer.globex, then: stop}\n",
			[]string{"m.yaml:8:38: removed customer.globex: stop needs a date; add date: YYYY-MM-DD, the day its services stop"}},
		{"stop impossible date", "  - {address: customer.globex, then: stop, date: 2026-02-30}\n",
			[]string{"m.yaml:8:50: date 2026-02-30 is not a real calendar date; 2026-02 has 28 days"}},
		{"date on delete", "  - {address: customer.x.file.f, then: delete, date: 2026-01-01}\n",
			[]string{"m.yaml:8:48: removed customer.x.file.f: a date is for stop only, not delete; remove date:, or decide then: stop"}},
		{"unknown decision", "  - {address: customer.globex, then: cancel}\n",
			[]string{`m.yaml:8:38: removed customer.globex: then: "cancel" is not a decision onboard knows; for a customer write then: stop or forget`}},
		{"still declared", "  - {address: customer.acme.file.main, then: forget}\n",
			[]string{"m.yaml:8:15: removed customer.acme.file.main is still declared (at m.yaml:5:7); remove its declaration to end it, or this entry to keep it"}},
		{"contains declared", "  - {address: customer.acme, then: forget}\n",
			[]string{"m.yaml:8:15: removed customer.acme is still declared (at m.yaml:2:3); remove its declaration to end it, or this entry to keep it"}},
		{"twice", "  - {address: customer.g, then: forget}\n  - {address: customer.g, then: forget}\n",
			[]string{"m.yaml:9:15: removed customer.g is decided twice (first at m.yaml:8:15); keep one entry"}},
		{"inside another", "  - {address: customer.g, then: forget}\n  - {address: customer.g.file.f, then: delete}\n",
			[]string{"m.yaml:9:15: removed customer.g.file.f is inside customer.g, decided at m.yaml:8:15 (then: forget), which covers it; keep one decision for it: remove this entry, or the outer one (an applied entry can go: the plan says when)"}},
		{"not an address", "  - {address: customer, then: forget}\n",
			[]string{`m.yaml:8:15: removed: "customer" is not an address (e.g. customer.acme or customer.acme.file.main); write the address onboard gives the object (onboard state list shows them), e.g. customer.acme.file.main`}},
		{"unknown key", "  - {address: customer.g, thne: forget}\n", []string{
			`m.yaml:8:5: a removed: entry is missing required field "then"; each entry is {address: ADDRESS, then: deactivate|stop|delete|forget, date: YYYY-MM-DD (for stop)}`,
			`m.yaml:8:27: unknown field "thne" in a removed: entry; did you mean "then"?`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diagnostics(t, head+tt.entry)
			if !slices.Equal(got, tt.want) {
				t.Errorf("diagnostics:\n%q\nwant\n%q", got, tt.want)
			}
		})
	}
}

// TestRemovedLoaded: valid entries reach the set with their kind, date
// and position, from any file.
func TestRemovedLoaded(t *testing.T) {
	set, err := loadBytes(t, "removed:\n  - address: customer.globex\n    then: stop\n    date: 2026-12-31\n  - address: customer.acme.file.main.recurring.trunk\n    then: deactivate\n")
	if err != nil {
		t.Fatal(err)
	}
	want := []Removal{
		{Addr: "customer.globex", Kind: resource.Customer, Then: resource.Stop, Date: "2026-12-31",
			Pos: Pos{File: "m.yaml", Line: 2, Col: 14}, DatePos: Pos{File: "m.yaml", Line: 4, Col: 11}},
		{Addr: "customer.acme.file.main.recurring.trunk", Kind: resource.Recurring, Then: resource.Deactivate,
			Pos: Pos{File: "m.yaml", Line: 5, Col: 14}},
	}
	if !slices.Equal(set.Removed, want) {
		t.Errorf("removed:\n%+v\nwant\n%+v", set.Removed, want)
	}
	if !want[0].Covers("customer.globex.file.x") || want[0].Covers("customer.globex2") {
		t.Error("Covers: a decision covers the address and what it contains, only")
	}
}
