package plan

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// section is the steps of one section of a rendered plan: the catalog, or
// one customer with everything nested in it.
type section struct {
	Title string
	Steps []*Step
	Files []FilePreview
}

// groups splits the steps that do something into catalog and per-customer
// sections, keeping plan order.
func (p *Plan) groups() []section {
	previews := map[string][]FilePreview{}
	for _, fp := range p.Previews() {
		previews[fp.Customer] = append(previews[fp.Customer], fp)
	}
	var out []section
	index := map[string]int{}
	for _, s := range p.Steps {
		if s.Action == NoOp {
			continue
		}
		key, title := "", "Catalog"
		if c := s.Object.Customer(); c != nil {
			key = c.Addr
			title = fmt.Sprintf("Customer %s (%s)", c.Name, label(c))
		}
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, section{Title: title, Files: previews[key]})
		}
		out[i].Steps = append(out[i].Steps, s)
	}
	return out
}

// symbol marks an action in text output.
func symbol(s *Step) string {
	switch s.Action {
	case Create:
		return "+"
	case Change:
		return "~"
	}
	return " "
}

// RenderText writes the human plan: only what would change, grouped by
// customer, with a billing preview per customer file and a count line.
func (p *Plan) RenderText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	groups := p.groups()
	for gi, g := range groups {
		if gi > 0 {
			bw.WriteString("\n")
		}
		fmt.Fprintf(bw, "%s\n", g.Title)
		for _, s := range g.Steps {
			p.writeStepText(bw, s)
		}
		for _, fp := range g.Files {
			fmt.Fprintf(bw, "  Billing preview of %s %q:\n", fp.File, fp.Name)
			for _, l := range fp.Lines() {
				fmt.Fprintf(bw, "    %s\n", l)
			}
		}
	}
	if len(p.Orphans) > 0 {
		if len(groups) > 0 {
			bw.WriteString("\n")
		}
		bw.WriteString("In state but no longer in the manifests (reported, never deleted):\n")
		for _, o := range p.Orphans {
			fmt.Fprintf(bw, "  - %s (%s #%d)\n", o.Addr, o.Kind, o.ID)
		}
	}
	if len(groups) > 0 || len(p.Orphans) > 0 {
		bw.WriteString("\n")
	}
	c := p.Counts()
	if !p.HasChanges() {
		fmt.Fprintf(bw, "No changes: %d objects up to date.\n", c.NoOp)
	} else {
		fmt.Fprintf(bw, "Plan: %d to create, %d to change (not applied), %d unchanged, %d orphaned.\n",
			c.Create, c.Change, c.NoOp, c.Orphan)
	}
	return bw.Flush()
}

func (p *Plan) writeStepText(w *bufio.Writer, s *Step) {
	spec := resource.Get(s.Kind)
	note := ""
	if s.Action == Create && s.Verify {
		note = "  (looked up first: adopted if it already exists)"
	}
	if s.Action == Change {
		fmt.Fprintf(w, "  ~ %s %s #%d: differs from what was created; updates are not applied yet%s\n",
			spec.Title, s.Addr, s.Existing.ID, note)
		for _, c := range s.Changes {
			fmt.Fprintf(w, "      %s: %s -> %s\n", c.Field, orNone(c.Old), orNone(c.New))
		}
		return
	}
	fmt.Fprintf(w, "  %s %s %s%s\n", symbol(s), spec.Title, s.Addr, note)
	fmt.Fprintf(w, "      POST %s\n", p.requestLine(spec, s))
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
		fmt.Fprintf(w, "      %-*s = %s%s\n", width, v.Wire, p.displayValue(v), extra)
	}
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// requestLine renders the path and query, references to objects still to
// be created symbolic.
func (p *Plan) requestLine(spec *resource.Spec, s *Step) string {
	if len(s.Query) == 0 {
		return spec.Path
	}
	parts := make([]string, len(s.Query))
	for i, v := range s.Query {
		parts[i] = url.QueryEscape(v.Wire) + "=" + p.queryValue(v)
	}
	return spec.Path + "?" + strings.Join(parts, "&")
}

// knownID returns the id that fills a reference to an object that exists
// already (in the state, not to be created): a reviewer then sees the id
// that will be sent, not a placeholder.
func (p *Plan) knownID(v resource.Value) (string, bool) {
	if v.Type != resource.Reference || v.Ref == "" {
		return "", false
	}
	t := p.ByAddr[v.Ref]
	if t == nil || t.Action == Create || t.Existing == nil || t.Existing.ID <= 0 {
		return "", false
	}
	return strconv.FormatInt(t.Existing.ID, 10), true
}

// displayValue renders a value as it goes on the wire; a reference shows
// the id when it is known, else the address whose id will fill it.
func (p *Plan) displayValue(v resource.Value) string {
	id, known := p.knownID(v)
	switch {
	case v.Raw != nil:
		return string(v.Raw)
	case known:
		return id + " (" + v.Ref + ")"
	case v.Type == resource.Reference && v.Ref != "":
		return "(id of " + v.Ref + ")"
	case v.Type == resource.String || v.Type == resource.Date:
		b, _ := json.Marshal(v.Text)
		return string(b)
	}
	return v.Text
}

// RenderMarkdown writes a summary for a merge-request comment.
func (p *Plan) RenderMarkdown(w io.Writer) error {
	bw := bufio.NewWriter(w)
	c := p.Counts()
	fmt.Fprintf(bw, "### onboard plan: %d to create, %d to change, %d unchanged, %d orphaned\n\n",
		c.Create, c.Change, c.NoOp, c.Orphan)
	if !p.HasChanges() {
		bw.WriteString("No changes.\n")
		return bw.Flush()
	}
	for _, g := range p.groups() {
		fmt.Fprintf(bw, "#### %s\n\n| | Address | Kind | Request |\n|---|---|---|---|\n", mdEscape(g.Title))
		for _, s := range g.Steps {
			spec := resource.Get(s.Kind)
			detail := ""
			if s.Action == Change {
				var parts []string
				for _, ch := range s.Changes {
					parts = append(parts, fmt.Sprintf("%s: %s → %s", ch.Field, orNone(ch.Old), orNone(ch.New)))
				}
				detail = "not applied: " + strings.Join(parts, "; ")
			} else {
				var parts []string
				for _, v := range s.Body {
					parts = append(parts, v.Wire+"="+p.displayValue(v))
				}
				detail = "POST " + p.requestLine(spec, s) + " " + strings.Join(parts, ", ")
			}
			fmt.Fprintf(bw, "| %s | `%s` | %s | %s |\n", symbol(s), s.Addr, spec.Title, mdEscape(detail))
		}
		for _, fp := range g.Files {
			fmt.Fprintf(bw, "\n**Billing preview of `%s`** (%s):\n\n", fp.File, mdEscape(fp.Name))
			for _, l := range fp.Lines() {
				fmt.Fprintf(bw, "- %s\n", mdEscape(l))
			}
		}
		bw.WriteString("\n")
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
// 10,000 customers escapes 60,000 strings (a replacer per call allocated
// 770 MB there).
var mdEscaper = strings.NewReplacer("|", `\|`, "\n", " ", "<", "&lt;", ">", "&gt;")

func mdEscape(s string) string { return mdEscaper.Replace(s) }

// RenderDOT writes the dependency graph in Graphviz DOT, from the
// dominikbraun/graph model of the plan. The output is deterministic:
// vertices and edges sorted by address.
func (p *Plan) RenderDOT(w io.Writer) error {
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
		fmt.Fprintf(bw, "  %q [label=%q];\n", a, fmt.Sprintf("%s\n%s", a, p.ByAddr[a].Action))
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

func (p *Plan) queryValue(v resource.Value) string {
	if id, ok := p.knownID(v); ok {
		return id
	}
	if v.Type == resource.Reference && v.Ref != "" {
		return "(id of " + v.Ref + ")"
	}
	return url.QueryEscape(v.Text)
}
