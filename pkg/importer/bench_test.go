package importer

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
)

// bigPack is the pack of n customers, each with a file and a licence, an
// initial and a recurring line (pkg/generate's shape: 2 + 5n objects).
func bigPack(n int) []sheetData {
	sh := []sheetData{
		{"families", []string{"key", "name"}, [][]any{{"voip", "VoIP Services"}}},
		{"items", []string{"key", "description", "family", "sellingPriceWithoutTax", "billing_frequency", "active_for_recurring_billing", "active_for_initial_billing"},
			[][]any{{"sip-trunk-2ch", "SIP Trunk — 2 channels", "voip", 19.9, 1.0, true, true}}},
		{"customers", []string{"key", "name", "email_address", "phone", "mainAddressLine1", "main_address_postal_code", "main_address_city", "charge_vat", "customer_account"}, nil},
		{"files", []string{"key", "customer", "name", "billing_frequency", "services_start", "first_invoice"}, nil},
		{"licences", []string{"file", "item", "quantity", "activation_date", "renewal_date", "frequency"}, nil},
		{"initials", []string{"file", "item", "quantity", "label", "selling_price_without_tax"}, nil},
		{"recurrings", []string{"file", "item", "quantity", "service_start", "first_invoice", "billing_frequency", "commitment", "active"}, nil},
	}
	begin := date("2026-04-01")
	for i := range n {
		id := fmt.Sprintf("%06d", i+1)
		c, f := "c-"+id, "c-"+id+"-main"
		sh[2].rows = append(sh[2].rows, []any{c, "Customer " + id + " SAS", "billing+c" + id + "@example.com", "+33100000000", "1 rue de la Paix", "75001", "Paris", true, "GEN" + id})
		sh[3].rows = append(sh[3].rows, []any{f, c, "Main Contract 2026", 1.0, begin, begin})
		sh[4].rows = append(sh[4].rows, []any{f, "sip-trunk-2ch", float64(1 + i%50), begin, date("2027-04-01"), 12.0})
		sh[5].rows = append(sh[5].rows, []any{f, "sip-trunk-2ch", 1.0, "Installation fee", both{150.5, "150.50"}})
		sh[6].rows = append(sh[6].rows, []any{f, "sip-trunk-2ch", float64(1 + i%10), begin, begin, 1.0, 24.0, true})
	}
	return sh
}

// BenchmarkImport10k imports 10,000 customers (CSV files, or a workbook)
// and, for comparison, validates the manifests the import makes: the
// import includes that validation, and must take at most twice as long
// (issue 22; the end-to-end figure is cmd/onboard-bench's import-10k).
func BenchmarkImport10k(b *testing.B) {
	dir := b.TempDir()
	xlsx, csvs := writePack(b, dir, bigPack(10_000))
	res := build(b, csvs...)
	var files []manifest.File
	for _, f := range res.Files {
		if filepath.Ext(f.Path) == ".yaml" {
			files = append(files, manifest.File{Path: f.Path, Data: f.Data})
		}
	}
	var validate time.Duration
	b.Run("validate", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if _, err := manifest.LoadData(files); err != nil {
				b.Fatal(err)
			}
		}
		validate = time.Since(start) / time.Duration(b.N)
	})
	for _, in := range []struct {
		name  string
		paths []string
	}{{"csv", csvs}, {"xlsx", []string{xlsx}}} {
		b.Run(in.name, func(b *testing.B) {
			start := time.Now()
			for b.Loop() {
				build(b, in.paths...)
			}
			per := time.Since(start) / time.Duration(b.N)
			b.ReportMetric(float64(per)/float64(validate), "x-validate")
		})
	}
}
