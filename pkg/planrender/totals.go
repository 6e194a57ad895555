package planrender

import (
	"sort"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Currency is the currency of every price onboard sends: BlueRockTEL
// accounts bill in euros, and the prices are selling_price_without_tax.
const Currency = "EUR"

// PeriodTotal is the money of the lines billed over one original period:
// the recurring lines of one cycle, or the licences of one renewal period.
type PeriodTotal struct {
	// Charge is "recurring" or "licences".
	Charge string `json:"charge"`
	// Months is the period; 0 when it is not known.
	Months int `json:"months"`
	// Total is the exact money billed each period.
	Total string `json:"total"`
}

// Money is a sum of billing previews on one side of the plan (before or
// after), in EUR excluding VAT. Per month and per year are normalised from
// every period: exact, except where a period does not divide evenly,
// where they are rounded to the cent (half away from zero) and marked.
type Money struct {
	OneTime  string `json:"one_time"`
	PerMonth string `json:"per_month"`
	PerYear  string `json:"per_year"`
	// PerMonthRounded and PerYearRounded: the figure is rounded to the cent.
	PerMonthRounded bool `json:"per_month_rounded,omitempty"`
	PerYearRounded  bool `json:"per_year_rounded,omitempty"`
	// Periods are the original periods the figures come from, recurring
	// lines first, shortest period first.
	Periods []PeriodTotal `json:"periods"`
	// Incomplete: some line is priced by an item only BlueRockTEL knows;
	// its money is in no figure.
	Incomplete bool `json:"incomplete,omitempty"`
	// UnknownPeriod is the money per period of lines whose period is not
	// known: in no per-month or per-year figure ("" when none).
	UnknownPeriod string `json:"unknown_period,omitempty"`
}

// CustomerTotals is the money of one customer's files that the plan
// touches (or of the whole plan): Before is nil when none of the lines
// existed before the plan.
type CustomerTotals struct {
	Customer string `json:"customer,omitempty"`
	Title    string `json:"title,omitempty"`
	Files    int    `json:"files"`
	Before   *Money `json:"before"`
	After    Money  `json:"after"`
}

// Totals is the plan's money: the whole plan, then each customer in plan
// order. Every figure is the sum of the per-file previews (plan.Previews).
type Totals struct {
	Currency  string           `json:"currency"`
	VAT       string           `json:"vat"`
	Plan      CustomerTotals   `json:"plan"`
	Customers []CustomerTotals `json:"customers"`
}

// Compute sums the plan's billing previews per customer and for the plan.
func Compute(p *plan.Plan) Totals {
	t := Totals{Currency: Currency, VAT: "excluded", Customers: []CustomerTotals{}}
	var planBefore, planAfter accumulator
	var order []string
	byCustomer := map[string]*[2]accumulator{}
	files := map[string]int{}
	for _, fp := range p.Previews {
		a := byCustomer[fp.Customer]
		if a == nil {
			a = &[2]accumulator{}
			byCustomer[fp.Customer] = a
			order = append(order, fp.Customer)
		}
		files[fp.Customer]++
		for _, acc := range []*accumulator{&a[0], &planBefore} {
			acc.addFile(fp, func(b plan.Billing) *plan.Charge { return b.Before })
		}
		for _, acc := range []*accumulator{&a[1], &planAfter} {
			acc.addFile(fp, func(b plan.Billing) *plan.Charge { return b.After })
		}
	}
	for _, c := range order {
		a := byCustomer[c]
		t.Customers = append(t.Customers, CustomerTotals{Customer: c, Title: p.Titles[c], Files: files[c],
			Before: a[0].moneyIfAny(), After: a[1].money()})
	}
	t.Plan = CustomerTotals{Files: len(p.Previews), Before: planBefore.moneyIfAny(), After: planAfter.money()}
	return t
}

type periodKey struct {
	charge resource.Charge
	months int
}

// accumulator sums charges exactly.
type accumulator struct {
	any        bool
	oneTime    apd.Decimal
	periods    map[periodKey]*apd.Decimal
	incomplete bool
}

func (a *accumulator) addFile(fp plan.FilePreview, side func(plan.Billing) *plan.Charge) {
	if fp.OneTime != nil {
		a.add(resource.OneTime, 0, side(*fp.OneTime))
	}
	for _, b := range fp.Cycles {
		a.add(resource.PerCycle, b.Months, side(b))
	}
	for _, b := range fp.Licences {
		a.add(resource.PerRenewal, b.Months, side(b))
	}
}

func (a *accumulator) add(charge resource.Charge, months int, c *plan.Charge) {
	if c == nil {
		return
	}
	a.any = true
	if c.Incomplete {
		a.incomplete = true
	}
	v := decimal(c.Total)
	if charge == resource.OneTime {
		_, _ = exact.Add(&a.oneTime, &a.oneTime, v)
		return
	}
	if a.periods == nil {
		a.periods = map[periodKey]*apd.Decimal{}
	}
	k := periodKey{charge, months}
	sum := a.periods[k]
	if sum == nil {
		sum = new(apd.Decimal)
		a.periods[k] = sum
	}
	_, _ = exact.Add(sum, sum, v)
}

func (a *accumulator) moneyIfAny() *Money {
	if !a.any {
		return nil
	}
	m := a.money()
	return &m
}

// money normalises the periods over their least common multiple L: the
// per-month figure is (Σ total × L/months) / L, one division, so that the
// sum is exact whenever the result is, and rounded once otherwise.
func (a *accumulator) money() Money {
	m := Money{OneTime: plan.Money(&a.oneTime), Periods: []PeriodTotal{}, Incomplete: a.incomplete}
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
	num, unknown := new(apd.Decimal), new(apd.Decimal)
	hasUnknown := false
	for _, k := range keys {
		total := a.periods[k]
		name := "recurring"
		if k.charge == resource.PerRenewal {
			name = "licences"
		}
		m.Periods = append(m.Periods, PeriodTotal{Charge: name, Months: k.months, Total: plan.Money(total)})
		if k.months == 0 {
			hasUnknown = true
			_, _ = exact.Add(unknown, unknown, total)
			continue
		}
		term := new(apd.Decimal)
		_, _ = exact.Mul(term, total, apd.New(lcm/int64(k.months), 0))
		_, _ = exact.Add(num, num, term)
	}
	if hasUnknown {
		m.UnknownPeriod = plan.Money(unknown)
	}
	m.PerMonth, m.PerMonthRounded = divide(num, lcm)
	year := new(apd.Decimal)
	_, _ = exact.Mul(year, num, apd.New(12, 0))
	m.PerYear, m.PerYearRounded = divide(year, lcm)
	return m
}

// exact is for sums and products of decimals, which apd computes exactly
// at this precision for any price a manifest can hold.
var exact = apd.BaseContext.WithPrecision(60)

// divide is n/d: exact when the quotient terminates, else rounded to the
// cent, half away from zero, reported as rounded.
func divide(n *apd.Decimal, d int64) (string, bool) {
	q := new(apd.Decimal)
	cond, _ := exact.Quo(q, n, apd.New(d, 0))
	if !cond.Inexact() {
		return plan.Money(q), false
	}
	cents := apd.BaseContext.WithPrecision(60)
	cents.Rounding = apd.RoundHalfUp
	r := new(apd.Decimal)
	_, _ = cents.Quantize(r, q, -2)
	return plan.Money(r), true
}

func gcd(a, b int64) int64 {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

func decimal(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return new(apd.Decimal)
	}
	return d
}
