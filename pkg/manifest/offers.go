package manifest

import (
	"fmt"
	"slices"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Offers are named bundles of lines declared under a top-level `offers:`
// key of any file of the set, and taken by customer files by name
// (`offers: [sip-pack]`). They are expanded when the set is assembled, into
// ordinary line objects with the same addresses as lines written in the
// file: plan, apply, state and export never see an offer, only the name
// recorded on each line (Object.Offer).

// OffersKey is the manifest key of offers: at the top of a file, the
// offers it declares; in a customer file, the names of those it takes.
const OffersKey = "offers"

// offerDef is the schema's $defs entry of an offer.
const offerDef = "offer"

// offerHolder is the kind whose objects take offers and hold the lines.
const offerHolder = resource.CustomerFile

// isLine reports whether s is a kind of billed line of a customer file:
// what an offer holds.
func isLine(s *resource.Spec) bool {
	return s.Parent != nil && s.Parent.Kind == offerHolder && s.Charge != resource.NoCharge
}

// lineSpecs returns the kinds an offer holds, in table order.
func lineSpecs() []*resource.Spec {
	var out []*resource.Spec
	for _, s := range resource.All() {
		if isLine(s) {
			out = append(out, s)
		}
	}
	return out
}

// partDef is the schema's $defs entry of a partial line of kind s.
func partDef(s *resource.Spec) string { return string(s.Kind) + "-part" }

func partSchema(s *resource.Spec) obj { return objectSchema(s, true) }

func offerSchema() obj {
	props := obj{}
	for _, s := range lineSpecs() {
		props = append(props, kv{s.Collection, collectionOf(s, partDef(s))})
	}
	return obj{
		{"title", "offer"},
		{"description", "A named bundle of lines that customer files take by name (offers: [NAME]). Its lines get the same addresses as lines written in the file; a file's line of the same kind and name overrides the offer's line field by field."},
		{"type", "object"},
		{"additionalProperties", false},
		{"properties", props},
	}
}

func offersSchema() obj {
	return obj{
		{"description", "Offers: named bundles of licences, initials and recurrings that customer files take by name. Keyed by local name, unique across the manifest set."},
		{"type", []string{"object", "null"}},
		{"additionalProperties", obj{{"$ref", "#/$defs/" + offerDef}}},
	}
}

func takeOffersSchema() obj {
	return obj{
		{"description", "Offers this file takes, by name: their lines become the file's lines, with the same addresses as lines written here. A line written here of the same kind and name overrides the offer's line field by field."},
		{"type", "array"},
		{"items", obj{{"type", "string"}}},
		{"uniqueItems", true},
	}
}

// offer is one declared offer.
type offer struct {
	name string
	pos  Pos
	// lines are the offer's lines as objects without a parent (partial:
	// required fields are checked once merged into a file).
	lines []*Object
}

// offerUse is a customer file taking offers by name.
type offerUse struct {
	file  *Object
	names []Ref
}

// offerDecls builds the offers of one document's `offers:` mapping.
func (b *builder) offerDecls(t *tnode) {
	if t == nil || t.kind != nMap || b.bad[t] {
		return
	}
	b.partial = true
	defer func() { b.partial = false }()
	for _, e := range t.entries {
		o := &offer{name: e.key, pos: b.pos(e.line, e.col)}
		if !validName(e.key) {
			b.errorf(nil, e.line, e.col, "use letters, digits, _ and - only",
				"invalid local name %q for an offer", e.key)
		}
		if e.val.kind == nMap && !b.bad[e.val] {
			o.lines = b.collections(lineSpecs(), nil, e.val)
		}
		for _, l := range o.lines {
			l.Offer = e.key // named in messages about the line
		}
		b.offers = append(b.offers, o)
	}
}

// takeOffers records the offers a customer file takes (its `offers:`
// list), resolved once the set is assembled.
func (b *builder) takeOffers(file *Object, e *entry) {
	u := offerUse{file: file}
	if e.val.kind == nSeq && !b.bad[e.val] {
		seen := map[string]bool{}
		for _, v := range e.val.items {
			if v.kind != nScalar || v.sk != sString {
				continue // reported by the schema
			}
			if seen[v.text] {
				b.errorf(file, v.line, v.col, "list each offer once", "%s lists offer %q twice", OffersKey, v.text)
				continue
			}
			seen[v.text] = true
			u.names = append(u.names, Ref{Name: v.text, Pos: b.pos(v.line, v.col)})
		}
	}
	b.uses = append(b.uses, u)
}

// lineKey identifies a line within a file: its kind and name.
type lineKey struct {
	kind resource.Kind
	name string
}

// expandOffers checks the offers' names across the set and turns every
// use of an offer into the file's lines. It runs after references are
// resolved, so that expanded lines share the offer's resolved references.
func expandOffers(results []fileResult, broken bool, dirty map[*Object]bool) []Diagnostic {
	var diags []Diagnostic
	byName := map[string]*offer{}
	var names []string
	for _, r := range results {
		for _, o := range r.b.offers {
			if first, dup := byName[o.name]; dup {
				diags = append(diags, Diagnostic{
					Pos:     o.pos,
					Message: fmt.Sprintf("offer %q is declared twice (first at %s)", o.name, first.pos),
					Hint:    "offer names must be unique across the manifest set: rename or remove one",
				})
				continue
			}
			byName[o.name] = o
			names = append(names, o.name)
		}
	}
	slices.Sort(names) // ties of did-you-mean go to the first name
	for _, r := range results {
		for _, u := range r.b.uses {
			diags = append(diags, expandFile(u, byName, names, broken, dirty)...)
		}
	}
	return diags
}

// expandFile gives file u.file the lines of the offers it takes, merged
// with its own lines of the same kind and name, then checks the merged
// lines as a file's lines are checked.
func expandFile(u offerUse, byName map[string]*offer, names []string, broken bool, dirty map[*Object]bool) []Diagnostic {
	var diags []Diagnostic
	file := u.file
	own := make(map[lineKey]*Object, len(file.Children))
	for _, c := range file.Children {
		own[lineKey{c.Kind, c.Name}] = c
	}
	unsure := false // an offer is unknown or conflicts: lines may be missing
	from := map[lineKey]*offer{}
	fromLine := map[lineKey]*Object{}
	overridden := map[*Object]bool{}
	lines := make([]*Object, 0, len(file.Children))
	for _, ref := range u.names {
		off := byName[ref.Name]
		if off == nil {
			dirty[file], unsure = true, true
			if broken {
				continue // it may be declared in the file that failed
			}
			hint := "declare it under offers: in a file of the manifest set"
			if best := nearest(ref.Name, names); best != "" {
				hint = fmt.Sprintf("did you mean %q?", best)
			}
			diags = append(diags, Diagnostic{
				Pos:     ref.Pos,
				Message: fmt.Sprintf("customer file %q takes unknown offer %q", file.Name, ref.Name),
				Hint:    hint,
			})
			continue
		}
		for _, ol := range off.lines {
			k := lineKey{ol.Kind, ol.Name}
			if first := from[k]; first != nil {
				dirty[file], unsure = true, true
				diags = append(diags, Diagnostic{
					Pos: ref.Pos,
					Message: fmt.Sprintf("customer file %q gets %s %q from two offers: %q (at %s) and %q (at %s)",
						file.Name, ol.Spec().Title, ol.Name, first.name, fromLine[k].Pos, off.name, ol.Pos),
					Hint: "rename the line in one of the offers, or take only one of them",
				})
				continue
			}
			from[k], fromLine[k] = off, ol
			ov := own[k]
			if ov != nil {
				overridden[ov] = true
			}
			m := merge(file, off.name, ol, ov)
			if dirty[ol] || (ov != nil && dirty[ov]) {
				dirty[file], dirty[m] = true, true
			}
			lines = append(lines, m)
		}
	}
	for _, c := range file.Children {
		if !overridden[c] {
			lines = append(lines, c)
		}
	}
	file.Children = lines
	for _, l := range lines {
		if dirty[l] || unsure {
			continue
		}
		k := lineKey{l.Kind, l.Name}
		diags = append(diags, complete(l, from[k], fromLine[k])...)
		diags = append(diags, ordered(l, from[k])...)
	}
	if !dirty[file] {
		for _, group := range byKind(lines) {
			if group[0].Spec().MatchAllFields {
				diags = append(diags, identical(group)...)
			}
		}
	}
	return diags
}

// merge returns the line of offer name ol as a line of file, overridden
// field by field by the file's own line ov (nil when there is none). The
// offer's maps are shared, not copied, when nothing overrides them: every
// value keeps the position where it is written.
func merge(file *Object, name string, ol, ov *Object) *Object {
	m := &Object{
		Kind:   ol.Kind,
		Name:   ol.Name,
		Addr:   Address(file, ol.Kind, ol.Name),
		Pos:    ol.Pos,
		Parent: file,
		Fields: ol.Fields,
		Refs:   ol.Refs,
		Lists:  ol.Lists,
		Extra:  ol.Extra,
		Offer:  name,
	}
	if ov == nil {
		return m
	}
	m.Pos = ov.Pos
	m.OfferPos = ol.Pos
	for _, f := range ov.Spec().Fields {
		_, isField := ov.Fields[f.Name]
		_, isRef := ov.Refs[f.Name]
		if isField || isRef {
			m.Overrides = append(m.Overrides, f.Name)
		}
	}
	for _, x := range ov.Extra {
		m.Overrides = append(m.Overrides, resource.ExtraKey+"."+x.Key)
	}
	if len(ov.Fields) > 0 {
		m.Fields = make(map[string]Value, len(ol.Fields)+len(ov.Fields))
		for k, v := range ol.Fields {
			m.Fields[k] = v
		}
		for k, v := range ov.Fields {
			m.Fields[k] = v
		}
	}
	if len(ov.Refs) > 0 {
		// An item given by name replaces one given by id, and the other
		// way round: both are the field's one reference.
		m.Refs = make(map[string]Ref, len(ol.Refs)+len(ov.Refs))
		for k, v := range ol.Refs {
			m.Refs[k] = v
		}
		for k, v := range ov.Refs {
			m.Refs[k] = v
		}
	}
	if len(ov.Extra) > 0 {
		m.Extra = make([]Extra, 0, len(ol.Extra)+len(ov.Extra))
		for _, x := range ol.Extra {
			if !slices.ContainsFunc(ov.Extra, func(y Extra) bool { return y.Key == x.Key }) {
				m.Extra = append(m.Extra, x)
			}
		}
		m.Extra = append(m.Extra, ov.Extra...)
	}
	return m
}

// where names the places a merged line comes from, for messages: its
// offer's line, and the file's line that overrides it.
func where(l *Object, off *offer) string {
	switch {
	case off == nil:
		return ""
	case l.OfferPos.Line != 0:
		return fmt.Sprintf(" (overriding offer %q's line at %s)", off.name, l.OfferPos)
	}
	return fmt.Sprintf(" (from offer %q)", off.name)
}

// complete checks the fields required of a line on the merged line (the
// schema cannot: parts of a line may come from an offer).
func complete(l *Object, off *offer, ol *Object) []Diagnostic {
	var diags []Diagnostic
	s := l.Spec()
	what := fmt.Sprintf("%s %q%s", s.Title, l.Name, where(l, off))
	for _, f := range s.Fields {
		if !f.Required {
			continue
		}
		if f.Type == resource.Reference {
			if _, ok := l.Refs[f.Name]; !ok {
				target := kindTitle(f.Target)
				diags = append(diags, Diagnostic{
					Pos:     l.Pos,
					Message: fmt.Sprintf("%s needs %s or %s", what, f.Name, f.IDName),
					Hint:    fmt.Sprintf("add %s: NAME (%s of this manifest set) or %s: ID (an existing %s)", f.Name, a(target), f.IDName, target),
				})
			}
			continue
		}
		if _, ok := l.Fields[f.Name]; !ok {
			diags = append(diags, Diagnostic{
				Pos:     l.Pos,
				Message: fmt.Sprintf("%s is missing required field %q", what, f.Name),
				Hint:    fmt.Sprintf("add %s: <%s>", f.Name, lowerFirst(firstSentence(f.Description))),
			})
		}
	}
	if len(diags) > 0 && off == nil {
		for i := range diags {
			diags[i].Hint += ", or take an offer that has the line"
		}
	}
	return diags
}

// ordered checks date order on the merged line (the dates may come from
// the offer and the override).
func ordered(l *Object, off *offer) []Diagnostic {
	var diags []Diagnostic
	for _, f := range l.Spec().Fields {
		if f.After == "" {
			continue
		}
		v, ok1 := l.Fields[f.Name]
		first, ok2 := l.Fields[f.After]
		if ok1 && ok2 && v.Text <= first.Text {
			diags = append(diags, Diagnostic{
				Pos:     v.Pos,
				Message: fmt.Sprintf("%s %s must be after %s %s%s", f.Name, v.Text, f.After, first.Text, where(l, off)),
				Hint:    fmt.Sprintf("set %s later than %s %s (at %s)", f.Name, f.After, first.Text, first.Pos),
			})
		}
	}
	return diags
}
