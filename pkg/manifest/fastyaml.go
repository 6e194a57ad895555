package manifest

import (
	"bytes"
	"unicode/utf8"
)

// parseTrees parses and converts every document of a file: through
// fastTree when the file has its plain shape, else through yaml.v3 and
// convertDoc. A nil root stands for a document that cannot be checked
// further (diagnostics say why); nil roots with diagnostics, for a file
// that is not YAML.
func parseTrees(file string, data []byte) ([]*tnode, []Diagnostic) {
	if root, ok := fastTree(data); ok {
		return []*tnode{root}, nil
	}
	docs, diags := parseYAML(file, data)
	if len(diags) > 0 {
		return nil, diags
	}
	roots := make([]*tnode, 0, len(docs))
	for _, doc := range docs {
		root, ds := convertDoc(file, doc)
		roots = append(roots, root)
		diags = append(diags, ds...)
	}
	return roots, diags
}

// fastTree reads the plain shape most manifests have (and every generated
// one): a single document of block mappings, one key per line, whose
// values are nested block mappings, scalars on the key's line (plain,
// or quoted without escapes) or one-line flow mappings of such scalars,
// with whole-line comments. It builds the same tnode tree as yaml.v3 and
// convertDoc (TestFastTreeMatchesYAML and FuzzFastTree hold it to that),
// without yaml.v3's tokens and nodes, which were most of the time and
// garbage of loading 100,000 customers.
//
// Anything else (sequences, anchors, tags, multi-line or escaped scalars,
// document markers, tabs, duplicate keys, a scalar whose type is not
// obvious, any doubt at all) gives ok false, and the file goes through
// yaml.v3, which also reports the errors.
func fastTree(data []byte) (root *tnode, ok bool) {
	if !fastText(data) {
		return nil, false
	}
	p := &fastParser{data: data}
	p.next()
	if p.eof || p.indent != 0 {
		return nil, false
	}
	root = p.mapping(0)
	if root == nil || !p.eof {
		return nil, false
	}
	return root, true
}

// fastText reports whether data is text the fast path reads: valid UTF-8,
// no tab, carriage return or other control character, no byte order mark,
// no line or paragraph separator and nothing YAML would not print.
func fastText(data []byte) bool {
	for i := 0; i < len(data); {
		c := data[i]
		if c < utf8.RuneSelf {
			if (c < 0x20 && c != '\n') || c == 0x7f {
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError || r < 0xa0 || r == 0x2028 || r == 0x2029 || r == 0xfeff ||
			(r >= 0xd800 && r <= 0xdfff) || r == 0xfffe || r == 0xffff {
			return false
		}
		i += size
	}
	return true
}

// fastParser walks data line by line.
type fastParser struct {
	data []byte
	off  int // start of the next line
	// The current content line (comments and blank lines skipped):
	line   []byte
	lineNo int32
	indent int
	eof    bool
	// keys shares the text of repeated keys (name, item, quantity...).
	keys map[string]string
}

// key returns k as a string, shared with earlier keys of the same text.
func (p *fastParser) key(k []byte) string {
	if s, ok := p.keys[string(k)]; ok {
		return s
	}
	if p.keys == nil {
		p.keys = make(map[string]string)
	}
	s := string(k)
	p.keys[s] = s
	return s
}

// next moves to the next content line.
func (p *fastParser) next() {
	for p.off < len(p.data) {
		end := bytes.IndexByte(p.data[p.off:], '\n')
		var l []byte
		if end < 0 {
			l, p.off = p.data[p.off:], len(p.data)
		} else {
			l, p.off = p.data[p.off:p.off+end], p.off+end+1
		}
		p.lineNo++
		t := bytes.TrimLeft(l, " ")
		if len(t) == 0 || t[0] == '#' {
			continue
		}
		p.line, p.indent = l, len(l)-len(t)
		return
	}
	p.line, p.eof = nil, true
}

// mapping reads a block mapping whose keys are at indent; nil on doubt.
func (p *fastParser) mapping(indent int) *tnode {
	t := &tnode{kind: nMap, line: p.lineNo, col: int32(indent + 1), size: 1}
	for !p.eof && p.indent == indent {
		k, rest, ok := fastKey(p.line[indent:])
		key := p.key(k)
		if !ok || t.find(key, nil) >= 0 && len(t.entries) <= smallMap {
			return nil
		}
		e := entry{key: key, line: p.lineNo, col: int32(indent + 1)}
		rest = bytes.TrimLeft(rest, " ")
		switch {
		case len(rest) == 0: // a nested block mapping
			p.next()
			if p.eof || p.indent <= indent {
				return nil // a null value, or a list: left to yaml.v3
			}
			if e.val = p.mapping(p.indent); e.val == nil {
				return nil
			}
		case rest[0] == '{':
			col := int32(lineCol(p.line, len(p.line)-len(rest)+1))
			if e.val = p.flow(rest, col); e.val == nil {
				return nil
			}
			p.next()
		default:
			col := int32(lineCol(p.line, len(p.line)-len(rest)+1))
			if e.val = fastScalar(rest, p.lineNo, col, false); e.val == nil {
				return nil
			}
			p.next()
		}
		if !p.eof && p.indent > indent {
			return nil // a continuation line, or bad indentation
		}
		t.entries = append(t.entries, e)
		t.size += 1 + e.val.size
	}
	if len(t.entries) > smallMap && hasDupKey(t.entries) {
		return nil
	}
	if !p.eof && p.indent > indent || len(t.entries) == 0 {
		return nil
	}
	return t
}

// hasDupKey reports whether a large mapping repeats a key.
func hasDupKey(entries []entry) bool {
	seen := make(map[string]bool, len(entries))
	for _, e := range entries {
		if seen[e.key] {
			return true
		}
		seen[e.key] = true
	}
	return false
}

// fastKey splits "key: rest" or "key:" where key is a plain ASCII name.
func fastKey(l []byte) (key []byte, rest []byte, ok bool) {
	i := 0
	for i < len(l) && isNameByte(l[i]) {
		i++
	}
	// YAML limits implicit keys to 1,024 characters; names are short.
	if i == 0 || i > 256 || i >= len(l) || l[i] != ':' || (i+1 < len(l) && l[i+1] != ' ') {
		return nil, nil, false
	}
	return l[:i], l[i+1:], true
}

func isNameByte(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-'
}

// flow reads a one-line flow mapping {k: v, k: v} at the start of s,
// which must end the line.
func (p *fastParser) flow(s []byte, col int32) *tnode {
	t := &tnode{kind: nMap, line: p.lineNo, col: col, size: 1}
	lineStart := len(p.line) - len(s)
	i := 1
	skip := func() {
		for i < len(s) && s[i] == ' ' {
			i++
		}
	}
	for {
		skip()
		k, rest, ok := fastKey(s[i:])
		key := p.key(k)
		if !ok || len(rest) == 0 || t.find(key, nil) >= 0 {
			return nil
		}
		kcol := int32(lineCol(p.line, lineStart+i+1))
		i = len(s) - len(rest)
		skip()
		end := i
		quoted := end < len(s) && (s[end] == '"' || s[end] == '\'')
		if quoted {
			q := bytes.IndexByte(s[end+1:], s[end])
			if q < 0 {
				return nil
			}
			end += q + 2
		} else {
			for end < len(s) && s[end] != ',' && s[end] != '}' {
				end++
			}
		}
		vcol := int32(lineCol(p.line, lineStart+i+1))
		v := fastScalar(bytes.TrimRight(s[i:end], " "), p.lineNo, vcol, true)
		if v == nil {
			return nil
		}
		t.entries = append(t.entries, entry{key: key, line: p.lineNo, col: kcol, val: v})
		t.size += 1 + v.size
		i = end
		skip()
		if i >= len(s) {
			return nil
		}
		if s[i] == '}' {
			i++
			skip()
			if i != len(s) || len(t.entries) > smallMap {
				return nil // something after the mapping
			}
			return t
		}
		if s[i] != ',' {
			return nil
		}
		i++
	}
}

// fastScalar reads a scalar that is the whole of s: quoted without escapes,
// or plain whose type yaml.v3 resolves without doubt. nil on doubt.
func fastScalar(s []byte, line, col int32, flow bool) *tnode {
	if len(s) == 0 {
		return nil
	}
	t := &tnode{kind: nScalar, line: line, col: col, size: 1}
	if q := s[0]; q == '"' || q == '\'' {
		if len(s) < 2 || s[len(s)-1] != q {
			return nil
		}
		in := s[1 : len(s)-1]
		if bytes.IndexByte(in, q) >= 0 || (q == '"' && bytes.IndexByte(in, '\\') >= 0) {
			return nil
		}
		t.text = string(in)
		return t
	}
	if !flow {
		s = bytes.TrimRight(s, " ") // a line's trailing spaces are not the value's
	}
	// Plain: no indicator first, nothing that could be a comment, a
	// key, a flow delimiter or an anchor/alias/tag inside, no trailing
	// space (trimmed by the callers of flow values only).
	if s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return nil
	}
	for i, c := range s {
		switch c {
		case '#':
			if i == 0 || s[i-1] == ' ' {
				return nil
			}
		case ':':
			if flow || i+1 < len(s) && s[i+1] == ' ' {
				return nil
			}
		case ',', '[', ']', '{', '}', '"', '\'', '?', '!', '&', '*', '|', '>', '%', '@', '`':
			if flow { // in a flow mapping, any indicator is left to yaml.v3
				return nil
			}
		}
	}
	switch s[0] {
	case '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '%', '@', '`', '+', '.', '~', '<', '=':
		return fastSigned(t, s)
	}
	text := string(s)
	t.text = text
	c := s[0]
	switch {
	case c >= '0' && c <= '9':
		return fastNumber(t)
	case c == 't' || c == 'f' || c == 'T' || c == 'F':
		if canon, ok := canonBool(text); ok {
			if text != "true" && text != "false" {
				return nil
			}
			t.sk, t.canon = sBool, canon
			return t
		}
	}
	if fastAmbiguous(text) {
		return nil
	}
	return t
}

// fastSigned reads a plain scalar starting with an indicator: only a
// negative number is read here.
func fastSigned(t *tnode, s []byte) *tnode {
	if s[0] != '-' || len(s) < 2 || s[1] < '0' || s[1] > '9' {
		return nil
	}
	t.text = string(s)
	return fastNumber(t)
}

// fastNumber types plain text that starts with a digit (or '-' and a
// digit): an integer without leading zeros, a decimal with digits on both
// sides of the point, or a date (YYYY-MM-DD, a string as every
// timestamp is). nil for anything else (hex, octal, exponents,
// underscores, times): yaml.v3 decides those.
func fastNumber(t *tnode) *tnode {
	s := t.text
	digits := s
	if digits[0] == '-' {
		digits = digits[1:]
	}
	if ip, frac, dot := cutByte(digits, '.'); dot {
		// yaml.v3 takes a float it cannot parse (too large) for a string:
		// long numbers are left to it.
		if ip == "" || frac == "" || len(ip) > 18 || len(frac) > 18 || !allDigits(ip) || !allDigits(frac) || (len(ip) > 1 && ip[0] == '0') {
			return nil
		}
		canon, ok := canonFloat(s)
		if !ok {
			return nil
		}
		t.sk, t.canon = sFloat, canon
		return t
	}
	if allDigits(digits) {
		if len(digits) > 18 || (len(digits) > 1 && digits[0] == '0') {
			return nil
		}
		canon, ok := canonInt(s)
		if !ok {
			return nil
		}
		t.sk, t.canon = sInt, canon
		return t
	}
	if isDateText(s) {
		return t // !!timestamp or !!str: a string either way
	}
	if i := indexByte(s, ' '); i > 0 && !(len(s) > 4 && allDigits(s[:4]) && s[4] == '-') {
		// "12 rue de la Paix": no number has a space, and the
		// timestamps that do start with a date.
		return t
	}
	return nil
}

func cutByte(s string, c byte) (before, after string, found bool) {
	if i := indexByte(s, c); i >= 0 {
		return s[:i], s[i+1:], true
	}
	return s, "", false
}

func indexByte(s string, c byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == c {
			return i
		}
	}
	return -1
}

// isDateText reports whether s is dddd-dd-dd.
func isDateText(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return allDigits(s[:4]) && allDigits(s[5:7]) && allDigits(s[8:])
}

// fastAmbiguous reports plain text starting with a letter that yaml.v3
// (or a YAML 1.1 reader) may take for something other than a string.
func fastAmbiguous(s string) bool {
	switch s {
	case "y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
		"on", "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL",
		"True", "TRUE", "False", "FALSE":
		return true
	}
	return false
}

// lineCol is runeCol for a line of bytes, without copying it.
func lineCol(line []byte, byteCol int) int {
	if byteCol-1 > len(line) {
		return byteCol
	}
	return utf8.RuneCount(line[:byteCol-1]) + 1
}
