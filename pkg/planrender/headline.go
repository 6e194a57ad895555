package planrender

import (
	"fmt"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
)

// Headline is the sentence a text or Markdown plan opens with, as
// Infracost's: the signed change of monthly billing in the project's
// currency excl. VAT, incl. VAT beside it, its percentage of what the
// affected customers are billed now, then the one-time charges, e.g.
//
//	Monthly billing: −147.00 EUR per month excl. VAT, −176.40 incl. VAT
//	(−100.0% of the 147.00 EUR per month the 1 affected customer is
//	billed now); one-time charges: none.
//
// strong wraps the monthly change for emphasis (Markdown's **), or nil.
func Headline(b *plan.Bill, strong func(string) string) string {
	if strong == nil {
		strong = func(s string) string { return s }
	}
	if len(b.Customers) == 0 {
		return "Monthly billing: no change; one-time charges: none."
	}
	var s strings.Builder
	s.WriteString("Monthly billing: ")
	s.WriteString(strong(money.Signed(b.PerMonthChange) + " " + b.Currency + " per month"))
	fmt.Fprintf(&s, " excl. VAT, %s incl. VAT (", money.Signed(b.PerMonthChangeVAT))
	n := len(b.Customers)
	who := fmt.Sprintf("the %d affected customer%s %s", n, plural(n), isAre(n))
	if pct, ok := money.Percent(b.PerMonthChange, b.PerMonthBefore); ok && b.Plan.HasBefore {
		fmt.Fprintf(&s, "%s of the %s %s per month %s billed now)", pct, money.Text(b.PerMonthBefore), b.Currency, who)
	} else {
		fmt.Fprintf(&s, "%s billed nothing per month now)", who)
	}
	s.WriteString("; one-time charges: ")
	if b.OneTime.IsZero() && b.OneTimeVAT.IsZero() {
		s.WriteString("none")
	} else {
		fmt.Fprintf(&s, "%s %s excl. VAT, %s incl. VAT", money.Text(b.OneTime), b.Currency, money.Text(b.OneTimeVAT))
	}
	s.WriteString(".")
	if u := unknownChange(b.Plan); u != nil {
		fmt.Fprintf(&s, " Lines whose billing period is not known (no billing frequency) are not in the monthly figures: %s %s per billing cycle.",
			money.Signed(u), b.Currency)
	}
	if b.Plan.Before.Incomplete || b.Plan.After.Incomplete {
		s.WriteString(" Lines priced by an item only BlueRockTEL knows are not counted.")
	}
	return s.String()
}

// unknownChange is the change of the money of lines whose period is not
// known, per period; nil when there is none.
func unknownChange(f plan.Figures) *apd.Decimal {
	if f.Before.UnknownPeriod == nil && f.After.UnknownPeriod == nil {
		return nil
	}
	zero := new(apd.Decimal)
	before, after := f.Before.UnknownPeriod, f.After.UnknownPeriod
	if before == nil {
		before = zero
	}
	if after == nil {
		after = zero
	}
	d := new(apd.Decimal)
	_, _ = money.Context().Sub(d, after, before)
	if d.IsZero() {
		return nil
	}
	return d
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

// Threshold is --comment-threshold: the least move of monthly billing
// worth a merge-request comment, an amount or a percentage of what the
// affected customers are billed now.
type Threshold struct {
	Amount  *apd.Decimal
	Percent *apd.Decimal
}

// ParseThreshold reads "AMOUNT" (e.g. 50 or 49.90, in the currency) or
// "PERCENT%" (e.g. 5%); both non-negative.
func ParseThreshold(s string) (*Threshold, error) {
	text, pct := strings.CutSuffix(strings.TrimSpace(s), "%")
	d, ok := money.Parse(text)
	if !ok || d.Negative {
		return nil, fmt.Errorf("%q is neither an amount (e.g. 50 or 49.90) nor a percentage (e.g. 5%%)", s)
	}
	if pct {
		return &Threshold{Percent: d}, nil
	}
	return &Threshold{Amount: d}, nil
}

// Below reports whether the plan's monthly billing moves less than t: the
// absolute change per month (excl. VAT) is under the amount, or under the
// percentage of what the affected customers are billed now. Affected
// customers billed nothing now move by 100%: never below a percentage,
// unless nothing moves. 0 and 0% are never above: every plan is shown.
func (t *Threshold) Below(b *plan.Bill) bool {
	if t == nil {
		return false
	}
	change := new(apd.Decimal).Abs(b.PerMonthChange)
	if t.Amount != nil {
		return change.Cmp(t.Amount) < 0
	}
	if b.PerMonthBefore.IsZero() {
		return change.IsZero() && !t.Percent.IsZero()
	}
	// change < percent/100 × before  <=>  100 × change < percent × before
	c, ctx := new(apd.Decimal), money.Context()
	_, _ = ctx.Mul(c, change, apd.New(100, 0))
	limit := new(apd.Decimal)
	_, _ = ctx.Mul(limit, t.Percent, b.PerMonthBefore)
	return c.Cmp(limit) < 0
}
