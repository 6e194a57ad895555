package planrender

import (
	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Currency is the default currency of the prices onboard sends
// (onboard.project's `currency:` names another).
const Currency = plan.DefaultCurrency

// Every amount in the JSON plan follows the one money rule (package
// money): a decimal string in cents ("130.18", "-147.00"), never a float,
// with a `..._rounded: true` beside it where the exact amount had more
// decimals (a period that does not divide evenly, a discount).

// PeriodTotal is the money of the lines billed over one original period:
// the recurring lines of one cycle, or the licences of one renewal period.
type PeriodTotal struct {
	// Charge is "recurring" or "licences".
	Charge string `json:"charge"`
	// Months is the period; 0 when it is not known.
	Months int `json:"months"`
	// Total is the money billed each period.
	Total        string `json:"total"`
	TotalRounded bool   `json:"total_rounded,omitempty"`
}

// Money is what bills on one side of the plan (before or after) in the
// project's currency, excl. VAT, and incl. VAT where the customers are
// charged it. Per month and per year are normalised from every period.
type Money struct {
	OneTime         string `json:"one_time"`
	OneTimeRounded  bool   `json:"one_time_rounded,omitempty"`
	PerMonth        string `json:"per_month"`
	PerYear         string `json:"per_year"`
	PerMonthRounded bool   `json:"per_month_rounded,omitempty"`
	PerYearRounded  bool   `json:"per_year_rounded,omitempty"`
	// The same incl. VAT.
	OneTimeInclVAT         string `json:"one_time_incl_vat"`
	OneTimeInclVATRounded  bool   `json:"one_time_incl_vat_rounded,omitempty"`
	PerMonthInclVAT        string `json:"per_month_incl_vat"`
	PerMonthInclVATRounded bool   `json:"per_month_incl_vat_rounded,omitempty"`
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

// CustomerTotals is the money of one customer's files (or of the whole
// plan): Before is nil when none of its lines existed before the plan.
type CustomerTotals struct {
	Customer string `json:"customer,omitempty"`
	Title    string `json:"title,omitempty"`
	// Files is the number of files whose money or lines the plan changes.
	Files int `json:"files"`
	// VAT: the customer is charged VAT (charge_vat), after the plan.
	VAT    *bool  `json:"charge_vat,omitempty"`
	Before *Money `json:"before"`
	After  Money  `json:"after"`
}

// Change is the headline: the signed change of monthly billing (after −
// before), excl. and incl. VAT, its percentage of what the affected
// customers are billed now, and the one-time charges the plan adds.
type Change struct {
	PerMonth               string `json:"per_month"`
	PerMonthRounded        bool   `json:"per_month_rounded,omitempty"`
	PerMonthInclVAT        string `json:"per_month_incl_vat"`
	PerMonthInclVATRounded bool   `json:"per_month_incl_vat_rounded,omitempty"`
	// Percent is the change per month against what the affected customers
	// are billed now, to one decimal ("-100.0"); "" when they are billed
	// nothing now.
	Percent               string `json:"percent,omitempty"`
	OneTime               string `json:"one_time"`
	OneTimeRounded        bool   `json:"one_time_rounded,omitempty"`
	OneTimeInclVAT        string `json:"one_time_incl_vat"`
	OneTimeInclVATRounded bool   `json:"one_time_incl_vat_rounded,omitempty"`
	// Customers is the number of affected customers.
	Customers int `json:"customers"`
}

// Totals is the plan's money: the headline change, the whole plan, then
// each affected customer in plan order (all of its files).
type Totals struct {
	Currency string `json:"currency"`
	// VAT says the figures without an _incl_vat suffix exclude VAT.
	VAT       string           `json:"vat"`
	VATRate   string           `json:"vat_rate"`
	Change    Change           `json:"change"`
	Plan      CustomerTotals   `json:"plan"`
	Customers []CustomerTotals `json:"customers"`
}

// Compute is the plan's totals with the default money settings.
func Compute(p *plan.Plan) Totals { return ComputeWith(p.Bill(plan.MoneySettings{})) }

// ComputeWith is the JSON view of a plan's money model.
func ComputeWith(b *plan.Bill) Totals {
	t := Totals{Currency: b.Currency, VAT: "excluded", VATRate: rateText(b.VATRate), Customers: []CustomerTotals{}}
	t.Change = Change{Customers: len(b.Customers)}
	t.Change.PerMonth, t.Change.PerMonthRounded = money.Plain(b.PerMonthChange)
	t.Change.PerMonthInclVAT, t.Change.PerMonthInclVATRounded = money.Plain(b.PerMonthChangeVAT)
	t.Change.OneTime, t.Change.OneTimeRounded = money.Plain(b.OneTime)
	t.Change.OneTimeInclVAT, t.Change.OneTimeInclVATRounded = money.Plain(b.OneTimeVAT)
	if pct, ok := money.Percent(b.PerMonthChange, b.PerMonthBefore); ok && b.Plan.HasBefore {
		t.Change.Percent = plainPercent(pct)
	}
	for _, c := range b.Customers {
		vat := c.VAT
		t.Customers = append(t.Customers, customerTotals(c.Customer, c.Title, c.Files, &vat, c.Figures))
	}
	t.Plan = customerTotals("", "", b.Files, nil, b.Plan)
	return t
}

func customerTotals(customer, title string, files int, vat *bool, f plan.Figures) CustomerTotals {
	ct := CustomerTotals{Customer: customer, Title: title, Files: files, VAT: vat, After: moneyOf(f.After, f.AfterVAT)}
	if f.HasBefore {
		m := moneyOf(f.Before, f.BeforeVAT)
		ct.Before = &m
	}
	return ct
}

func moneyOf(a, vat plan.Amounts) Money {
	m := Money{Periods: []PeriodTotal{}, Incomplete: a.Incomplete}
	m.OneTime, m.OneTimeRounded = money.Plain(a.OneTime)
	m.PerMonth, m.PerMonthRounded = money.Plain(a.PerMonth)
	m.PerYear, m.PerYearRounded = money.Plain(a.PerYear)
	m.OneTimeInclVAT, m.OneTimeInclVATRounded = money.Plain(vat.OneTime)
	m.PerMonthInclVAT, m.PerMonthInclVATRounded = money.Plain(vat.PerMonth)
	for _, pt := range a.Periods {
		name := "recurring"
		if pt.Charge == resource.PerRenewal {
			name = "licences"
		}
		total, rounded := money.Plain(pt.Total)
		m.Periods = append(m.Periods, PeriodTotal{Charge: name, Months: pt.Months, Total: total, TotalRounded: rounded})
	}
	if a.UnknownPeriod != nil {
		m.UnknownPeriod, _ = money.Plain(a.UnknownPeriod)
	}
	return m
}

// rateText writes the VAT rate as the exact fraction it is ("0.2",
// "0.055"), not in cents.
func rateText(d *apd.Decimal) string {
	r := new(apd.Decimal)
	r.Reduce(d)
	return r.Text('f')
}

// plainPercent is a percentage for JSON: "+14.3%" -> "14.3", "−100.0%"
// -> "-100.0".
func plainPercent(s string) string {
	out := make([]rune, 0, len(s))
	for _, r := range s {
		switch r {
		case '+', '%', ',':
		case '−':
			out = append(out, '-')
		default:
			out = append(out, r)
		}
	}
	return string(out)
}
