// Package money is onboard's one rule for showing an amount of money:
// exact decimals (apd, never float64), shown in cents, rounded half away
// from zero only where the exact amount has more decimals, and then marked
// with ≈. Text and Markdown share one format (thousands separated by
// commas, a real minus sign); JSON writes the same cents as a plain decimal
// string, with a flag where it was rounded.
package money

import (
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Scale is the number of decimal places money is shown with: cents.
const Scale = 2

// exact is the context of sums and products: 60 digits hold any amount a
// manifest can make exactly; a quotient that does not terminate is cut
// there, and its cents are still right.
var exact = apd.BaseContext.WithPrecision(60)

// Context returns the arithmetic context for money: sums and products
// exact, quotients to 60 digits.
func Context() *apd.Context { c := *exact; return &c }

// Cents returns d rounded to the cent (half away from zero) and whether
// that changed its value: 130.175 -> 130.18, true; 19.9 -> 19.90, false.
func Cents(d *apd.Decimal) (*apd.Decimal, bool) {
	c := *exact
	c.Rounding = apd.RoundHalfUp // apd's HalfUp rounds half away from zero
	r := new(apd.Decimal)
	if _, err := c.Quantize(r, d, -Scale); err != nil {
		return new(apd.Decimal).Set(d), false
	}
	return r, r.Cmp(d) != 0
}

// Plain is d in cents without separators or mark, as JSON carries it
// ("1234.50", "-147.00"); rounded reports a value that was rounded.
func Plain(d *apd.Decimal) (text string, rounded bool) {
	c, rounded := Cents(d)
	if c.IsZero() {
		c.Negative = false
	}
	return c.Text('f'), rounded
}

// Text is d for people: cents, thousands separated by commas, a real minus
// sign, "≈ " where rounded: 1234.5 -> "1,234.50", 130.175 -> "≈ 130.18",
// -147 -> "−147.00".
func Text(d *apd.Decimal) string {
	s, rounded := Plain(d)
	return mark(group(s), rounded)
}

// Signed is a change for people, always signed: "+19.90", "−147.00",
// "≈ +3.33", and "0.00" for no change.
func Signed(d *apd.Decimal) string {
	s, rounded := Plain(d)
	if !strings.HasPrefix(s, "-") && s != "0.00" {
		s = "+" + s
	}
	return mark(group(s), rounded)
}

// Price is a unit price as the API keeps it (at most two decimal places,
// validation refuses more): written in cents, 17.5 -> "17.50". A text that
// is not a decimal is returned as it is.
func Price(text string) string {
	d, _, err := apd.NewFromString(strings.TrimSpace(text))
	if err != nil {
		return text
	}
	return Text(d)
}

// Parse reads a decimal text; ok is false when it is not one.
func Parse(text string) (*apd.Decimal, bool) {
	d, _, err := apd.NewFromString(strings.TrimSpace(text))
	if err != nil || d.Form != apd.Finite {
		return nil, false
	}
	return d, true
}

func mark(s string, rounded bool) string {
	if rounded {
		return "≈ " + s
	}
	return s
}

// group separates the thousands of a decimal's integer part with commas
// and writes a minus as U+2212: -543548.60 -> −543,548.60.
func group(s string) string {
	sign := ""
	switch {
	case strings.HasPrefix(s, "-"):
		sign, s = "−", s[1:]
	case strings.HasPrefix(s, "+"):
		sign, s = "+", s[1:]
	}
	whole, frac, dot := strings.Cut(s, ".")
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	if dot {
		whole += "." + frac
	}
	return sign + whole
}

// Group separates the thousands of a whole number for people: 439523 ->
// "439,523".
func Group(digits string) string { return group(digits) }

// Percent is part as a signed percentage of whole, to one decimal place
// (half away from zero): "+14.3%", "−100.0%"; ok is false when whole is
// zero.
func Percent(part, whole *apd.Decimal) (string, bool) {
	if whole.IsZero() {
		return "", false
	}
	c := *exact
	q := new(apd.Decimal)
	_, _ = c.Quo(q, part, whole)
	_, _ = c.Mul(q, q, apd.New(100, 0))
	c.Rounding = apd.RoundHalfUp
	_, _ = c.Quantize(q, q, -1)
	if q.IsZero() {
		q.Negative = false
	}
	s := q.Text('f')
	if !q.Negative && !q.IsZero() {
		s = "+" + s
	}
	return group(s) + "%", true
}

// Format shows an amount already in cents (Plain's text and flag) by the
// rule, for renderers that hold it as data: ("1234.50", false) ->
// "1,234.50", ("130.18", true) -> "≈ 130.18".
func Format(plain string, rounded bool) string { return mark(group(plain), rounded) }
