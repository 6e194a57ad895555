package manifest

import (
	"fmt"
	"unicode"

	"github.com/onboardhq/onboard/pkg/resource"
)

// builder turns the documents of one file into objects, checking every
// field against the table. References by local name are recorded and
// resolved once every file is built.
type builder struct {
	file  string
	diags []Diagnostic
	// bad holds nodes whose type the schema rejected (already reported).
	bad map[*tnode]bool
	// top holds the file's top-level objects in the order written.
	top []*Object
	// refs are the local references to resolve across the set.
	refs []pendingRef
	// dirty marks objects with a problem of their own; they are left out
	// of the duplicate checks, which would only add noise.
	dirty map[*Object]bool
	// offers are the offers the file declares; uses, its customer files
	// that take offers.
	offers []*offer
	uses   []offerUse
	// partial is set while building lines that may be parts of a line
	// (an offer's, or a file's that takes offers): what spans the parts
	// is checked once they are merged (expandOffers).
	partial bool
	// removed holds the file's `removed:` entries (removed.go).
	removed []Removal
}

// pendingRef is a reference by local name, resolved after all files.
type pendingRef struct {
	obj   *Object
	field resource.Field
}

func newBuilder(file string) *builder {
	return &builder{file: file, dirty: map[*Object]bool{}}
}

func (b *builder) pos(line, col int32) Pos {
	return Pos{File: b.file, Line: int(line), Col: int(col)}
}

func (b *builder) errorf(o *Object, line, col int32, hint, format string, args ...any) {
	if o != nil {
		b.dirty[o] = true
	}
	b.diags = append(b.diags, Diagnostic{Pos: b.pos(line, col), Message: fmt.Sprintf(format, args...), Hint: hint})
}

// document builds the top-level objects of one document.
func (b *builder) document(root *tnode, bad map[*tnode]bool) {
	b.bad = bad
	if root.kind != nMap {
		return
	}
	b.top = append(b.top, b.collections(resource.TopLevel(), nil, root)...)
	b.siblings(b.top, false)
	if e := root.entry(OffersKey); e != nil {
		b.offerDecls(e.val)
	}
	b.removedList(root)
}

// collections builds the objects of the collections of kinds specs found
// in node (a document root, or an object nesting others), in order.
func (b *builder) collections(specs []*resource.Spec, parent *Object, node *tnode) []*Object {
	var out []*Object
	for _, e := range node.entries {
		s := specByCollection(specs, e.key)
		if s == nil || e.val.kind != nMap {
			continue
		}
		for i := range e.val.entries {
			out = append(out, b.object(s, parent, &e.val.entries[i]))
		}
	}
	return out
}

// object builds one object from its entry in a collection.
func (b *builder) object(s *resource.Spec, parent *Object, e *entry) *Object {
	o := &Object{
		Kind:   s.Kind,
		Name:   e.key,
		Addr:   Address(parent, s.Kind, e.key),
		Pos:    b.pos(e.line, e.col),
		Parent: parent,
		// Sized up front: growing tens of thousands of small maps is
		// a visible share of loading a large set.
		Fields: make(map[string]Value, len(e.val.entries)),
		Refs:   make(map[string]Ref, refCount(s)),
	}
	if !validName(e.key) {
		b.errorf(o, e.line, e.col, "use letters, digits, _ and - only (dots separate the parts of an address)",
			"invalid local name %q for %s", e.key, a(s.Title))
	}
	t := e.val
	if t.kind != nMap {
		return o // reported by the schema
	}
	for _, f := range s.Fields {
		if f.Type == resource.Reference {
			b.reference(o, f, t)
			continue
		}
		if f.Type == resource.ReferenceList {
			b.referenceList(o, f, t)
			continue
		}
		fe := t.entry(f.Name)
		if fe == nil || b.bad[fe.val] || fe.val.kind != nScalar {
			continue
		}
		if v, ok := b.value(o, f, fe.val); ok {
			o.Fields[f.Name] = v
		}
	}
	if !b.partial {
		b.order(o, s)
	} else {
		// A part with a value the schema rejected lacks that field:
		// checking the merged line would report it missing as well.
		for _, e := range t.entries {
			if b.bad[e.val] {
				b.dirty[o] = true
			}
		}
	}
	if xe := t.entry(resource.ExtraKey); xe != nil && !b.bad[xe.val] && xe.val.kind == nMap {
		b.extra(o, s, xe.val)
	}
	if s.Kind == offerHolder {
		if oe := t.entry(OffersKey); oe != nil {
			b.takeOffers(o, oe)
			b.partial = true
			o.Children = b.collections(s.Children(), o, t)
			b.partial = false
			return o // its lines are checked once merged
		}
	}
	o.Children = b.collections(s.Children(), o, t)
	b.siblings(o.Children, true)
	return o
}

// reference reads a reference given by local name or by id. Both, or
// neither when required, is reported by the schema.
func (b *builder) reference(o *Object, f resource.Field, t *tnode) {
	byName, byID := t.entry(f.Name), t.entry(f.IDName)
	// A line without its item is not compared with its siblings: it says
	// too little. A part of a line (b.partial) is not dirty for it: the
	// merged line is checked whole (expandOffers).
	if (byName != nil && byID != nil) || (byName == nil && byID == nil && f.Required && !b.partial) {
		b.dirty[o] = true
		return
	}
	switch {
	case byName != nil:
		v := byName.val
		if b.bad[v] || v.kind != nScalar || v.sk != sString {
			return
		}
		o.Refs[f.Name] = Ref{Name: v.text, Pos: b.pos(v.line, v.col)}
		b.refs = append(b.refs, pendingRef{obj: o, field: f})
	case byID != nil:
		v := byID.val
		if b.bad[v] || v.kind != nScalar {
			return
		}
		if b.integer(o, f.IDName, v, true) {
			o.Refs[f.Name] = Ref{ID: v.text, Pos: b.pos(v.line, v.col)}
		}
	}
}

// order checks that a date field comes strictly after the date it names
// (renewal_date after activation_date).
func (b *builder) order(o *Object, s *resource.Spec) {
	for _, f := range s.Fields {
		if f.After == "" {
			continue
		}
		v, ok1 := o.Fields[f.Name]
		first, ok2 := o.Fields[f.After]
		// Valid dates in YYYY-MM-DD compare as text.
		if ok1 && ok2 && v.Text <= first.Text {
			b.errorf(o, int32(v.Pos.Line), int32(v.Pos.Col),
				fmt.Sprintf("set %s later than %s %s (at %s)", f.Name, f.After, first.Text, first.Pos),
				"%s %s must be after %s %s", f.Name, v.Text, f.After, first.Text)
		}
	}
}

// refCount is the number of reference fields of kind s.
func refCount(s *resource.Spec) int {
	n := 0
	for _, f := range s.Fields {
		if f.Type == resource.Reference {
			n++
		}
	}
	return n
}

// validName reports whether s can be a local name: unicode letters (with
// their combining marks), digits, '_' and '-'. Dots are address separators.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			return false
		}
	}
	return true
}
