package generate

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
)

// Offers is how many offers FilesWithOffers declares; each customer takes
// one of them.
const Offers = 4

// FilesWithOffers generates a set whose customers take their lines from
// offers: catalog.yaml declares the catalog and Offers offers (a licence,
// an initial charge and a recurring line each), and each customer's file
// takes one offer and writes only its own dates, as overrides of the
// offer's licence and recurring line. The set has the objects of Files
// (2 + 5*N), and the same objects as FilesOffersByHand for the same seed.
func FilesWithOffers(customers int, seed int64) []File { return offerFiles(customers, seed, true) }

// FilesOffersByHand generates the set of FilesWithOffers with every line
// written out in full in its file, as a team would before using offers:
// loading either set yields the same objects, at the same addresses.
func FilesOffersByHand(customers int, seed int64) []File {
	return offerFiles(customers, seed, false)
}

// WriteWithOffers writes the set of FilesWithOffers into dir; byHand
// writes that of FilesOffersByHand instead.
func WriteWithOffers(dir string, customers int, seed int64, byHand bool) error {
	if customers < 0 {
		return fmt.Errorf("generate: negative customer count %d", customers)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("generate: %w", err)
	}
	for _, f := range offerFiles(customers, seed, !byHand) {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return fmt.Errorf("generate: %w", err)
		}
	}
	return nil
}

// offer is the lines of one generated offer, as YAML flow mappings
// without their dates.
type offer struct {
	name                 string
	seats, setup, trunk  string
	seatsQty, trunkQty   int
	setupPrice           string
	commitment           int
	frequency, billingFq int
}

func makeOffers(rng *rand.Rand) []offer {
	out := make([]offer, Offers)
	for i := range out {
		o := offer{
			name:       fmt.Sprintf("pack-%d", i+1),
			seatsQty:   1 + rng.IntN(50),
			trunkQty:   1 + rng.IntN(10),
			setupPrice: fmt.Sprintf("%d.%02d", 50+rng.IntN(200), rng.IntN(100)),
			commitment: []int{12, 24, 36}[rng.IntN(3)],
			frequency:  12,
			billingFq:  1,
		}
		o.seats = fmt.Sprintf("item: %s, quantity: %d, frequency: %d", Item, o.seatsQty, o.frequency)
		o.setup = fmt.Sprintf("item: %s, quantity: 1, label: Installation fee — SIP Trunk setup, selling_price_without_tax: %s", Item, o.setupPrice)
		o.trunk = fmt.Sprintf("item: %s, quantity: %d, billing_frequency: %d, commitment: %d, active: true", Item, o.trunkQty, o.billingFq, o.commitment)
		out[i] = o
	}
	return out
}

func offerFiles(customers int, seed int64, withOffers bool) []File {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6f6666657273)) // "offers"
	offers := makeOffers(rng)
	cat := catalog()
	if withOffers {
		var b bytes.Buffer
		b.Write(cat)
		b.WriteString("offers:\n")
		for _, o := range offers {
			fmt.Fprintf(&b, "  %s:\n    licences:\n      seats: {%s}\n    initials:\n      setup: {%s}\n    recurrings:\n      trunk: {%s}\n",
				o.name, o.seats, o.setup, o.trunk)
		}
		cat = b.Bytes()
	}
	files := []File{{Name: "catalog.yaml", Data: cat}}
	for start, n := 0, 1; start < customers; start, n = start+PerFile, n+1 {
		end := min(start+PerFile, customers)
		files = append(files, File{
			Name: fmt.Sprintf("customers-%04d.yaml", n),
			Data: offerChunk(rng, seed, offers, start, end, withOffers),
		})
	}
	return files
}

// offerChunk renders customers [start, end), each taking one offer (or
// its lines written out) with its own dates.
func offerChunk(rng *rand.Rand, seed int64, offers []offer, start, end int, withOffers bool) []byte {
	var b bytes.Buffer
	b.Grow((end - start) * 1100)
	b.WriteString(header)
	b.WriteString("customers:\n")
	for i := start; i < end; i++ {
		id := fmt.Sprintf("%06d", i+1)
		month := 1 + rng.IntN(12)
		day := 1 + rng.IntN(28)
		begin := fmt.Sprintf("2026-%02d-%02d", month, day)
		renewal := fmt.Sprintf("2027-%02d-%02d", month, day)
		o := offers[rng.IntN(len(offers))]
		fmt.Fprintf(&b, `  c-%s:
    name: Customer %s %s
    email_address: billing+c%s-%d@example.com
    phone: "+331%08d"
    main_address_line1: %d %s
    main_address_postal_code: "%05d"
    main_address_city: %s
    main_address_country: France
    charge_vat: %t
    customer_account: GEN%s
    files:
      main:
        name: Main Contract 2026
        billing_frequency: %d
        services_start: %s
        first_invoice: %s
`,
			id, id, forms[rng.IntN(len(forms))],
			id, seed,
			rng.IntN(100_000_000),
			1+rng.IntN(200), streets[rng.IntN(len(streets))],
			1000+rng.IntN(95000),
			cities[rng.IntN(len(cities))],
			rng.IntN(10) != 0,
			id,
			[]int{1, 3, 12}[rng.IntN(3)],
			begin, begin,
		)
		seats := fmt.Sprintf("activation_date: %s, renewal_date: %s", begin, renewal)
		trunk := fmt.Sprintf("service_start: %s, first_invoice: %s", begin, begin)
		if withOffers {
			fmt.Fprintf(&b, "        offers: [%s]\n        licences:\n          seats: {%s}\n        recurrings:\n          trunk: {%s}\n",
				o.name, seats, trunk)
			continue
		}
		fmt.Fprintf(&b, "        licences:\n          seats: {%s, %s}\n        initials:\n          setup: {%s}\n        recurrings:\n          trunk: {%s, %s}\n",
			o.seats, seats, o.setup, o.trunk, trunk)
	}
	return b.Bytes()
}
