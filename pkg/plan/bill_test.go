package plan

import (
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

func compileFixture(t *testing.T, edit func(*manifest.Set), st *state.State) *Plan {
	t.Helper()
	set := fixture()
	if edit != nil {
		edit(set)
	}
	p, err := Compile(set, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	fxFile  = "customer.acme.file.main"
	fxTrunk = "customer.acme.file.main.recurring.trunk"
	fxCust  = "customer.acme"
)

func setField(addr, field string, typ resource.Type, text string) func(*manifest.Set) {
	return func(set *manifest.Set) {
		set.ByAddr[addr].Fields[field] = manifest.Value{Text: text, Type: typ}
	}
}

// endStep turns the plan's step at addr into a step of an action this
// package does not define (the lifecycle's), to check that BilledAfter
// maps it by its request: a DELETE leaves nothing, a PUT its fields.
func billEndStep(addr, action, method string, body ...resource.Value) func(*Plan) {
	return func(p *Plan) {
		s := p.ByAddr[addr]
		s.Action, s.Method, s.Body, s.Changes = Action(action), method, body, nil
	}
}

// TestBill checks the model by hand on the fixture: a file billed monthly
// with a recurring line 2 × 19.90 (39.80 a month), a licence 5 × 19.90
// every 12 months (99.50 / 12 = 8.291666… a month) and a one-time 150.00.
// Before, per month: 577.10 / 12 = 48.091666… (≈ 48.09).
func TestBill(t *testing.T) {
	base := compileFixture(t, nil, nil)
	st := applied(base)
	cases := []struct {
		name    string
		fresh   bool
		edit    func(*manifest.Set)
		step    func(*Plan)
		before  string // per month, exact
		after   string
		change  string // per month, by the money rule
		oneTime string
		preview string // a line the preview must hold ("" none)
	}{
		{name: "create", fresh: true, before: "0", after: "577.10/12",
			change: "≈ +48.09", oneTime: "+150.00", preview: "recurring 2 × 19.90 = 39.80 per monthly cycle"},
		{name: "update quantity", edit: setField(fxTrunk, "quantity", resource.Decimal, "3"),
			before: "577.10/12",
			after:  "815.90/12", change: "+19.90", oneTime: "0.00",
			preview: "recurring 2 × 19.90 = 39.80 -> 3 × 19.90 = 59.70 per monthly cycle (+19.90)"},
		{name: "update price", edit: setField(fxTrunk, "selling_price_without_tax", resource.Decimal, "25"),
			after: "699.50/12", change: "+10.20", oneTime: "0.00",
			preview: "recurring 2 × 19.90 = 39.80 -> 2 × 25.00 = 50.00 per monthly cycle (+10.20)"},
		{name: "active true to false", edit: setField(fxTrunk, "active", resource.Boolean, "false"),
			after: "99.50/12", change: "−39.80", oneTime: "0.00",
			preview: "recurring 2 × 19.90 = 39.80 -> nothing per monthly cycle (−39.80)"},
		{name: "services_stop", edit: setField(fxFile, "services_stop", resource.Date, "2026-12-31"),
			after: "0", change: "≈ −48.09", oneTime: "0.00",
			preview: "recurring 2 × 19.90 = 39.80 per monthly cycle (unchanged), until 2026-12-31 (was: no end)"},
		{name: "delete", step: billEndStep(fxTrunk, "delete", "DELETE"),
			after: "99.50/12", change: "−39.80", oneTime: "0.00",
			preview: "recurring 2 × 19.90 = 39.80 -> nothing per monthly cycle (−39.80)"},
		{name: "deactivate", step: billEndStep(fxTrunk, "deactivate", "PUT", resource.Value{Wire: "active", Type: resource.Boolean, Text: "false"}),
			after: "99.50/12", change: "−39.80", oneTime: "0.00"},
		{name: "stop", step: billEndStep(fxFile, "stop", "PUT", resource.Value{Wire: "services_stop", Type: resource.Date, Text: "2026-12-31"}),
			after: "0", change: "≈ −48.09", oneTime: "0.00", preview: "until 2026-12-31 (was: no end)"},
		// A deleted file: nothing under it bills, its one-time line's
		// charge is taken away.
		{name: "delete a file", step: billEndStep(fxFile, "delete", "DELETE"),
			after: "0", change: "≈ −48.09", oneTime: "−150.00"},
		{name: "forget", step: billEndStep(fxTrunk, "forget", ""),
			after: "577.10/12", change: "0.00", oneTime: "0.00"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var p *Plan
			if c.fresh {
				p = compileFixture(t, c.edit, nil)
			} else {
				p = compileFixture(t, c.edit, st)
			}
			if c.step != nil {
				c.step(p)
				p.Previews = previews(p)
			}
			b := p.Bill(MoneySettings{})
			before := c.before
			if before == "" {
				before = "577.10/12"
			}
			checkDec(t, "per month before", b.PerMonthBefore, before)
			checkDec(t, "per month after", b.PerMonthAfter, c.after)
			if got := money.Signed(b.PerMonthChange); got != c.change {
				t.Errorf("change %s, want %s", got, c.change)
			}
			if got := money.Signed(b.OneTime); got != c.oneTime {
				t.Errorf("one-time %s, want %s", got, c.oneTime)
			}
			if len(b.Customers) != 1 || b.Customers[0].Customer != fxCust || b.Customers[0].Files != 1 {
				t.Errorf("customers %+v, want acme with 1 file", b.Customers)
			}
			// The one file's figures are the customer's and the plan's.
			if len(b.FileBills) != 1 || b.FileBills[0].File != fxFile || !b.FileBills[0].Changed {
				t.Fatalf("files %+v, want the changed main file", b.FileBills)
			}
			fb := b.FileBills[0]
			checkDec(t, "file per month before", fb.Before.PerMonth, before)
			checkDec(t, "file per month after", fb.After.PerMonth, c.after)
			if c.preview != "" {
				if len(p.Previews) != 1 {
					t.Fatalf("%d previews, want 1", len(p.Previews))
				}
				if got := strings.Join(p.Previews[0].Lines(), "\n"); !strings.Contains(got, c.preview) {
					t.Errorf("preview:\n%s\nwant a line with %q", got, c.preview)
				}
			}
		})
	}
}

// checkDec compares got with want, a decimal or a quotient "n/d" (computed
// at the model's precision).
func checkDec(t *testing.T, what string, got *apd.Decimal, want string) {
	t.Helper()
	n, d, quo := strings.Cut(want, "/")
	w, ok := money.Parse(n)
	if !ok {
		t.Fatalf("bad want %q", want)
	}
	if quo {
		den, ok := money.Parse(d)
		if !ok {
			t.Fatalf("bad want %q", want)
		}
		q := new(apd.Decimal)
		_, _ = money.Context().Quo(q, w, den)
		w = q
	}
	if got == nil || got.Cmp(w) != 0 {
		t.Errorf("%s = %v, want %s", what, got, want)
	}
}

// TestBillNoChange: a plan that changes nothing affects no customer.
func TestBillNoChange(t *testing.T) {
	p := compileFixture(t, nil, applied(compileFixture(t, nil, nil)))
	b := p.Bill(MoneySettings{})
	if len(b.Customers) != 0 || !b.PerMonthChange.IsZero() || !b.OneTime.IsZero() || len(p.Previews) != 0 {
		t.Errorf("customers %+v, change %s, one-time %s, %d previews; want none", b.Customers, b.PerMonthChange, b.OneTime, len(p.Previews))
	}
}

// TestBillVAT: incl. VAT is excl. VAT times 1 + the rate for a customer
// charged VAT, the same otherwise; the rate and currency are the
// project's.
func TestBillVAT(t *testing.T) {
	cases := []struct {
		name, chargeVAT, rate, currency string
		monthVAT, oneTimeVAT            string
	}{
		// 577.10 / 12 × 1.2 = 57.71; 150 × 1.2 = 180.
		{"charged, default rate", "true", "", "", "57.71", "180"},
		{"not charged", "false", "", "", "577.10/12", "150"},
		{"unset", "", "", "", "577.10/12", "150"},
		// 577.10 × 1.055 / 12 = 50.7367083…; 150 × 1.055 = 158.25.
		{"charged, custom rate", "true", "0.055", "CHF", "608.8405/12", "158.25"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			edit := func(*manifest.Set) {}
			if c.chargeVAT != "" {
				edit = setField(fxCust, "charge_vat", resource.Boolean, c.chargeVAT)
			}
			p := compileFixture(t, edit, nil)
			s := MoneySettings{Currency: c.currency}
			if c.rate != "" {
				s.VATRate, _ = money.Parse(c.rate)
			}
			b := p.Bill(s)
			checkDec(t, "per month incl. VAT", b.PerMonthAfterVAT, c.monthVAT)
			checkDec(t, "change incl. VAT", b.PerMonthChangeVAT, c.monthVAT)
			checkDec(t, "one-time incl. VAT", b.OneTimeVAT, c.oneTimeVAT)
			checkDec(t, "per month excl. VAT", b.PerMonthAfter, "577.10/12")
			want := c.currency
			if want == "" {
				want = "EUR"
			}
			if b.Currency != want {
				t.Errorf("currency %q, want %q", b.Currency, want)
			}
			if got := b.Customers[0].VAT; got != (c.chargeVAT == "true") {
				t.Errorf("customer VAT %v", got)
			}
		})
	}
}

// TestStillBilled: an orphan line bills its own money per month, an
// orphan file or customer everything under it; an inactive line 0.
func TestStillBilled(t *testing.T) {
	st := applied(compileFixture(t, nil, nil))
	// The manifests drop the customer: everything of it is an orphan.
	p := compileFixture(t, func(set *manifest.Set) {
		var keep []*manifest.Object
		for _, o := range set.Objects {
			if o.Customer() == nil {
				keep = append(keep, o)
			} else {
				delete(set.ByAddr, o.Addr)
			}
		}
		set.Objects = keep
	}, st)
	if len(p.Orphans) != 5 {
		t.Fatalf("%d orphans, want 5", len(p.Orphans))
	}
	cases := []struct{ addr, want string }{
		{fxTrunk, "39.80"},
		{"customer.acme.file.main.licence.seats", "99.50/12"},
		{"customer.acme.file.main.initial.setup", "0"},
		{fxFile, "577.10/12"},
		{fxCust, "577.10/12"},
	}
	for _, c := range cases {
		got := p.StillBilled(st.Objects[c.addr], p.Orphans)
		checkDec(t, c.addr, got.PerMonth, c.want)
		if got.Incomplete {
			t.Errorf("%s: incomplete", c.addr)
		}
	}
	st.Objects[fxTrunk].Spec["active"] = "false"
	got := p.StillBilled(st.Objects[fxCust], p.Orphans)
	checkDec(t, "customer with an inactive line", got.PerMonth, "99.50/12")
}
