package manifest

import (
	"reflect"
	"strings"
	"testing"
)

const offersSrc = `items:
  sip: {description: SIP Trunk}
offers:
  sip-pack:
    recurrings:
      trunk: {item: sip, quantity: 2, selling_price_without_tax: 49.00}
customers:
  a:
    name: A
    files:
      main: {name: Main, offers: [sip-pack]}
  b:
    name: B
    files:
      main: {name: Main, offers: [sip-pack]}
  c:
    name: C
    files:
      main:
        name: Main
        offers: [sip-pack]
        recurrings:
          trunk: {quantity: 5}
`

// TestOfferLinesShareAndPosition checks that expanded lines share the
// offer's values (no copy per file), that an override gets maps of its
// own, and that every field points where its value is written.
func TestOfferLinesShareAndPosition(t *testing.T) {
	set, err := loadBytes(t, offersSrc)
	if err != nil {
		t.Fatal(err)
	}
	a := set.ByAddr["customer.a.file.main.recurring.trunk"]
	b := set.ByAddr["customer.b.file.main.recurring.trunk"]
	c := set.ByAddr["customer.c.file.main.recurring.trunk"]
	if a == nil || b == nil || c == nil {
		t.Fatalf("missing expanded lines: %v %v %v", a, b, c)
	}
	ptr := func(m any) uintptr { return reflect.ValueOf(m).Pointer() }
	if ptr(a.Fields) != ptr(b.Fields) || ptr(a.Refs) != ptr(b.Refs) {
		t.Error("lines of one offer without override do not share the offer's maps")
	}
	if ptr(c.Fields) == ptr(a.Fields) {
		t.Error("an overridden line shares the offer's fields")
	}
	for _, l := range []*Object{a, b, c} {
		if l.Offer != "sip-pack" {
			t.Errorf("%s: Offer = %q, want sip-pack", l.Addr, l.Offer)
		}
		if l.Parent == nil || l.Parent.Addr+".recurring.trunk" != l.Addr {
			t.Errorf("%s: parent %v", l.Addr, l.Parent)
		}
		if got := l.Fields["selling_price_without_tax"].Pos.String(); got != "m.yaml:6:66" {
			t.Errorf("%s: price at %s, want the offer's m.yaml:6:66", l.Addr, got)
		}
		if got := l.Refs["item"].Pos.String(); got != "m.yaml:6:21" {
			t.Errorf("%s: item at %s, want the offer's m.yaml:6:21", l.Addr, got)
		}
	}
	if got := a.Pos.String(); got != "m.yaml:6:7" {
		t.Errorf("a line from an offer is at %s, want the offer's line m.yaml:6:7", got)
	}
	if got := c.Pos.String(); got != "m.yaml:23:11" {
		t.Errorf("an overridden line is at %s, want the file's line m.yaml:23:11", got)
	}
	if got := c.OfferPos.String(); got != "m.yaml:6:7" {
		t.Errorf("an overridden line's OfferPos is %s, want m.yaml:6:7", got)
	}
	if q := c.Fields["quantity"]; q.Text != "5" || q.Pos.String() != "m.yaml:23:29" {
		t.Errorf("override quantity = %q at %s, want 5 at m.yaml:23:29", q.Text, q.Pos)
	}
	if q := a.Fields["quantity"]; q.Text != "2" {
		t.Errorf("offer quantity = %q, want 2", q.Text)
	}
}

// TestOffersSameObjectsAsHandWritten loads a set written with offers and
// the same lines written by hand: the objects are the same, position
// aside.
func TestOffersSameObjectsAsHandWritten(t *testing.T) {
	hand := `items:
  sip: {description: SIP Trunk}
customers:
  a:
    name: A
    files:
      main:
        name: Main
        recurrings:
          trunk: {item: sip, quantity: 2, selling_price_without_tax: 49.00}
  b:
    name: B
    files:
      main:
        name: Main
        recurrings:
          trunk: {item: sip, quantity: 2, selling_price_without_tax: 49.00}
  c:
    name: C
    files:
      main:
        name: Main
        recurrings:
          trunk: {item: sip, quantity: 5, selling_price_without_tax: 49.00}
`
	withOffers, err := loadBytes(t, offersSrc)
	if err != nil {
		t.Fatal(err)
	}
	byHand, err := loadBytes(t, hand)
	if err != nil {
		t.Fatal(err)
	}
	strip := func(s *Set) string {
		var out []string
		for _, l := range strings.Split(dump(s), "\n") {
			addr, rest, _ := strings.Cut(l, " @")
			_, fields, _ := strings.Cut(rest, ": ")
			out = append(out, addr+" "+fields)
		}
		return strings.Join(out, "\n")
	}
	if got, want := strip(withOffers), strip(byHand); got != want {
		t.Errorf("objects differ\n--- with offers\n%s\n--- by hand\n%s", got, want)
	}
	checkSetInvariants(t, withOffers)
}

// TestOffersDiagnostics checks the offer errors that the golden files do
// not show: an offer line incomplete for every file, reported once at the
// offer, and an offer listed twice.
func TestOffersDiagnostics(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"incomplete offer line", `offers:
  p:
    recurrings:
      trunk: {quantity: 2}
customers:
  a: {name: A, files: {main: {name: Main, offers: [p]}}}
  b: {name: B, files: {main: {name: Main, offers: [p]}}}
`, []string{`m.yaml:4:7: recurring line "trunk" (from offer "p") needs item or item_id; add item: NAME (an item of this manifest set) or item_id: ID (an existing item)`}},
		{"offer listed twice", `items:
  sip: {description: SIP}
offers:
  p: {recurrings: {trunk: {item: sip, quantity: 2}}}
customers:
  a: {name: A, files: {main: {name: Main, offers: [p, p]}}}
`, []string{
			`m.yaml:6:55: offers lists offer "p" twice; list each offer once`,
		}},
		{"bad value in an override, reported once", `items:
  sip: {description: SIP}
offers:
  p: {recurrings: {trunk: {item: sip}}}
customers:
  a:
    name: A
    files:
      main:
        name: Main
        offers: [p]
        recurrings:
          trunk: {quantity: five}
`, []string{
			`m.yaml:13:29: quantity must be a number, got string "five"; write quantity as a plain number, like 5 or 19.90`,
		}},
		{"identical merged lines", `items:
  sip: {description: SIP}
offers:
  p: {recurrings: {trunk: {item: sip, quantity: 2}}}
customers:
  a:
    name: A
    files:
      main:
        name: Main
        offers: [p]
        recurrings:
          trunk-2: {item: sip, quantity: 2}
`, []string{
			`m.yaml:13:11: recurring line "trunk-2" is identical to recurring line "trunk" (at m.yaml:4:20): onboard could not tell them apart; give them distinct labels or merge the quantities`,
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := diagnostics(t, tt.src)
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("diagnostics:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

// TestOffersSchemaForEditors checks the generated schema: offers at the
// top, a file's offers list, partial lines only where offers apply.
func TestOffersSchemaForEditors(t *testing.T) {
	b, err := GenerateSchema()
	if err != nil {
		t.Fatal(err)
	}
	s := string(b)
	for _, want := range []string{`"offers": {`, `"recurring-part": {`, `"if": {`, `"#/$defs/offer"`} {
		if !strings.Contains(s, want) {
			t.Errorf("schema lacks %s", want)
		}
	}
	// A file without offers still needs whole lines.
	if d := diagnostics(t, `items: {sip: {description: S}}
customers:
  a: {name: A, files: {main: {name: Main, recurrings: {trunk: {quantity: 2}}}}}
`); len(d) != 1 || !strings.Contains(d[0], "needs item or item_id") {
		t.Errorf("partial line in a file without offers: %q", d)
	}
}

// TestOffersWrongShapes checks the messages for offers written in the
// wrong shape, at each level.
func TestOffersWrongShapes(t *testing.T) {
	tests := []struct{ src, want string }{
		{"offers: 5\n", `m.yaml:1:9: offers must be a mapping from offer name to its lines, got number 5; write each offer under its name: offers: {NAME: {recurrings: {...}}}`},
		{"offers: [a]\n", `m.yaml:1:9: offers must be a mapping from offer name to its lines, got a list; write each offer under its name: offers: {NAME: {recurrings: {...}}}`},
		{"offers: {p: 5}\n", `m.yaml:1:13: offer "p" must be a mapping of lines, got number 5; write the offer's lines under licences:, initials: or recurrings:`},
		{"offers: {p: {recurrings: 5}}\n", `m.yaml:1:26: recurrings of offer "p" must be a mapping from local name to recurring line, got number 5; write each recurring line under its local name: recurrings: {NAME: {...}}`},
		{"offers: {p: {recurrings: {t: 5}}}\n", `m.yaml:1:30: recurring line "t" of offer "p" must be a mapping of fields, got number 5; write the recurring line's fields under t:`},
		{"offers: {p: {recurrings: {t: {item: s, quantity: x}}}}\nitems: {s: {description: S}}\n", `m.yaml:1:50: quantity must be a number, got string "x"`},
		{"offers: {p: {recurrings: {t: {item: s, qty: 1}}}}\nitems: {s: {description: S}}\n", `m.yaml:1:40: unknown field "qty" in recurring line "t" of offer "p"`},
		{"offers: {p: {recurrings: {t: {item: sp}}}}\nitems: {sip: {description: S}}\n", `m.yaml:1:37: recurring line "t" of offer "p" refers to unknown item "sp"; did you mean "sip"?`},
		{"offers: {p: {files: {}}}\n", `m.yaml:1:14: unknown key "files" in offer "p"; an offer holds licences, initials, recurrings`},
		{"offers: {p.q: {}}\n", `m.yaml:1:10: invalid local name "p.q" for an offer; use letters, digits, _ and - only`},
		{"customers: {a: {name: A, files: {f: {name: F, offers: [1]}}}}\n", `m.yaml:1:56: offers of customer file "f" must be a list of offer names, got number 1; write the names of offers declared under offers:, like offers: [sip-pack]`},
		{"prospects: {a: {name: Ab, files: {f: {name: F, offers: [p]}}}}\n", `m.yaml:1:48: unknown field "offers" in prospect file "f"`},
	}
	for _, tt := range tests {
		got := diagnostics(t, tt.src)
		if len(got) == 0 || !strings.HasPrefix(got[0], tt.want) {
			t.Errorf("%s\ngot  %q\nwant %q", tt.src, got, tt.want)
		}
	}
}
