package planrender

import (
	"bufio"
	"bytes"
	"fmt"
	"io"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
	"github.com/onboardhq/onboard/pkg/resource"
)

// DetailLimit is the number of steps to create or update past which a
// text or Markdown plan is an overview (the money, counts per kind and
// per customer) instead of every request: the text plan of 100,000
// customers was 232 MB. The JSON plan, and --verbose, keep every detail.
const DetailLimit = 2_000

// Overview reports whether a plan is written as an overview: more steps
// to create or update than limit (DetailLimit when not positive).
func Overview(p *plan.Plan, limit int) bool {
	if limit <= 0 {
		limit = DetailLimit
	}
	c := p.Counts()
	return c.Create+c.Update > limit
}

// textOverview is the text plan of a large plan (TextWith without
// o.Verbose): the money headline, the money, the policy's findings, then
// counts per kind and per customer instead of every request.
func textOverview(w io.Writer, p *plan.Plan, o TextOptions) error {
	bw := bufio.NewWriter(w)
	b := p.Bill(o.Money)
	t := ComputeWith(b)
	fmt.Fprintf(bw, "%s\n\n", Headline(b, nil))
	if o.Policy != nil {
		PolicyText(bw, o.Policy)
		bw.WriteString("\n")
	}
	if len(t.Customers) > 0 {
		fmt.Fprintf(bw, "Money in %s excl. VAT (per month and per year normalised from each period; ≈ rounded to the cent):\n", t.Currency)
		fmt.Fprintf(bw, "  whole plan: %s\n\n", moneyText(t.Plan))
	}
	kinds, customers := overviewCounts(p)
	c := p.Counts()
	fmt.Fprintf(bw, "A large plan (%s objects to create or update): counts per kind and per customer here; every request with --verbose or --output json.\n\n",
		thousands(c.Create+c.Update))
	bw.WriteString("By kind:\n")
	fmt.Fprintf(bw, "  %-32s %10s %10s %10s\n", "", "create", "update", "unchanged")
	for _, k := range kinds {
		fmt.Fprintf(bw, "  %-32s %10d %10d %10d\n", k.title, k.n.Create, k.n.Update, k.n.NoOp)
	}
	money := map[string]CustomerTotals{}
	for _, ct := range t.Customers {
		money[ct.Customer] = ct
	}
	fmt.Fprintf(bw, "\nBy customer (%s with changes):\n", thousands(len(customers)))
	for _, cu := range customers {
		fmt.Fprintf(bw, "  %s: %s\n", cu.title, changesText(cu.n))
		if ct, ok := money[cu.addr]; ok {
			fmt.Fprintf(bw, "      money: %s\n", moneyText(ct))
		}
	}
	if len(p.Orphans) > 0 {
		fmt.Fprintf(bw, "\n%s: %s objects, listed with --verbose or --output json.\n",
			OrphansHeading, thousands(len(p.Orphans)))
	}
	fmt.Fprintf(bw, "\n%s\n", Summary(p))
	return bw.Flush()
}

// changesText is "5 to create, 1 to update", leaving out zeros.
func changesText(n plan.Counts) string {
	switch {
	case n.Create > 0 && n.Update > 0:
		return fmt.Sprintf("%d to create, %d to update", n.Create, n.Update)
	case n.Update > 0:
		return fmt.Sprintf("%d to update", n.Update)
	}
	return fmt.Sprintf("%d to create", n.Create)
}

// tally is the counts of one kind or one customer.
type tally struct {
	title string
	addr  string // the customer's address
	n     plan.Counts
}

// overviewCounts counts steps per kind (in table order of first
// appearance; follow-up PUTs apart) and per customer with changes (in plan
// order; catalog objects under "Catalog").
func overviewCounts(p *plan.Plan) (kinds, customers []tally) {
	kindIdx, custIdx := map[string]int{}, map[string]int{}
	add := func(n *plan.Counts, s *plan.Step) { n.Add(s.Effect()) }
	for _, s := range p.Steps {
		title := resource.Get(s.Kind).Title
		if s.Of != "" {
			title += " (follow-up PUT)"
		}
		i, ok := kindIdx[title]
		if !ok {
			i = len(kinds)
			kindIdx[title] = i
			kinds = append(kinds, tally{title: title})
		}
		add(&kinds[i].n, s)
		if !s.Runs() {
			continue
		}
		j, ok := custIdx[s.Group]
		if !ok {
			j = len(customers)
			custIdx[s.Group] = j
			title := "Catalog"
			if s.Group != "" {
				title = p.Titles[s.Group]
			}
			customers = append(customers, tally{title: title, addr: s.Group})
		}
		add(&customers[j].n, s)
	}
	return kinds, customers
}

// writeMarkdownOverview is writeMarkdown for a large plan: the money, then
// counts per kind and per customer instead of every request.
func writeMarkdownOverview(b *bytes.Buffer, p *plan.Plan, t Totals, head string, v *policy.Verdict) {
	b.WriteString(heading(p))
	b.WriteString(head)
	writePolicyMarkdown(b, v, maxSummaryFindings)
	rows := make([]string, len(t.Customers))
	for i, ct := range t.Customers {
		rows[i] = moneyRow(ct, mdEscape(ct.Title))
	}
	writeMoney(b, t, rows, "")
	c := p.Counts()
	fmt.Fprintf(b, "> A large plan (%s objects to create or update): counts per kind and per customer here; every request with `--verbose` or `--output json`.\n\n",
		thousands(c.Create+c.Update))
	kinds, customers := overviewCounts(p)
	b.WriteString("#### By kind\n\n| Kind | Create | Update | Unchanged |\n|---|---:|---:|---:|\n")
	for _, k := range kinds {
		fmt.Fprintf(b, "| %s | %d | %d | %d |\n", k.title, k.n.Create, k.n.Update, k.n.NoOp)
	}
	fmt.Fprintf(b, "\n#### By customer (%s with changes)\n\n| Customer | Create | Update |\n|---|---:|---:|\n", thousands(len(customers)))
	for _, cu := range customers {
		fmt.Fprintf(b, "| %s | %d | %d |\n", mdEscape(cu.title), cu.n.Create, cu.n.Update)
	}
	b.WriteString("\n")
	if len(p.Orphans) > 0 {
		fmt.Fprintf(b, "#### %s\n\n%s objects, listed with `--verbose` or `--output json`.\n",
			OrphansHeading, thousands(len(p.Orphans)))
	}
}
