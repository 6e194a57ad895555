package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Billing preview field names. They are manifest field names of the
// resource table; the preview is the one place that gives them a billing
// meaning.
const (
	fieldPrice     = "selling_price_without_tax"
	fieldQuantity  = "quantity"
	fieldDiscount  = "discount_rate"
	fieldFrequency = "frequency"
	fieldBilling   = "billing_frequency"
	fieldItem      = "item"
)

// Charge is the money of one group of lines: a sum of terms.
type Charge struct {
	// Months is the cycle length (0: unknown or one-time).
	Months int `json:"months,omitempty"`
	// Terms are "quantity × price" texts, one per line.
	Terms []string `json:"terms"`
	// Total is the exact sum of the known terms.
	Total string `json:"total"`
	// Incomplete: some line's price is the catalog price of an item that
	// exists only in BlueRockTEL, so it is not in Total.
	Incomplete bool `json:"incomplete,omitempty"`
}

// FilePreview is the billing preview of one customer file.
type FilePreview struct {
	File     string   `json:"file"`
	Name     string   `json:"name"`
	Customer string   `json:"customer"`
	OneTime  *Charge  `json:"one_time,omitempty"`
	Cycles   []Charge `json:"recurring,omitempty"`
	Licences []Charge `json:"licences,omitempty"`
}

// Previews computes the billing preview of every customer file that has a
// line to create or change, from each line's price or its item's price, in
// exact decimals.
func (p *Plan) Previews() []FilePreview {
	var out []FilePreview
	for _, s := range p.Steps {
		if s.Kind != resource.CustomerFile || s.Object == nil || !p.fileChanges(s) {
			continue
		}
		out = append(out, previewFile(s.Object))
	}
	return out
}

func (p *Plan) fileChanges(file *Step) bool {
	if file.Action != NoOp {
		return true
	}
	for _, c := range file.Object.Children {
		if st := p.ByAddr[c.Addr]; st != nil && st.Action != NoOp {
			return true
		}
	}
	return false
}

func previewFile(f *manifest.Object) FilePreview {
	fp := FilePreview{File: f.Addr, Name: f.Fields["name"].Text}
	if c := f.Customer(); c != nil {
		fp.Customer = c.Addr
	}
	fileMonths := intField(f, fieldBilling)
	var once *Charge
	cycles := map[int]*Charge{}
	licences := map[int]*Charge{}
	for _, l := range f.Children {
		var c *Charge
		switch l.Kind {
		case resource.Initial:
			if once == nil {
				once = &Charge{}
			}
			c = once
		case resource.Recurring:
			m := intField(l, fieldBilling)
			if m == 0 {
				m = fileMonths
			}
			if m == 0 {
				m = itemMonths(l)
			}
			c = group(cycles, m)
		case resource.Licence:
			c = group(licences, intField(l, fieldFrequency))
		default:
			continue
		}
		addLine(c, l)
	}
	if once != nil {
		fp.OneTime = once
	}
	fp.Cycles = sorted(cycles)
	fp.Licences = sorted(licences)
	return fp
}

func group(m map[int]*Charge, months int) *Charge {
	c := m[months]
	if c == nil {
		c = &Charge{Months: months}
		m[months] = c
	}
	return c
}

func sorted(m map[int]*Charge) []Charge {
	out := make([]Charge, 0, len(m))
	for _, c := range m {
		out = append(out, *c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Months < out[j].Months })
	return out
}

var ctx = apd.BaseContext.WithPrecision(40)

// addLine adds quantity × price × (1 − discount) to c.
func addLine(c *Charge, l *manifest.Object) {
	qty := l.Fields[fieldQuantity].Text
	price, priceText := linePrice(l)
	term := qty + " × " + priceText
	disc := l.Fields[fieldDiscount].Text
	if disc != "" {
		term += " × (1 − " + disc + ")"
	}
	c.Terms = append(c.Terms, term)
	if price == nil {
		c.Incomplete = true
		return
	}
	q, _, err := apd.NewFromString(qty)
	if err != nil {
		c.Incomplete = true
		return
	}
	amount := new(apd.Decimal)
	_, _ = ctx.Mul(amount, q, price)
	if disc != "" {
		d, _, err := apd.NewFromString(disc)
		if err == nil {
			keep := new(apd.Decimal)
			_, _ = ctx.Sub(keep, apd.New(1, 0), d)
			_, _ = ctx.Mul(amount, amount, keep)
		}
	}
	total := new(apd.Decimal)
	if c.Total != "" {
		total, _, _ = apd.NewFromString(c.Total)
	}
	_, _ = ctx.Add(total, total, amount)
	c.Total = Money(total)
}

// linePrice is the line's own price, else its local item's price. An item
// referenced by id has a price only BlueRockTEL knows.
func linePrice(l *manifest.Object) (*apd.Decimal, string) {
	text := l.Fields[fieldPrice].Text
	if text == "" {
		r := l.Refs[fieldItem]
		if r.Target == nil {
			return nil, "catalog price of item #" + r.ID
		}
		text = r.Target.Fields[fieldPrice].Text
		if text == "" {
			return nil, "catalog price of " + r.Target.Addr + " (not set)"
		}
	}
	d, _, err := apd.NewFromString(text)
	if err != nil {
		return nil, text
	}
	return d, Money(d)
}

func itemMonths(l *manifest.Object) int {
	if r := l.Refs[fieldItem]; r.Target != nil {
		return intField(r.Target, fieldBilling)
	}
	return 0
}

func intField(o *manifest.Object, name string) int {
	n, err := strconv.Atoi(o.Fields[name].Text)
	if err != nil {
		return 0
	}
	return n
}

// Money renders an exact decimal with at least two decimal places, adding
// or dropping only zeros, never rounding: 150 -> 150.00, 19.9 -> 19.90,
// 0.125 -> 0.125, 75.0000 -> 75.00.
func Money(d *apd.Decimal) string {
	r := new(apd.Decimal)
	r.Reduce(d)
	d = r
	if d.Exponent > -2 {
		q := new(apd.Decimal)
		if _, err := ctx.Quantize(q, d, -2); err == nil {
			return q.Text('f')
		}
	}
	return d.Text('f')
}

// Cycle names a billing cycle of m months.
func Cycle(m int) string {
	switch m {
	case 0:
		return "per billing cycle"
	case 1:
		return "per monthly cycle"
	case 3:
		return "per quarterly cycle"
	case 6:
		return "per half-yearly cycle"
	case 12:
		return "per yearly cycle"
	}
	return fmt.Sprintf("per %d-month cycle", m)
}

// Every names a licence renewal period of m months.
func Every(m int) string {
	switch m {
	case 0:
		return "per renewal"
	case 1:
		return "every month"
	}
	return fmt.Sprintf("every %d months", m)
}

// Lines renders the preview as the human lines a reviewer reads, e.g.
// "recurring 2 × 19.90 = 39.80 per monthly cycle".
func (fp FilePreview) Lines() []string {
	var out []string
	sum := func(c Charge) string {
		s := strings.Join(c.Terms, " + ")
		total := c.Total
		if total == "" {
			total = "0.00"
		}
		if c.Incomplete {
			return s + " = " + total + " + catalog prices not known here"
		}
		return s + " = " + total
	}
	if c := fp.OneTime; c != nil {
		out = append(out, "one-time "+c.Total+" ("+sum(*c)+")")
	}
	for _, c := range fp.Cycles {
		out = append(out, "recurring "+sum(c)+" "+Cycle(c.Months))
	}
	for _, c := range fp.Licences {
		out = append(out, "licences "+sum(c)+" "+Every(c.Months))
	}
	return out
}
