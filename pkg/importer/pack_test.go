package importer

import (
	"bytes"
	"encoding/csv"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"
)

var update = flag.Bool("update", false, "rewrite examples/import/ from the pack below")

// both is a cell written one way in the workbook and another in the CSV
// files: a number cell and the number typed as text must give the same
// manifest.
type both struct {
	xlsx any
	csv  string
}

func date(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

type sheetData struct {
	name   string
	header []string
	rows   [][]any
}

// pack is examples/import/: the cookbook's catalog and two customers,
// keyed as export names them (so that an export of what it creates names
// the same objects). Some headers use the API's camelCase spellings; the
// workbook holds numbers, dates and booleans as such, the CSV files as
// text (19.9 in a number cell is "19.90" typed).
var pack = []sheetData{
	{"families", []string{"key", "name"}, [][]any{
		{"voip-services", "VoIP Services"},
		{"connectivity", "Connectivity"},
	}},
	{"items", []string{"key", "description", "family", "sellingPriceWithoutTax", "billing_frequency", "active_for_recurring_billing", "active_for_initial_billing", "internalReference"}, [][]any{
		{"sip-trunk-2-channels", "SIP Trunk — 2 channels", "voip-services", both{19.9, "19.90"}, 1.0, true, nil, nil},
		{"did-phone-number", "DID phone number", "voip-services", both{1.5, "1.5"}, 1.0, true, nil, "VOIP-DID"},
		{"on-site-installation", "On-site installation", "voip-services", both{150.0, "150"}, nil, nil, true, "SRV-INSTALL"},
		{"fibre-1-gb-s", "Fibre 1 Gb/s", "connectivity", both{89.0, "89.00"}, 1.0, true, nil, "NET-FIBRE-1G"},
	}},
	{"customers", []string{"key", "name", "email_address", "phone", "mainAddressLine1", "main_address_postal_code", "main_address_city", "charge_vat"}, [][]any{
		{"acme-telecom-sas", "Acme Telecom SAS", "contact@acme-telecom.fr", "+33123456789", "12 rue de la Paix", both{75001.0, "75001"}, "Paris", true},
		{"initech-sarl", "Initech SARL", "billing@initech.example", nil, "3 place Bellecour", "69002", "Lyon", both{false, "FALSE"}},
	}},
	{"contacts", []string{"key", "customer", "first_name", "last_name", "email_address", "invoices_recipient"}, [][]any{
		{"compta-acme-telecom-fr", "acme-telecom-sas", "Claire", "Martin", "compta@acme-telecom.fr", true},
	}},
	{"files", []string{"key", "customer", "name", "billing_frequency", "services_start", "first_invoice"}, [][]any{
		{"head-office-2026", "acme-telecom-sas", "Head office 2026", 1.0, date("2026-04-01"), both{date("2026-04-01"), "2026-04-01"}},
		{"initech-2026", "initech-sarl", "Initech 2026", both{3.0, "3"}, date("2026-09-01"), nil},
	}},
	{"licences", []string{"file", "item", "quantity", "activation_date", "renewal_date", "frequency"}, [][]any{
		{"head-office-2026", "sip-trunk-2-channels", 5.0, date("2026-04-01"), date("2027-04-01"), 12.0},
	}},
	{"initials", []string{"file", "item", "quantity", "label", "discount_rate"}, [][]any{
		{"head-office-2026", "on-site-installation", 1.0, "Installation fee — SIP Trunk setup", both{0.5, "0.50"}},
	}},
	{"recurrings", []string{"file", "item", "quantity", "label", "service_start", "commitment", "active"}, [][]any{
		{"head-office-2026", "sip-trunk-2-channels", both{2.0, "2.0"}, nil, date("2026-04-01"), 24.0, true},
		{"head-office-2026", "did-phone-number", 20.0, "DID numbers 01 23 45 67 00–19", nil, nil, true},
		{"initech-2026", "fibre-1-gb-s", 1.0, nil, date("2026-09-01"), 36.0, true},
	}},
}

// writePack writes the pack as a workbook (pack.xlsx) and as one CSV file
// per sheet into dir, and returns the paths: the workbook, then the CSVs.
func writePack(t testing.TB, dir string, sheets []sheetData) (string, []string) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14}) // m/d/yy: a date cell as Excel formats one
	if err != nil {
		t.Fatal(err)
	}
	var csvs []string
	for i, sh := range sheets {
		if i == 0 {
			if err := f.SetSheetName("Sheet1", sh.name); err != nil {
				t.Fatal(err)
			}
		} else if _, err := f.NewSheet(sh.name); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		w := csv.NewWriter(&buf)
		all := append([][]any{toAny(sh.header)}, sh.rows...)
		for r, row := range all {
			rec := make([]string, len(row))
			for c, v := range row {
				cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
				xv, cv := v, ""
				switch x := v.(type) {
				case both:
					xv, cv = x.xlsx, x.csv
				case nil:
				case string:
					cv = x
				case float64:
					cv = strconv.FormatFloat(x, 'f', -1, 64)
				case bool:
					cv = strconv.FormatBool(x)
				case time.Time:
					cv = x.Format(time.DateOnly)
				default:
					t.Fatalf("%s %s: %T", sh.name, cell, v)
				}
				rec[c] = cv
				if xv == nil {
					continue
				}
				if err := f.SetCellValue(sh.name, cell, xv); err != nil {
					t.Fatal(err)
				}
				if _, ok := xv.(time.Time); ok {
					if err := f.SetCellStyle(sh.name, cell, cell, dateStyle); err != nil {
						t.Fatal(err)
					}
				}
			}
			if err := w.Write(rec); err != nil {
				t.Fatal(err)
			}
		}
		w.Flush()
		p := filepath.Join(dir, sh.name+".csv")
		if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		csvs = append(csvs, p)
	}
	xlsx := filepath.Join(dir, "pack.xlsx")
	if err := f.SaveAs(xlsx); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(xlsx, 0o644); err != nil { // excelize creates it executable
		t.Fatal(err)
	}
	return xlsx, csvs
}

func toAny(ss []string) []any {
	out := make([]any, len(ss))
	for i, s := range ss {
		out[i] = s
	}
	return out
}

func build(t testing.TB, paths ...string) *Result {
	t.Helper()
	var tables []*Table
	for _, p := range paths {
		ts, err := ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		tables = append(tables, ts...)
	}
	res, err := Build(tables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

func sameFiles(t *testing.T, what string, a, b *Result) {
	t.Helper()
	if len(a.Files) != len(b.Files) {
		t.Fatalf("%s: %d files, %d files", what, len(a.Files), len(b.Files))
	}
	for i := range a.Files {
		if a.Files[i].Path != b.Files[i].Path || !bytes.Equal(a.Files[i].Data, b.Files[i].Data) {
			t.Errorf("%s: %s differs:\n%s\n----\n%s", what, a.Files[i].Path, a.Files[i].Data, b.Files[i].Data)
		}
	}
}

// TestWorkbookAndCSVGiveTheSameManifests builds the pack as a workbook and
// as CSV files, imports both, and gets the same bytes; the committed
// examples/import/ give them too, and they are what
// testdata/pack/ holds (-update rewrites both).
func TestWorkbookAndCSVGiveTheSameManifests(t *testing.T) {
	dir := t.TempDir()
	if *update {
		dir = filepath.Join("..", "..", "examples", "import")
	}
	xlsx, csvs := writePack(t, dir, pack)
	fromXLSX := build(t, xlsx)
	fromCSV := build(t, csvs...)
	sameFiles(t, "workbook and CSV files", fromXLSX, fromCSV)

	ex := filepath.Join("..", "..", "examples", "import")
	var exCSV []string
	for _, sh := range pack {
		exCSV = append(exCSV, filepath.Join(ex, sh.name+".csv"))
	}
	sameFiles(t, "examples/import/pack.xlsx", fromXLSX, build(t, filepath.Join(ex, "pack.xlsx")))
	sameFiles(t, "examples/import/*.csv", fromXLSX, build(t, exCSV...))

	golden := filepath.Join("testdata", "pack")
	for _, f := range fromXLSX.Files {
		if f.Path == "manifest.schema.json" {
			continue
		}
		p := filepath.Join(golden, filepath.FromSlash(f.Path))
		if *update {
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, f.Data, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(f.Data, want) {
			t.Errorf("%s differs from %s (go test -update rewrites it):\n%s", f.Path, p, f.Data)
		}
	}
}
