package manifest

import (
	"math/big"
	"strings"
)

// canonInt returns the JSON form of a YAML integer as yaml.v3 reads it
// (0x1F, 0o17, 012, 1_000, +5), for the schema instance and `extra:`. The
// exact text stays in the node; typed fields check it separately.
func canonInt(s string) (string, bool) {
	plain := strings.ReplaceAll(s, "_", "")
	if isPlainInteger(plain) {
		return strings.TrimPrefix(plain, "+"), true
	}
	var z big.Int
	text := plain
	neg := false
	switch {
	case strings.HasPrefix(text, "-"):
		neg, text = true, text[1:]
	case strings.HasPrefix(text, "+"):
		text = text[1:]
	}
	if text == "" || text[0] == '+' || text[0] == '-' {
		return "", false
	}
	if _, ok := z.SetString(text, 0); !ok {
		return "", false
	}
	if neg {
		z.Neg(&z)
	}
	return z.String(), true
}

// isPlainInteger reports whether s is a whole number in JSON form with an
// optional sign: digits without leading zeros.
func isPlainInteger(s string) bool {
	if s != "" && (s[0] == '-' || s[0] == '+') {
		s = s[1:]
	}
	if s == "" || !allDigits(s) {
		return false
	}
	return s == "0" || s[0] != '0'
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// canonFloat returns the JSON form of a YAML float, keeping every digit
// (".5" becomes "0.5", "1." becomes "1", "+2.50" becomes "2.50"). Infinity
// and NaN are valid YAML floats without a JSON form: ("", true).
func canonFloat(s string) (string, bool) {
	plain := strings.ReplaceAll(s, "_", "")
	switch strings.TrimLeft(strings.ToLower(plain), "+-") {
	case ".inf", ".nan":
		return "", true
	}
	sign := ""
	switch {
	case strings.HasPrefix(plain, "-"):
		sign, plain = "-", plain[1:]
	case strings.HasPrefix(plain, "+"):
		plain = plain[1:]
	}
	mant, exp := plain, ""
	if i := strings.IndexAny(plain, "eE"); i >= 0 {
		mant, exp = plain[:i], plain[i+1:]
		e := strings.TrimPrefix(strings.TrimPrefix(exp, "+"), "-")
		if e == "" || !allDigits(e) {
			return "", false
		}
	}
	intPart, frac, _ := strings.Cut(mant, ".")
	if (intPart == "" && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return "", false
	}
	intPart = strings.TrimLeft(intPart, "0")
	if intPart == "" {
		intPart = "0"
	}
	var b strings.Builder
	b.WriteString(sign)
	b.WriteString(intPart)
	if frac != "" {
		b.WriteByte('.')
		b.WriteString(frac)
	}
	if exp != "" {
		b.WriteByte('e')
		b.WriteString(exp)
	}
	return b.String(), true
}

// canonBool reads the booleans yaml.v3 resolves (YAML 1.2 core schema).
func canonBool(s string) (string, bool) {
	switch s {
	case "true", "True", "TRUE":
		return "true", true
	case "false", "False", "FALSE":
		return "false", true
	}
	return "", false
}

func isNullText(s string) bool {
	switch s {
	case "", "~", "null", "Null", "NULL":
		return true
	}
	return false
}

// isPlainDecimal reports whether s is decimal text as the API takes it:
// optional minus, digits without leading zeros, optional fraction; no
// exponent, no plus sign.
func isPlainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !allDigits(intPart) || (len(intPart) > 1 && intPart[0] == '0') {
		return false
	}
	if hasDot && (frac == "" || !allDigits(frac)) {
		return false
	}
	return true
}

// scale returns the number of decimal places written in plain decimal s.
func scale(s string) int {
	if _, frac, ok := strings.Cut(s, "."); ok {
		return len(frac)
	}
	return 0
}
