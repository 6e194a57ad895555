package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cockroachdb/apd/v3"
)

// TestProjectMoney: the project file's currency and vat_rate, the
// defaults without them, and a bad value's error at its position.
func TestProjectMoney(t *testing.T) {
	cases := []struct {
		name, file     string
		currency, rate string // want ("" rate: the default, unset)
		err            string // want an error with this text
	}{
		{"none", "state: x.state\n", "", "", ""},
		{"percentage", "currency: CHF\nvat_rate: 7.7%\n", "CHF", "0.077", ""},
		{"fraction", "vat_rate: 0.055 # reduced\n", "", "0.055", ""},
		{"quoted", "vat_rate: \"20%\"\ncurrency: 'GBP'\n", "GBP", "0.2", ""},
		{"zero", "vat_rate: 0\n", "", "0", ""},
		{"all of it", "vat_rate: 100%\n", "", "1", ""},
		{"over 100%", "# rates\nvat_rate: 120%\n", "", "", `onboard.project:2:11: vat_rate "120%" is over 100%`},
		{"over 1", "vat_rate: 20\n", "", "", "onboard.project:1:11: vat_rate \"20\" is over 1; write a fraction (`vat_rate: 0.2`) or a percentage (`vat_rate: 20%`)"},
		{"negative", "vat_rate: -0.2\n", "", "", `onboard.project:1:11: vat_rate "-0.2" is not a rate`},
		{"not a number", "vat_rate:   twenty\n", "", "", `onboard.project:1:13: vat_rate "twenty" is not a rate`},
		{"lowercase", "currency: eur\n", "", "", `onboard.project:1:11: currency "eur" is not an ISO 4217 code (did you mean EUR?)`},
		{"symbol", "currency: €\n", "", "", `currency "€" is not an ISO 4217 code; write three capital letters`},
		{"too long", "currency: EURO\n", "", "", `currency "EURO" is not an ISO 4217 code`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, projectFileName), []byte(c.file), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.Mkdir(filepath.Join(dir, "customers"), 0o755); err != nil {
				t.Fatal(err)
			}
			t.Chdir(dir)
			ms, err := projectMoney([]string{"customers"})
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("error %v, want %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if ms.Currency != c.currency {
				t.Errorf("currency %q, want %q", ms.Currency, c.currency)
			}
			got := ""
			if ms.VATRate != nil {
				r := new(apd.Decimal)
				r.Reduce(ms.VATRate)
				got = r.Text('f')
			}
			if got != c.rate {
				t.Errorf("rate %q, want %q", got, c.rate)
			}
		})
	}
}
