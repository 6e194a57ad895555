package manifest

import "testing"

func TestCanonInt(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"12", "12", true},
		{"-7", "-7", true},
		{"+5", "5", true},
		{"012", "10", true}, // YAML 1.1 octal, as yaml.v3 reads it
		{"0o17", "15", true},
		{"0x1F", "31", true},
		{"-0x10", "-16", true},
		{"0b101", "5", true},
		{"1_000", "1000", true},
		{"99999999999999999999999", "99999999999999999999999", true},
		{"twelve", "", false},
		{"", "", false},
		{"--1", "", false},
		{"+-1", "", false},
	}
	for _, tt := range tests {
		got, ok := canonInt(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("canonInt(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCanonFloat(t *testing.T) {
	tests := []struct {
		in, want string
		ok       bool
	}{
		{"19.90", "19.90", true}, // digits kept
		{"150.00", "150.00", true},
		{".5", "0.5", true},
		{"-.5", "-0.5", true},
		{"+2.50", "2.50", true},
		{"1.", "1", true},
		{"007.5", "7.5", true},
		{"1e3", "1e3", true},
		{"1.5E-2", "1.5e-2", true},
		{".inf", "", true},
		{"-.Inf", "", true},
		{".NaN", "", true},
		{".", "", false},
		{"1e", "", false},
		{"abc", "", false},
		{"1.2.3", "", false},
	}
	for _, tt := range tests {
		got, ok := canonFloat(tt.in)
		if got != tt.want || ok != tt.ok {
			t.Errorf("canonFloat(%q) = %q, %v; want %q, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestPlainNumbers(t *testing.T) {
	tests := []struct {
		in               string
		integer, decimal bool
		decimalPlaces    int
	}{
		{"0", true, true, 0},
		{"12", true, true, 0},
		{"-12", true, true, 0},
		{"+12", true, false, 0}, // a sign the API does not want: integer() refuses the plus separately
		{"012", false, false, 0},
		{"19.90", false, true, 2},
		{"0.0001", false, true, 4},
		{"-0.5", false, true, 1},
		{".5", false, false, 1},
		{"5.", false, false, 0},
		{"1e2", false, false, 0},
		{"1_000", false, false, 0},
		{"", false, false, 0},
		{"-", false, false, 0},
	}
	for _, tt := range tests {
		if got := isPlainInteger(tt.in); got != tt.integer {
			t.Errorf("isPlainInteger(%q) = %v", tt.in, got)
		}
		if got := isPlainDecimal(tt.in); got != tt.decimal {
			t.Errorf("isPlainDecimal(%q) = %v", tt.in, got)
		}
		if got := scale(tt.in); tt.decimal && got != tt.decimalPlaces {
			t.Errorf("scale(%q) = %d, want %d", tt.in, got, tt.decimalPlaces)
		}
	}
}
