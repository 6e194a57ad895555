package manifest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/schemas"
)

var compiled = sync.OnceValues(func() (*jsonschema.Schema, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(schemas.Manifest))
	if err != nil {
		return nil, fmt.Errorf("reading the embedded manifest schema: %w", err)
	}
	// The value rules are in the schema for editors; Load checks them in
	// exact decimals itself and would discard the schema's verdict, so
	// they are not evaluated here (a measurable share of validation time).
	doc = withoutKeywords(doc, valueKeywords)
	c := jsonschema.NewCompiler()
	if err := c.AddResource(SchemaID, doc); err != nil {
		return nil, fmt.Errorf("loading the embedded manifest schema: %w", err)
	}
	s, err := c.Compile(SchemaID)
	if err != nil {
		return nil, fmt.Errorf("compiling the embedded manifest schema: %w", err)
	}
	return s, nil
})

// valueKeywords are the schema keywords of value rules (see GenerateSchema).
var valueKeywords = map[string]bool{"minimum": true, "exclusiveMinimum": true, "maximum": true, "exclusiveMaximum": true, "format": true, "pattern": true, "multipleOf": true}

// withoutKeywords returns a copy of a schema document without the given
// keywords. Only schema objects are visited: "properties" maps and
// "required" lists name fields, never keywords, so they are copied as is.
func withoutKeywords(v any, drop map[string]bool) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			switch {
			case drop[k]:
			case k == "properties" || k == "$defs":
				m, _ := x.(map[string]any)
				sub := make(map[string]any, len(m))
				for name, s := range m {
					sub[name] = withoutKeywords(s, drop)
				}
				out[k] = sub
			default:
				out[k] = withoutKeywords(x, drop)
			}
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = withoutKeywords(x, drop)
		}
		return out
	}
	return v
}

// instance renders a tree as the JSON value the schema validates: numbers
// as json.Number (never float64), dates and other strings as strings.
func instance(t *tnode) any {
	switch t.kind {
	case nMap:
		m := make(map[string]any, len(t.entries))
		for _, e := range t.entries {
			m[e.key] = instance(e.val)
		}
		return m
	case nSeq:
		s := make([]any, len(t.items))
		for i, v := range t.items {
			s[i] = instance(v)
		}
		return s
	}
	switch t.sk {
	case sInt, sFloat:
		if t.canon == "" {
			// .inf and .nan: a number to the schema; the typed field
			// checks reject them with a better message.
			return json.Number("0")
		}
		return json.Number(t.canon)
	case sBool:
		return t.canon == "true"
	case sNull:
		return nil
	}
	return t.text
}

// schemaCheck validates one document and turns the schema's errors into
// diagnostics. It returns the nodes whose type the schema rejected, so
// that later checks skip them instead of reporting them twice.
func schemaCheck(file string, root *tnode) ([]Diagnostic, map[*tnode]bool, error) {
	s, err := compiled()
	if err != nil {
		return nil, nil, err
	}
	err = s.Validate(instance(root))
	if err == nil {
		return nil, nil, nil
	}
	var ve *jsonschema.ValidationError
	if !errors.As(err, &ve) {
		return nil, nil, fmt.Errorf("validating %s: %w", file, err)
	}
	m := &schemaMapper{file: file, root: root, bad: map[*tnode]bool{}, refsDone: map[*tnode]bool{}}
	m.walk(ve)
	return m.diags, m.bad, nil
}

// schemaMapper turns the schema's errors into diagnostics, positioned
// from the instance locations (never from the library's messages).
type schemaMapper struct {
	file     string
	root     *tnode
	diags    []Diagnostic
	bad      map[*tnode]bool
	refsDone map[*tnode]bool
}

func (m *schemaMapper) add(line, col int32, hint, format string, args ...any) {
	m.diags = append(m.diags, Diagnostic{
		Pos:     Pos{File: m.file, Line: int(line), Col: int(col)},
		Message: fmt.Sprintf(format, args...),
		Hint:    hint,
	})
}

// walk handles an error by its kind; errors that only group others
// (the root, $ref, allOf) are descended into.
func (m *schemaMapper) walk(e *jsonschema.ValidationError) {
	if len(e.InstanceLocation) > 0 && e.InstanceLocation[0] == RemovedKey && len(e.Causes) == 0 {
		m.removed(e)
		return
	}
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		m.unknown(locate(m.root, e.InstanceLocation), k.Properties)
		return
	case *kind.Required:
		m.missing(locate(m.root, e.InstanceLocation), k.Missing)
		return
	case *kind.Type:
		m.wrongType(locate(m.root, e.InstanceLocation))
		return
	case *kind.OneOf, *kind.Not, *kind.AnyOf:
		m.refRules(locate(m.root, e.InstanceLocation))
		return
	case *kind.Minimum, *kind.ExclusiveMinimum, *kind.Maximum, *kind.ExclusiveMaximum, *kind.Format, *kind.UniqueItems, *kind.Enum:
		// Value rules: reported by the typed field checks, in exact
		// decimals and with better messages (a name listed twice, at
		// the repeat).
		return
	}
	if len(e.Causes) == 0 {
		// Not produced by the generated schema; kept so that nothing is
		// ever silently accepted.
		l := locate(m.root, e.InstanceLocation)
		line, col := l.pos()
		m.add(line, col, "compare it with the manifest schema: onboard schema", "%s does not match the manifest schema (%s)", l.what(), strings.Join(e.ErrorKind.KeywordPath(), "/"))
		return
	}
	for _, c := range e.Causes {
		m.walk(c)
	}
}

// removed reports a problem with the shape of the `removed:` list, at the
// entry (or the value) it is about.
func (m *schemaMapper) removed(e *jsonschema.ValidationError) {
	loc := e.InstanceLocation
	node := m.root
	for _, k := range loc {
		switch {
		case node == nil:
		case node.kind == nMap:
			node = node.get(k)
		case node.kind == nSeq:
			var idx int
			if _, err := fmt.Sscan(k, &idx); err == nil && idx >= 0 && idx < len(node.items) {
				node = node.items[idx]
			} else {
				node = nil
			}
		default:
			node = nil
		}
	}
	if node == nil {
		node = m.root
	}
	m.bad[node] = true
	const hint = "each entry is {address: ADDRESS, then: deactivate|stop|delete|forget, date: YYYY-MM-DD (for stop)}"
	switch k := e.ErrorKind.(type) {
	case *kind.AdditionalProperties:
		for _, key := range k.Properties {
			if en := node.entry(key); en != nil {
				h := hint
				if best := nearest(key, []string{"address", "then", "date"}); best != "" {
					h = fmt.Sprintf("did you mean %q?", best)
				}
				m.add(en.line, en.col, h, "unknown field %q in a removed: entry", key)
			}
		}
	case *kind.Required:
		for _, f := range k.Missing {
			m.add(node.line, node.col, hint, "a removed: entry is missing required field %q", f)
		}
	case *kind.Minimum, *kind.ExclusiveMinimum, *kind.Maximum, *kind.ExclusiveMaximum, *kind.Format, *kind.Enum:
		delete(m.bad, node) // checked, with better messages, by the builder
	case *kind.Type:
		what := "removed:"
		if len(loc) > 2 {
			what = "removed: " + loc[len(loc)-1]
		} else if len(loc) == 2 {
			what = "a removed: entry"
		}
		m.add(node.line, node.col, hint, "%s must be %s", what, strings.Join(k.Want, " or "))
	default:
		m.add(node.line, node.col, hint, "removed: does not match the manifest schema (%s)", strings.Join(e.ErrorKind.KeywordPath(), "/"))
	}
}

// unknown reports keys the schema does not allow, each at its own key.
func (m *schemaMapper) unknown(l located, keys []string) {
	allowed := l.allowedKeys()
	if l.node == nil || l.node.kind != nMap {
		return
	}
	byKey := make(map[string]*entry, len(l.node.entries))
	for i := range l.node.entries {
		byKey[l.node.entries[i].key] = &l.node.entries[i]
	}
	for _, k := range keys {
		e := byKey[k]
		if e == nil {
			continue
		}
		if l.spec == nil && l.offer != "" {
			hint := "an offer holds " + strings.Join(allowed, ", ")
			if best := nearest(k, allowed); best != "" {
				hint = fmt.Sprintf("did you mean %q?", best)
			}
			m.add(e.line, e.col, hint, "unknown key %q in %s", k, l.what())
			continue
		}
		hint := unknownKeyHint(l.spec, k, allowed)
		if l.spec == nil {
			m.add(e.line, e.col, hint, "unknown top-level key %q", k)
			continue
		}
		m.add(e.line, e.col, hint, "unknown field %q in %s", k, l.what())
	}
}

// missing reports required fields at the object's key, except one that
// a misspelt key of the object stands for: its unknown-field diagnostic
// says "did you mean" it, which is the one fix.
func (m *schemaMapper) missing(l located, fields []string) {
	line, col := l.pos()
	for _, name := range fields {
		if l.misspelt(name) {
			continue
		}
		hint := ""
		if l.spec != nil {
			if f, ok := l.spec.Field(name); ok {
				hint = fmt.Sprintf("add %s: <%s>", name, lowerFirst(firstSentence(f.Description)))
			}
		}
		m.add(line, col, hint, "%s is missing required field %q", l.what(), name)
	}
}

// refRules reports, for every reference of the object, a missing required
// reference or one given both by local name and by id.
func (m *schemaMapper) refRules(l located) {
	if l.spec == nil || l.node == nil || l.node.kind != nMap || m.refsDone[l.node] {
		return
	}
	m.refsDone[l.node] = true
	for _, f := range l.spec.Fields {
		if f.Type != resource.Reference {
			continue
		}
		byName, byID := l.node.entry(f.Name), l.node.entry(f.IDName)
		target := kindTitle(f.Target)
		switch {
		case byName != nil && byID != nil:
			at := byID
			if posLess(byID, byName) {
				at = byName
			}
			m.add(at.line, at.col,
				fmt.Sprintf("keep %s (%s of this manifest set) or %s (the id of an existing %s), not both", f.Name, a(target), f.IDName, target),
				"%s sets both %s and %s", l.what(), f.Name, f.IDName)
		case f.Required && byName == nil && byID == nil && !l.misspelt(f.Name) && !l.misspelt(f.IDName):
			line, col := l.pos()
			m.add(line, col,
				fmt.Sprintf("add %s: NAME (%s of this manifest set) or %s: ID (an existing %s)", f.Name, a(target), f.IDName, target),
				"%s needs %s or %s", l.what(), f.Name, f.IDName)
		}
	}
}

// misspelt reports whether the object has an unknown key whose nearest
// allowed key is name (the did-you-mean of its unknown-field diagnostic).
func (l located) misspelt(name string) bool {
	if l.node == nil || l.node.kind != nMap {
		return false
	}
	allowed := l.allowedKeys()
	for _, e := range l.node.entries {
		if slices.Contains(allowed, e.key) {
			continue
		}
		if nearest(e.key, allowed) == name {
			return true
		}
	}
	return false
}

func posLess(a, b *entry) bool {
	return a.line < b.line || (a.line == b.line && a.col < b.col)
}

// wrongType reports a value of the wrong JSON type, saying what the table
// expects there.
func (m *schemaMapper) wrongType(l located) {
	if l.node == nil {
		return
	}
	m.bad[l.node] = true
	if l.node.reported {
		return // the value's own problem was reported while reading YAML
	}
	line, col := l.node.line, l.node.col
	got := describeValue(l.node)
	switch {
	case l.spec == nil && l.offer != "" && l.coll == nil:
		m.add(line, col, "write the offer's lines under licences:, initials: or recurrings:",
			"%s must be a mapping of lines, got %s", l.what(), got)
	case l.spec == nil && l.coll == nil && len(l.rest) == 1 && l.rest[0] == OffersKey:
		m.add(line, col, "write each offer under its name: offers: {NAME: {recurrings: {...}}}",
			"offers must be a mapping from offer name to its lines, got %s", got)
	case l.spec != nil && len(l.rest) >= 1 && l.rest[0] == OffersKey:
		m.add(line, col, "write the names of offers declared under offers:, like offers: [sip-pack]",
			"offers of %s must be a list of offer names, got %s", l.what(), got)
	case l.spec == nil && len(l.rest) == 0 && l.coll == nil:
		m.add(line, col, "start the file with families:, items: or customers:",
			"a manifest file must be a mapping of families, items and customers, got %s", got)
	case l.coll != nil:
		m.add(line, col, fmt.Sprintf("write each %s under its local name: %s: {NAME: {...}}", l.coll.Title, l.coll.Collection),
			"%s must be a mapping from local name to %s, got %s", l.collWhat(), l.coll.Title, got)
	case len(l.rest) == 0:
		m.add(line, col, fmt.Sprintf("write the %s's fields under %s:", l.spec.Title, l.name),
			"%s must be a mapping of fields, got %s", l.what(), got)
	case len(l.rest) == 1 && l.rest[0] == resource.ExtraKey:
		m.add(line, col, "write extra: {field: value, ...}", "extra of %s must be a mapping, got %s", l.what(), got)
	case len(l.rest) == 1:
		name := l.rest[0]
		f, ok := l.spec.Field(name)
		if !ok {
			m.add(line, col, "check the value's indentation and type", "%s must not be %s", name, got)
			return
		}
		want, hint := expectation(f, name, l.node)
		m.add(line, col, hint, "%s must be %s, got %s", name, want, got)
	default:
		m.add(line, col, "check the value's indentation and type", "%s has the wrong type: %s", l.what(), got)
	}
}

// firstSentence cuts a description after its first sentence (a period
// followed by a capital letter), without the period.
func firstSentence(s string) string {
	for i := 0; i+2 < len(s); i++ {
		if s[i] == '.' && s[i+1] == ' ' && s[i+2] >= 'A' && s[i+2] <= 'Z' {
			return s[:i]
		}
	}
	return trimDot(s)
}

func lowerFirst(s string) string {
	if s != "" && s[0] >= 'A' && s[0] <= 'Z' {
		return string(s[0]+'a'-'A') + s[1:]
	}
	return s
}

func trimDot(s string) string {
	if n := len(s); n > 0 && s[n-1] == '.' {
		return s[:n-1]
	}
	return s
}
