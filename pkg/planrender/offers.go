package planrender

import (
	"bufio"
	"bytes"
	"fmt"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
)

// OfferGroup is the updates that one change of an offer makes: every line
// of the offer whose files do not override the changed fields, with the
// same changes.
type OfferGroup struct {
	Offer   string             `json:"offer"`
	Changes []plan.FieldChange `json:"changes"`
	Steps   []*plan.Step       `json:"-"`
	// Money is the change of the lines' money (see offerMoney).
	Money OfferMoney `json:"money"`
}

// OfferMoney is what an offer's change does to the money of its lines,
// signed, in the plan's currency excl. VAT ("" when nothing changes).
type OfferMoney struct {
	PerMonth string `json:"per_month,omitempty"`
	// PerMonthRounded: the figure is rounded to the cent.
	PerMonthRounded bool   `json:"per_month_rounded,omitempty"`
	OneTime         string `json:"one_time,omitempty"`
	// Incomplete: some line is priced by an item only BlueRockTEL knows.
	Incomplete bool `json:"incomplete,omitempty"`
}

// OfferGroups groups the plan's updates of lines from offers by offer and
// change, in plan order. A line whose change touches a field its file
// overrides, or restores drift, is the file's change and is left out.
func OfferGroups(p *plan.Plan) []OfferGroup {
	var out []OfferGroup
	index := map[string]int{}
	for _, s := range p.Steps {
		if s.Action != plan.Update || s.Offer == "" || !fromOffer(s) {
			continue
		}
		key := s.Offer + "\x00" + changesKey(s.Changes)
		i, ok := index[key]
		if !ok {
			i = len(out)
			index[key] = i
			out = append(out, OfferGroup{Offer: s.Offer, Changes: s.Changes})
		}
		out[i].Steps = append(out[i].Steps, s)
	}
	for i := range out {
		out[i].Money = offerMoney(p, out[i].Steps)
	}
	return out
}

// fromOffer reports whether every change of s is the offer's: not drift,
// and not a field its file's line overrides.
func fromOffer(s *plan.Step) bool {
	for _, c := range s.Changes {
		if c.Drifted {
			return false
		}
		for _, o := range s.Overrides {
			if o == c.Field {
				return false
			}
		}
	}
	return true
}

func changesKey(cs []plan.FieldChange) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%s\x00%s\x00%s\x00%t\x01", c.Field, c.Old, c.New, c.Reset)
	}
	return b.String()
}

// offerMoney is the change of the lines' money, from the plan's money
// model (exact decimals; per month normalised from each period, rounded
// once when shown).
func offerMoney(p *plan.Plan, steps []*plan.Step) OfferMoney {
	f := p.LinesFigures(steps)
	m := OfferMoney{Incomplete: f.Before.Incomplete || f.After.Incomplete}
	if d := f.PerMonthChange(); !d.IsZero() {
		m.PerMonth, m.PerMonthRounded = signed(d)
	}
	if d := f.OneTime(); !d.IsZero() {
		m.OneTime, _ = signed(d)
	}
	return m
}

// signed is d in cents with its sign ("+98.00", "−30.00"), and whether it
// was rounded.
func signed(d *apd.Decimal) (string, bool) {
	text, rounded := money.Plain(d)
	if d.Sign() > 0 {
		text = "+" + text
	}
	return text, rounded
}

// Text is the group on one line: "offer sip-pack: 212 lines, quantity 2 →
// 3, +10,388.00 per month".
func (g OfferGroup) Text() string {
	var b strings.Builder
	n := len(g.Steps)
	fmt.Fprintf(&b, "offer %s: %s line%s", g.Offer, thousands(n), plural(n))
	for _, c := range g.Changes {
		nv := OrNone(c.New)
		if c.Reset {
			nv = "(API default)"
		}
		fmt.Fprintf(&b, ", %s %s → %s", c.Field, OrNone(c.Old), nv)
	}
	m := g.Money
	switch {
	case m.Incomplete:
		b.WriteString(", money not known here (catalog prices of items only BlueRockTEL knows)")
	default:
		if m.PerMonth != "" {
			fmt.Fprintf(&b, ", %s per month", money.Format(m.PerMonth, m.PerMonthRounded))
		}
		if m.OneTime != "" {
			fmt.Fprintf(&b, ", %s one-time", money.Format(m.OneTime, false))
		}
		if m.PerMonth == "" && m.OneTime == "" {
			b.WriteString(", money unchanged")
		}
	}
	return b.String()
}

// writeOffersText writes the plan's offer groups, if any, for the text
// plan.
func writeOffersText(w *bufio.Writer, gs []OfferGroup) {
	if len(gs) == 0 {
		return
	}
	w.WriteString("Offers changed (each line listed below, with its customer):\n")
	for _, g := range gs {
		fmt.Fprintf(w, "  %s\n", g.Text())
	}
	w.WriteString("\n")
}

// writeOffersMarkdown writes the plan's offer groups, if any, for the
// Markdown plan.
func writeOffersMarkdown(b *bytes.Buffer, gs []OfferGroup) {
	if len(gs) == 0 {
		return
	}
	b.WriteString("#### Offers changed\n\n")
	for _, g := range gs {
		fmt.Fprintf(b, "- %s\n", mdEscape(g.Text()))
	}
	b.WriteString("\n")
}
