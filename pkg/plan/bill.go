package plan

import (
	"sort"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// The money model: what the plan's customers are billed before and after
// it, computed from the steps (BilledAfter for after, the state's records
// for before), in exact decimals. Only what bills counts: an inactive line
// is 0, a file past its services_stop is 0 per month (its previews say
// "until DATE"), a deleted line is 0. Figures are excl. VAT and, per
// customer's charge_vat, incl. VAT at the project's rate.

// Defaults of the project's money settings.
const (
	DefaultCurrency = "EUR"
	DefaultVATRate  = "0.20"
)

// MoneySettings are the project's: the currency of every price, and the
// VAT rate (a fraction, 0.20 for 20%) added for customers that are charged
// VAT.
type MoneySettings struct {
	Currency string
	VATRate  *apd.Decimal
}

// orDefault fills the unset settings with the defaults.
func (s MoneySettings) orDefault() MoneySettings {
	if s.Currency == "" {
		s.Currency = DefaultCurrency
	}
	if s.VATRate == nil {
		s.VATRate, _ = money.Parse(DefaultVATRate)
	}
	return s
}

// PeriodTotal is what the lines of one original period bill each period:
// the recurring lines of one cycle, or the licences of one renewal period.
type PeriodTotal struct {
	Charge resource.Charge
	// Months is the period; 0 when it is not known.
	Months int
	Total  *apd.Decimal
}

// Amounts is what bills on one side of the plan (before or after), excl.
// or incl. VAT. PerMonth and PerYear are normalised from every period over
// their least common multiple in one division: exact whenever the quotient
// terminates, else to 60 digits (shown ≈ to the cent).
type Amounts struct {
	OneTime  *apd.Decimal
	PerMonth *apd.Decimal
	PerYear  *apd.Decimal
	// Periods are the original periods, recurring lines first, shortest
	// first.
	Periods []PeriodTotal
	// Incomplete: some line is priced by an item only BlueRockTEL knows;
	// its money is in no figure.
	Incomplete bool
	// UnknownPeriod is the money per period of lines whose period is not
	// known, in no per-month figure (nil when none).
	UnknownPeriod *apd.Decimal
}

// Figures are the money of a file, a customer or the whole plan.
type Figures struct {
	// Before is what bills now (the state's records), After what bills
	// once the plan is applied, both excl. VAT; the VAT ones incl. VAT.
	Before, After       Amounts
	BeforeVAT, AfterVAT Amounts
	// HasBefore: some line billed before the plan (else Before is zeros
	// of a customer that is new).
	HasBefore bool
}

// PerMonthChange is after − before per month, excl. VAT.
func (f *Figures) PerMonthChange() *apd.Decimal { return sub(f.After.PerMonth, f.Before.PerMonth) }

// PerMonthChangeVAT is after − before per month, incl. VAT.
func (f *Figures) PerMonthChangeVAT() *apd.Decimal {
	return sub(f.AfterVAT.PerMonth, f.BeforeVAT.PerMonth)
}

// OneTime is the change of one-time charges: what new one-time lines add,
// an updated one its difference, a deleted one subtracts; excl. VAT.
func (f *Figures) OneTime() *apd.Decimal { return sub(f.After.OneTime, f.Before.OneTime) }

// OneTimeVAT is OneTime incl. VAT.
func (f *Figures) OneTimeVAT() *apd.Decimal { return sub(f.AfterVAT.OneTime, f.BeforeVAT.OneTime) }

// CustomerBill is one affected customer's money: all its files.
type CustomerBill struct {
	Customer string
	Title    string
	// Files is the number of its files whose money or lines the plan
	// changes.
	Files int
	// VAT, VATBefore: VAT is added to its invoices (charge_vat), after and
	// before the plan.
	VAT, VATBefore bool
	Figures
}

// FileBill is one customer file's money, for each file of an affected
// customer.
type FileBill struct {
	File     string
	Customer string
	// Changed: the plan changes the file's lines or money (it has a
	// preview).
	Changed bool
	// Until and UntilBefore are its services_stop after and before the
	// plan ("" none): past it, its recurring lines and licences bill 0 per
	// month.
	Until, UntilBefore string
	Figures
}

// Bill is the plan's money model. Its plan-level figures are data for
// tools (a policy reads PerMonthBefore, PerMonthAfter, OneTime); they are
// the sums over the affected customers (those with a file whose money or
// lines the plan changes), counting all their files.
type Bill struct {
	Currency string
	VATRate  *apd.Decimal

	PerMonthBefore, PerMonthAfter, PerMonthChange, OneTime             *apd.Decimal
	PerMonthBeforeVAT, PerMonthAfterVAT, PerMonthChangeVAT, OneTimeVAT *apd.Decimal

	// Plan is the whole plan's figures, Customers each affected customer's
	// in plan order.
	Plan      Figures
	Customers []CustomerBill
	// FileBills are the files of the affected customers, in plan order.
	FileBills []FileBill
	// Files is the number of files whose money or lines the plan changes.
	Files int
}

// Bill computes the plan's money model with the project's settings (unset
// ones take the defaults). The affected files are those of p.Previews.
func (p *Plan) Bill(s MoneySettings) *Bill {
	s = s.orDefault()
	type cust struct {
		bill                CustomerBill
		before, after       accumulator
		beforeVAT, afterVAT accumulator
		affected            bool
	}
	var order []string
	byCustomer := map[string]*cust{}
	factor := func(vat bool) *apd.Decimal {
		if !vat {
			return nil
		}
		f := new(apd.Decimal)
		_, _ = ctx.Add(f, apd.New(1, 0), s.VATRate)
		return f
	}
	files := p.files()
	// The files the plan changes are those with a preview (Compile's, or
	// a saved plan's).
	changed := make(map[string]bool, len(p.Previews))
	for _, fp := range p.Previews {
		changed[fp.File] = true
	}
	// First which customers the plan affects, then the money of all the
	// files of those only.
	for _, fl := range files {
		fs := fl.file
		c := byCustomer[fs.Group]
		if c == nil {
			c = &cust{bill: CustomerBill{Customer: fs.Group, Title: p.Titles[fs.Group]}}
			if cs := p.ByAddr[fs.Group]; cs != nil {
				c.bill.VAT = chargesVAT(cs, afterOrBefore)
				c.bill.VATBefore = chargesVAT(cs, before)
				if c.bill.VAT != c.bill.VATBefore {
					c.affected = true
				}
			}
			byCustomer[fs.Group] = c
			order = append(order, fs.Group)
		}
		if changed[fs.Addr] {
			c.affected = true
			c.bill.Files++
		}
	}
	var fileBills []FileBill
	for _, fl := range files {
		fs := fl.file
		c := byCustomer[fs.Group]
		if !c.affected {
			continue
		}
		fb := FileBill{File: fs.Addr, Customer: fs.Group, Changed: changed[fs.Addr],
			Until: p.until(fs, BilledAfter), UntilBefore: p.until(fs, before)}
		var file [4]accumulator // before, after, before incl. VAT, after incl. VAT
		for _, isAfter := range []bool{false, true} {
			acc, vat, vatOn, stopped := &file[0], &file[2], c.bill.VATBefore, fb.UntilBefore != ""
			if isAfter {
				acc, vat, vatOn, stopped = &file[1], &file[3], c.bill.VAT, fb.Until != ""
			}
			f := factor(vatOn)
			for _, ls := range fl.lines {
				l, ok := p.lineOn(ls, fs, isAfter, false)
				if !ok || (stopped && l.charge != resource.OneTime) {
					continue
				}
				acc.add(l, nil)
				vat.add(l, f)
			}
		}
		for i, a := range []*accumulator{&c.before, &c.after, &c.beforeVAT, &c.afterVAT} {
			a.merge(&file[i])
		}
		fb.Figures = Figures{Before: file[0].amounts(), After: file[1].amounts(), BeforeVAT: file[2].amounts(),
			AfterVAT: file[3].amounts(), HasBefore: file[0].any}
		fileBills = append(fileBills, fb)
	}
	b := &Bill{Currency: s.Currency, VATRate: s.VATRate, Customers: []CustomerBill{}, FileBills: fileBills}
	var all [4]accumulator
	for _, k := range order {
		c := byCustomer[k]
		if !c.affected {
			continue
		}
		c.bill.Figures = Figures{Before: c.before.amounts(), After: c.after.amounts(),
			BeforeVAT: c.beforeVAT.amounts(), AfterVAT: c.afterVAT.amounts(), HasBefore: c.before.any}
		b.Customers = append(b.Customers, c.bill)
		b.Files += c.bill.Files
		for i, a := range []*accumulator{&c.before, &c.after, &c.beforeVAT, &c.afterVAT} {
			all[i].merge(a)
		}
	}
	b.Plan = Figures{Before: all[0].amounts(), After: all[1].amounts(), BeforeVAT: all[2].amounts(),
		AfterVAT: all[3].amounts(), HasBefore: all[0].any}
	b.PerMonthBefore, b.PerMonthAfter = b.Plan.Before.PerMonth, b.Plan.After.PerMonth
	b.PerMonthChange, b.OneTime = b.Plan.PerMonthChange(), b.Plan.OneTime()
	b.PerMonthBeforeVAT, b.PerMonthAfterVAT = b.Plan.BeforeVAT.PerMonth, b.Plan.AfterVAT.PerMonth
	b.PerMonthChangeVAT, b.OneTimeVAT = b.Plan.PerMonthChangeVAT(), b.Plan.OneTimeVAT()
	return b
}

// chargesVAT reads a customer's resource.ChargesVAT field on one side
// (unset: no VAT, as the API does).
func chargesVAT(s *Step, sd side) bool {
	spec := resource.Get(s.Kind)
	f, ok := spec.Billed(resource.ChargesVAT)
	if !ok {
		return false
	}
	m := sd(s)
	return m != nil && f.Canonical(m[f.WireName()]) == "true"
}

// Still is what a state record still bills per month, excl. VAT.
type Still struct {
	PerMonth *apd.Decimal
	// UnknownPeriod is the money per period of lines whose period is not
	// known (no billing frequency anywhere), in no per-month figure; nil
	// when none.
	UnknownPeriod *apd.Decimal
	// Incomplete: some line under it is priced by an item only
	// BlueRockTEL knows, not counted.
	Incomplete bool
}

// StillBilled is what state record o still bills per month, excl. VAT: a
// line's own money, or everything under a customer or a file (an inactive
// line, or one under a stopped file, counts 0). records are where to find
// what is under it, its file and the items it is priced by (the plan's
// orphans; the plan's steps are looked up too).
func (p *Plan) StillBilled(o *state.Object, records []*state.Object) Still {
	if !containsRecord(records, o) {
		records = append(records[:len(records):len(records)], o)
	}
	return p.StillBilledEach(records)[o.Addr]
}

// StillBilledEach is StillBilled of every record, in one pass: each line
// is priced once and counted in its own figure and its ancestors'.
func (p *Plan) StillBilledEach(records []*state.Object) map[string]Still {
	byAddr := make(map[string]*state.Object, len(records))
	for _, r := range records {
		byAddr[r.Addr] = r
	}
	// view resolves references to records first, then to the plan's steps.
	view := &Plan{ByAddr: map[string]*Step{}}
	lookup := func(addr string) *Step {
		if s := view.ByAddr[addr]; s != nil {
			return s
		}
		var s *Step
		if r := byAddr[addr]; r != nil {
			s = &Step{Addr: r.Addr, Kind: resource.Kind(r.Kind), Action: NoOp, Existing: r, Spec: r.Spec}
		} else if s = p.ByAddr[addr]; s == nil {
			return nil
		}
		view.ByAddr[addr] = s
		return s
	}
	accs := make(map[string]*accumulator, len(records))
	for _, r := range records {
		accs[r.Addr] = &accumulator{}
	}
	for _, r := range records {
		spec := resource.Get(resource.Kind(r.Kind))
		if spec == nil || spec.Charge == resource.NoCharge || spec.Charge == resource.OneTime || spec.Parent == nil {
			continue
		}
		ls := lookup(r.Addr)
		fs := lookup(strings.TrimPrefix(r.Spec[spec.Parent.BodyField], "@"))
		if fs == nil {
			fs = &Step{Kind: spec.Parent.Kind, Action: NoOp}
		}
		for _, f := range spec.Fields {
			if f.Type == resource.Reference {
				lookup(strings.TrimPrefix(r.Spec[f.WireName()], "@"))
			}
		}
		if fspec := resource.Get(fs.Kind); fspec != nil && fspec.FollowUp != "" && fs.Addr != "" {
			lookup(FollowUpAddr(fs.Addr, fspec))
		}
		if view.until(fs, before) != "" {
			continue
		}
		l, ok := view.lineOn(ls, fs, false, false)
		if !ok {
			continue
		}
		for _, a := range ancestors(r, byAddr) {
			if acc := accs[a]; acc != nil {
				acc.add(l, nil)
			}
		}
	}
	out := make(map[string]Still, len(records))
	for addr, acc := range accs {
		a := acc.amounts()
		out[addr] = Still{PerMonth: a.PerMonth, UnknownPeriod: a.UnknownPeriod, Incomplete: a.Incomplete}
	}
	return out
}

func containsRecord(records []*state.Object, o *state.Object) bool {
	for _, r := range records {
		if r == o {
			return true
		}
	}
	return false
}

// ancestors are record r's address and those of the objects it is nested
// in, following the parent references of the records' specs.
func ancestors(r *state.Object, byAddr map[string]*state.Object) []string {
	out := []string{r.Addr}
	for len(out) < 8 {
		spec := resource.Get(resource.Kind(r.Kind))
		if spec == nil || spec.Parent == nil {
			break
		}
		ref := ""
		if spec.Parent.BodyField != "" {
			ref = r.Spec[spec.Parent.BodyField]
		} else if spec.Parent.QueryField != "" {
			ref = r.Spec["?"+spec.Parent.QueryField]
		}
		parent, ok := strings.CutPrefix(ref, "@")
		if !ok {
			break
		}
		out = append(out, parent)
		if r = byAddr[parent]; r == nil {
			break
		}
	}
	return out
}

type periodKey struct {
	charge resource.Charge
	months int
}

// accumulator sums what lines bill, exactly.
type accumulator struct {
	any        bool
	oneTime    apd.Decimal
	periods    map[periodKey]*apd.Decimal
	incomplete bool
}

// add adds a line's amount, times factor when it is not nil (1 + VAT).
func (a *accumulator) add(l billed, factor *apd.Decimal) {
	a.any = true
	if l.amount == nil {
		a.incomplete = true
		return
	}
	v := l.amount
	if factor != nil {
		v = new(apd.Decimal)
		_, _ = ctx.Mul(v, l.amount, factor)
	}
	if l.charge == resource.OneTime {
		_, _ = ctx.Add(&a.oneTime, &a.oneTime, v)
		return
	}
	a.addPeriod(periodKey{l.charge, l.months}, v)
}

func (a *accumulator) addPeriod(k periodKey, v *apd.Decimal) {
	if a.periods == nil {
		a.periods = map[periodKey]*apd.Decimal{}
	}
	sum := a.periods[k]
	if sum == nil {
		sum = new(apd.Decimal)
		a.periods[k] = sum
	}
	_, _ = ctx.Add(sum, sum, v)
}

// merge adds b's sums to a.
func (a *accumulator) merge(b *accumulator) {
	a.any = a.any || b.any
	a.incomplete = a.incomplete || b.incomplete
	_, _ = ctx.Add(&a.oneTime, &a.oneTime, &b.oneTime)
	for k, v := range b.periods {
		a.addPeriod(k, v)
	}
}

// amounts normalises the periods over their least common multiple L: the
// per-month figure is (Σ total × L/months) / L, one division, so that the
// sum is exact whenever the result is.
func (a *accumulator) amounts() Amounts {
	m := Amounts{OneTime: new(apd.Decimal).Set(&a.oneTime), Periods: []PeriodTotal{}, Incomplete: a.incomplete}
	keys := make([]periodKey, 0, len(a.periods))
	for k := range a.periods {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].charge != keys[j].charge {
			return keys[i].charge < keys[j].charge
		}
		return keys[i].months < keys[j].months
	})
	lcm := int64(1)
	for _, k := range keys {
		if k.months > 0 {
			lcm = lcm / gcd(lcm, int64(k.months)) * int64(k.months)
		}
	}
	num := new(apd.Decimal)
	for _, k := range keys {
		total := a.periods[k]
		m.Periods = append(m.Periods, PeriodTotal{Charge: k.charge, Months: k.months, Total: new(apd.Decimal).Set(total)})
		if k.months == 0 {
			if m.UnknownPeriod == nil {
				m.UnknownPeriod = new(apd.Decimal)
			}
			_, _ = ctx.Add(m.UnknownPeriod, m.UnknownPeriod, total)
			continue
		}
		term := new(apd.Decimal)
		_, _ = ctx.Mul(term, total, apd.New(lcm/int64(k.months), 0))
		_, _ = ctx.Add(num, num, term)
	}
	m.PerMonth = new(apd.Decimal)
	_, _ = ctx.Quo(m.PerMonth, num, apd.New(lcm, 0))
	year := new(apd.Decimal)
	_, _ = ctx.Mul(year, num, apd.New(12, 0))
	m.PerYear = new(apd.Decimal)
	_, _ = ctx.Quo(m.PerYear, year, apd.New(lcm, 0))
	return m
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func sub(a, b *apd.Decimal) *apd.Decimal {
	d := new(apd.Decimal)
	_, _ = ctx.Sub(d, a, b)
	return d
}

// LinesFigures is what some lines bill before and after the plan, excl.
// VAT, whatever files they are in (an offer's changed lines): the same
// arithmetic as Bill's. Steps that are not lines are left out.
func (p *Plan) LinesFigures(steps []*Step) Figures {
	var acc [2]accumulator // before, after
	for _, ls := range steps {
		fs := p.ByAddr[resource.ParentAddr(ls.Addr)]
		if fs == nil || ls.Of != "" || !resource.Get(ls.Kind).IsLine() {
			continue
		}
		for i, isAfter := range []bool{false, true} {
			if l, ok := p.lineOn(ls, fs, isAfter, false); ok {
				acc[i].add(l, nil)
			}
		}
	}
	return Figures{Before: acc[0].amounts(), After: acc[1].amounts(), HasBefore: acc[0].any}
}
