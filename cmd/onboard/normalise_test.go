package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// normaliseCatalog is a catalog the cases below extend.
const normaliseCatalog = `families:
  voip:
    name: VoIP Services
items:
  sip:
    description: SIP Trunk
    family: voip
    selling_price_without_tax: 19.90
`

// TestLostResponseNoDuplicate reproduces the duplicates a strict server
// provoked: the response of one chosen create is lost (the object is
// stored), the server stores values in another form than sent (strings
// trimmed, money to the cent) and its filters are spatie's (substrings,
// values split at commas). apply must find the object again: one object,
// no duplicate, no endless 422, nothing left to do. Values the
// server would alter (padded or blank strings, prices finer than the
// cent) are refused before any request.
func TestLostResponseNoDuplicate(t *testing.T) {
	tests := []struct {
		name     string
		manifest string
		drop     resource.Kind
		refused  string // a diagnostic, for a manifest refused before any request
	}{
		{name: "family with a comma", drop: resource.Family,
			manifest: "families:\n  voip:\n    name: \"VoIP, Data & Co\"\n"},
		{name: "family named true", drop: resource.Family,
			manifest: "families:\n  t:\n    name: \"true\"\n"},
		{name: "item with a comma, within its family", drop: resource.Item,
			manifest: "families:\n  voip: {name: VoIP}\nitems:\n  sip: {description: \"SIP, 2 channels\", family: voip, selling_price_without_tax: 150}\n"},
		{name: "item by a reference with a comma", drop: resource.Item,
			manifest: "items:\n  sip: {description: SIP, internal_reference: \"SIP,2\", selling_price_without_tax: 7.5}\n"},
		{name: "customer account, lost response", drop: resource.Customer,
			manifest: "customers:\n  acme: {name: Acme, customer_account: CL9000}\n"},
		{name: "customer found by a name with a comma alone", drop: resource.Customer,
			manifest: "customers:\n  dupont: {name: \"Dupont, Fils & Cie d'Évry\"}\n"},
		{name: "customer file with a comma and an apostrophe", drop: resource.CustomerFile,
			manifest: normaliseCatalog + "customers:\n  acme:\n    name: Acme\n    files:\n      main: {name: \"Site de l'Étoile, Lyon\"}\n"},
		{name: "licence price written 19.9, stored 19.90", drop: resource.Licence,
			manifest: normaliseCatalog + "customers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\n        licences:\n          seats: {item: sip, quantity: 2.50, selling_price_without_tax: 19.9}\n"},
		{name: "recurring without label, decimal quantity", drop: resource.Recurring,
			manifest: normaliseCatalog + "customers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\n        recurrings:\n          trunk: {item: sip, quantity: 0.75, selling_price_without_tax: 150}\n"},

		{name: "family name with a trailing space", refused: `name has leading or trailing white space, which the API trims: "VoIP Services "; write "VoIP Services"`,
			manifest: "families:\n  voip:\n    name: \"VoIP Services \"\n"},
		{name: "licence price with 3 decimals", refused: "selling_price_without_tax has 3 decimal places, but the API keeps money to 2: 19.905",
			manifest: normaliseCatalog + "customers:\n  acme:\n    name: Acme\n    files:\n      main:\n        name: Main\n        licences:\n          seats: {item: sip, quantity: 5, selling_price_without_tax: 19.905}\n"},
		{name: "customer account with a trailing space", refused: `customer_account has leading or trailing white space, which the API trims: "CL9000 "`,
			manifest: "customers:\n  acme: {name: Acme, customer_account: \"CL9000 \"}\n"},
		{name: "blank customer name after a catalog", refused: `name must not be blank, got "   "`,
			manifest: normaliseCatalog + "customers:\n  acme: {name: \"   \"}\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			path := filepath.Join(dir, "m.yaml")
			if err := os.WriteFile(path, []byte(tt.manifest), 0o644); err != nil {
				t.Fatal(err)
			}
			opts := sandbox.Options{Filters: sandbox.FiltersSpatie, Seed: 1}
			if tt.drop != "" {
				opts.DropFirst = []resource.Kind{tt.drop}
			}
			sb := startSandbox(t, opts)
			statePath := filepath.Join(dir, "onboard.state")
			if tt.refused != "" {
				r := runOnboard(t, sb.env(), applyArgs(path, statePath)...)
				if r.code != 1 || !strings.Contains(r.stderr, tt.refused) {
					t.Errorf("want exit 1 with %q:\n%s", tt.refused, r)
				}
				if n := sb.requests(""); n != 0 {
					t.Errorf("a refused manifest sent %d requests", n)
				}
				return
			}
			// apply looks the object up once the create's outcome is
			// unknown: it is adopted in the same run, or the next.
			adopted := 0
			for run := 1; ; run++ {
				r := runOnboard(t, sb.env(), applyArgs(path, statePath)...)
				if _, a, ok := applyCounts(r); ok {
					adopted += a
				}
				if r.code == 0 {
					break
				}
				if run == 2 {
					t.Fatalf("apply did not complete in 2 runs:\n%s", r)
				}
			}
			if adopted != 1 {
				t.Errorf("%d objects adopted, want the 1 whose response was lost", adopted)
			}
			set := loadSet(t, path)
			assertCounts(t, sb, kindCounts(set))
			tl := verifyExactlyOnce(t, sb, set)
			if tl.duplicates != 0 || tl.missing != 0 {
				t.Errorf("duplicates %d, missing %d", tl.duplicates, tl.missing)
			}
			assertStateComplete(t, statePath, tl)
			if pl := runOnboard(t, sb.env(), "plan", path, "--state", statePath, "--detailed-exitcode"); pl.code != 0 {
				t.Errorf("something is left to do:\n%s", pl)
			}
			if st := sb.srv.Stats(); st.Faults[sandbox.FaultDrop] != 1 {
				t.Errorf("drops: %v, want exactly 1", st.Faults)
			}
		})
	}
}
