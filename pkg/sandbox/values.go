package sandbox

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Stored values are what encoding/json produces with UseNumber: string,
// json.Number (exact text, never float64), bool, nil, and for `extra:`
// passthrough fields also map[string]any and []any.

// canonicalInt returns the canonical text of an integer sent as a JSON
// number or a numeric string ("007" and "5.0" are refused, as Laravel's
// integer rule refuses them).
func canonicalInt(v any) (string, bool) {
	s, ok := numberText(v)
	if !ok {
		return "", false
	}
	digits := strings.TrimPrefix(s, "-")
	if digits == "" || (len(digits) > 1 && digits[0] == '0') {
		return "", false
	}
	for i := 0; i < len(digits); i++ {
		if digits[i] < '0' || digits[i] > '9' {
			return "", false
		}
	}
	if _, err := strconv.ParseInt(s, 10, 64); err != nil {
		return "", false
	}
	if s == "-0" {
		return "0", true
	}
	return s, true
}

// canonicalDecimal returns the canonical text of a decimal sent as a JSON
// number or a numeric string: optional minus, digits, optional fraction.
// Leading zeros of the integer part are dropped so that the text is a valid
// JSON number; trailing zeros of the fraction are kept (19.90 stays 19.90).
func canonicalDecimal(v any) (string, bool) {
	s, ok := numberText(v)
	if !ok {
		return "", false
	}
	neg := strings.HasPrefix(s, "-")
	body := strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(body, ".")
	if !allDigits(intPart) || (hasDot && !allDigits(frac)) {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	out := intPart
	if hasDot {
		out += "." + frac
	}
	if neg {
		out = "-" + out
	}
	return out, true
}

// trimInput is what a stock Laravel server does to every input string,
// query or body, nested ones included, before validation: TrimStrings
// trims it, ConvertEmptyStringsToNull turns "" into null.
func trimInput(v any) any {
	switch x := v.(type) {
	case string:
		if t := resource.TrimAPI(x); t != "" {
			return t
		}
		return nil
	case map[string]any:
		for k, e := range x {
			x[k] = trimInput(e)
		}
	case []any:
		for i, e := range x {
			x[i] = trimInput(e)
		}
	}
	return v
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// numberText returns the text of a JSON number or of a string, which
// Laravel's numeric rules accept alike.
func numberText(v any) (string, bool) {
	switch x := v.(type) {
	case json.Number:
		return string(x), true
	case string:
		return strings.TrimSpace(x), true
	}
	return "", false
}

// normBool accepts what Laravel's boolean rule accepts: true, false, 1, 0,
// "1", "0".
func normBool(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case json.Number:
		switch x {
		case "1":
			return true, true
		case "0":
			return false, true
		}
	case string:
		switch x {
		case "1":
			return true, true
		case "0":
			return false, true
		}
	}
	return false, false
}

// validDate reports whether v is a real calendar date written YYYY-MM-DD.
func validDate(v any) (string, bool) {
	s, ok := v.(string)
	if !ok || len(s) != len("2006-01-02") {
		return "", false
	}
	if _, err := time.Parse(time.DateOnly, s); err != nil {
		return "", false
	}
	return s, true
}

// checkBounds applies a field's numeric constraints from the resource
// table to a canonical decimal text; it returns a Laravel message suffix
// ("must be greater than 0.") or "".
func checkBounds(f resource.Field, text string) string {
	if !f.Positive && !f.NonNegative && f.Min == "" && f.Max == "" {
		return ""
	}
	d, _, err := apd.NewFromString(text)
	if err != nil {
		return "must be a number."
	}
	switch {
	case f.Positive && d.Sign() <= 0:
		return "must be greater than 0."
	case f.NonNegative && d.Sign() < 0:
		return "must be at least 0."
	}
	var lo, hi *apd.Decimal
	if f.Min != "" {
		lo, _, _ = apd.NewFromString(f.Min)
	}
	if f.Max != "" {
		hi, _, _ = apd.NewFromString(f.Max)
	}
	tooLow := lo != nil && d.Cmp(lo) < 0
	tooHigh := hi != nil && d.Cmp(hi) > 0
	switch {
	case (tooLow || tooHigh) && lo != nil && hi != nil:
		return "must be between " + f.Min + " and " + f.Max + "."
	case tooLow:
		return "must be at least " + f.Min + "."
	case tooHigh:
		return "must not be greater than " + f.Max + "."
	}
	return ""
}

// valueText is the text a stored value is compared on by filters, indexes
// and natural keys; ok is false for null.
func valueText(v any) (string, bool) {
	switch x := v.(type) {
	case nil:
		return "", false
	case string:
		return x, true
	case json.Number:
		return string(x), true
	case bool:
		return strconv.FormatBool(x), true
	}
	b, err := json.Marshal(v)
	if err != nil {
		return "", false
	}
	return string(b), true
}

// appendValue appends the JSON form of a stored value.
func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return appendString(b, x)
	case json.Number:
		return append(b, x...)
	case bool:
		return strconv.AppendBool(b, x)
	}
	raw, err := json.Marshal(v)
	if err != nil { // decoded JSON always re-encodes; keep the output valid anyway
		return append(b, "null"...)
	}
	return append(b, raw...)
}

const hexDigits = "0123456789abcdef"

// appendString appends s as a JSON string. Unlike encoding/json it does not
// escape HTML characters; invalid UTF-8 becomes U+FFFD as there.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
