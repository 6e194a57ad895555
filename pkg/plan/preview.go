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

// The preview knows no field names: the resource table says which field
// of a kind is its price, quantity, discount or period (Field.Billing) and
// how a kind of line is billed (Spec.Charge).

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
	fp := FilePreview{File: f.Addr, Name: label(f)}
	if c := f.Customer(); c != nil {
		fp.Customer = c.Addr
	}
	var once *Charge
	cycles := map[int]*Charge{}
	licences := map[int]*Charge{}
	for _, l := range f.Children {
		var c *Charge
		switch l.Spec().Charge {
		case resource.OneTime:
			if once == nil {
				once = &Charge{}
			}
			c = once
		case resource.PerCycle:
			// The line's own cycle, else its file's, else its item's.
			m := billed(l, resource.Period)
			if m == 0 {
				m = billed(f, resource.Period)
			}
			if m == 0 {
				if item := lineItem(l).Target; item != nil {
					m = billed(item, resource.Period)
				}
			}
			c = group(cycles, m)
		case resource.PerRenewal:
			c = group(licences, billed(l, resource.Period))
		default:
			continue
		}
		addLine(c, l)
	}
	fp.OneTime = once
	fp.Cycles = sorted(cycles)
	fp.Licences = sorted(licences)
	return fp
}

// label is the text that names an object for people (its Spec.Label field).
func label(o *manifest.Object) string {
	return o.Fields[o.Spec().Label].Text
}

// text is the value of o's field playing part b ("" when unset).
func text(o *manifest.Object, b resource.Billing) string {
	f, ok := o.Spec().Billed(b)
	if !ok {
		return ""
	}
	return o.Fields[f.Name].Text
}

// billed is the whole number in o's field playing part b (0 when unset).
func billed(o *manifest.Object, b resource.Billing) int {
	n, err := strconv.Atoi(text(o, b))
	if err != nil {
		return 0
	}
	return n
}

// lineItem is the line's reference to the item it bills: the reference
// whose target kind has a price.
func lineItem(l *manifest.Object) manifest.Ref {
	for _, f := range l.Spec().Fields {
		if f.Type != resource.Reference {
			continue
		}
		if _, priced := resource.Get(f.Target).Billed(resource.Price); priced {
			return l.Refs[f.Name]
		}
	}
	return manifest.Ref{}
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
	qty := text(l, resource.Quantity)
	price, priceText := linePrice(l)
	term := qty + " × " + priceText
	disc := text(l, resource.Discount)
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
	price := text(l, resource.Price)
	if price == "" {
		r := lineItem(l)
		if r.Target == nil {
			return nil, "catalog price of item #" + r.ID
		}
		price = text(r.Target, resource.Price)
		if price == "" {
			return nil, "catalog price of " + r.Target.Addr + " (not set)"
		}
	}
	d, _, err := apd.NewFromString(price)
	if err != nil {
		return nil, price
	}
	return d, Money(d)
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
