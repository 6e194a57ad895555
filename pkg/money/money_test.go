package money

import (
	"testing"

	"github.com/cockroachdb/apd/v3"
)

func dec(t *testing.T, s string) *apd.Decimal {
	t.Helper()
	d, ok := Parse(s)
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return d
}

// TestFormats is the one rule, on every case issue 18 found: the whole
// plan's per-month figure printed as 130.175 (now ≈ 130.18, as the rows),
// thousands separated alike everywhere, a body's 17.5 shown as 17.50.
func TestFormats(t *testing.T) {
	cases := []struct {
		in                  string
		text, signed, plain string
		rounded             bool
	}{
		{"130.175", "≈ 130.18", "≈ +130.18", "130.18", true},
		{"130.174", "≈ 130.17", "≈ +130.17", "130.17", true},
		{"17.5", "17.50", "+17.50", "17.50", false},
		{"150", "150.00", "+150.00", "150.00", false},
		{"75.0000", "75.00", "+75.00", "75.00", false},
		{"0", "0.00", "0.00", "0.00", false},
		{"-0.001", "≈ 0.00", "≈ 0.00", "0.00", true},
		{"-147", "−147.00", "−147.00", "-147.00", false},
		{"-0.125", "≈ −0.13", "≈ −0.13", "-0.13", true},
		{"1234567.891", "≈ 1,234,567.89", "≈ +1,234,567.89", "1234567.89", true},
		{"10388", "10,388.00", "+10,388.00", "10388.00", false},
		{"-543548.6", "−543,548.60", "−543,548.60", "-543548.60", false},
		{"999.995", "≈ 1,000.00", "≈ +1,000.00", "1000.00", true},
		{"3.333333333333333333333333333333333", "≈ 3.33", "≈ +3.33", "3.33", true},
	}
	for _, c := range cases {
		t.Run(c.in, func(t *testing.T) {
			d := dec(t, c.in)
			if got := Text(d); got != c.text {
				t.Errorf("Text(%s) = %q, want %q", c.in, got, c.text)
			}
			if got := Signed(d); got != c.signed {
				t.Errorf("Signed(%s) = %q, want %q", c.in, got, c.signed)
			}
			got, rounded := Plain(d)
			if got != c.plain || rounded != c.rounded {
				t.Errorf("Plain(%s) = %q, %v; want %q, %v", c.in, got, rounded, c.plain, c.rounded)
			}
		})
	}
}

func TestPrice(t *testing.T) {
	for in, want := range map[string]string{"17.5": "17.50", "19.90": "19.90", "1500": "1,500.00", "abc": "abc", "0.5": "0.50"} {
		if got := Price(in); got != want {
			t.Errorf("Price(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPercent(t *testing.T) {
	cases := []struct {
		part, whole, want string
		ok                bool
	}{
		{"-147", "147", "−100.0%", true},
		{"147", "1029", "+14.3%", true},
		{"1", "3", "+33.3%", true},
		{"2", "3", "+66.7%", true},
		{"0", "50", "0.0%", true},
		{"10", "0", "", false},
		{"-0.0001", "1000", "0.0%", true},
		{"25000", "1000", "+2,500.0%", true},
	}
	for _, c := range cases {
		got, ok := Percent(dec(t, c.part), dec(t, c.whole))
		if got != c.want || ok != c.ok {
			t.Errorf("Percent(%s, %s) = %q, %v; want %q, %v", c.part, c.whole, got, ok, c.want, c.ok)
		}
	}
}
