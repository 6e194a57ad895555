package planrender

import (
	"bufio"
	"fmt"
	"io"
	"strings"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Markdown writes a summary for a merge-request comment: the counts, then
// per customer what changes and its money, request details folded in
// <details> blocks.
func Markdown(w io.Writer, p *plan.Plan) error {
	bw := bufio.NewWriter(w)
	c := p.Counts()
	fmt.Fprintf(bw, "### onboard plan: %d to create, %d to update, %d unchanged, %d orphaned\n\n",
		c.Create, c.Update, c.NoOp, c.Orphan)
	if !p.HasChanges() && c.Orphan == 0 {
		bw.WriteString("No changes.\n")
		return bw.Flush()
	}
	for _, g := range groups(p) {
		fmt.Fprintf(bw, "#### %s\n\n", mdEscape(g.Title))
		for _, fp := range g.Files {
			fmt.Fprintf(bw, "**Billing preview of `%s`** (%s):\n\n", fp.File, mdEscape(fp.Name))
			for _, l := range fp.Lines() {
				fmt.Fprintf(bw, "- %s\n", mdEscape(l))
			}
			bw.WriteString("\n")
		}
		bw.WriteString("| | Address | Kind | Change |\n|---|---|---|---|\n")
		for _, s := range g.Steps {
			spec := resource.Get(s.Kind)
			var detail string
			if s.Action == plan.Update {
				parts := make([]string, len(s.Changes))
				for i, ch := range s.Changes {
					parts[i] = ChangeText(ch)
				}
				detail = strings.Join(parts, "; ")
			} else {
				detail = "new: " + s.Label
			}
			fmt.Fprintf(bw, "| %s | `%s` | %s | %s |\n", symbol(s), s.Addr, spec.Title, mdEscape(detail))
		}
		bw.WriteString("\n<details><summary>Requests</summary>\n\n```\n")
		for _, s := range g.Steps {
			var parts []string
			for _, v := range s.Body {
				parts = append(parts, v.Wire+"="+displayValue(p, v))
			}
			fmt.Fprintf(bw, "%s %s %s\n", s.Method, requestLine(p, s), strings.Join(parts, ", "))
		}
		bw.WriteString("```\n\n</details>\n\n")
	}
	if len(p.Orphans) > 0 {
		bw.WriteString("#### In state but no longer in the manifests (never deleted)\n\n")
		for _, o := range p.Orphans {
			fmt.Fprintf(bw, "- `%s` (%s #%d)\n", o.Addr, o.Kind, o.ID)
		}
	}
	return bw.Flush()
}

// mdEscaper is built once: strings.NewReplacer is costly, and a plan of
// 10,000 customers escapes 60,000 strings.
var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;", "&", "&amp;",
	"*", `\*`, "`", "\\`", "@", "&#64;", "[", `\[`, "]", `\]`)

func mdEscape(s string) string { return mdEscaper.Replace(s) }
