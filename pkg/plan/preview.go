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
// how a kind of line is billed (Spec.Charge). It reads the steps' specs
// (wire field -> text): the manifest's for after, the state's for before.

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

// Billing is how one group of a file's lines (its one-time charges, the
// recurring lines of one cycle, or the licences of one renewal period) is
// billed before and after the plan.
type Billing struct {
	// Charge is OneTime, PerCycle or PerRenewal.
	Charge resource.Charge `json:"-"`
	Months int             `json:"months,omitempty"`
	// Before is nil when no line of the group exists yet; After is nil
	// when none is left.
	Before *Charge `json:"before,omitempty"`
	After  *Charge `json:"after,omitempty"`
}

// Changed reports whether the plan changes the group's money or terms.
func (b Billing) Changed() bool {
	if b.Before == nil || b.After == nil {
		return true
	}
	return b.Before.Total != b.After.Total || strings.Join(b.Before.Terms, "+") != strings.Join(b.After.Terms, "+")
}

// Delta is after − before, signed ("+19.90", "-30.00"); "" when a total is
// incomplete.
func (b Billing) Delta() string {
	total := func(c *Charge) (*apd.Decimal, bool) {
		if c == nil {
			return apd.New(0, 0), true
		}
		if c.Incomplete {
			return nil, false
		}
		return decimalOf(c.Total), true
	}
	before, ok1 := total(b.Before)
	after, ok2 := total(b.After)
	if !ok1 || !ok2 {
		return ""
	}
	d := new(apd.Decimal)
	_, _ = ctx.Sub(d, after, before)
	s := Money(d)
	if d.Sign() >= 0 {
		s = "+" + s
	}
	return s
}

// FilePreview is the billing preview of one customer file.
type FilePreview struct {
	File     string    `json:"file"`
	Name     string    `json:"name"`
	Customer string    `json:"customer"`
	OneTime  *Billing  `json:"one_time,omitempty"`
	Cycles   []Billing `json:"recurring,omitempty"`
	Licences []Billing `json:"licences,omitempty"`
}

// previews computes the billing preview of every customer file that has a
// line to create or update, from each line's price or its item's price, in
// exact decimals.
func previews(p *Plan, ordered []*manifest.Object) []FilePreview {
	var files []*manifest.Object
	for _, o := range ordered {
		s := p.ByAddr[o.Addr]
		if s.Kind != resource.CustomerFile || !fileChanges(p, o) {
			continue
		}
		files = append(files, o)
	}
	return previewFiles(p, files) // parallel.go
}

func fileChanges(p *Plan, file *manifest.Object) bool {
	if p.ByAddr[file.Addr].Action != NoOp {
		return true
	}
	for _, c := range file.Children {
		if st := p.ByAddr[c.Addr]; st != nil && st.Action != NoOp {
			return true
		}
	}
	return false
}

// side selects the before or after spec of a step.
type side func(*Step) map[string]string

func after(s *Step) map[string]string { return s.Spec }

func before(s *Step) map[string]string {
	if s.Action == Create || s.Existing == nil {
		return nil
	}
	if s.Existing.Spec == nil { // imported: taken to match the manifest
		return s.Spec
	}
	return s.Existing.Spec
}

// beforeOrAfter is the spec an unchanged reference target had: its
// recorded one, or the manifest's for an object still to be created.
func beforeOrAfter(s *Step) map[string]string {
	if b := before(s); b != nil {
		return b
	}
	return s.Spec
}

func previewFile(p *Plan, f *manifest.Object) FilePreview {
	fs := p.ByAddr[f.Addr]
	fp := FilePreview{File: f.Addr, Name: fs.Label, Customer: fs.Group}
	groups := map[resource.Charge]map[int]*Billing{}
	get := func(c resource.Charge, months int) *Billing {
		m := groups[c]
		if m == nil {
			m = map[int]*Billing{}
			groups[c] = m
		}
		b := m[months]
		if b == nil {
			b = &Billing{Charge: c, Months: months}
			m[months] = b
		}
		return b
	}
	for _, l := range f.Children {
		ls := p.ByAddr[l.Addr]
		spec := resource.Get(ls.Kind)
		if spec.Charge == resource.NoCharge {
			continue
		}
		for _, sd := range []struct {
			spec   map[string]string
			target side
			after  bool
		}{{before(ls), beforeOrAfter, false}, {after(ls), after, true}} {
			if sd.spec == nil {
				continue
			}
			fileSpec := fs.Spec
			if !sd.after {
				fileSpec = beforeOrAfter(fs)
			}
			months := 0
			if spec.Charge != resource.OneTime {
				months = p.period(spec, sd.spec, fileSpec, sd.target)
			}
			b := get(spec.Charge, months)
			c := &b.Before
			if sd.after {
				c = &b.After
			}
			if *c == nil {
				*c = &Charge{Months: months}
			}
			p.addLine(*c, spec, sd.spec, sd.target)
		}
	}
	list := func(c resource.Charge) []Billing {
		out := make([]Billing, 0, len(groups[c]))
		for _, b := range groups[c] {
			out = append(out, *b)
		}
		sort.Slice(out, func(i, j int) bool { return out[i].Months < out[j].Months })
		return out
	}
	if once := list(resource.OneTime); len(once) > 0 {
		fp.OneTime = &once[0]
	}
	fp.Cycles = list(resource.PerCycle)
	fp.Licences = list(resource.PerRenewal)
	return fp
}

// period is the months of a line's cycle: its own, else (recurring lines)
// its file's, else its item's.
func (p *Plan) period(spec *resource.Spec, line, file map[string]string, target side) int {
	if m := months(spec, line); m != 0 || spec.Charge != resource.PerCycle {
		return m
	}
	if m := months(resource.Get(resource.CustomerFile), file); m != 0 {
		return m
	}
	if item, _ := p.item(spec, line, target); item != nil {
		return months(resource.Get(resource.Item), item)
	}
	return 0
}

func months(spec *resource.Spec, s map[string]string) int {
	n, err := strconv.Atoi(part(spec, s, resource.Period))
	if err != nil {
		return 0
	}
	return n
}

// part is the text of the field playing part b in spec s ("" when unset).
func part(spec *resource.Spec, s map[string]string, b resource.Billing) string {
	f, ok := spec.Billed(b)
	if !ok {
		return ""
	}
	return s[f.WireName()]
}

// item returns the spec of the item a line bills, when it is in the plan,
// else the id text of an item that exists only in BlueRockTEL.
func (p *Plan) item(spec *resource.Spec, line map[string]string, target side) (map[string]string, string) {
	for _, f := range spec.Fields {
		if f.Type != resource.Reference {
			continue
		}
		if _, priced := resource.Get(f.Target).Billed(resource.Price); !priced {
			continue
		}
		ref := line[f.WireName()]
		if addr, ok := strings.CutPrefix(ref, "@"); ok {
			if t := p.ByAddr[addr]; t != nil {
				return target(t), ""
			}
		}
		return nil, ref
	}
	return nil, ""
}

var ctx = apd.BaseContext.WithPrecision(40)

func decimalOf(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return apd.New(0, 0)
	}
	return d
}

// addLine adds quantity × price × (1 − discount) to c.
func (p *Plan) addLine(c *Charge, spec *resource.Spec, line map[string]string, target side) {
	qty := part(spec, line, resource.Quantity)
	price, priceText := p.linePrice(spec, line, target)
	term := qty + " × " + priceText
	disc := part(spec, line, resource.Discount)
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
	total := apd.New(0, 0)
	if c.Total != "" {
		total = decimalOf(c.Total)
	}
	_, _ = ctx.Add(total, total, amount)
	c.Total = Money(total)
}

// linePrice is the line's own price, else its item's price. An item
// referenced by id has a price only BlueRockTEL knows.
func (p *Plan) linePrice(spec *resource.Spec, line map[string]string, target side) (*apd.Decimal, string) {
	price := part(spec, line, resource.Price)
	if price == "" {
		item, id := p.item(spec, line, target)
		if item == nil {
			return nil, "catalog price of item #" + id
		}
		price = part(resource.Get(resource.Item), item, resource.Price)
		if price == "" {
			return nil, "catalog price of its item (not set)"
		}
	}
	d, _, err := apd.NewFromString(price)
	if err != nil {
		return nil, price
	}
	return d, Money(d)
}

// label is the text that names an object for people (its Spec.Label field).
func label(o *manifest.Object) string {
	return o.Fields[o.Spec().Label].Text
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

// sum renders a charge as "terms = total".
func (c *Charge) sum() string {
	if c == nil {
		return "nothing"
	}
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

// text renders a group's money before -> after, e.g. "2 × 19.90 = 39.80 ->
// 3 × 19.90 = 59.70 per monthly cycle (+19.90)"; one side only when the
// group is new, or unchanged.
func (b Billing) text(period string) string {
	switch {
	case b.Before == nil:
		return b.After.sum() + period
	case b.After == nil:
		return b.Before.sum() + " -> nothing" + period + " (" + b.Delta() + ")"
	case !b.Changed():
		return b.After.sum() + period + " (unchanged)"
	}
	s := b.Before.sum() + " -> " + b.After.sum() + period
	if d := b.Delta(); d != "" {
		s += " (" + d + ")"
	}
	return s
}

// Lines renders the preview as the human lines a reviewer reads, e.g.
// "recurring 2 × 19.90 = 39.80 per monthly cycle".
func (fp FilePreview) Lines() []string {
	var out []string
	if b := fp.OneTime; b != nil {
		if b.Before == nil {
			out = append(out, "one-time "+b.After.Total+" ("+b.After.sum()+")")
		} else {
			out = append(out, "one-time "+b.text(""))
		}
	}
	for _, b := range fp.Cycles {
		out = append(out, "recurring "+b.text(" "+Cycle(b.Months)))
	}
	for _, b := range fp.Licences {
		out = append(out, "licences "+b.text(" "+Every(b.Months)))
	}
	return out
}
