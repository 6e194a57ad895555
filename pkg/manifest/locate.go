package manifest

import (
	"fmt"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// located is a place in a document, found from a schema error's instance
// location, described in terms of the resource table.
type located struct {
	// spec and name are the innermost object containing the place (nil
	// at the top of the file); line/col is the object's key.
	spec      *resource.Spec
	name      string
	line, col int32
	// coll is set when the place is a collection (families, files, ...).
	coll *resource.Spec
	// rest is the path below the innermost object (a field name, extra).
	rest []string
	// node is the value at the place (nil if the path does not resolve).
	node *tnode
	// offer names the offer the place is in ("" outside offers).
	offer string
}

// locate walks an instance location (JSON pointer tokens) down the tree,
// following the table's nesting of collections and objects.
func locate(root *tnode, loc []string) located {
	l := located{node: root, line: root.line, col: root.col}
	kinds := resource.TopLevel()
	i := 0
	if len(loc) >= 2 && loc[0] == OffersKey {
		e := root.get(OffersKey).entry(loc[1])
		if e == nil {
			l.node = nil
			return l
		}
		l.offer, l.line, l.col, l.node = loc[1], e.line, e.col, e.val
		kinds = lineSpecs()
		i = 2
	}
	for i < len(loc) {
		coll := specByCollection(kinds, loc[i])
		if coll == nil {
			break
		}
		collNode := l.node.get(loc[i])
		if i+1 == len(loc) {
			l.coll, l.node = coll, collNode
			return l
		}
		e := collNode.entry(loc[i+1])
		if e == nil {
			l.node = nil
			return l
		}
		l.spec, l.name, l.line, l.col, l.node = coll, loc[i+1], e.line, e.col, e.val
		kinds = coll.Children()
		i += 2
	}
	l.rest = loc[i:]
	for _, k := range l.rest {
		switch {
		case l.node == nil:
		case l.node.kind == nMap:
			l.node = l.node.get(k)
		case l.node.kind == nSeq:
			var idx int
			if _, err := fmt.Sscan(k, &idx); err == nil && idx >= 0 && idx < len(l.node.items) {
				l.node = l.node.items[idx]
			} else {
				l.node = nil
			}
		default:
			l.node = nil
		}
	}
	return l
}

func specByCollection(kinds []*resource.Spec, key string) *resource.Spec {
	for _, s := range kinds {
		if s.Collection == key {
			return s
		}
	}
	return nil
}

// pos is where an object-level problem is reported: the object's key, or
// the start of the document at the top.
func (l located) pos() (int32, int32) {
	return l.line, l.col
}

// what names the innermost object: `item "sip"`, or the file at the top.
func (l located) what() string {
	switch {
	case l.spec == nil && l.offer != "":
		return fmt.Sprintf("offer %q", l.offer)
	case l.spec == nil:
		return "the manifest file"
	case l.offer != "":
		return fmt.Sprintf("%s %q of offer %q", l.spec.Title, l.name, l.offer)
	}
	return fmt.Sprintf("%s %q", l.spec.Title, l.name)
}

// collWhat names a collection: `customers`, or `files of customer "acme"`.
func (l located) collWhat() string {
	if l.spec == nil && l.offer != "" {
		return fmt.Sprintf("%s of offer %q", l.coll.Collection, l.offer)
	}
	if l.spec == nil {
		return l.coll.Collection
	}
	return fmt.Sprintf("%s of %s", l.coll.Collection, l.what())
}

// allowedKeys lists the keys the schema allows at an object (or at the top).
func (l located) allowedKeys() []string {
	var keys []string
	switch {
	case l.spec == nil && l.offer != "":
		for _, s := range lineSpecs() {
			keys = append(keys, s.Collection)
		}
	case l.spec == nil:
		for _, s := range resource.TopLevel() {
			keys = append(keys, s.Collection)
		}
		keys = append(keys, OffersKey)
	default:
		keys = objectKeys(l.spec)
	}
	return keys
}

// objectKeys lists the keys of an object of kind s, in table order.
func objectKeys(s *resource.Spec) []string {
	var keys []string
	for _, f := range s.Fields {
		keys = append(keys, f.Name)
		if f.IsRef() {
			keys = append(keys, f.IDName)
		}
	}
	keys = append(keys, resource.ExtraKey)
	for _, c := range s.Children() {
		keys = append(keys, c.Collection)
	}
	if s.Kind == offerHolder {
		keys = append(keys, OffersKey)
	}
	return keys
}

// unknownKeyHint says how to fix an unknown key: the nearest allowed key,
// where the key belongs instead, or what is allowed.
func unknownKeyHint(s *resource.Spec, key string, allowed []string) string {
	if s != nil && s.Parent != nil {
		p := s.Parent
		_, isConst := p.QueryConst[key]
		if key == p.BodyField || key == p.QueryField || isConst {
			return fmt.Sprintf("onboard sets %s from the enclosing %s: remove it", key, kindTitle(p.Kind))
		}
	}
	if best := nearest(key, allowed); best != "" {
		return fmt.Sprintf("did you mean %q?", best)
	}
	for _, other := range resource.All() {
		if other.Collection == key && other.Parent != nil && (s == nil || other.Parent.Kind != s.Kind) {
			return fmt.Sprintf("%s belong under %s", key, collectionPath(other))
		}
	}
	if s == nil {
		return "a manifest file holds " + strings.Join(allowed, ", ")
	}
	return fmt.Sprintf("fields of %s: %s; other API fields go under %s:", a(s.Title), strings.Join(allowed, ", "), resource.ExtraKey)
}

// collectionPath spells where a collection lives:
// customers.<customer>.files.<file>.licences.
func collectionPath(s *resource.Spec) string {
	if s.Parent == nil {
		return s.Collection
	}
	p := resource.Get(s.Parent.Kind)
	if p == nil {
		return s.Collection
	}
	return fmt.Sprintf("%s.<%s>.%s", collectionPath(p), p.Kind, s.Collection)
}

func kindTitle(k resource.Kind) string {
	if s := resource.Get(k); s != nil {
		return s.Title
	}
	return string(k)
}

// describeValue renders a value for "got ..." in messages.
func describeValue(t *tnode) string {
	switch t.kind {
	case nMap:
		return "a mapping"
	case nSeq:
		return "a list"
	}
	switch t.sk {
	case sInt, sFloat:
		return "number " + shorten(t.text)
	case sBool:
		return "boolean " + t.text
	case sNull:
		return "an empty value"
	}
	return fmt.Sprintf("string %q", shorten(t.text))
}

func shorten(s string) string {
	const max = 40
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// expectation says what field f (written as key) takes, for a type error,
// with a hint suited to what was written.
func expectation(f resource.Field, key string, got *tnode) (want, hint string) {
	if got.kind == nScalar && got.sk == sNull {
		hint = "give a value or remove the field"
	}
	target := kindTitle(f.Target)
	if f.Type == resource.ReferenceList {
		if key == f.IDName {
			return fmt.Sprintf("a list of ids of existing %ss", target), orHint(hint, fmt.Sprintf("write %s: [ID, ...], like [12, 15]", key))
		}
		return fmt.Sprintf("a list of local names of %ss of the same %s, like [billing, tech]", target, kindTitle(f.Scope)),
			orHint(hint, fmt.Sprintf("write %s: [NAME, ...]", key))
	}
	if f.Type == resource.Reference {
		if key == f.IDName {
			if got.kind == nScalar && got.sk == sString {
				hint = fmt.Sprintf("to refer to the %s declared as %q in this manifest set, write %s: %s", target, got.text, f.Name, got.text)
			}
			return fmt.Sprintf("the id of an existing %s (a whole number)", target), orHint(hint, fmt.Sprintf("write %s: ID, like %s: 42", key, key))
		}
		if got.kind == nScalar && (got.sk == sInt || got.sk == sFloat) {
			hint = fmt.Sprintf("to refer to an existing %s by id, write %s: %s", target, f.IDName, got.text)
		}
		return fmt.Sprintf("the local name of %s", a(target)), orHint(hint, fmt.Sprintf("write %s: NAME, the local name of %s of this manifest set", key, a(target)))
	}
	quotedNumber := got.kind == nScalar && got.sk == sString && looksNumeric(got.text)
	switch f.Type {
	case resource.String:
		if got.kind == nScalar && got.sk == sBool {
			hint = fmt.Sprintf("quote it if you mean the text: %q", got.text)
		}
		return "a string", orHint(hint, fmt.Sprintf("write the text on one line after %s: (quoted if it holds a colon)", key))
	case resource.Integer:
		switch {
		case quotedNumber:
			hint = "remove the quotes"
		case got.kind == nScalar && got.sk == sFloat:
			hint = "write a whole number, like 1 or 2"
		}
		return "a whole number", orHint(hint, fmt.Sprintf("write %s: N with digits only, like %s: 12", key, key))
	case resource.Decimal:
		if quotedNumber {
			hint = "remove the quotes: amounts are written as plain numbers, like 19.90"
		}
		return "a number", orHint(hint, fmt.Sprintf("write %s as a plain number, like 5 or 19.90", key))
	case resource.Boolean:
		return "true or false", orHint(hint, "write true or false")
	case resource.Date:
		if hint == "" {
			hint = "write the date as YYYY-MM-DD, e.g. 2026-04-01"
		}
		return "a date (YYYY-MM-DD)", hint
	}
	return f.Type.String(), hint
}

func looksNumeric(s string) bool {
	_, ok := canonFloat(strings.TrimSpace(s))
	return ok && strings.TrimSpace(s) != ""
}

// a prefixes a noun with its indefinite article.
func a(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// orHint is hint, or def when there is none: every type error says how to
// fix it.
func orHint(hint, def string) string {
	if hint == "" {
		return def
	}
	return hint
}
