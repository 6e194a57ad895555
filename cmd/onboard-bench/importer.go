package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"

	"github.com/xuri/excelize/v2"
)

// importResult holds the figures of one measured import (issue 22).
type importResult struct {
	imp, validate, reimport measurement
}

// packSheet is one sheet of a generated onboarding pack.
type packSheet struct {
	name   string
	header []string
	rows   [][]string
}

// generatePack is the pack of the generated manifest sets (pkg/generate's
// shape): one family and one item, and per customer a file with a
// licence, an initial and a recurring line: 2 + 5 × customers objects.
func generatePack(customers int) []packSheet {
	rng := rand.New(rand.NewPCG(1, 1))
	cities := []string{"Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Rennes"}
	sh := []packSheet{
		{"families", []string{"key", "name"}, [][]string{{"voip", "VoIP Services"}}},
		{"items", []string{"key", "description", "family", "sellingPriceWithoutTax", "billing_frequency", "active_for_recurring_billing", "active_for_initial_billing"},
			[][]string{{"sip-trunk-2ch", "SIP Trunk — 2 channels", "voip", "19.90", "1", "true", "true"}}},
		{"customers", []string{"key", "name", "email_address", "phone", "mainAddressLine1", "main_address_postal_code", "main_address_city", "charge_vat", "customer_account"}, nil},
		{"files", []string{"key", "customer", "name", "billing_frequency", "services_start", "first_invoice"}, nil},
		{"licences", []string{"file", "item", "quantity", "activation_date", "renewal_date", "frequency"}, nil},
		{"initials", []string{"file", "item", "quantity", "label", "selling_price_without_tax"}, nil},
		{"recurrings", []string{"file", "item", "quantity", "service_start", "first_invoice", "billing_frequency", "commitment", "active"}, nil},
	}
	for i := range customers {
		id := fmt.Sprintf("%06d", i+1)
		c, f := "c-"+id, "c-"+id+"-main"
		month, day := 1+rng.IntN(12), 1+rng.IntN(28)
		begin := fmt.Sprintf("2026-%02d-%02d", month, day)
		renewal := fmt.Sprintf("2027-%02d-%02d", month, day)
		sh[2].rows = append(sh[2].rows, []string{c, "Customer " + id + " SAS", "billing+c" + id + "@example.com", fmt.Sprintf("+331%08d", rng.IntN(100_000_000)),
			fmt.Sprintf("%d rue de la Paix", 1+rng.IntN(200)), fmt.Sprintf("%05d", 1000+rng.IntN(95000)), cities[rng.IntN(len(cities))],
			strconv.FormatBool(rng.IntN(10) != 0), "GEN" + id})
		sh[3].rows = append(sh[3].rows, []string{f, c, "Main Contract 2026", strconv.Itoa([]int{1, 3, 12}[rng.IntN(3)]), begin, begin})
		sh[4].rows = append(sh[4].rows, []string{f, "sip-trunk-2ch", strconv.Itoa(1 + rng.IntN(50)), begin, renewal, "12"})
		sh[5].rows = append(sh[5].rows, []string{f, "sip-trunk-2ch", "1", "Installation fee — SIP Trunk setup", fmt.Sprintf("%d.%02d", 50+rng.IntN(200), rng.IntN(100))})
		sh[6].rows = append(sh[6].rows, []string{f, "sip-trunk-2ch", strconv.Itoa(1 + rng.IntN(10)), begin, begin, "1", strconv.Itoa([]int{12, 24, 36}[rng.IntN(3)]), "true"})
	}
	return sh
}

// writePackCSV writes one CSV file per sheet into dir and returns them.
func writePackCSV(dir string, sheets []packSheet) []string {
	check(os.MkdirAll(dir, 0o755))
	var paths []string
	for _, s := range sheets {
		p := filepath.Join(dir, s.name+".csv")
		f, err := os.Create(p)
		check(err)
		w := csv.NewWriter(f)
		check(w.Write(s.header))
		check(w.WriteAll(s.rows))
		check(f.Close())
		paths = append(paths, p)
	}
	return paths
}

// writePackXLSX writes the sheets as one workbook (streamed), numbers as
// number cells, and returns its path.
func writePackXLSX(dir string, sheets []packSheet) string {
	check(os.MkdirAll(dir, 0o755))
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range sheets {
		if i == 0 {
			check(f.SetSheetName("Sheet1", s.name))
		} else {
			_, err := f.NewSheet(s.name)
			check(err)
		}
		sw, err := f.NewStreamWriter(s.name)
		check(err)
		for r, row := range append([][]string{s.header}, s.rows...) {
			cells := make([]any, len(row))
			for j, v := range row {
				cells[j] = v
				if n, err := strconv.Atoi(v); err == nil && r > 0 && s.header[j] != "main_address_postal_code" {
					cells[j] = n
				}
			}
			cell, err := excelize.CoordinatesToCellName(1, r+1)
			check(err)
			check(sw.SetRow(cell, cells))
		}
		check(sw.Flush())
	}
	p := filepath.Join(dir, "pack.xlsx")
	check(f.SaveAs(p))
	return p
}

// runImport measures `onboard import` of the generated pack (as CSV
// files, or as a workbook) into a new directory, `onboard validate` of the
// manifests it wrote, and the import again (nothing to change).
func (s scenario) runImport(bin, dir string) runResult {
	sheets := generatePack(s.customers)
	var inputs []string
	if s.workbook {
		inputs = []string{writePackXLSX(filepath.Join(dir, "input"), sheets)}
	} else {
		inputs = writePackCSV(filepath.Join(dir, "input"), sheets)
	}
	out := filepath.Join(dir, "out")
	check(os.RemoveAll(out))
	ir := &importResult{}
	ir.imp = measure(exec.Command(bin, append(append([]string{"import"}, inputs...), "--out", out)...), io.Discard)
	res := runResult{objects: s.objects(), importer: ir}
	if ir.imp.exit != 0 {
		return res
	}
	ir.validate = measure(exec.Command(bin, "validate", out), io.Discard)
	ir.reimport = measure(exec.Command(bin, append(append([]string{"import"}, inputs...), "--out", out)...), io.Discard)
	fmt.Printf("%s: import: wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n", s.name, ir.imp.wall.Seconds(), ir.imp.cpu.Seconds(), ir.imp.maxRSSMB)
	fmt.Printf("%s: validate of what it wrote: wall %.3f s, CPU %.3f s, peak RSS %.1f MB; import / validate = %.3f (CPU: %.3f)\n",
		s.name, ir.validate.wall.Seconds(), ir.validate.cpu.Seconds(), ir.validate.maxRSSMB, ir.imp.wall.Seconds()/ir.validate.wall.Seconds(),
		ir.imp.cpu.Seconds()/ir.validate.cpu.Seconds())
	fmt.Printf("%s: import again (no changes): wall %.3f s, CPU %.3f s\n", s.name, ir.reimport.wall.Seconds(), ir.reimport.cpu.Seconds())
	return res
}

// importTargets: the import takes at most twice the validation of the
// manifests it writes.
func (r *report) importTargets(note string) []target {
	for _, run := range r.runs {
		if run.importer == nil || run.importer.validate.exit != 0 || run.importer.reimport.exit != 0 {
			return []target{{name: r.name, measured: "onboard exited with an error (see above)"}}
		}
	}
	imp := r.median(func(x runResult) float64 { return x.importer.imp.wall.Seconds() })
	val := r.median(func(x runResult) float64 { return x.importer.validate.wall.Seconds() })
	ratio := r.median(func(x runResult) float64 { return x.importer.imp.wall.Seconds() / x.importer.validate.wall.Seconds() })
	what := "CSV files"
	if r.workbook {
		what = "a workbook"
	}
	return []target{{name: fmt.Sprintf("import %d customers from %s (issue 22): <= 2 x validate of the manifests it writes", r.customers, what),
		measured: fmt.Sprintf("%.3f s vs %.3f s: %.3f x%s", imp, val, ratio, note), met: ratio <= 2}}
}
