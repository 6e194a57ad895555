package export

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode"

	"github.com/onboardhq/onboard/pkg/resource"
)

// writer renders objects as manifest YAML.
type writer struct {
	objs   map[resource.Kind]map[int64]*obj
	schema string
	res    *Result
}

// file renders one manifest file: the schema line, a comment, then the
// objects under their collections in table order.
func (w *writer) file(objs []*obj, up, comment string) []byte {
	var b bytes.Buffer
	if w.schema != "" {
		b.WriteString("# yaml-language-server: $schema=" + up + w.schema + "\n#\n")
	}
	b.WriteString("# " + comment + "\n# Exported from BlueRockTEL by `onboard export`.\n")
	for _, s := range resource.TopLevel() {
		first := true
		for _, o := range objs {
			if o.n.Spec != s {
				continue
			}
			if first {
				b.WriteString("\n" + s.Collection + ":\n")
				first = false
			}
			w.object(&b, o, 1)
		}
	}
	return b.Bytes()
}

// object writes "name:" and the object's fields at depth.
func (w *writer) object(b *bytes.Buffer, o *obj, depth int) {
	ind := strings.Repeat("  ", depth)
	b.WriteString(ind + yamlString(o.name) + ":\n")
	ind += "  "
	s := o.n.Spec
	for _, f := range s.Fields {
		wire := f.WireName()
		v, ok := o.vals[wire]
		if !ok || o.omitted[wire] {
			continue
		}
		if f.Type == resource.Reference {
			id, _ := idText(v)
			if t := w.objs[f.Target][id]; t != nil {
				b.WriteString(ind + f.Name + ": " + yamlString(t.name) + "\n")
			} else {
				b.WriteString(ind + f.IDName + ": " + v + "\n")
			}
			continue
		}
		b.WriteString(ind + f.Name + ": " + scalar(f, v) + "\n")
	}
	if len(o.extra) > 0 {
		b.WriteString(ind + resource.ExtraKey + ":\n")
		for _, e := range o.extra {
			b.WriteString(ind + "  " + yamlString(e.key) + ": " + e.val + "\n")
		}
	}
	for _, c := range s.Children() {
		first := true
		for _, k := range o.kids {
			if k.n.Spec != c {
				continue
			}
			if first {
				b.WriteString(ind + c.Collection + ":\n")
				first = false
			}
			w.object(b, k, depth+2)
		}
	}
}

// scalar writes a table field's value: numbers, booleans and dates plain,
// strings plain when YAML would read them back as the same string.
func scalar(f resource.Field, v string) string {
	switch f.Type {
	case resource.Integer, resource.Decimal, resource.Boolean, resource.Date:
		return v
	}
	return yamlString(v)
}

// yamlString writes s plain when YAML reads it back as this very string,
// else double-quoted (JSON escapes are YAML escapes).
func yamlString(s string) string {
	if plainSafe(s) {
		return s
	}
	return quote(s)
}

// plainSafe reports whether a plain scalar s is read as the string s:
// not a YAML 1.1 or 1.2 null, boolean, number, date or time; no indicator
// first; no ": " or " #"; no leading or trailing space; printable.
func plainSafe(s string) bool {
	if s == "" || s != strings.TrimSpace(s) {
		return false
	}
	switch strings.ToLower(s) {
	case "null", "~", "true", "false", "yes", "no", "on", "off", "y", "n", ".inf", "-.inf", "+.inf", ".nan":
		return false
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`", rune(s[0])) {
		// "-" and "?" and ":" start a plain scalar only before a non-space,
		// but a leading "-" may read as a number: quote them all.
		return false
	}
	if c := s[0]; c >= '0' && c <= '9' || c == '.' || c == '+' {
		// Numbers, dates and times (2026-04-01, 12:30, 1_000, 0x1F)
		// have no space; a sexagesimal or timestamp may, with ':'.
		if !strings.ContainsRune(s, ' ') || strings.ContainsRune(s, ':') {
			return false
		}
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") || strings.HasSuffix(s, ":") {
		return false
	}
	for _, r := range s {
		if r == '\t' || !unicode.IsPrint(r) || r == '\u2028' || r == '\u2029' || r == '\u0085' || r == '\ufeff' {
			return false
		}
	}
	return true
}

// flowJSON writes an unknown field's JSON value as YAML: scalars as
// scalars (a string that YAML would read otherwise quoted), objects and
// arrays in flow style, keys quoted.
func flowJSON(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return "null"
	}
	switch raw[0] {
	case '"':
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return yamlString(s)
		}
	case '{', '[':
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if dec.Decode(&v) == nil {
			var b strings.Builder
			writeFlow(&b, v)
			return b.String()
		}
	}
	return string(raw)
}

// writeFlow writes a decoded JSON value in YAML flow style, map keys
// sorted (JSON objects are unordered), strings JSON-quoted.
func writeFlow(b *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(quote(k))
			b.WriteString(": ")
			writeFlow(b, x[k])
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteString(", ")
			}
			writeFlow(b, e)
		}
		b.WriteByte(']')
	case string:
		b.WriteString(quote(x))
	case json.Number:
		b.WriteString(x.String())
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	default:
		b.WriteString("null")
	}
}

func quote(s string) string {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	return strings.TrimSuffix(b.String(), "\n")
}
