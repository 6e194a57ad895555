package manifest

import "testing"

func TestNearest(t *testing.T) {
	fields := []string{"description", "family", "family_id", "selling_price_without_tax", "billing_frequency", "extra"}
	tests := []struct {
		word       string
		candidates []string
		want       string
	}{
		{"selling_price_without_tx", fields, "selling_price_without_tax"},
		{"sellingpricewithouttax", fields, "selling_price_without_tax"}, // three insertions in a long name
		{"price", fields, ""},                              // too far
		{"familly", fields, "family"},                      // one insertion
		{"famliy", fields, "family"},                       // a swap counts once
		{"Description", fields, "description"},             // case is a small slip
		{"billing_frequence", fields, "billing_frequency"}, // substitution
		{"colour", fields, ""},
		{"customer", []string{"families", "items", "customers"}, "customers"},
		{"sip-trunk", []string{"fibre", "sip-trunk-2ch"}, "sip-trunk-2ch"}, // a shortened name
		{"ab", []string{"abcdef"}, ""},                                     // too short to extend
		{"x", []string{"y", "z"}, "y"},                                     // ties: the first
		{"family", fields, "family_id"},                                    // an exact match is not a suggestion
	}
	for _, tt := range tests {
		if got := nearest(tt.word, tt.candidates); got != tt.want {
			t.Errorf("nearest(%q) = %q, want %q", tt.word, got, tt.want)
		}
	}
}

func TestEditDistance(t *testing.T) {
	tests := []struct {
		a, b string
		want int
	}{
		{"", "", 0},
		{"abc", "abc", 0},
		{"abc", "abd", 1},
		{"abc", "acb", 1},
		{"kitten", "sitting", 3},
		{"", "abc", 3},
	}
	for _, tt := range tests {
		if got := EditDistance([]rune(tt.a), []rune(tt.b), 100); got != tt.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if got := EditDistance([]rune("aaaaaaaa"), []rune("bbbbbbbb"), 2); got != 2 {
		t.Errorf("bounded distance = %d, want the bound 2", got)
	}
}
