package manifest

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// nodeKind is the shape of a converted YAML value.
type nodeKind uint8

const (
	nScalar nodeKind = iota
	nMap
	nSeq
)

// scalarKind is the resolved type of a YAML scalar (YAML 1.2 core schema,
// as resolved by yaml.v3).
type scalarKind uint8

const (
	sString scalarKind = iota // !!str, !!timestamp, !!binary: kept as text
	sInt
	sFloat
	sBool
	sNull
)

// tnode is a YAML value after conversion: aliases resolved (by sharing the
// anchored subtree, never by copying it), merge keys applied, duplicate keys
// reported. Every scalar keeps its exact text.
type tnode struct {
	kind nodeKind
	sk   scalarKind
	line int32
	col  int32
	// text is the scalar exactly as written (after YAML unquoting/folding).
	text string
	// canon is the JSON form of a number ("" when it has none: .inf, .nan)
	// or "true"/"false" for a boolean.
	canon string
	// reported is set when the value's own problem (a tag) was reported:
	// the schema's complaint about it would only repeat it.
	reported bool
	entries  []entry
	items    []*tnode
	// index finds keys of a large mapping; built on first lookup, after
	// conversion (a tree is only used by the goroutine loading its file).
	index map[string]int
	// size counts the values in the subtree with aliases expanded; it is
	// what an alias to this node costs against the expansion budget.
	size int64
}

// entry is one key of a mapping, in the order written.
type entry struct {
	key  string
	line int32
	col  int32
	val  *tnode
}

// get returns the value of key k, or nil.
func (t *tnode) get(k string) *tnode {
	if e := t.entry(k); e != nil {
		return e.val
	}
	return nil
}

// entry returns the entry of key k, or nil.
func (t *tnode) entry(k string) *entry {
	if t == nil || t.kind != nMap {
		return nil
	}
	if len(t.entries) > smallMap {
		if t.index == nil {
			t.index = make(map[string]int, len(t.entries))
			for i, e := range t.entries {
				if _, dup := t.index[e.key]; !dup {
					t.index[e.key] = i
				}
			}
		}
		if i, ok := t.index[k]; ok {
			return &t.entries[i]
		}
		return nil
	}
	for i := range t.entries {
		if t.entries[i].key == k {
			return &t.entries[i]
		}
	}
	return nil
}

// Alias expansion budget. The converted tree shares aliased subtrees, so
// memory stays proportional to the file; the budget bounds the work of the
// later stages (schema, objects), which see the expanded document. A
// document may expand through aliases to at most aliasBase + aliasRatio
// times its own size in values, and never beyond aliasMax. aliasMax is
// checked as aliases are met (a bomb stops conversion at once); the
// relative bound once the document's size is known.
//
// Merge keys (<<) copy entries rather than share them, so copied entries
// have their own, smaller budget: mergeMax in all.
const (
	aliasBase  = 100_000
	aliasRatio = 10
	aliasMax   = 2_000_000
	mergeMax   = 300_000
)

// converter turns one yaml.v3 document into a tnode tree.
type converter struct {
	file  string
	diags []Diagnostic
	// memo holds converted anchored nodes; aliases share them.
	memo map[*yaml.Node]*tnode
	// open holds anchored nodes being converted: an alias to one of them
	// is a cycle.
	open map[*yaml.Node]bool
	// budget is what aliases may still expand to; aborted is set once it
	// is exhausted (the document is then not checked any further).
	budget  int64
	aborted bool
	// merged counts entries copied by merge keys.
	merged int64
	// written counts the values as written (an alias counts once).
	written int64
	// firstAlias is where the first alias is, to report an expansion
	// that is too large for the document.
	firstAlias struct{ line, col int32 }
}

// convertDoc converts a document node. It returns nil when the document
// cannot be checked further (alias bomb); diagnostics say why.
func convertDoc(file string, doc *yaml.Node) (*tnode, []Diagnostic) {
	c := &converter{file: file, budget: aliasMax}
	t := c.convert(doc)
	if !c.aborted && aliasMax-c.budget > aliasBase+aliasRatio*c.written {
		// Within the absolute bound, but far more than the document
		// itself: refused all the same.
		c.aborted = true
		c.errorf(c.firstAlias.line, c.firstAlias.col, bombHint,
			"YAML aliases expand to %d values, more than %d times the %d written", aliasMax-c.budget, aliasRatio, c.written)
	}
	if c.aborted {
		return nil, c.diags
	}
	return t, c.diags
}

const bombHint = "reuse smaller anchors or write the values out; aliases here look like an alias bomb"

func (c *converter) pos(n *yaml.Node) (int32, int32) {
	return clampPos(n.Line), clampPos(n.Column)
}

// clampPos keeps positions 1-based: every diagnostic must point somewhere.
func clampPos(v int) int32 {
	if v < 1 {
		return 1
	}
	return int32(v)
}

func (c *converter) errorf(line, col int32, hint, format string, args ...any) {
	c.diags = append(c.diags, Diagnostic{
		Pos:     Pos{File: c.file, Line: int(line), Col: int(col)},
		Message: fmt.Sprintf(format, args...),
		Hint:    hint,
	})
}

// charge spends n values of the alias budget; it reports the alias bomb
// once, at the alias that exhausted it.
func (c *converter) charge(n int64, at *yaml.Node) bool {
	if c.aborted {
		return false
	}
	c.budget -= n
	if c.budget < 0 {
		c.aborted = true
		l, col := c.pos(at)
		c.errorf(l, col, bombHint, "YAML aliases expand to too many values (more than %d)", aliasMax)
		return false
	}
	return true
}

func (c *converter) convert(n *yaml.Node) *tnode {
	if c.aborted || n == nil {
		return nil
	}
	c.written++
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			l, col := c.pos(n)
			return &tnode{kind: nScalar, sk: sNull, line: l, col: col, size: 1}
		}
		return c.convert(n.Content[0])
	case yaml.AliasNode:
		return c.alias(n)
	}
	if n.Anchor != "" {
		if c.open == nil {
			c.open = make(map[*yaml.Node]bool)
			c.memo = make(map[*yaml.Node]*tnode)
		}
		c.open[n] = true
		defer delete(c.open, n)
	}
	var t *tnode
	switch n.Kind {
	case yaml.ScalarNode:
		t = c.scalar(n)
	case yaml.MappingNode:
		t = c.mapping(n)
	case yaml.SequenceNode:
		t = c.sequence(n)
	default:
		l, col := c.pos(n)
		c.errorf(l, col, "", "unsupported YAML node")
		return nil
	}
	if t != nil && n.Anchor != "" {
		c.memo[n] = t
	}
	return t
}

func (c *converter) alias(n *yaml.Node) *tnode {
	target := n.Alias
	l, col := c.pos(n)
	if c.firstAlias.line == 0 {
		c.firstAlias.line, c.firstAlias.col = l, col
	}
	if target == nil {
		c.errorf(l, col, "define the anchor (&name) before using it", "unknown anchor %q", n.Value)
		return nil
	}
	if c.open[target] {
		c.errorf(l, col, "an alias cannot point into the value that defines its anchor",
			"alias *%s refers to a value that contains it", n.Value)
		return nil
	}
	t, ok := c.memo[target]
	if !ok {
		// The anchored value failed to convert (already reported).
		return nil
	}
	if !c.charge(t.size, n) {
		return nil
	}
	return t
}

// scalarTags maps the tags a manifest may use to how their text is read.
var scalarTags = map[string]scalarKind{
	"!!str":       sString,
	"!!binary":    sString,
	"!!timestamp": sString, // dates stay the string the user wrote
	"!!merge":     sString, // "<<" used as a value
	"!!int":       sInt,
	"!!float":     sFloat,
	"!!bool":      sBool,
	"!!null":      sNull,
}

func (c *converter) scalar(n *yaml.Node) *tnode {
	l, col := c.pos(n)
	t := &tnode{kind: nScalar, line: l, col: col, text: n.Value, size: 1}
	tag := n.Tag
	if tag == "" || tag == "!" {
		tag = "!!str"
	}
	sk, ok := scalarTags[tag]
	if !ok {
		c.errorf(l, col, "remove the tag; manifests use plain YAML values", "unsupported YAML tag %s", tag)
		t.reported = true
		return t
	}
	t.sk = sk
	var valid bool
	switch sk {
	case sString:
		return t
	case sInt:
		t.canon, valid = canonInt(n.Value)
	case sFloat:
		t.canon, valid = canonFloat(n.Value)
	case sBool:
		t.canon, valid = canonBool(n.Value)
	case sNull:
		valid = isNullText(n.Value)
	}
	if !valid {
		// Only an explicit tag (!!int abc) gets here: yaml.v3 resolves
		// untagged scalars consistently with the checks above.
		c.errorf(l, col, "remove the tag or fix the value", "%q is not a valid %s value", n.Value, tag)
		t.sk, t.canon, t.reported = sString, "", true
	}
	return t
}

func (c *converter) sequence(n *yaml.Node) *tnode {
	l, col := c.pos(n)
	if n.Tag != "" && n.Tag != "!!seq" {
		c.errorf(l, col, "remove the tag; manifests use plain YAML values", "unsupported YAML tag %s", n.Tag)
	}
	t := &tnode{kind: nSeq, line: l, col: col, items: make([]*tnode, 0, len(n.Content)), size: 1}
	for _, item := range n.Content {
		v := c.convert(item)
		if c.aborted {
			return nil
		}
		if v != nil {
			t.items = append(t.items, v)
			t.size += v.size
		}
	}
	return t
}

func (c *converter) mapping(n *yaml.Node) *tnode {
	l, col := c.pos(n)
	if n.Tag != "" && n.Tag != "!!map" {
		c.errorf(l, col, "remove the tag; manifests use plain YAML values", "unsupported YAML tag %s", n.Tag)
	}
	t := &tnode{kind: nMap, line: l, col: col, entries: make([]entry, 0, len(n.Content)/2), size: 1}
	// seen indexes keys for duplicate detection; small mappings (most
	// objects) are scanned linearly instead.
	var seen map[string]int
	if len(n.Content) > 2*smallMap {
		seen = make(map[string]int, len(n.Content)/2)
	}
	var merges []*yaml.Node
	for i := 0; i+1 < len(n.Content); i += 2 {
		kn, vn := n.Content[i], n.Content[i+1]
		if kn.Kind == yaml.ScalarNode && kn.Tag == "!!merge" {
			merges = append(merges, vn)
			continue
		}
		key, ok := c.key(kn)
		if !ok {
			continue
		}
		kl, kc := c.pos(kn)
		if j := t.find(key, seen); j >= 0 {
			first := t.entries[j]
			c.errorf(kl, kc, "a key may appear once in a mapping: remove or rename one",
				"duplicate key %q (first at %s)", key, Pos{File: c.file, Line: int(first.line), Col: int(first.col)})
			continue
		}
		v := c.convert(vn)
		if c.aborted {
			return nil
		}
		if v == nil {
			continue
		}
		if seen != nil {
			seen[key] = len(t.entries)
		}
		t.entries = append(t.entries, entry{key: key, line: kl, col: kc, val: v})
		t.size += 1 + v.size
	}
	for _, m := range merges {
		if !c.merge(t, m, &seen) {
			return nil
		}
	}
	return t
}

// smallMap is the size up to which a mapping's keys are searched linearly.
const smallMap = 16

// find returns the index of key k among t's entries, or -1.
func (t *tnode) find(k string, index map[string]int) int {
	if index != nil {
		if j, ok := index[k]; ok {
			return j
		}
		return -1
	}
	for j := range t.entries {
		if t.entries[j].key == k {
			return j
		}
	}
	return -1
}

// merge applies a YAML merge key (<<: *defaults, or a list of aliases):
// keys written explicitly win, then earlier merged mappings over later
// ones. Merged entries count against the alias budget.
func (c *converter) merge(t *tnode, m *yaml.Node, index *map[string]int) bool {
	var sources []*yaml.Node
	if m.Kind == yaml.SequenceNode {
		sources = m.Content
	} else {
		sources = []*yaml.Node{m}
	}
	for _, s := range sources {
		src := c.convert(s)
		if c.aborted {
			return false
		}
		if src == nil {
			continue
		}
		if src.kind != nMap {
			l, col := c.pos(s)
			c.errorf(l, col, "write <<: *anchor, where the anchor names a mapping",
				"a merge key (<<) must be given a mapping or a list of mappings")
			continue
		}
		if *index == nil && len(t.entries)+len(src.entries) > smallMap {
			*index = make(map[string]int, len(t.entries)+len(src.entries))
			for i, e := range t.entries {
				(*index)[e.key] = i
			}
		}
		seen := *index
		for _, e := range src.entries {
			if t.find(e.key, seen) >= 0 {
				continue
			}
			c.merged++
			if c.merged > mergeMax {
				c.aborted = true
				l, col := c.pos(s)
				c.errorf(l, col, bombHint, "YAML merge keys (<<) copy too many values (more than %d)", mergeMax)
				return false
			}
			if !c.charge(1+e.val.size, s) {
				return false
			}
			if seen != nil {
				seen[e.key] = len(t.entries)
			}
			t.entries = append(t.entries, e)
			t.size += 1 + e.val.size
		}
	}
	return true
}

// key returns the text of a mapping key; keys must be scalars.
func (c *converter) key(kn *yaml.Node) (string, bool) {
	k := kn
	if k.Kind == yaml.AliasNode && k.Alias != nil {
		k = k.Alias
	}
	if k.Kind != yaml.ScalarNode {
		l, col := c.pos(kn)
		c.errorf(l, col, "use a plain name as the key", "a mapping key must be plain text, not a %s", yamlKindName(k.Kind))
		return "", false
	}
	return k.Value, true
}

func yamlKindName(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "mapping"
	case yaml.SequenceNode:
		return "list"
	case yaml.AliasNode:
		return "alias"
	}
	return "value"
}
