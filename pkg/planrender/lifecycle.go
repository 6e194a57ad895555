package planrender

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// endNote says what an end step does, for people.
func endNote(s *plan.Step) string {
	switch s.Action {
	case plan.Deactivate:
		return "deactivate: it stays in BlueRockTEL, inactive, and bills nothing more"
	case plan.Stop:
		if s.Method == "" {
			return "stop: ends with its customer files' services_stop; nothing sent of its own"
		}
		return "stop: its services stop on " + stopDate(s) + "; it stays in BlueRockTEL"
	case plan.Delete:
		return "delete: DELETE in BlueRockTEL, then it leaves the state"
	case plan.Forget:
		return "forget: nothing sent; it leaves the state and stays in BlueRockTEL as it is"
	}
	return string(s.Action)
}

// stopDate is the date a stop step PUTs.
func stopDate(s *plan.Step) string {
	for _, v := range s.Body {
		if v.Type == resource.Date {
			return v.Text
		}
	}
	return ""
}

// commitmentText flags a line ended before the end of its commitment.
func commitmentText(c *plan.Commitment) string {
	return fmt.Sprintf("commitment: runs until %s, %d month%s left", c.Ends, c.MonthsLeft, plural(c.MonthsLeft))
}

// symbolOfEnd marks an end action in text and Markdown.
func symbolOfEnd(a plan.Action) string {
	switch a {
	case plan.Delete:
		return "-"
	case plan.Forget:
		return "x"
	}
	return "!" // deactivate, stop: it stays, and stops billing
}

// countsText is the plan's counts: every action, the end actions only
// when the plan has some.
func countsText(c plan.Counts) string {
	parts := []string{fmt.Sprintf("%d to create", c.Create), fmt.Sprintf("%d to update", c.Update)}
	for _, e := range []struct {
		n    int
		verb string
	}{{c.Deactivate, "deactivate"}, {c.Stop, "stop"}, {c.Delete, "delete"}, {c.Forget, "forget"}} {
		if e.n > 0 {
			parts = append(parts, fmt.Sprintf("%d to %s", e.n, e.verb))
		}
	}
	return strings.Join(parts, ", ") + fmt.Sprintf(", %d unchanged, %d orphaned", c.NoOp, c.Orphan)
}

// OrphansHeading introduces the orphans in text and Markdown.
const OrphansHeading = "Orphans: in the state, no longer in the manifests; left as they are until a removed: entry decides"

// orphanDecisions names the decisions an orphan's kind allows.
func orphanDecisions(kind string) string {
	if s := resource.Get(resource.Kind(kind)); s != nil {
		return "decide: " + s.EndsText()
	}
	return ""
}

// settledText is one applied `removed:` entry.
func settledText(s plan.Settled) string {
	return fmt.Sprintf("%s: %s (%s): done; delete this entry from the manifest", s.Pos, s.Addr, s.Then)
}

// writeSettled lists the applied entries (text and Markdown alike).
func writeSettled(b *bytes.Buffer, p *plan.Plan, md bool) {
	if len(p.Settled) == 0 {
		return
	}
	if md {
		b.WriteString("#### Decisions already applied\n\n")
	} else {
		b.WriteString("Decisions already applied (removed: entries with nothing left to do):\n")
	}
	for _, s := range p.Settled {
		if md {
			fmt.Fprintf(b, "- `%s` (%s) at %s: done; delete this entry from the manifest\n", s.Addr, s.Then, s.Pos)
		} else {
			fmt.Fprintf(b, "  - %s\n", settledText(s))
		}
	}
	b.WriteString("\n")
}

// referredText warns that a DELETE will be refused: objects that stay in
// BlueRockTEL still refer to the one deleted.
func referredText(addrs []string) string {
	shown := addrs
	more := ""
	if len(shown) > 3 {
		shown, more = shown[:3], fmt.Sprintf(" and %d more", len(addrs)-3)
	}
	return fmt.Sprintf("still referred to by %s%s, which stay%s in BlueRockTEL: the API will refuse this DELETE (422) until they go",
		strings.Join(shown, ", "), more, map[bool]string{true: "s", false: ""}[len(addrs) == 1])
}
