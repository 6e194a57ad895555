package export

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"unicode"

	"github.com/onboardhq/onboard/pkg/resource"
)

// writer renders exported objects as manifest YAML, through Render.
type writer struct {
	objs   map[resource.Kind]map[int64]*obj
	schema string
	res    *Result
}

// file renders one manifest file: the schema line, a comment, then the
// objects under their collections in table order.
func (w *writer) file(objs []*obj, up, comment string) []byte {
	d := Doc{Comment: []string{comment, "Exported from BlueRockTEL by `onboard export`."}}
	if w.schema != "" {
		d.Schema = up + w.schema
	}
	for _, o := range objs {
		d.Objects = append(d.Objects, w.object(o))
	}
	return Render(d, nil)
}

// object is o as Render takes it: references by local name within the
// export, by id outside it; fields at the API's defaults left out.
func (w *writer) object(o *obj) *Object {
	s := o.n.Spec
	out := &Object{Spec: s, Name: o.name, Values: map[string]string{}}
	for _, f := range s.Fields {
		wire := f.WireName()
		v, ok := o.vals[wire]
		if !ok || o.omitted[wire] {
			continue
		}
		switch f.Type {
		case resource.Reference:
			id, _ := idText(v)
			if t := w.objs[f.Target][id]; t != nil {
				out.Values[f.Name] = t.name
			} else {
				out.Values[f.IDName] = v
			}
		case resource.ReferenceList:
			var names, ids []string
			for _, it := range resource.SplitList(v) {
				id, _ := idText(it)
				if t := w.objs[f.Target][id]; t != nil {
					names = append(names, t.name)
				} else {
					ids = append(ids, it)
				}
			}
			if len(names) > 0 {
				out.Values[f.Name] = strings.Join(names, ",")
			}
			if len(ids) > 0 {
				out.Values[f.IDName] = strings.Join(ids, ",")
			}
		default:
			out.Values[f.Name] = v
		}
	}
	for _, e := range o.extra {
		out.Extra = append(out.Extra, Extra{Key: e.key, YAML: e.val})
	}
	for _, k := range o.kids {
		out.Children = append(out.Children, w.object(k))
	}
	return out
}

// scalar writes a table field's value: numbers, booleans and dates plain,
// strings plain when YAML would read them back as the same string (and
// text that is not what its type says, quoted as a string would be, so
// that the manifest's checks report it).
func scalar(f resource.Field, v string) string {
	switch f.Type {
	case resource.Integer, resource.Decimal:
		return plainOr(v, isPlainDecimal(v))
	case resource.Boolean:
		return plainOr(v, v == "true" || v == "false")
	case resource.Date:
		return plainOr(v, isDateText(v))
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

// isDateText reports whether s has the shape YYYY-MM-DD.
func isDateText(s string) bool {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return false
	}
	return isDigits(s[:4]) && isDigits(s[5:7]) && isDigits(s[8:])
}
