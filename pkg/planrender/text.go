// Package planrender presents a plan to people and tools: text for a
// terminal, Markdown for a merge-request comment, versioned JSON, and the
// dependency graph in DOT. It reads the plan's steps only.
package planrender

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/resource"
)

// section is the steps of one section of a rendered plan: the catalog, or
// one customer with everything nested in it.
type section struct {
	Title string
	Steps []*plan.Step
	Files []plan.FilePreview
}

// groups splits the steps that do something into catalog and per-customer
// sections, keeping plan order, then the customers whose billing alone
// changes.
func groups(p *plan.Plan) []section {
	previews := map[string][]plan.FilePreview{}
	for _, fp := range p.Previews {
		previews[fp.Customer] = append(previews[fp.Customer], fp)
	}
	var out []section
	index := map[string]int{}
	for _, s := range p.Steps {
		if s.Action == plan.NoOp {
			continue
		}
		key, title := s.Group, "Catalog"
		if key != "" {
			title = p.Titles[key]
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, section{Title: title, Files: previews[key]})
		}
		out[i].Steps = append(out[i].Steps, s)
	}
	// A customer none of whose objects changes, but whose billing does (a
	// catalog price it is billed by): its previews, after the others.
	for _, fp := range p.Previews {
		if _, ok := index[fp.Customer]; !ok {
			index[fp.Customer] = len(out)
			out = append(out, section{Title: p.Titles[fp.Customer], Files: previews[fp.Customer]})
		}
	}
	return out
}

// symbol marks an action in text output.
func symbol(s *plan.Step) string {
	switch s.Effect() {
	case plan.Create:
		return "+"
	case plan.Update:
		return "~"
	}
	if s.Action.Ends() {
		return symbolOfEnd(s.Action)
	}
	return " "
}

// Text writes the human plan with the default money settings and no
// policy (see TextWith).
func Text(w io.Writer, p *plan.Plan) error { return TextWith(w, p, TextOptions{}) }

// TextOptions tune the text plan.
type TextOptions struct {
	// Policy is what the project's rules found (nil: it has none).
	Policy *policy.Verdict
	// Money are the project's money settings (currency, VAT rate).
	Money plan.MoneySettings
	// Verbose writes every step, whatever the plan's size; without it, a
	// plan past DetailLimit (or this DetailLimit when positive) is an
	// overview (overview.go).
	Verbose     bool
	DetailLimit int
}

// TextWith writes the human plan: the money headline, then only what would
// change, grouped by customer, with a billing preview per customer file,
// the orphans with what they still bill, the policy's findings and a
// count line.
func TextWith(w io.Writer, p *plan.Plan, o TextOptions) error {
	if !o.Verbose && Overview(p, o.DetailLimit) {
		return textOverview(w, p, o)
	}
	bw := bufio.NewWriter(w)
	gs := groups(p)
	b := p.Bill(o.Money)
	t := ComputeWith(b)
	byTitle := map[string]CustomerTotals{}
	for _, ct := range t.Customers {
		byTitle[ct.Title] = ct
	}
	if p.HasChanges() || len(p.Orphans) > 0 {
		fmt.Fprintf(bw, "%s\n\n", Headline(b, nil))
	}
	if len(t.Customers) > 0 {
		fmt.Fprintf(bw, "Money in %s excl. VAT (per month and per year normalised from each period; ≈ where rounded to the cent):\n", t.Currency)
		fmt.Fprintf(bw, "  whole plan: %s\n\n", moneyText(t.Plan))
	}
	writeOffersText(bw, OfferGroups(p))
	for gi, g := range gs {
		if gi > 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "%s\n", g.Title)
		if ct, ok := byTitle[g.Title]; ok {
			fmt.Fprintf(bw, "  money: %s\n", moneyText(ct))
		}
		for _, s := range g.Steps {
			writeStepText(bw, p, s)
		}
		for _, fp := range g.Files {
			fmt.Fprintf(bw, "  Billing preview of %s %q:\n", fp.File, fp.Name)
			for _, l := range fp.Lines() {
				fmt.Fprintf(bw, "    %s\n", l)
			}
		}
	}
	if len(p.Orphans) > 0 {
		if len(gs) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString(OrphansHeading + ":\n")
		still := p.StillBilledEach(p.Orphans)
		for _, o := range p.Orphans {
			fmt.Fprintf(bw, "  - %s (%s #%d; %s)%s\n", o.Addr, o.Kind, o.ID, orphanDecisions(o.Kind), stillText(still[o.Addr], t.Currency))
		}
	}
	if len(gs) > 0 || len(p.Orphans) > 0 {
		bw.WriteString("\n")
	}
	var settled bytes.Buffer
	writeSettled(&settled, p, false)
	bw.Write(settled.Bytes())
	if o.Policy != nil {
		PolicyText(bw, o.Policy)
		bw.WriteString("\n")
	}
	fmt.Fprintln(bw, Summary(p))
	return bw.Flush()
}

// moneyText is a customer's or the plan's money on one line, e.g.
// "one-time 150.00, per month ≈ 48.09, per year 577.10 (39.80 per
// monthly cycle, 99.50 every 12 months)"; before -> after where it
// changes.
func moneyText(ct CustomerTotals) string {
	side := func(m *Money) string {
		return fmt.Sprintf("one-time %s%s, per month %s%s, per year %s%s (%s)", show(m.OneTime, m.OneTimeRounded), unknownMark(m),
			show(m.PerMonth, m.PerMonthRounded), unknownMark(m), show(m.PerYear, m.PerYearRounded), unknownMark(m),
			periodsText(m))
	}
	after := side(&ct.After)
	if ct.Before != nil {
		if before := side(ct.Before); before != after {
			return before + " -> " + after
		}
	}
	return after
}

// stillText is what an orphan still bills: ", still billed: 147.00 EUR
// per month" ("" when nothing).
func stillText(s plan.Still, currency string) string {
	if s.PerMonth == nil || (s.PerMonth.IsZero() && !s.Incomplete && s.UnknownPeriod == nil) {
		return ""
	}
	var out string
	if !s.PerMonth.IsZero() || s.UnknownPeriod == nil {
		out = ", still billed: " + money.Text(s.PerMonth) + " " + currency + " per month"
	}
	if s.UnknownPeriod != nil {
		if out == "" {
			out = ", still billed: "
		} else {
			out += " + "
		}
		out += money.Text(s.UnknownPeriod) + " " + currency + " per billing cycle (period not known)"
	}
	if s.Incomplete {
		out += " + catalog prices not known here"
	}
	return out
}

// Summary is the plan's count line.
func Summary(p *plan.Plan) string {
	c := p.Counts()
	if !p.HasChanges() {
		s := "No changes: " + UpToDate(c)
		if c.Orphan > 0 {
			s += fmt.Sprintf(", %d orphaned (left as they are until a removed: entry decides)", c.Orphan)
		}
		return s + "."
	}
	return "Plan: " + countsText(c) + "."
}

// UpToDate counts what is up to date: "7 objects up to date", or, with
// follow-up PUTs that have nothing to send (a file's links), "12 objects
// and 2 follow-up updates up to date", as plan and apply counted them.
func UpToDate(c plan.Counts) string {
	if c.FollowUpNoOp == 0 {
		return fmt.Sprintf("%d objects up to date", c.NoOp)
	}
	updates := "updates"
	if c.FollowUpNoOp == 1 {
		updates = "update"
	}
	return fmt.Sprintf("%d objects and %d follow-up %s up to date", c.NoOp-c.FollowUpNoOp, c.FollowUpNoOp, updates)
}

// ChangeText renders one field change for people: a reset field shows
// the API default it returns to.
func ChangeText(c plan.FieldChange) string {
	nv := OrNone(c.New)
	if c.Reset {
		nv = "(API default)"
	}
	if c.Drifted {
		return fmt.Sprintf("%s: %s (in BlueRockTEL) -> %s (manifest)", c.Field, OrNone(c.Old), nv)
	}
	return fmt.Sprintf("%s: %s -> %s", c.Field, OrNone(c.Old), nv)
}

func writeStepText(w *bufio.Writer, p *plan.Plan, s *plan.Step) {
	spec := resource.Get(s.Kind)
	note := ""
	switch {
	case s.Gone:
		note = "  (gone from BlueRockTEL: created again)"
	case s.Action == plan.Create && s.Verify:
		note = "  (looked up first: adopted if it already exists)"
	}
	if s.Offer != "" {
		note += "  (offer " + s.Offer + ")"
	}
	id := ""
	if s.ID() != 0 {
		id = " #" + strconv.FormatInt(s.ID(), 10)
	}
	if s.Action.Ends() {
		note = "  (" + endNote(s) + ")"
	}
	fmt.Fprintf(w, "  %s %s %s%s%s\n", symbol(s), spec.Title, s.Addr, id, note)
	if s.Action.Ends() {
		writeEndText(w, p, s)
		return
	}
	fmt.Fprintf(w, "      %s %s\n", s.Method, requestLine(p, s))
	if s.Action == plan.Update {
		for _, c := range s.Changes {
			fmt.Fprintf(w, "      %s\n", ChangeText(c))
		}
		return
	}
	width := 0
	for _, v := range s.Body {
		if len(v.Wire) > width {
			width = len(v.Wire)
		}
	}
	for _, v := range s.Body {
		extra := ""
		if v.Raw != nil {
			extra = "  (extra, sent unchecked)"
		}
		fmt.Fprintf(w, "      %-*s = %s%s\n", width, v.Wire, displayValue(p, s, asCents(spec, v)), extra)
	}
}

// asCents writes a price of the request in cents, as the preview and the
// API show it (17.5 -> 17.50): the same exact value, in the one money
// format.
func asCents(spec *resource.Spec, v resource.Value) resource.Value {
	if v.Null || v.Raw != nil || v.Type != resource.Decimal {
		return v
	}
	if f, ok := spec.WireField(v.Wire); ok && f.Money {
		if d, ok := money.Parse(v.Text); ok {
			if c, rounded := money.Plain(d); !rounded {
				v.Text = c
			}
		}
	}
	return v
}

// writeEndText writes an end step's request (none for forget, and for a
// stop that ends with its files), its commitment, and its decision.
func writeEndText(w *bufio.Writer, p *plan.Plan, s *plan.Step) {
	if s.Method != "" {
		fmt.Fprintf(w, "      %s %s\n", s.Method, requestLine(p, s))
		for _, v := range s.Body {
			fmt.Fprintf(w, "      %s = %s\n", v.Wire, displayValue(p, s, v))
		}
	}
	if s.Commitment != nil {
		fmt.Fprintf(w, "      warning: %s\n", commitmentText(s.Commitment))
	}
	if len(s.ReferredBy) > 0 {
		fmt.Fprintf(w, "      warning: %s\n", referredText(s.ReferredBy))
	}
	fmt.Fprintf(w, "      decided at %s\n", s.Pos)
}

// OrNone shows an empty value as "(none)".
func OrNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// requestLine renders the path and query, references to objects still to
// be created symbolic.
func requestLine(p *plan.Plan, s *plan.Step) string {
	path := s.Path
	if s.Of != "" {
		// A follow-up's PUT goes to its object, maybe still to create.
		path = strings.Replace(path, "{id}", queryValue(p, resource.Value{Type: resource.Reference, Ref: s.Of}), 1)
	}
	if len(s.Query) == 0 {
		return path
	}
	parts := make([]string, len(s.Query))
	for i, v := range s.Query {
		parts[i] = url.QueryEscape(v.Wire) + "=" + queryValue(p, v)
	}
	return path + "?" + strings.Join(parts, "&")
}

// knownID returns the id that fills a reference to an object that exists
// already (in the state, not to be created): a reviewer then sees the id
// that will be sent, not a placeholder.
func knownID(p *plan.Plan, v resource.Value) (string, bool) {
	if v.Type != resource.Reference || v.Ref == "" {
		return "", false
	}
	t := p.ByAddr[v.Ref]
	if t == nil || t.ID() <= 0 {
		return "", false
	}
	return strconv.FormatInt(t.ID(), 10), true
}

// displayValue renders a value of step s as it goes on the wire; a
// reference shows the id when it is known, else the address whose id will
// fill it, and an id written in the manifest what it is in BlueRockTEL.
func displayValue(p *plan.Plan, s *plan.Step, v resource.Value) string {
	id, known := knownID(p, v)
	switch {
	case v.Null:
		return "null"
	case v.Raw != nil:
		return string(v.Raw)
	case v.Type == resource.ReferenceList:
		items := make([]string, len(v.List))
		for i, it := range v.List {
			items[i] = displayValue(p, s, it)
		}
		return "[" + strings.Join(items, ", ") + "]"
	case known:
		return id + " (" + v.Ref + ")"
	case v.Type == resource.Reference && v.Ref != "":
		return "(id of " + v.Ref + ")"
	case v.Type == resource.Reference:
		if r, ok := referenced(s, v); ok {
			return v.Text + " (" + r.String() + ")"
		}
		return v.Text
	case v.Type == resource.String || v.Type == resource.Date:
		// As JSON, but "<b>" as written: people read this.
		var b bytes.Buffer
		writeJSONString(&b, v.Text)
		return b.String()
	}
	return v.Text
}

// referenced is what the plan read of the object an id of s refers to.
func referenced(s *plan.Step, v resource.Value) (plan.Referenced, bool) {
	if s == nil {
		return plan.Referenced{}, false
	}
	for _, r := range s.Refs {
		if r.Field == v.Wire && strconv.FormatInt(r.ID, 10) == v.Text {
			return r, true
		}
	}
	return plan.Referenced{}, false
}

func queryValue(p *plan.Plan, v resource.Value) string {
	if id, ok := knownID(p, v); ok {
		return id
	}
	if v.Type == resource.Reference && v.Ref != "" {
		return "(id of " + v.Ref + ")"
	}
	return url.QueryEscape(v.Text)
}

// DOT writes the dependency graph in Graphviz DOT, from the
// dominikbraun/graph model of the plan. The output is deterministic:
// vertices and edges sorted by address.
func DOT(w io.Writer, p *plan.Plan) error {
	g, err := p.Graph()
	if err != nil {
		return err
	}
	preds, err := g.PredecessorMap()
	if err != nil {
		return err
	}
	addrs := make([]string, 0, len(preds))
	for a := range preds {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	bw := bufio.NewWriter(w)
	bw.WriteString("digraph onboard {\n  rankdir=LR;\n  node [shape=box];\n")
	for _, a := range addrs {
		fmt.Fprintf(bw, "  %q [label=%q];\n", a, fmt.Sprintf("%s\n%s", a, p.ByAddr[a].Effect()))
	}
	for _, a := range addrs {
		deps := make([]string, 0, len(preds[a]))
		for d := range preds[a] {
			deps = append(deps, d)
		}
		sort.Strings(deps)
		for _, d := range deps {
			fmt.Fprintf(bw, "  %q -> %q;\n", d, a)
		}
	}
	bw.WriteString("}\n")
	return bw.Flush()
}
