package importer

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// A workbook's cells are read as raw values with their types, never as
// the text a number format shows.
func TestReadWorkbookRawValues(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Items"))
	money, err := f.NewStyle(&excelize.Style{NumFmt: 8}) // "$#,##0.00;[Red]-$#,##0.00"
	must(err)
	for i, v := range []any{"key", "description", "selling_price_without_tax", "internal_reference", "billing_frequency", "active_for_recurring_billing"} {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		must(f.SetCellValue("Items", cell, v))
	}
	must(f.SetCellValue("Items", "A2", "trunk"))
	must(f.SetCellValue("Items", "B2", "SIP"))
	// 19.9 as a spreadsheet may store it: the nearest double in full.
	must(f.SetCellFloat("Items", "C2", 19.9, 17, 64))
	must(f.SetCellStyle("Items", "C2", "C2", money))
	// A reference typed as text that looks like a long number stays text.
	must(f.SetCellStr("Items", "D2", "0012345678901234567"))
	must(f.SetCellInt("Items", "E2", 12))
	must(f.SetCellBool("Items", "F2", true))
	p := filepath.Join(t.TempDir(), "pack.xlsx")
	must(f.SaveAs(p))

	raw, err := f.GetCellValue("Items", "C2", excelize.Options{RawCellValue: true})
	must(err)
	if raw == "19.9" {
		t.Fatalf("the workbook stores C2 as %q: the test needs the double in full", raw)
	}
	res := build(t, p)
	got := string(res.Files[1].Data)
	for _, want := range []string{
		"    selling_price_without_tax: 19.90\n",
		"    internal_reference: \"0012345678901234567\"\n",
		"    billing_frequency: 12\n",
		"    active_for_recurring_billing: true\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("%q not in\n%s", want, got)
		}
	}
}

// A CSV file saved by a spreadsheet in a locale with a decimal comma: a
// byte-order mark, semicolons, CRLF.
func TestReadCSVSemicolons(t *testing.T) {
	p := filepath.Join(t.TempDir(), "customers.csv")
	if err := os.WriteFile(p, []byte("\ufeffkey;name;charge_vat\r\nacme;\"Acme; Paris\";VRAI\r\n\r\nbeta;Beta;TRUE\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := ReadCSV(p)
	if err != nil {
		t.Fatal(err)
	}
	if tb.Name != "customers" || len(tb.Header) != 3 || tb.Header[0].Text != "key" || len(tb.Rows) != 2 {
		t.Fatalf("table %+v", tb)
	}
	if c := tb.Rows[0][1]; c.Text != "Acme; Paris" || c.Pos.String() != "customers.csv:2:2" {
		t.Errorf("cell %q at %s", c.Text, c.Pos)
	}
	if c := tb.Rows[1][2]; c.Pos.String() != "customers.csv:4:3" {
		t.Errorf("a cell after an empty line at %s, want customers.csv:4:3", c.Pos)
	}
	// VRAI is no boolean onboard takes: reported at its cell.
	_, err = Build([]*Table{tb}, Options{})
	if err == nil || !strings.Contains(err.Error(), "customers.csv:2:3: charge_vat must be") {
		t.Errorf("Build: %v", err)
	}
}
