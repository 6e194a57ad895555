package manifest

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/onboardhq/onboard/pkg/resource"
)

// extra reads an object's `extra:` map: entries sent verbatim, except keys
// that onboard already knows (a field, or the parent's id), which would
// silently fight with the typed value.
func (b *builder) extra(o *Object, s *resource.Spec, t *tnode) {
	for _, e := range t.entries {
		if f, ok := knownKey(s, e.key); ok {
			b.errorf(o, e.line, e.col, fmt.Sprintf("set %s: beside %s:, not inside it", f, resource.ExtraKey),
				"extra key %q is a field of %s", e.key, s.Title)
			continue
		}
		if s.Parent != nil {
			p := s.Parent
			_, isConst := p.QueryConst[e.key]
			if e.key == p.BodyField || e.key == p.QueryField || isConst {
				b.errorf(o, e.line, e.col, "remove it",
					"extra key %q is set by onboard from the enclosing %s", e.key, kindTitle(p.Kind))
				continue
			}
		}
		var buf bytes.Buffer
		if bad := writeJSON(&buf, e.val); bad != nil {
			b.errorf(o, bad.line, bad.col, "use a finite number, or quote it to send a string",
				"extra value %s cannot be sent as JSON", bad.text)
			continue
		}
		o.Extra = append(o.Extra, Extra{Key: e.key, Raw: json.RawMessage(buf.Bytes()), Pos: b.pos(e.line, e.col)})
	}
}

// knownKey reports whether k names a field of s (its manifest name, id
// name or wire name), and which manifest key to use instead.
func knownKey(s *resource.Spec, k string) (string, bool) {
	for _, f := range s.Fields {
		if k == f.Name || k == f.WireName() {
			if f.IsRef() && k == f.IDName {
				return f.IDName, true
			}
			return f.Name, true
		}
		if f.IDName != "" && k == f.IDName {
			return f.IDName, true
		}
	}
	return "", false
}

// writeJSON renders a YAML value as JSON, keeping numbers' digits and
// mapping order. It returns the first value JSON cannot carry (.inf, .nan).
func writeJSON(buf *bytes.Buffer, t *tnode) *tnode {
	switch t.kind {
	case nMap:
		buf.WriteByte('{')
		for i, e := range t.entries {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, e.key)
			buf.WriteByte(':')
			if bad := writeJSON(buf, e.val); bad != nil {
				return bad
			}
		}
		buf.WriteByte('}')
		return nil
	case nSeq:
		buf.WriteByte('[')
		for i, v := range t.items {
			if i > 0 {
				buf.WriteByte(',')
			}
			if bad := writeJSON(buf, v); bad != nil {
				return bad
			}
		}
		buf.WriteByte(']')
		return nil
	}
	switch t.sk {
	case sInt, sFloat:
		if t.canon == "" {
			return t
		}
		buf.WriteString(t.canon)
	case sBool:
		buf.WriteString(t.canon)
	case sNull:
		buf.WriteString("null")
	default:
		writeJSONString(buf, t.text)
	}
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a Go string always encodes
	buf.Truncate(buf.Len() - 1)
}
