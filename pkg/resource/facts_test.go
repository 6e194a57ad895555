package resource_test

import (
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// The facts the table states about kinds, which other packages look up
// instead of inferring them.
func TestKindFacts(t *testing.T) {
	tests := []struct {
		kind           resource.Kind
		owner, catalog bool
		line, embedded bool
		embeds         []resource.Kind
		charge         resource.Charge
	}{
		{kind: resource.Family, catalog: true},
		{kind: resource.Item, catalog: true},
		{kind: resource.Customer, owner: true},
		{kind: resource.CustomerFile, embeds: []resource.Kind{resource.Licence, resource.Initial, resource.Recurring}},
		{kind: resource.Licence, line: true, embedded: true, charge: resource.PerRenewal},
		{kind: resource.Initial, line: true, embedded: true, charge: resource.OneTime},
		{kind: resource.Recurring, line: true, embedded: true, charge: resource.PerCycle},
		{kind: resource.Contact},
		{kind: resource.Prospect, owner: true},
		{kind: resource.ProspectContact},
		{kind: resource.ProspectFile},
	}
	if len(tests) != len(resource.All()) {
		t.Fatalf("the test covers %d kinds, the table has %d: state the new kind's facts here", len(tests), len(resource.All()))
	}
	for _, tt := range tests {
		s := resource.Get(tt.kind)
		if s == nil {
			t.Fatalf("no kind %s", tt.kind)
		}
		embedded := s.Parent != nil && s.Parent.Embedded
		if s.Owner != tt.owner || s.Catalog != tt.catalog || s.IsLine() != tt.line || embedded != tt.embedded || s.Charge != tt.charge {
			t.Errorf("%s: owner %v catalog %v line %v embedded %v charge %v, want %v %v %v %v %v",
				tt.kind, s.Owner, s.Catalog, s.IsLine(), embedded, s.Charge, tt.owner, tt.catalog, tt.line, tt.embedded, tt.charge)
		}
		var embeds []resource.Kind
		for _, c := range s.Embeds() {
			embeds = append(embeds, c.Kind)
		}
		if len(embeds) != len(tt.embeds) {
			t.Errorf("%s embeds %v, want %v", tt.kind, embeds, tt.embeds)
			continue
		}
		for i := range embeds {
			if embeds[i] != tt.embeds[i] {
				t.Errorf("%s embeds %v, want %v", tt.kind, embeds, tt.embeds)
			}
		}
	}
}

// Rules the facts follow, whatever kinds the table holds.
func TestKindFactsAgree(t *testing.T) {
	for _, s := range resource.All() {
		if (s.Owner || s.Catalog) && s.Parent != nil {
			t.Errorf("%s: owners and catalog kinds are top-level", s.Kind)
		}
		if s.Owner && s.Catalog {
			t.Errorf("%s: both an owner and a catalog kind", s.Kind)
		}
		if s.Parent == nil && !s.Owner && !s.Catalog {
			t.Errorf("%s: a top-level kind is an owner or part of the catalog", s.Kind)
		}
		if p := s.Parent; p != nil && p.Embedded && p.BodyField == "" {
			t.Errorf("%s: an embedded kind names its parent in the body (the filter when the GET does not embed it)", s.Kind)
		}
	}
}

func TestOwnerAddr(t *testing.T) {
	for addr, want := range map[string]string{
		"customer.acme":                         "customer.acme",
		"customer.acme.file.main":               "customer.acme",
		"customer.acme.file.main.licence.seats": "customer.acme",
		"customer.acme.file.main.links":         "customer.acme",
		"prospect.initech":                      "prospect.initech",
		"prospect.initech.prospect-file.trial":  "prospect.initech",
		"prospect.initech.prospect-contact.ceo": "prospect.initech",
		"family.voip":                           "",
		"item.trunk":                            "",
		"bogus":                                 "",
		"":                                      "",
	} {
		if got := resource.OwnerAddr(addr); got != want {
			t.Errorf("OwnerAddr(%q) = %q, want %q", addr, got, want)
		}
	}
}

func TestParentAddr(t *testing.T) {
	for addr, want := range map[string]string{
		"family.voip":                          "",
		"customer.acme":                        "",
		"customer.acme.file.main":              "customer.acme",
		"customer.acme.file.main.licence.seat": "customer.acme.file.main",
		"bogus":                                "",
	} {
		if got := resource.ParentAddr(addr); got != want {
			t.Errorf("ParentAddr(%s) = %q, want %q", addr, got, want)
		}
	}
}
