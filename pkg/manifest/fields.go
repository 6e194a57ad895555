package manifest

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/resource"
)

// value checks a scalar field against its table entry and returns it with
// its exact text. Type mismatches were reported by the schema; what is
// checked here is the text and the value rules.
func (b *builder) value(o *Object, f resource.Field, t *tnode) (Value, bool) {
	v := Value{Text: t.text, Type: f.Type, Pos: b.pos(t.line, t.col)}
	switch f.Type {
	case resource.String:
		if t.sk != sString && t.sk != sInt && t.sk != sFloat {
			return v, false
		}
		return v, b.str(o, f, t)
	case resource.Integer:
		if t.sk != sInt && t.sk != sFloat {
			return v, false
		}
		return v, b.integer(o, f.Name, t, f.Positive)
	case resource.Decimal:
		if t.sk != sInt && t.sk != sFloat {
			return v, false
		}
		return v, b.decimal(o, f, t)
	case resource.Boolean:
		if t.sk != sBool {
			return v, false
		}
		v.Text = t.canon // "True" is YAML; the wire wants true
		return v, true
	case resource.Date:
		if t.sk != sString {
			return v, false
		}
		return v, b.date(o, f.Name, t)
	}
	return v, false
}

// str refuses what the API would silently alter: it trims strings and
// stores a blank one as null, so a padded value would be stored in another
// form than written (and lookups by it would miss) and a blank one is no
// value at all.
func (b *builder) str(o *Object, f resource.Field, t *tnode) bool {
	text := t.text
	switch trimmed := f.Canonical(text); {
	case trimmed == "" && f.Required:
		b.errorf(o, t.line, t.col, "write a value", "%s must not be blank, got %q (the API stores a blank string as no value)", f.Name, text)
		return false
	case trimmed == "":
		b.errorf(o, t.line, t.col, "write a value or remove the field", "%s must not be blank, got %q (the API stores a blank string as no value)", f.Name, text)
		return false
	case trimmed != text:
		b.errorf(o, t.line, t.col, fmt.Sprintf("write %q", trimmed), "%s has leading or trailing white space, which the API trims: %q", f.Name, text)
		return false
	case f.MinLength > 0 && utf8.RuneCountInString(text) < f.MinLength:
		b.errorf(o, t.line, t.col, fmt.Sprintf("write a %s of at least %d characters", f.Name, f.MinLength),
			"%s must be at least %d characters long, got %q (the API refuses a shorter one)", f.Name, f.MinLength, text)
		return false
	case f.Email && !isEmail(text):
		b.errorf(o, t.line, t.col, "write an address like name@example.com",
			"%s must be an email address, got %q (the API refuses it)", f.Name, text)
		return false
	}
	return true
}

// isEmail is the shape Laravel's email rule accepts in its default mode:
// one @, a non-empty local part, a domain without spaces.
func isEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\n,;<>") &&
		!strings.Contains(domain, "@") && !strings.HasPrefix(domain, ".") && !strings.HasSuffix(domain, ".")
}

// integer checks a whole number written plainly (no sign, leading zeros,
// fraction or exponent: 012 is octal to YAML, 1e2 is a float), within
// 64 bits, and positive when asked.
func (b *builder) integer(o *Object, name string, t *tnode, positive bool) bool {
	text := t.text
	if !isPlainInteger(text) || text[0] == '+' {
		hint := "write the number with digits only"
		digits := strings.TrimLeft(text, "+-")
		switch plain := plainForm(t, true); {
		case len(digits) > 1 && digits[0] == '0' && allDigits(digits):
			hint = fmt.Sprintf("remove the leading zeros (YAML reads %s as an octal number)", text)
		case plain != "" && isPlainInteger(plain):
			hint = "write " + plain
		}
		b.errorf(o, t.line, t.col, hint, "%s must be a whole number written plainly, got %s", name, text)
		return false
	}
	if positive && (text == "0" || text[0] == '-') {
		hint := fmt.Sprintf("write %s: 1 or more", name)
		if strings.HasSuffix(name, "_id") || strings.HasSuffix(name, "_ids") {
			hint = "ids start at 1: write the id of an object that exists in BlueRockTEL"
		}
		b.errorf(o, t.line, t.col, hint, "%s must be greater than 0, got %s", name, text)
		return false
	}
	if _, err := strconv.ParseInt(text, 10, 64); err != nil {
		b.errorf(o, t.line, t.col, "whole numbers go up to 9223372036854775807", "%s is too large: %s", name, text)
		return false
	}
	return true
}

// plainForm is the plain decimal form of a YAML number ("1e2" -> "100",
// "+5" -> "5", ".5" -> "0.5"), or "" when it has none. reduce drops
// trailing fractional zeros ("1.0" -> "1").
func plainForm(t *tnode, reduce bool) string {
	if t.canon == "" {
		return ""
	}
	d, _, err := apd.NewFromString(t.canon)
	if err != nil || d.Form != apd.Finite {
		return ""
	}
	if reduce {
		d.Reduce(d)
	}
	return d.Text('f')
}

// decimal checks exact decimal text and the field's value rules, in exact
// decimal arithmetic.
func (b *builder) decimal(o *Object, f resource.Field, t *tnode) bool {
	text := t.text
	if !isPlainDecimal(text) {
		hint := "write a plain decimal number, like 19.90"
		if plain := plainForm(t, false); plain != "" && isPlainDecimal(plain) {
			hint = "write " + plain
		}
		b.errorf(o, t.line, t.col, hint, "%s must be a plain decimal number, got %s", f.Name, text)
		return false
	}
	d, _, err := apd.NewFromString(text)
	if err != nil {
		b.errorf(o, t.line, t.col, "write a plain decimal number, like 19.90", "%s must be a plain decimal number, got %s", f.Name, text)
		return false
	}
	ok := true
	fail := func(hint, format string, args ...any) {
		b.errorf(o, t.line, t.col, hint, format, args...)
		ok = false
	}
	switch {
	case f.Positive && d.Sign() <= 0:
		hint := fmt.Sprintf("write a %s greater than 0, like 1", f.Name)
		if f.Billing == resource.Quantity {
			hint += "; to bill nothing, remove the line"
		}
		fail(hint, "%s must be greater than 0, got %s", f.Name, text)
	case f.NonNegative && d.Sign() < 0:
		hint := fmt.Sprintf("write %s: 0 or more, like 19.90", f.Name)
		if f.Money {
			hint = "write a price of 0 or more, like 19.90 (a price is excl. VAT, never negative)"
		}
		fail(hint, "%s must not be negative, got %s", f.Name, text)
	}
	lo, hi := bound(f.Min), bound(f.Max)
	if (lo != nil && d.Cmp(lo) < 0) || (hi != nil && d.Cmp(hi) > 0) {
		switch {
		case lo != nil && hi != nil:
			fail(rangeHint(f), "%s must be between %s and %s, got %s", f.Name, f.Min, f.Max, text)
		case lo != nil:
			fail(fmt.Sprintf("write %s or more", f.Min), "%s must be at least %s, got %s", f.Name, f.Min, text)
		default:
			fail(fmt.Sprintf("write %s or less", f.Max), "%s must be at most %s, got %s", f.Name, f.Max, text)
		}
	}
	if f.Scale > 0 && scale(text) > f.Scale {
		fail(fmt.Sprintf("write %s (what the API would store) or another price with at most %d decimal places", f.Canonical(text), f.Scale),
			"%s has %d decimal places, but the API keeps money to %d: %s", f.Name, scale(text), f.Scale, text)
	}
	return ok
}

func bound(s string) *apd.Decimal {
	if s == "" {
		return nil
	}
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return nil
	}
	return d
}

// rangeHint explains a rate between 0 and 1.
func rangeHint(f resource.Field) string {
	if f.Min == "0" && f.Max == "1" {
		return "a rate is a fraction: 0.1 means 10%"
	}
	return fmt.Sprintf("write a number from %s to %s", f.Min, f.Max)
}

// date checks YYYY-MM-DD and that the day exists.
func (b *builder) date(o *Object, name string, t *tnode) bool {
	text := t.text
	if !isDateShape(text) {
		hint := "write the date as YYYY-MM-DD, e.g. 2026-04-01"
		for _, layout := range []string{"2006-1-2", "2006/1/2", "2006.1.2"} {
			if d, err := time.Parse(layout, strings.TrimSpace(text)); err == nil {
				hint = "write " + d.Format(time.DateOnly)
				break
			}
		}
		b.errorf(o, t.line, t.col, hint, "%s must be a date written YYYY-MM-DD, got %q", name, text)
		return false
	}
	if _, err := time.Parse(time.DateOnly, text); err != nil {
		y, _ := strconv.Atoi(text[:4])
		m, _ := strconv.Atoi(text[5:7])
		hint := "months go from 01 to 12"
		if m >= 1 && m <= 12 {
			days := time.Date(y, time.Month(m)+1, 0, 0, 0, 0, 0, time.UTC).Day()
			hint = fmt.Sprintf("%s has %d days", text[:7], days)
		}
		b.errorf(o, t.line, t.col, hint, "%s %s is not a real calendar date", name, text)
		return false
	}
	return true
}

func isDateShape(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}
