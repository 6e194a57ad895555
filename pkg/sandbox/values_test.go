package sandbox

import (
	"encoding/json"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

func TestCanonicalDecimal(t *testing.T) {
	money, _ := resource.Get(resource.Item).Field("selling_price_without_tax")
	tests := []struct {
		in    any
		want  string
		money string
		ok    bool
	}{
		{json.Number("19.90"), "19.90", "19.90", true},
		{json.Number("19.9"), "19.9", "19.90", true},
		{json.Number("150"), "150", "150.00", true},
		{"0.1234", "0.1234", "0.12", true},
		{"19.905", "19.905", "19.91", true},
		{"0.125", "0.125", "0.13", true},
		{"007.5", "7.5", "7.50", true},
		{json.Number("-0.5"), "-0.5", "-0.50", true},
		{"000", "0", "0.00", true},
		{json.Number("1e3"), "", "", false},
		{"19,90", "", "", false},
		{"1.", "", "", false},
		{".5", "", "", false},
		{"NaN", "", "", false},
		{"", "", "", false},
		{true, "", "", false},
		{19.9, "", "", false}, // a float64 never gets in
	}
	for _, tt := range tests {
		got, ok := canonicalDecimal(tt.in)
		if ok != tt.ok || got != tt.want {
			t.Errorf("canonicalDecimal(%#v) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
			continue
		}
		if m := money.Canonical(got); ok && m != tt.money {
			t.Errorf("money %q is stored as %q, want %q", got, m, tt.money)
		}
	}
}

func TestCanonicalInt(t *testing.T) {
	tests := []struct {
		in   any
		want string
		ok   bool
	}{
		{json.Number("12"), "12", true},
		{"12", "12", true},
		{json.Number("-3"), "-3", true},
		{json.Number("0"), "0", true},
		{"-0", "0", true},
		{"007", "", false},
		{json.Number("1.0"), "", false},
		{json.Number("99999999999999999999"), "", false},
		{"twelve", "", false},
		{false, "", false},
	}
	for _, tt := range tests {
		if got, ok := canonicalInt(tt.in); ok != tt.ok || got != tt.want {
			t.Errorf("canonicalInt(%#v) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, s := range []string{"plain", `q"b\s`, "tab\tnl\n\x01", "SIP Trunk — 2 channels", "<&>", "bad\xffutf8", "\u2028"} {
		var back string
		if err := json.Unmarshal(appendString(nil, s), &back); err != nil {
			t.Errorf("appendString(%q) is not JSON: %v", s, err)
			continue
		}
		want := s
		if s == "bad\xffutf8" {
			want = "bad\ufffdutf8"
		}
		if back != want {
			t.Errorf("appendString(%q) decodes to %q", s, back)
		}
	}
}

func TestValidDate(t *testing.T) {
	for in, ok := range map[any]bool{
		"2026-04-01": true, "2024-02-29": true, "2026-02-29": false, "2026-13-01": false,
		"2026-4-1": false, "01/04/2026": false, "2026-04-01T00:00:00Z": false, json.Number("20260401"): false,
	} {
		if _, got := validDate(in); got != ok {
			t.Errorf("validDate(%v) = %v, want %v", in, got, ok)
		}
	}
}
