package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"time"
	"unicode"

	"github.com/cockroachdb/apd/v3"
)

// How the API stores a value (a stock Laravel/MySQL server, see the API
// notes): strings are trimmed and "" becomes null (TrimStrings,
// ConvertEmptyStringsToNull); money is kept at its field's Scale and
// answered as a string ("19.90"); booleans come back as true/false or 1/0;
// numbers as numbers or numeric strings. The canonical form of a value is
// the text of what the server keeps, so that the request encoder, the
// natural-key lookup, the state and drift detection all compare the same
// thing. "" is the canonical form of an absent (null) value.

// Stored says how the API stores a value of type t and answers it, which
// is what Canonical computes; money is a Decimal with a Scale (see
// MoneyScale).
func (t Type) Stored() string {
	switch t {
	case String:
		return "Trimmed of white space at both ends; a blank string is stored as null (no value)."
	case Integer:
		return "A whole number, answered as a number or a numeric string."
	case Decimal:
		return fmt.Sprintf("An exact decimal, compared by value (2.50 = 2.5), answered as a number or a numeric string. Money (prices) is kept to %d decimal places and answered as a string (19.9 is \"19.90\"); a finer price would be rounded.", MoneyScale)
	case Boolean:
		return "Answered as true/false or 1/0."
	case Date:
		return "YYYY-MM-DD, as sent."
	case Reference:
		return "The id of the object referred to, answered as a number or a numeric string."
	case ReferenceList:
		return "The ids of the objects referred to, as a set (order does not matter), answered as an array of numbers."
	}
	return ""
}

// Canonical returns the canonical form of a manifest value's text for field
// f: the form the API stores and answers, so two values are equal iff their
// canonical forms are equal. Text that is not a value of f's type is
// returned trimmed, so that it still compares equal only to itself.
func (f Field) Canonical(text string) string {
	switch f.Type {
	case String:
		return TrimAPI(text)
	case Date:
		return dateOf(TrimAPI(text))
	case Boolean:
		switch strings.TrimSpace(text) {
		case "true", "1":
			return "true"
		case "false", "0":
			return "false"
		}
		return strings.TrimSpace(text)
	case Integer, Reference:
		return canonicalNumber(strings.TrimSpace(text), 0, true)
	case Decimal:
		return canonicalNumber(strings.TrimSpace(text), f.Scale, false)
	case ReferenceList:
		return listCanonical(text)
	}
	return text
}

// CanonicalJSON returns the canonical form of a value as the API answered
// it (raw JSON: strings, numbers, numeric strings, booleans as
// true/false/1/0/"1", null). null and "" give "" (absent). ok is false when
// raw cannot be a value of f's type.
func (f Field) CanonicalJSON(raw json.RawMessage) (text string, ok bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "", false
	}
	switch raw[0] {
	case 'n':
		return "", string(raw) == "null"
	case 't', 'f':
		switch string(raw) {
		case "true", "false":
			if f.Type == Boolean {
				return string(raw), true
			}
		}
		return "", false
	case '"':
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", false
		}
		return f.canonicalAnswered(s, true)
	case '[':
		if f.Type == ReferenceList {
			return listAnswered(raw)
		}
		return "", false
	case '{':
		return "", false
	}
	// A JSON number.
	if !json.Valid(raw) {
		return "", false
	}
	return f.canonicalAnswered(string(raw), false)
}

// canonicalAnswered checks and canonicalises an answered string (quoted) or
// number (not quoted).
func (f Field) canonicalAnswered(s string, quoted bool) (string, bool) {
	if TrimAPI(s) == "" {
		return "", quoted
	}
	switch f.Type {
	case String:
		return TrimAPI(s), true
	case Date:
		d := dateOf(TrimAPI(s))
		if !quoted || !isDate(d) {
			return "", false
		}
		return d, true
	case Boolean:
		switch s {
		case "1", "true":
			return "true", true
		case "0", "false":
			return "false", true
		}
		return "", false
	case Integer, Reference:
		d, ok := parseNumber(strings.TrimSpace(s))
		if !ok || !integral(d) {
			return "", false
		}
		return f.Canonical(s), true
	case Decimal:
		if _, ok := parseNumber(strings.TrimSpace(s)); !ok {
			return "", false
		}
		return f.Canonical(s), true
	}
	return "", false
}

// TrimAPI trims a string as the server's TrimStrings middleware does:
// Unicode white space, and the zero-width and byte-order marks Laravel
// also strips, at both ends.
func TrimAPI(s string) string {
	return strings.TrimFunc(s, func(r rune) bool {
		return unicode.IsSpace(r) || r == '\uFEFF' || r == '\u200B' || r == '\u200E'
	})
}

// canonicalNumber returns a number's canonical text: rounded half away from
// zero to scale places and written with exactly that many when scale > 0
// (money); as an exact decimal without trailing fractional zeros otherwise.
// Text that is not a finite number is returned as is.
func canonicalNumber(text string, scale int, integer bool) string {
	d, ok := parseNumber(text)
	if !ok {
		return text
	}
	if integer && !integral(d) {
		return text
	}
	if scale > 0 {
		var r apd.Decimal
		ctx := apd.BaseContext.WithPrecision(100)
		ctx.Rounding = apd.RoundHalfUp // on the magnitude: half away from zero, as MySQL DECIMAL
		if _, err := ctx.Quantize(&r, d, int32(-scale)); err != nil {
			return text
		}
		if r.IsZero() {
			r.Negative = false
		}
		return r.Text('f')
	}
	var r apd.Decimal
	r.Reduce(d)
	if r.IsZero() {
		return "0"
	}
	return r.Text('f')
}

// parseNumber parses a finite decimal number (JSON number or numeric
// string text).
func parseNumber(text string) (*apd.Decimal, bool) {
	if text == "" {
		return nil, false
	}
	d, _, err := apd.NewFromString(text)
	if err != nil || d.Form != apd.Finite {
		return nil, false
	}
	return d, true
}

func integral(d *apd.Decimal) bool {
	var r apd.Decimal
	r.Reduce(d)
	return r.Exponent >= 0
}

// dateOf keeps the date of a date-time the server may answer for a date
// column ("2026-04-01T00:00:00.000000Z", "2026-04-01 00:00:00").
func dateOf(s string) string {
	const n = len(time.DateOnly)
	if len(s) > n && (s[n] == 'T' || s[n] == ' ') && isDate(s[:n]) {
		return s[:n]
	}
	return s
}

func isDate(s string) bool {
	if len(s) != len(time.DateOnly) {
		return false
	}
	_, err := time.Parse(time.DateOnly, s)
	return err == nil
}
