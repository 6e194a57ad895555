package planrender

import (
	"bytes"
	"fmt"
	"io"
	"strings"

	"github.com/onboardhq/onboard/pkg/policy"
)

// The policy's findings are rendered where a reviewer looks: each at the
// manifest position of the object it judged (file:line:col first, as a
// compiler's diagnostics), with the rule's message, and the overrides the
// plan was made with, with their reasons.

// findingText is one finding on one line: "acme.yaml:17:11: deny
// discount-cap: discounts above 30% need finance approval
// (customer.acme.file.main.initial.setup)".
func findingText(f policy.Finding) string {
	effect := string(f.Effect)
	if f.Overridden {
		effect += " (overridden)"
	}
	on := "the whole plan"
	if f.Address != "" {
		on = f.Address
	}
	return fmt.Sprintf("%s: %s %s: %s (%s)", f.Where(), effect, f.Rule, f.Message, on)
}

// overrideText is "override of big-change: reason (by ana, 2026-12-08
// 04:01 UTC)".
func overrideText(o policy.Override) string {
	var who []string
	if o.By != "" {
		who = append(who, "by "+o.By)
	}
	if !o.At.IsZero() {
		who = append(who, o.At.UTC().Format("2006-01-02 15:04 UTC"))
	}
	s := fmt.Sprintf("override of %s: %s", o.Rule, o.Reason)
	if len(who) > 0 {
		s += " (" + strings.Join(who, ", ") + ")"
	}
	return s
}

// policyCounts is "1 denied, 2 warnings, 1 overridden".
func policyCounts(v *policy.Verdict) string {
	var deny, warn, over int
	for _, f := range v.Findings {
		switch {
		case f.Overridden:
			over++
		case f.Effect == policy.Deny:
			deny++
		default:
			warn++
		}
	}
	parts := []string{fmt.Sprintf("%d denied", deny), fmt.Sprintf("%d warning%s", warn, plural(warn))}
	if over > 0 {
		parts = append(parts, fmt.Sprintf("%d overridden", over))
	}
	return strings.Join(parts, ", ")
}

// PolicyText writes the policy's findings and overrides for a terminal;
// nothing when the project has no rules and the plan no override.
func PolicyText(w io.Writer, v *policy.Verdict) {
	if v == nil {
		return
	}
	fmt.Fprintf(w, "Policy: %s.\n", policyCounts(v))
	for _, f := range v.Findings {
		fmt.Fprintf(w, "  %s\n", findingText(f))
	}
	for _, o := range v.Overrides {
		fmt.Fprintf(w, "  %s\n", overrideText(o))
	}
}

// maxSummaryFindings bounds the findings a Markdown summary lists.
const maxSummaryFindings = 20

// writePolicyMarkdown writes the policy section of a Markdown plan, the
// denials first; at most limit findings (0: all).
func writePolicyMarkdown(b *bytes.Buffer, v *policy.Verdict, limit int) {
	if v == nil {
		return
	}
	fmt.Fprintf(b, "#### Policy: %s\n\n", policyCounts(v))
	if len(v.Findings) > 0 {
		b.WriteString("| | Rule | Where | Object | Message |\n|---|---|---|---|---|\n")
		order := make([]policy.Finding, 0, len(v.Findings))
		for _, pass := range []func(policy.Finding) bool{
			func(f policy.Finding) bool { return f.Effect == policy.Deny && !f.Overridden },
			func(f policy.Finding) bool { return f.Effect != policy.Deny },
			func(f policy.Finding) bool { return f.Overridden },
		} {
			for _, f := range v.Findings {
				if pass(f) {
					order = append(order, f)
				}
			}
		}
		for i, f := range order {
			if limit > 0 && i == limit {
				fmt.Fprintf(b, "\n_%d more findings are not listed._\n", len(order)-limit)
				break
			}
			mark := "⚠️ warn"
			switch {
			case f.Overridden:
				mark = "✅ deny, overridden"
			case f.Effect == policy.Deny:
				mark = "⛔ **deny**"
			}
			on := "the whole plan"
			if f.Address != "" {
				on = "`" + f.Address + "`"
			}
			fmt.Fprintf(b, "| %s | `%s` | `%s` | %s | %s |\n", mark, f.Rule, f.Where(), on, mdEscape(f.Message))
		}
		b.WriteString("\n")
	}
	for _, o := range v.Overrides {
		fmt.Fprintf(b, "- **%s**\n", mdEscape(overrideText(o)))
	}
	if len(v.Overrides) > 0 {
		b.WriteString("\n")
	}
}

// policyJSON is the JSON plan's "policy" member.
type policyJSON struct {
	Findings  []policy.Finding  `json:"findings"`
	Overrides []policy.Override `json:"overrides"`
	// Denied: a denial no override covers; apply refuses the plan.
	Denied bool `json:"denied"`
}

func toPolicyJSON(v *policy.Verdict) policyJSON {
	j := policyJSON{Findings: v.Findings, Overrides: v.Overrides, Denied: len(v.Denied()) > 0}
	if j.Findings == nil {
		j.Findings = []policy.Finding{}
	}
	if j.Overrides == nil {
		j.Overrides = []policy.Override{}
	}
	return j
}
