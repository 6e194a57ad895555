package planrender

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const offersV1 = `items:
  sip: {description: SIP, selling_price_without_tax: 19.90}
offers:
  p:
    recurrings:
      trunk: {item: sip, quantity: 2, billing_frequency: 1, selling_price_without_tax: 49.00}
    initials:
      setup: {item: sip, quantity: 1, selling_price_without_tax: 150.00}
customers:
  a: {name: A, files: {main: {name: Main, offers: [p]}}}
  b:
    name: B
    files:
      main:
        name: Main
        offers: [p]
        recurrings:
          trunk: {billing_frequency: 3}
  c:
    name: C
    files:
      main:
        name: Main
        offers: [p]
        recurrings:
          trunk: {quantity: 5}
`

// TestOfferGroups changes an offer's trunk quantity and setup price: the
// quantity change groups the two lines that take it from the offer (not
// c's, which overrides it), with their monthly money (a monthly and a
// quarterly line: 49.00 + 49.00/3, rounded once); the price change groups
// the three setups, one-time.
func TestOfferGroups(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	write := func(s string) {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(offersV1)
	st := appliedState(compilePath(t, path, nil))
	v2 := strings.Replace(offersV1, "quantity: 2,", "quantity: 3,", 1)
	v2 = strings.Replace(v2, "150.00", "120.00", 1)
	write(v2)
	p := compilePath(t, path, st)
	gs := OfferGroups(p)
	var got []string
	for _, g := range gs {
		var addrs []string
		for _, s := range g.Steps {
			addrs = append(addrs, s.Addr)
		}
		got = append(got, g.Text()+" ["+strings.Join(addrs, " ")+"]")
	}
	want := []string{
		"offer p: 2 lines, quantity 2 → 3, ≈ +65.33 per month [customer.a.file.main.recurring.trunk customer.b.file.main.recurring.trunk]",
		"offer p: 3 lines, selling_price_without_tax 150.00 → 120.00, −90.00 one-time [customer.a.file.main.initial.setup customer.b.file.main.initial.setup customer.c.file.main.initial.setup]",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("groups:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// Changing c's own override is c's change, not the offer's.
	write(strings.Replace(offersV1, "trunk: {quantity: 5}", "trunk: {quantity: 6}", 1))
	p = compilePath(t, path, st)
	if gs := OfferGroups(p); len(gs) != 0 {
		t.Errorf("an override's change is grouped under its offer: %+v", gs)
	}
	if c := p.Counts(); c.Update != 1 {
		t.Errorf("counts %+v, want one update", c)
	}
}
