package importer

import (
	"slices"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/xuri/excelize/v2"

	"github.com/onboardhq/onboard/pkg/resource"
)

// excelDigits is the precision of a spreadsheet's numbers: 15 significant
// digits. A workbook may store 19.9 as 19.899999999999999 (the nearest
// double, printed in full); rounded to what the spreadsheet shows, it is
// 19.9 again.
var excelDigits = apd.Context{Precision: 15, Rounding: apd.RoundHalfEven, MaxExponent: apd.MaxExponent, MinExponent: apd.MinExponent}

// value turns a cell into the text the manifest holds for field f under
// key (f.Name, or f.IDName for ids). Numbers become exact decimal text
// (never a float64): a number cell and the same number typed as text give
// the same value; money has its field's scale (19.9 is 19.90); dates are
// YYYY-MM-DD, from a workbook's date serial or text. Text that is not what the field
// takes is kept as written, for the manifest's checks to report.
func value(f resource.Field, key string, c Cell, date1904 bool) string {
	text := strings.TrimSpace(c.Text)
	if c.Number {
		text = excelNumber(text)
	}
	switch {
	case f.Type == resource.ReferenceList:
		items := strings.FieldsFunc(text, func(r rune) bool { return r == ',' || r == ';' })
		for i, it := range items {
			items[i] = strings.TrimSpace(it)
			if key != f.Name {
				items[i] = integer(items[i])
			}
		}
		slices.Sort(items) // a set (the API syncs a pivot table): the same set, the same manifest
		return strings.Join(items, ",")
	case f.Type == resource.Reference:
		if key != f.Name {
			return integer(text)
		}
		return text
	}
	switch f.Type {
	case resource.Integer:
		return integer(text)
	case resource.Decimal:
		return decimal(text, f.Scale)
	case resource.Boolean:
		switch strings.ToLower(text) {
		case "true", "1", "yes":
			return "true"
		case "false", "0", "no":
			return "false"
		}
	case resource.Date:
		// A serial is a workbook's date; in a CSV file a number is no
		// date (2026 is not 1905-07-18): kept, for the check to refuse.
		if c.Pos.Sheet != "" {
			if d, ok := serialDate(text, date1904); ok {
				return d
			}
		}
		if len(text) > 10 && text[10] == 'T' {
			return text[:10] // a date cell of the ISO 8601 kind (t="d")
		}
	}
	return text
}

// excelNumber is a number cell's raw value as the spreadsheet shows it:
// at most 15 significant digits, plain decimal text.
func excelNumber(raw string) string {
	var d apd.Decimal
	if _, _, err := d.SetString(raw); err != nil || d.Form != apd.Finite {
		return raw
	}
	if _, err := excelDigits.Round(&d, &d); err != nil {
		return raw
	}
	d.Reduce(&d)
	return d.Text('f')
}

// parse reads plain decimal text (no exponent, no sign but '-').
func parse(text string) (*apd.Decimal, bool) {
	if text == "" || strings.ContainsAny(text, "eE+_ ") {
		return nil, false
	}
	d, _, err := apd.NewFromString(text)
	if err != nil || d.Form != apd.Finite {
		return nil, false
	}
	return d, true
}

// integer writes a whole number without a fraction of zeros ("12.0" is
// 12); anything else as written.
func integer(text string) string {
	d, ok := parse(text)
	if !ok {
		return text
	}
	d.Reduce(d)
	if d.Exponent < 0 {
		return text
	}
	ctx := apd.BaseContext.WithPrecision(uint32(d.NumDigits()) + uint32(d.Exponent) + 1)
	if _, err := ctx.Quantize(d, d, 0); err != nil {
		return text
	}
	return d.Text('f')
}

// decimal writes a decimal with exactly scale places when it has no more
// (money: 19.9 is 19.90), else, for a field kept exact (scale 0), without
// trailing zeros (2.50 is 2.5, as a number cell holds it); a value finer
// than the scale is kept as written, for the manifest's check to refuse.
func decimal(text string, scale int) string {
	d, ok := parse(text)
	if !ok {
		return text
	}
	d.Reduce(d)
	places := int32(0)
	if scale > 0 {
		if -d.Exponent > int32(scale) {
			return text
		}
		places = int32(scale)
	} else if d.Exponent < 0 {
		places = -d.Exponent
	}
	// Precision for every digit: the integer part (at most NumDigits +
	// a positive exponent) and the places.
	ctx := apd.BaseContext.WithPrecision(uint32(d.NumDigits()) + uint32(max(d.Exponent, 0)) + uint32(places) + 1)
	if _, err := ctx.Quantize(d, d, -places); err != nil {
		return text
	}
	return d.Text('f')
}

// serialDate reads a spreadsheet date serial (days since the workbook's
// epoch; a time of day after the point is dropped).
func serialDate(text string, date1904 bool) (string, bool) {
	d, ok := parse(text)
	if !ok || d.Negative {
		return "", false
	}
	var whole apd.Decimal
	d.Modf(&whole, nil)
	days, err := whole.Int64()
	if err != nil || days < 1 || days > 2958465 { // 9999-12-31
		return "", false
	}
	t, err := excelize.ExcelDateToTime(float64(days), date1904) // a day count, not money: exact
	if err != nil {
		return "", false
	}
	return t.Format(time.DateOnly), true
}
