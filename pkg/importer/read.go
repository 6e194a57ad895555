package importer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/xuri/excelize/v2"
	"golang.org/x/sync/errgroup"
)

// Pos is where a cell is: in a workbook, its sheet and A1 address
// ("pack.xlsx:Recurrings!E18"); in a CSV file, its line and field number,
// both from 1 ("recurrings.csv:18:5"), as editors jump to a line. A whole
// row is "pack.xlsx:Recurrings!18:18" (Excel's notation) or
// "recurrings.csv:18".
type Pos struct {
	File  string
	Sheet string // "" for a CSV file
	Row   int    // 1-based: the sheet's row, or the CSV line
	Col   int    // 1-based column (field) number; 0 for the whole row
}

// String renders the position as described on Pos.
func (p Pos) String() string {
	if p.Sheet != "" {
		if p.Col == 0 {
			return fmt.Sprintf("%s:%s!%d:%d", p.File, p.Sheet, p.Row, p.Row) // a whole row, as Excel writes it
		}
		name, err := excelize.ColumnNumberToName(p.Col)
		if err != nil {
			name = "?"
		}
		return fmt.Sprintf("%s:%s!%s%d", p.File, p.Sheet, name, p.Row)
	}
	if p.Col == 0 {
		return fmt.Sprintf("%s:%d", p.File, p.Row)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Row, p.Col)
}

// Cell is one non-empty cell.
type Cell struct {
	// Text is the cell's raw value: what was typed, never the text a
	// number format displays (19.9, not "19,90 €"; a date's serial).
	Text string
	// Number: the workbook holds the cell as a number whose raw value
	// is not the text it shows (19.899999999999999, 1E+20); a CSV has
	// none.
	Number bool
	Pos    Pos
}

// Table is the rows of one sheet or CSV file: its header row and the rows
// below it, each a cell per column (Text "" for an empty cell).
type Table struct {
	// Name is the sheet's name, or the CSV file's name without .csv.
	Name string
	// At is where the table is, for messages about it as a whole.
	At     Pos
	Header []Cell
	Rows   [][]Cell
	// Date1904: the workbook counts dates from 1904.
	Date1904 bool
}

// ReadFile reads a workbook (.xlsx: every sheet) or a CSV file (one
// table). Positions name the file as given (its base name).
func ReadFile(path string) ([]*Table, error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return ReadWorkbook(path)
	case ".csv":
		t, err := ReadCSV(path)
		if err != nil {
			return nil, err
		}
		return []*Table{t}, nil
	}
	return nil, fmt.Errorf("%s: not a workbook (.xlsx) or a CSV file (.csv)", path)
}

// ReadWorkbook reads every sheet of an .xlsx workbook, cells as their raw
// values (excelize's RawCellValue), with whether each holds a number.
func ReadWorkbook(path string) ([]*Table, error) {
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	defer f.Close()
	date1904 := false
	if props, err := f.GetWorkbookProps(); err == nil && props.Date1904 != nil {
		date1904 = *props.Date1904
	}
	file := filepath.Base(path)
	sheets := f.GetSheetList()
	out := make([]*Table, len(sheets))
	// Sheets are read in parallel (excelize's Rows and GetCellType are
	// safe for concurrent use): the largest part of reading a big pack.
	var g errgroup.Group
	g.SetLimit(runtime.GOMAXPROCS(0))
	for k, sheet := range sheets {
		g.Go(func() error {
			t, err := readSheet(f, file, sheet, date1904)
			if err != nil {
				return fmt.Errorf("read %s, sheet %s: %w", path, sheet, err)
			}
			out[k] = t
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return out, nil
}

// readSheet reads one sheet: its first non-empty row is the header.
func readSheet(f *excelize.File, file, sheet string, date1904 bool) (*Table, error) {
	rows, err := f.GetRows(sheet, excelize.Options{RawCellValue: true})
	if err != nil {
		return nil, err
	}
	t := &Table{Name: sheet, At: Pos{File: file, Sheet: sheet, Row: 1}, Date1904: date1904}
	header := true
	for i, row := range rows {
		cells := make([]Cell, len(row))
		empty := true
		for j, v := range row {
			cells[j] = Cell{Text: v, Pos: Pos{File: file, Sheet: sheet, Row: i + 1, Col: j + 1}}
			if strings.TrimSpace(v) != "" {
				empty = false
				if looksNumeric(v) && !asShown(v) {
					// Asked only when the raw value may not be what
					// the cell shows: GetCellType loads the whole sheet.
					addr, _ := excelize.CoordinatesToCellName(j+1, i+1)
					if ct, err := f.GetCellType(sheet, addr); err == nil && (ct == excelize.CellTypeUnset || ct == excelize.CellTypeNumber) {
						cells[j].Number = true
					}
				}
			}
		}
		if empty {
			continue
		}
		if header {
			t.Header, t.At.Row, header = cells, i+1, false
			continue
		}
		t.Rows = append(t.Rows, cells)
	}
	return t, nil
}

// looksNumeric is a number's raw text in a workbook: digits, a sign, a
// point, an exponent.
func looksNumeric(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '.' || c == '-' || c == '+' || c == 'E' || c == 'e') {
			return false
		}
	}
	return true
}

// asShown reports whether a numeric raw value is the text a number cell
// shows as well (no exponent, at most 15 digits): then whether the cell
// holds a number or text makes no difference to the value.
func asShown(raw string) bool {
	digits := 0
	for i := 0; i < len(raw); i++ {
		switch c := raw[i]; {
		case c == 'e' || c == 'E':
			return false
		case c >= '0' && c <= '9':
			digits++
		}
	}
	return digits <= 15
}

// ReadCSV reads a CSV file: comma-separated, or semicolon-separated when
// the header has semicolons and no commas (a spreadsheet saving CSV in a
// locale with a decimal comma does that); a leading byte-order mark is
// dropped.
func ReadCSV(path string) (*Table, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	file := filepath.Base(path)
	r := csv.NewReader(bytes.NewReader(data))
	r.FieldsPerRecord = -1
	first, _, _ := bytes.Cut(data, []byte("\n"))
	if bytes.IndexByte(first, ',') < 0 && bytes.IndexByte(first, ';') >= 0 {
		r.Comma = ';'
	}
	name := strings.TrimSuffix(file, filepath.Ext(file))
	t := &Table{Name: name, At: Pos{File: file, Row: 1}}
	header := true
	for {
		rec, err := r.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				return nil, fmt.Errorf("%s:%d:%d: %v", file, pe.Line, pe.Column, pe.Err)
			}
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		cells := make([]Cell, len(rec))
		empty := true
		for j, v := range rec {
			line, _ := r.FieldPos(j)
			cells[j] = Cell{Text: v, Pos: Pos{File: file, Row: line, Col: j + 1}}
			if strings.TrimSpace(v) != "" {
				empty = false
			}
		}
		if empty {
			continue
		}
		if header {
			t.Header, t.At.Row, header = cells, cells[0].Pos.Row, false
			continue
		}
		t.Rows = append(t.Rows, cells)
	}
	return t, nil
}

// rowPos is where a row is, for a problem with the row as a whole.
func rowPos(row []Cell) Pos {
	p := row[0].Pos
	p.Col = 0
	return p
}
