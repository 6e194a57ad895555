package planrender

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/resource"
)

// DefaultMaxBytes bounds a Markdown plan so that it fits one comment: a
// GitHub comment holds 65,536 characters, a GitLab note 1,000,000; the
// margin is for the pipeline's own lines around the plan.
const DefaultMaxBytes = 60_000

// minSummaryBytes is the least a summary needs: counts, the plan's money
// and the note on how to see the rest.
const minSummaryBytes = 2_000

// MarkdownOptions tune the Markdown plan.
type MarkdownOptions struct {
	// MaxBytes: a plan longer than this is replaced by a summary (the
	// counts, the money, the first customers and objects) that fits; 0
	// renders the whole plan whatever its size.
	MaxBytes int
	// Rest is how to see the whole plan, said in the summary, e.g.
	// "`onboard show plan.onboard`".
	Rest string
	// Policy is what the project's rules found (nil: it has none).
	Policy *policy.Verdict
	// Money are the project's money settings (currency, VAT rate).
	Money plan.MoneySettings
	// Threshold (--comment-threshold): when the monthly billing moves
	// less, nothing is written.
	Threshold *Threshold
	// Verbose writes every request whatever the plan's size; without it,
	// a plan past DetailLimit (or this DetailLimit when positive) is an
	// overview (overview.go).
	Verbose     bool
	DetailLimit int
}

// Markdown writes the whole plan for a merge-request comment (see
// MarkdownWith), without a size limit.
func Markdown(w io.Writer, p *plan.Plan) error {
	return MarkdownWith(w, p, MarkdownOptions{Verbose: true})
}

// MarkdownWith writes the plan for a merge-request comment. It opens with
// the money (per customer and for the plan: one-time, per month, per year,
// EUR excl. VAT), then what changes grouped by customer, each customer's
// requests folded in a <details> block. Past o.MaxBytes it writes a
// summary instead.
func MarkdownWith(w io.Writer, p *plan.Plan, o MarkdownOptions) error {
	var b bytes.Buffer
	bill := p.Bill(o.Money)
	if o.Threshold.Below(bill) {
		return nil
	}
	t := ComputeWith(bill)
	head := Headline(bill, func(s string) string { return "**" + s + "**" }) + "\n\n"
	if !o.Verbose && Overview(p, o.DetailLimit) {
		writeMarkdownOverview(&b, p, t, head, o.Policy)
	} else {
		writeMarkdown(&b, p, t, head, o.Policy)
	}
	if o.MaxBytes > 0 && b.Len() > o.MaxBytes {
		full := b.Len()
		b.Reset()
		writeSummary(&b, p, t, o, full, head)
	}
	_, err := w.Write(b.Bytes())
	return err
}

func heading(p *plan.Plan) string {
	c := p.Counts()
	return "### onboard plan: " + countsText(c) + "\n\n"
}

func writeMarkdown(b *bytes.Buffer, p *plan.Plan, t Totals, head string, v *policy.Verdict) {
	c := p.Counts()
	b.WriteString(heading(p))
	if !p.HasChanges() && c.Orphan == 0 {
		writePolicyMarkdown(b, v, 0)
		b.WriteString("No changes.\n")
		writeSettled(b, p, true)
		return
	}
	b.WriteString(head)
	writePolicyMarkdown(b, v, 0)
	rows := make([]string, len(t.Customers))
	for i, ct := range t.Customers {
		rows[i] = moneyRow(ct, mdEscape(ct.Title))
	}
	writeMoney(b, t, rows, "")
	writeOffersMarkdown(b, OfferGroups(p))
	for _, g := range groups(p) {
		fmt.Fprintf(b, "#### %s\n\n", mdEscape(g.Title))
		for _, fp := range g.Files {
			fmt.Fprintf(b, "**Billing preview of `%s`** (%s):\n\n", fp.File, mdEscape(fp.Name))
			for _, l := range fp.Lines() {
				fmt.Fprintf(b, "- %s\n", mdEscape(l))
			}
			b.WriteString("\n")
		}
		if len(g.Steps) == 0 {
			continue // its billing changes, none of its objects
		}
		b.WriteString(changesHeader)
		for _, s := range g.Steps {
			b.WriteString(changeRow(s))
		}
		b.WriteString("\n<details><summary>Requests</summary>\n\n")
		var req strings.Builder
		for _, s := range g.Steps {
			var parts []string
			for _, v := range s.Body {
				parts = append(parts, v.Wire+"="+displayValue(p, s, asCents(resource.Get(s.Kind), v)))
			}
			fmt.Fprintf(&req, "%s %s %s\n", s.Method, requestLine(p, s), strings.Join(parts, ", "))
		}
		fence := codeFence(req.String())
		b.WriteString(fence + "\n" + req.String() + fence + "\n\n</details>\n\n")
	}
	writeOrphans(b, p, t.Currency, len(p.Orphans))
	writeSettled(b, p, true)
}

const changesHeader = "| | Address | Kind | Change |\n|---|---|---|---|\n"

func changeRow(s *plan.Step) string {
	var detail string
	if s.Action.Ends() {
		detail = mdEscape(endNote(s))
		if s.Commitment != nil {
			detail += "; **warning**: " + mdEscape(commitmentText(s.Commitment))
		}
		if len(s.ReferredBy) > 0 {
			detail += "; **warning**: " + mdEscape(referredText(s.ReferredBy))
		}
		return fmt.Sprintf("| %s | `%s` | %s | %s |\n", symbol(s), s.Addr, resource.Get(s.Kind).Title, detail)
	}
	if s.Action == plan.Update {
		parts := make([]string, len(s.Changes))
		for i, ch := range s.Changes {
			parts[i] = ChangeText(ch)
		}
		detail = strings.Join(parts, "; ")
	} else if s.Effect() == plan.Update {
		// A follow-up's first PUT: the fields it sets.
		fields := make([]string, len(s.Body))
		for i, v := range s.Body {
			fields[i] = v.Wire
		}
		detail = "set " + strings.Join(fields, ", ")
	} else if s.Label != "" {
		detail = "new: " + s.Label
	} else {
		detail = "new"
	}
	if s.Offer != "" {
		detail += " (offer " + s.Offer + ")"
	}
	return fmt.Sprintf("| %s | `%s` | %s | %s |\n", symbol(s), s.Addr, resource.Get(s.Kind).Title, mdEscape(detail))
}

func writeOrphans(b *bytes.Buffer, p *plan.Plan, currency string, n int) {
	if len(p.Orphans) == 0 {
		return
	}
	b.WriteString("#### " + OrphansHeading + "\n\n")
	still := p.StillBilledEach(p.Orphans)
	for _, o := range p.Orphans[:n] {
		fmt.Fprintf(b, "- `%s` (%s #%d; %s)%s\n", o.Addr, o.Kind, o.ID, orphanDecisions(o.Kind), stillText(still[o.Addr], currency))
	}
	if n < len(p.Orphans) {
		fmt.Fprintf(b, "- … and %d more\n", len(p.Orphans)-n)
	}
	b.WriteString("\n")
}

// writeMoney writes the money table: the whole plan, then the customer
// rows given; more is a line after the table ("" for none).
func writeMoney(b *bytes.Buffer, t Totals, rows []string, more string) {
	if len(t.Customers) == 0 {
		return
	}
	fmt.Fprintf(b, "**Money**, in %s excl. VAT, of the %d customer%s whose billing the plan changes", t.Currency,
		len(t.Customers), plural(len(t.Customers)))
	if t.Plan.Before != nil {
		b.WriteString(" (before → after)")
	}
	b.WriteString(": per month and per year are normalised from each line's own period, shown under *From*")
	if anyRounded(t) {
		b.WriteString("; ≈ is rounded to the cent, where the exact amount has more decimals (a period that does not divide evenly, a discount)")
	}
	if anyIncomplete(t) {
		b.WriteString("; + ? is the price of an item only BlueRockTEL knows, not counted")
	}
	b.WriteString(".\n\n| Customer | One-time | Per month | Per year | From |\n|---|--:|--:|--:|---|\n")
	b.WriteString(moneyRow(t.Plan, "**Whole plan**"))
	for _, r := range rows {
		b.WriteString(r)
	}
	b.WriteString("\n")
	if more != "" {
		b.WriteString(more + "\n\n")
	}
}

// moneyRow is one row of the money table; name is already escaped.
func moneyRow(ct CustomerTotals, name string) string {
	cell := func(f func(m *Money) string) string {
		after := f(&ct.After)
		if ct.Before == nil {
			return after
		}
		if before := f(ct.Before); before != after {
			return before + " → " + after
		}
		return after
	}
	oneTime := cell(func(m *Money) string { return show(m.OneTime, m.OneTimeRounded) + unknownMark(m) })
	month := cell(func(m *Money) string { return show(m.PerMonth, m.PerMonthRounded) + unknownMark(m) })
	year := cell(func(m *Money) string { return show(m.PerYear, m.PerYearRounded) + unknownMark(m) })
	from := cell(func(m *Money) string { return periodsText(m) })
	return fmt.Sprintf("| %s | %s | %s | %s | %s |\n", name, oneTime, month, year, from)
}

// show is an amount of the totals by the one money rule (package money):
// thousands separated, ≈ where rounded.
func show(plain string, rounded bool) string { return money.Format(plain, rounded) }

func unknownMark(m *Money) string {
	if m.Incomplete {
		return " + ?"
	}
	return ""
}

// periodsText names each original period with its money: "39.80 per
// monthly cycle, 99.50 every 12 months".
func periodsText(m *Money) string {
	parts := make([]string, 0, len(m.Periods))
	for _, pt := range m.Periods {
		name := plan.Cycle(pt.Months)
		if pt.Charge == "licences" {
			name = plan.Every(pt.Months)
		}
		s := show(pt.Total, pt.TotalRounded) + " " + name
		if pt.Months == 0 {
			s += " (period unknown: not in per month)"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "one-time only"
	}
	return strings.Join(parts, ", ")
}

func anyRounded(t Totals) bool {
	for _, ct := range append([]CustomerTotals{t.Plan}, t.Customers...) {
		for _, m := range []*Money{&ct.After, ct.Before} {
			if m != nil && (m.PerMonthRounded || m.PerYearRounded || m.OneTimeRounded) {
				return true
			}
		}
	}
	return false
}

func anyIncomplete(t Totals) bool {
	return t.Plan.After.Incomplete || (t.Plan.Before != nil && t.Plan.Before.Incomplete)
}

func plural(n int) string {
	if n == 1 {
		return ""
	}
	return "s"
}

// writeSummary writes, within o.MaxBytes, the counts, the plan's money,
// as many customers' money and then changed objects as fit, and how to
// see the rest.
func writeSummary(b *bytes.Buffer, p *plan.Plan, t Totals, o MarkdownOptions, full int, head string) {
	budget := max(o.MaxBytes, minSummaryBytes)
	var steps []*plan.Step
	for _, g := range groups(p) {
		steps = append(steps, g.Steps...)
	}
	// The note is written last, but its room is kept first: counts of up
	// to 10 digits each fit the reserve.
	const reserve = 900
	note := func(objects int) string {
		s := fmt.Sprintf("> **Summary only**: the whole plan is %s bytes of Markdown, over the limit of %s.",
			thousands(full), thousands(o.MaxBytes))
		if objects < len(steps) {
			s += fmt.Sprintf(" %d more objects to create or update are not listed.", len(steps)-objects)
		}
		if o.Rest != "" {
			s += " See the whole plan with " + o.Rest + "."
		}
		return s + "\n"
	}
	b.WriteString(heading(p))
	b.WriteString(head)
	writePolicyMarkdown(b, o.Policy, maxSummaryFindings)
	// Customers' money gets at most half of the budget, objects the rest.
	var rows []string
	size := b.Len() + reserve + 600 // the money table's header and plan row
	for _, ct := range t.Customers {
		r := moneyRow(ct, mdEscape(ct.Title))
		if size+len(r) > budget/2 {
			break
		}
		rows = append(rows, r)
		size += len(r)
	}
	more := ""
	if len(rows) < len(t.Customers) {
		more = fmt.Sprintf("_The first %d of %d customers; the whole-plan row counts them all._", len(rows), len(t.Customers))
	}
	writeMoney(b, t, rows, more)
	writeOffersMarkdown(b, OfferGroups(p))
	listed := 0
	if len(steps) > 0 {
		b.WriteString("#### First changes\n\n" + changesHeader)
		for _, s := range steps {
			r := changeRow(s)
			if b.Len()+len(r)+reserve > budget {
				break
			}
			b.WriteString(r)
			listed++
		}
		b.WriteString("\n")
	}
	// Orphans: as many as fit, each line about twice its address and what
	// it still bills.
	orphans, size := 0, b.Len()+reserve+100
	for _, or := range p.Orphans {
		size += 2*len(or.Addr) + 100
		if size > budget {
			break
		}
		orphans++
	}
	writeOrphans(b, p, t.Currency, orphans)
	b.WriteString(note(listed))
}

// thousands writes n with comma separators: 439,523.
func thousands(n int) string { return money.Group(fmt.Sprint(n)) }

// codeFence is a backtick fence longer than any run of backticks in s, so
// that no value can close the block early.
func codeFence(s string) string {
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	return strings.Repeat("`", max(3, longest+1))
}

// mdEscaper is built once: strings.NewReplacer is costly, and a plan of
// 10,000 customers escapes 60,000 strings. Besides Markdown's own
// characters it writes < > & as entities (a name "<b>" shows as text) and
// @ as one (an email address is not made a link).
var mdEscaper = strings.NewReplacer(`\`, `\\`, "|", `\|`, "\n", " ", "\r", " ", "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"*", `\*`, "~", `\~`, "`", "\\`", "@", "&#64;", "[", `\[`, "]", `\]`, "#", `\#`, "!", `\!`)

// mdEscape escapes s for Markdown prose and table cells. An underscore
// inside a word (selling_price_without_tax) never makes emphasis in GFM,
// so only one at a word's edge is escaped.
func mdEscape(s string) string {
	s = mdEscaper.Replace(s)
	if !strings.Contains(s, "_") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '_' && !(i > 0 && wordByte(s[i-1]) && i+1 < len(s) && wordByte(s[i+1])) {
			b.WriteByte('\\')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// wordByte: a letter or digit, or a byte of a multi-byte character.
func wordByte(c byte) bool {
	return c >= 0x80 || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}
