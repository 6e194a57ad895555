package generate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Hazard sets hold what a strict API stores in another form than sent, or
// what its filters may miss: names with commas (spatie splits a filter
// value at them), apostrophes and accents; a family named "true" (spatie
// reads a boolean); customers without an account, some without an email
// (looked up by name alone); prices to the cent, some written 19.9 or 150
// (stored 19.90, 150.00); decimal quantities, some with trailing zeros
// (2.50); lines without labels. Every value is one the API keeps as
// written up to its canonical form, so a correct apply stores each field
// equal to the manifest's canonical value.

// HazardFamilies and HazardItems are the catalog of a hazard set.
const (
	HazardFamilies = 3
	HazardItems    = 3
)

// HazardFiles generates a hazard set of customers in memory, named like
// Files: catalog.yaml, then customers-NNNN.yaml with PerFile customers
// each. Each customer has one customer file with one line of each kind
// (HazardFamilies + HazardItems + 5*N objects).
func HazardFiles(customers int, seed int64) []File {
	files := []File{{Name: "catalog.yaml", Data: hazardCatalog()}}
	rng := rand.New(rand.NewPCG(uint64(seed), 0x68617a617264)) // "hazard"
	for start, n := 0, 1; start < customers; start, n = start+PerFile, n+1 {
		end := min(start+PerFile, customers)
		files = append(files, File{
			Name: fmt.Sprintf("customers-%04d.yaml", n),
			Data: hazardChunk(rng, seed, start, end),
		})
	}
	return files
}

// WriteHazards generates a hazard set into dir (created if needed).
func WriteHazards(dir string, customers int, seed int64) error {
	if customers < 0 {
		return fmt.Errorf("generate: negative customer count %d", customers)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, f := range HazardFiles(customers, seed) {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	return nil
}

// hazardItems are the local names of the hazard catalog's items.
var hazardItems = []string{"sip", "licence", "support"}

func hazardCatalog() []byte {
	return []byte(header + `families:
  voip:
    name: "VoIP, Data & Co"
  telephony:
    name: "Téléphonie d'entreprise"
  truth:
    name: "true"
items:
  sip:
    description: "SIP Trunk, 2 channels"
    family: voip
    selling_price_without_tax: 19.9
    billing_frequency: 1
    active_for_recurring_billing: true
  licence:
    description: "Licence d'accès — poste"
    family: telephony
    internal_reference: "LIC-01,A"
    selling_price_without_tax: 4.05
  support:
    description: "Support, 24/7"
    family: truth
    selling_price_without_tax: 150
`)
}

var hazardNames = []string{
	"Dupont, Fils & Cie %s",
	"L'Atelier d'Émile %s",
	"Société des Eaux, Île-de-France %s",
	"Müller & Söhne, GmbH %s",
	"O'Brien's Pub %s",
	"Café « Le Zinc » %s",
}

// hazardChunk renders customers [start, end). Customer i is named after
// its index, so names stay unique whatever the seed.
func hazardChunk(rng *rand.Rand, seed int64, start, end int) []byte {
	var b bytes.Buffer
	b.Grow((end - start) * 1000)
	b.WriteString(header)
	b.WriteString("customers:\n")
	for i := start; i < end; i++ {
		id := fmt.Sprintf("%06d", i+1)
		month, day := 1+rng.IntN(12), 1+rng.IntN(28)
		begin := fmt.Sprintf("2026-%02d-%02d", month, day)
		renewal := fmt.Sprintf("2027-%02d-%02d", month, day)
		fmt.Fprintf(&b, "  c-%s:\n    name: %q\n", id, fmt.Sprintf(hazardNames[i%len(hazardNames)], id))
		// Keys vary: an account (i%3 == 0), else name and email, else
		// (every fourth) the name alone.
		switch {
		case i%3 == 0:
			fmt.Fprintf(&b, "    customer_account: \"ACC-%s\"\n    email_address: c%s-%d@example.com\n", id, id, seed)
		case i%4 != 1:
			fmt.Fprintf(&b, "    email_address: c%s-%d@example.com\n", id, seed)
		}
		fmt.Fprintf(&b, "    main_address_city: %q\n    charge_vat: %t\n", []string{"Évry", "L'Haÿ-les-Roses", "Saint-Étienne", "Lyon"}[rng.IntN(4)], rng.IntN(5) != 0)
		item := func() string { return hazardItems[rng.IntN(len(hazardItems))] }
		fmt.Fprintf(&b, `    files:
      main:
        name: "Site de l'Étoile, Lyon"
        services_start: %s
        licences:
          seats: {item: %s, quantity: %s, activation_date: %s, renewal_date: %s, selling_price_without_tax: %s}
        initials:
          setup: {item: %s, quantity: %s, selling_price_without_tax: %s, discount_rate: %s}
        recurrings:
          trunk: {item: %s, quantity: %s, selling_price_without_tax: %s, service_start: %s}
`,
			begin,
			item(), quantity(rng), begin, renewal, price(rng),
			item(), quantity(rng), price(rng), []string{"0.15", "0.10", "0", "0.125"}[rng.IntN(4)],
			item(), quantity(rng), price(rng), begin,
		)
	}
	return b.Bytes()
}

// price is a price to the cent, written in the forms a person would:
// 12.34, 19.9, 150, 7.05, 0.99.
func price(rng *rand.Rand) string {
	euros, cents := rng.IntN(500), rng.IntN(100)
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%d", euros+1)
	case 1:
		return fmt.Sprintf("%d.%d", euros, cents/10)
	}
	return fmt.Sprintf("%d.%02d", euros, cents)
}

// quantity is a positive quantity, whole or decimal: 3, 2.5, 1.50, 0.75.
func quantity(rng *rand.Rand) string {
	switch rng.IntN(4) {
	case 0:
		return fmt.Sprintf("%d", 1+rng.IntN(20))
	case 1:
		return fmt.Sprintf("%d.5", rng.IntN(10))
	case 2:
		return fmt.Sprintf("%d.50", 1+rng.IntN(10))
	}
	return fmt.Sprintf("0.%02d", 1+rng.IntN(99))
}
