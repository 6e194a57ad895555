package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/money"
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
	// Total is the exact sum of the known terms (shown by the money rule:
	// cents, ≈ where rounded).
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

// Delta is after − before, signed by the money rule ("+19.90",
// "−30.00"); "" when a total is incomplete.
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
	return money.Signed(d)
}

// FilePreview is the billing preview of one customer file.
type FilePreview struct {
	File     string `json:"file"`
	Name     string `json:"name"`
	Customer string `json:"customer"`
	// Until and UntilBefore are the date after which the file's recurring
	// lines and licences bill nothing (its services_stop), after and
	// before the plan; "" for none.
	Until       string    `json:"until,omitempty"`
	UntilBefore string    `json:"until_before,omitempty"`
	OneTime     *Billing  `json:"one_time,omitempty"`
	Cycles      []Billing `json:"recurring,omitempty"`
	Licences    []Billing `json:"licences,omitempty"`
}

// BilledAfter is what an object bills after the plan: the spec (wire
// field -> text) the step leaves it with, or nil when nothing is left.
// It is the one mapping from a step's action to money; the previews, the
// totals and the money model (Bill) all read it.
//
//   - create, update, no-op: the manifest's spec (a create adds, an update
//     changes, a no-op keeps);
//   - a DELETE request (delete): nil, the object bills nothing;
//   - any other action (deactivate, stop, forget, and actions still to
//     come): the recorded spec with the fields its request sends written
//     over it. A PUT {"active": false} leaves an inactive line (0), a PUT
//     services_stop a file that bills until that date, no request (forget)
//     the object as it is: it goes on billing.
//
// A new action needs a case here only if its request is neither a PUT of
// fields nor a DELETE.
func BilledAfter(s *Step) map[string]string {
	switch {
	case s.Action == Create || s.Action == Update || s.Action == NoOp:
		return s.Spec
	case s.Method == "DELETE":
		return nil
	}
	base := before(s)
	if base == nil {
		return s.Spec
	}
	if len(s.Body) == 0 {
		return base
	}
	spec := resource.Get(s.Kind)
	out := make(map[string]string, len(base)+len(s.Body))
	for k, v := range base {
		out[k] = v
	}
	for _, v := range s.Body {
		if v.Null {
			delete(out, v.Wire)
			continue
		}
		out[v.Wire] = canonical(spec, v.Wire, SymbolicText(v))
	}
	return out
}

// fileLines is a customer file's step and its lines' steps, in plan order.
type fileLines struct {
	file  *Step
	lines []*Step
}

// isFile reports whether lines that bill are nested in kind k.
func isFile(k resource.Kind) bool {
	for _, s := range resource.All() {
		if s.Charge != resource.NoCharge && s.Parent != nil && s.Parent.Kind == k {
			return true
		}
	}
	return false
}

// files groups the plan's line steps under their file's step, files in
// plan order. A line's file is the parent reference its spec (or, for a
// step that leaves no spec, its record) holds.
func (p *Plan) files() []fileLines {
	idx := map[string]int{}
	var out []fileLines
	fileKind := map[resource.Kind]bool{}
	for _, s := range p.Steps {
		if s.Of != "" {
			continue
		}
		k, ok := fileKind[s.Kind]
		if !ok {
			k = isFile(s.Kind)
			fileKind[s.Kind] = k
		}
		if k {
			idx[s.Addr] = len(out)
			out = append(out, fileLines{file: s})
		}
	}
	for _, s := range p.Steps {
		spec := resource.Get(s.Kind)
		if s.Of != "" || spec.Charge == resource.NoCharge || spec.Parent == nil {
			continue
		}
		m := s.Spec
		if m == nil {
			m = before(s)
		}
		if i, ok := idx[strings.TrimPrefix(m[spec.Parent.BodyField], "@")]; ok {
			out[i].lines = append(out[i].lines, s)
		}
	}
	return out
}

// previews computes the billing preview of every customer file whose
// money or lines the plan changes, from each line's price or its item's
// price, in exact decimals.
func previews(p *Plan) []FilePreview {
	var files []fileLines
	prices := p.pricesChange()
	for _, fl := range p.files() {
		if p.mayChange(fl, prices) {
			files = append(files, fl)
		}
	}
	return previewFiles(p, files) // parallel.go
}

// pricesChange reports whether a step changes an object that prices or
// times lines (a catalog item): then a file whose own steps are no-ops
// may still bill differently.
func (p *Plan) pricesChange() bool {
	for _, s := range p.Steps {
		if s.Action == NoOp || s.Of != "" {
			continue
		}
		spec := resource.Get(s.Kind)
		if spec.Charge != resource.NoCharge || isFile(s.Kind) {
			continue
		}
		if _, ok := spec.Billed(resource.Price); ok {
			return true
		}
		if _, ok := spec.Billed(resource.Period); ok {
			return true
		}
	}
	return false
}

// mayChange is the quick test before a file's preview is computed: its
// file, follow-up or line steps do something, or prices change.
func (p *Plan) mayChange(fl fileLines, prices bool) bool {
	if prices || fl.file.Action != NoOp {
		return true
	}
	for _, ls := range fl.lines {
		if ls.Action != NoOp {
			return true
		}
	}
	if spec := resource.Get(fl.file.Kind); spec.FollowUp != "" {
		if fu := p.ByAddr[FollowUpAddr(fl.file.Addr, spec)]; fu != nil && fu.Action != NoOp {
			return true
		}
	}
	return false
}

// side selects the before or after spec of a step.
type side func(*Step) map[string]string

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

// afterOrBefore is the spec a reference target has after the plan: what
// the step leaves, else its record (a catalog item deleted under a line
// still prices it).
func afterOrBefore(s *Step) map[string]string {
	if a := BilledAfter(s); a != nil {
		return a
	}
	return before(s)
}

// until is the date after which a file bills nothing on one side
// (resource.Until: services_stop), set on the file or sent by its
// follow-up step; "" when none.
func (p *Plan) until(file *Step, sd side) string {
	spec := resource.Get(file.Kind)
	f, ok := spec.Billed(resource.Until)
	if !ok {
		return ""
	}
	if v := sd(file)[f.WireName()]; v != "" {
		return v
	}
	if spec.FollowUp != "" {
		if fu := p.ByAddr[FollowUpAddr(file.Addr, spec)]; fu != nil {
			return sd(fu)[f.WireName()]
		}
	}
	return ""
}

// inactive reports whether a line's Active field says it bills nothing.
func inactive(spec *resource.Spec, line map[string]string) bool {
	f, ok := spec.Billed(resource.Active)
	return ok && f.Canonical(line[f.WireName()]) == "false"
}

// billed is one line's money on one side of the plan.
type billed struct {
	charge resource.Charge
	months int
	term   string
	amount *apd.Decimal // nil: the price is not known here
}

// lineOn is what line ls bills on one side (before, or after when isAfter)
// in file fs; false when it bills nothing there (absent, or inactive).
// The term for people is left out unless terms (the model needs none).
func (p *Plan) lineOn(ls, fs *Step, isAfter, terms bool) (billed, bool) {
	spec := resource.Get(ls.Kind)
	line, target, fileSpec := before(ls), side(beforeOrAfter), beforeOrAfter(fs)
	if isAfter {
		line, target, fileSpec = BilledAfter(ls), afterOrBefore, afterOrBefore(fs)
	}
	if line == nil || inactive(spec, line) {
		return billed{}, false
	}
	if isAfter && BilledAfter(fs) == nil && before(fs) != nil {
		return billed{}, false // its file is deleted: nothing under it bills
	}
	b := billed{charge: spec.Charge}
	if spec.Charge != resource.OneTime {
		b.months = p.period(spec, line, fileSpec, target)
	}
	b.term, b.amount = p.lineAmount(spec, line, target, terms)
	return b, true
}

func (p *Plan) previewFile(fl fileLines) (FilePreview, bool) {
	fs := fl.file
	fp := FilePreview{File: fs.Addr, Name: fs.Label, Customer: fs.Group,
		Until: p.until(fs, BilledAfter), UntilBefore: p.until(fs, before)}
	if fs.Label == "" {
		fp.Name = recordLabel(fs)
	}
	changed := fs.Action != NoOp || fp.Until != fp.UntilBefore
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
	for _, ls := range fl.lines {
		if ls.Action != NoOp {
			changed = true
		}
		for _, isAfter := range []bool{false, true} {
			l, ok := p.lineOn(ls, fs, isAfter, true)
			if !ok {
				continue
			}
			b := get(l.charge, l.months)
			c := &b.Before
			if isAfter {
				c = &b.After
			}
			if *c == nil {
				*c = &Charge{Months: l.months}
			}
			(*c).add(l)
		}
	}
	list := func(c resource.Charge) []Billing {
		out := make([]Billing, 0, len(groups[c]))
		for _, b := range groups[c] {
			if b.Changed() {
				changed = true
			}
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
	return fp, changed
}

// recordLabel names a step's object when the step carries no label (a step
// that only ends it): its record's label field.
func recordLabel(s *Step) string {
	spec := resource.Get(s.Kind)
	if m := before(s); m != nil && spec.Label != "" {
		return m[spec.Label]
	}
	return ""
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

// item returns the spec of the item a line bills, when it is in the plan
// or was read from BlueRockTEL (Options.Existing), else the id text of an
// item that exists only in BlueRockTEL.
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
		// An item referred to by id: as BlueRockTEL holds it, when read.
		if id, err := strconv.ParseInt(ref, 10, 64); err == nil {
			if fields, ok := p.Existing.Lookup(f.Target, id); ok {
				return fields, ""
			}
		}
		return nil, ref
	}
	return nil, ""
}

var ctx = money.Context()

func decimalOf(s string) *apd.Decimal {
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return apd.New(0, 0)
	}
	return d
}

// lineAmount is quantity × price × (1 − discount) of a line, with its
// term for people ("2 × 19.90 × (1 − 0.1)"); amount is nil when the price
// is not known here.
func (p *Plan) lineAmount(spec *resource.Spec, line map[string]string, target side, terms bool) (string, *apd.Decimal) {
	qty := part(spec, line, resource.Quantity)
	price, priceText := p.linePrice(spec, line, target, terms)
	disc := part(spec, line, resource.Discount)
	term := ""
	if terms {
		term = qty + " × " + priceText
		if disc != "" {
			term += " × (1 − " + disc + ")"
		}
	}
	if price == nil {
		return term, nil
	}
	q, _, err := apd.NewFromString(qty)
	if err != nil {
		return term, nil
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
	return term, amount
}

// add adds a line's term and amount to c.
func (c *Charge) add(l billed) {
	c.Terms = append(c.Terms, l.term)
	if l.amount == nil {
		c.Incomplete = true
		return
	}
	total := apd.New(0, 0)
	if c.Total != "" {
		total = decimalOf(c.Total)
	}
	_, _ = ctx.Add(total, total, l.amount)
	c.Total = Money(total)
}

// linePrice is the line's own price, else its item's price. An item
// referenced by id has a price only BlueRockTEL knows.
func (p *Plan) linePrice(spec *resource.Spec, line map[string]string, target side, terms bool) (*apd.Decimal, string) {
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
	if !terms {
		return d, ""
	}
	return d, money.Price(price)
}

// label is the text that names an object for people (its Spec.Label field).
func label(o *manifest.Object) string {
	return o.Fields[o.Spec().Label].Text
}

// Money renders an exact decimal with at least two decimal places, adding
// or dropping only zeros, never rounding: 150 -> 150.00, 19.9 -> 19.90,
// 0.125 -> 0.125, 75.0000 -> 75.00. It is the exact text data carries
// (Charge.Total); people see amounts through package money's rule.
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

// sum renders a charge as "terms = total", the total by the one money
// rule (cents, ≈ where rounded).
func (c *Charge) sum() string {
	if c == nil {
		return "nothing"
	}
	s := strings.Join(c.Terms, " + ")
	total := c.total()
	if c.Incomplete {
		return s + " = " + total + " + catalog prices not known here"
	}
	return s + " = " + total
}

// total is the charge's total for people.
func (c *Charge) total() string {
	if c.Total == "" {
		return "0.00"
	}
	return money.Text(decimalOf(c.Total))
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

// untilText says when the file's periodic billing ends (resource.Until),
// before -> after: ", until 2026-12-31 (was: no end)".
func (fp FilePreview) untilText() string {
	switch {
	case fp.Until == fp.UntilBefore && fp.Until == "":
		return ""
	case fp.Until == fp.UntilBefore:
		return ", until " + fp.Until
	case fp.UntilBefore == "":
		return ", until " + fp.Until + " (was: no end)"
	case fp.Until == "":
		return ", no end (was: until " + fp.UntilBefore + ")"
	}
	return ", until " + fp.Until + " (was: until " + fp.UntilBefore + ")"
}

// Lines renders the preview as the human lines a reviewer reads, e.g.
// "recurring 2 × 19.90 = 39.80 per monthly cycle"; an inactive line is in
// no sum, and a file that stops says until when it bills.
func (fp FilePreview) Lines() []string {
	var out []string
	if b := fp.OneTime; b != nil {
		if b.Before == nil {
			out = append(out, "one-time "+b.After.total()+" ("+b.After.sum()+")")
		} else {
			out = append(out, "one-time "+b.text(""))
		}
	}
	until := fp.untilText()
	for _, b := range fp.Cycles {
		out = append(out, "recurring "+b.text(" "+Cycle(b.Months))+until)
	}
	for _, b := range fp.Licences {
		out = append(out, "licences "+b.text(" "+Every(b.Months))+until)
	}
	return out
}
