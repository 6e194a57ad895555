package importer

import (
	"errors"
	"strings"
	"testing"
)

// table makes a table as ReadCSV (sheet "") or ReadWorkbook would: the
// first row is the header.
func table(file, sheet, name string, rows ...string) *Table {
	t := &Table{Name: name, At: Pos{File: file, Sheet: sheet, Row: 1}}
	for i, r := range rows {
		var cells []Cell
		for j, v := range strings.Split(r, ",") {
			cells = append(cells, Cell{Text: v, Pos: Pos{File: file, Sheet: sheet, Row: i + 1, Col: j + 1}})
		}
		if i == 0 {
			t.Header = cells
		} else {
			t.Rows = append(t.Rows, cells)
		}
	}
	return t
}

func csvT(name string, rows ...string) *Table { return table(name+".csv", "", name, rows...) }

// base is a valid pack: a family, an item, a customer with a file.
func base() []*Table {
	return []*Table{
		csvT("families", "key,name", "voip,VoIP Services"),
		csvT("items", "key,description,family,selling_price_without_tax", "trunk,SIP Trunk,voip,19.90"),
		csvT("customers", "key,name", "acme,Acme"),
		csvT("files", "key,customer,name", "main,acme,Main 2026"),
	}
}

func TestBuildReportsEveryBadCell(t *testing.T) {
	for _, tc := range []struct {
		name   string
		tables []*Table
		want   []string
	}{
		{"a bad number, at its cell", append(base(), csvT("recurrings", "file,item,quantity", "main,trunk,abc")),
			[]string{`recurrings.csv:2:3: quantity must be a number, got string "abc"; write quantity as a plain number, like 5 or 19.90`}},
		{"a workbook cell by sheet and A1 address", append(base(), table("pack.xlsx", "Recurrings", "Recurrings", "file,item,label,commitment,quantity", "main,trunk,x,12,abc")),
			[]string{`pack.xlsx:Recurrings!E2: quantity must be a number, got string "abc"; write quantity as a plain number, like 5 or 19.90`}},
		{"an unknown column, camelCase suggested as its manifest name", []*Table{csvT("items", "key,description,sellingPriceWithoutTx", "trunk,SIP,19.90")},
			[]string{`items.csv:1:3: unknown column "sellingPriceWithoutTx" in items; did you mean "selling_price_without_tax"?`}},
		{"an unknown reference, with the manifests' did-you-mean", append(base(), csvT("recurrings", "file,item,quantity", "main,trunc,1")),
			[]string{`recurrings.csv:2:2: recurring line "trunc" refers to unknown item "trunc"; did you mean "trunk"?`}},
		{"money finer than the cent", append(base()[:1], csvT("items", "key,description,selling_price_without_tax", "trunk,SIP,19.999")),
			[]string{`items.csv:2:3: selling_price_without_tax has 3 decimal places, but the API keeps money to 2: 19.999; write 20.00 (what the API would store) or another price with at most 2 decimal places`}},
		{"an unknown parent, and the row's other cells still checked", append(base(), csvT("recurrings", "file,item,quantity", "mian,trunk,0")),
			[]string{`recurrings.csv:2:1: no customer file with key "mian" in the files sheet; did you mean "main"?`,
				`recurrings.csv:2:3: quantity must be greater than 0, got 0; write a quantity greater than 0, like 1; to bill nothing, remove the line`}},
		{"a row without key, and an invalid key, their cells checked too", []*Table{csvT("customers", "key,name,charge_vat", ",Acme,maybe", "a.b,Beta,true")},
			[]string{`customers.csv:2: this customer row has no key; write the row's local name in the key column (e.g. acme)`,
				`customers.csv:2:3: charge_vat must be true or false, got string "maybe"; write true or false`,
				`customers.csv:3:1: invalid key "a.b" for a customer; use letters, digits, '-' and '_' (e.g. acme-2026)`}},
		{"a key twice", []*Table{csvT("customers", "key,name", "acme,Acme", "acme,Acme 2")},
			[]string{`customers.csv:3:1: key "acme" is already the key of the row at customers.csv:2: a customer's key is unique in its sheet; give each row its own key`}},
		{"a file of a customer and a prospect", append(base(), csvT("prospects", "key,name", "lead,Lead"), csvT("files", "key,customer,prospect,name", "f,acme,lead,F")),
			[]string{`files.csv:1: a second files table (the first is at files.csv:1); merge them into one`}},
		{"a file of both", []*Table{csvT("customers", "key,name", "acme,Acme"), csvT("prospects", "key,name", "lead,Lead"), csvT("files", "key,customer,prospect,name", "f,acme,lead,F")},
			[]string{`files.csv:2:3: a row of files belongs to one customer or prospect, and this row names both; clear one of them`}},
		{"a file of no one", []*Table{csvT("customers", "key,name", "acme,Acme"), csvT("files", "key,name", "f,F")},
			[]string{`files.csv:2: this row of files belongs to no customer or prospect; write the key of its customer or prospect in the customer or prospect column`}},
		{"a line of no file, its cells checked too", append(base(), csvT("recurrings", "item,quantity", "trunk,-1")),
			[]string{`recurrings.csv:2: this row of recurrings belongs to no customer file; write the key of its customer file in the file column`,
				`recurrings.csv:2:2: quantity must be greater than 0, got -1; write a quantity greater than 0, like 1; to bill nothing, remove the line`}},
		{"a file of a missing customer: its contacts are not looked for", []*Table{csvT("customers", "key,name", "acme,Acme"), csvT("files", "key,customer,name,contacts,billing_frequency", "main,acne,Main,billing,0")},
			[]string{`files.csv:2:2: no customer with key "acne" in the customers sheet; did you mean "acme"?`,
				`files.csv:2:5: billing_frequency must be greater than 0, got 0; write billing_frequency: 1 or more`}},
		{"a field the row's kind lacks", []*Table{csvT("prospects", "key,name", "lead,Lead"), csvT("files", "key,prospect,name,first_invoice", "f,lead,F,2026-01-01")},
			[]string{`files.csv:2:4: a prospect file has no first_invoice; clear the cell`}},
		{"a CSV file not named after a kind", append(base(), csvT("recurings", "file,item,quantity", "main,trunk,1")),
			[]string{`recurings.csv:1: "recurings" is not a kind onboard imports; did you mean "recurrings"?`}},
		{"a value under no header", []*Table{csvT("customers", "key,name,", "acme,Acme,x")},
			[]string{`customers.csv:2:3: a value in a column without a name; name the column in the header row, or clear the cell`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Build(tc.tables, Options{})
			var ie *Error
			if !errors.As(err, &ie) {
				t.Fatalf("Build: %v, want an *Error", err)
			}
			var got []string
			for _, d := range ie.Diagnostics {
				got = append(got, d.String())
			}
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

func TestBuildLeavesOutOtherSheetsOfAWorkbook(t *testing.T) {
	tables := append(base(), table("pack.xlsx", "Instructions", "Instructions", "Fill in one sheet per kind"))
	res, err := Build(tables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Warnings) != 1 || !strings.Contains(res.Warnings[0], `sheet "Instructions" is not named after a kind; left out`) {
		t.Errorf("warnings: %q", res.Warnings)
	}
}

// Lines without a key are named after their item, as export names them.
func TestBuildNamesLinesAfterTheirItem(t *testing.T) {
	tables := append(base(), csvT("recurrings", "file,item,quantity", "main,trunk,1", "main,trunk,2"), csvT("initials", "file,item_id,quantity", "main,42,1"))
	res, err := Build(tables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(res.Declares["customers/acme.yaml"], " ")
	for _, want := range []string{"customer.acme.file.main.recurring.trunk ", "customer.acme.file.main.recurring.trunk-2", "customer.acme.file.main.initial.item-42"} {
		if !strings.Contains(got+" ", want) {
			t.Errorf("%s not among %s", want, got)
		}
	}
}

// A prospect is an owner, not catalog: it gets a file of its own, as
// export writes it, never a place in catalog.yaml (issue 18's defect of
// export --catalog, here for import).
func TestBuildWritesProspectsApartFromTheCatalog(t *testing.T) {
	tables := append(base(), csvT("prospects", "key,name", "globex,Globex Networks"))
	res, err := Build(tables, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(res.Declares["catalog.yaml"], " "); strings.Contains(got, "prospect") {
		t.Errorf("catalog.yaml declares %s", got)
	}
	if got := res.Declares["customers/globex.yaml"]; len(got) != 1 || got[0] != "prospect.globex" {
		t.Errorf("customers/globex.yaml declares %v, want prospect.globex", got)
	}
}
