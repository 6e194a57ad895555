package planrender

import (
	"bufio"
	"bytes"
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// stepWriter writes the JSON of steps by hand, byte for byte what
// encoding/json makes of stepJSON (TestStepWriterMatchesEncodingJSON
// holds it to that): at 100,000 customers, encoding/json's reflection, the
// check of every MarshalJSON result and the per-step map of positions took
// most of the JSON plan's time.
type stepWriter struct {
	p    *plan.Plan
	b    bytes.Buffer
	keys []string // the sorted field_positions keys of one step
}

// step encodes s into w.b (after resetting it), compact, without a
// trailing newline.
func (w *stepWriter) step(s *plan.Step) []byte {
	b := &w.b
	b.Reset()
	b.WriteString(`{"address":`)
	writeJSONString(b, s.Addr)
	b.WriteString(`,"kind":`)
	writeJSONString(b, string(s.Kind))
	b.WriteString(`,"action":`)
	writeJSONString(b, string(s.Effect()))
	w.str("label", s.Label)
	id := s.ID()
	if s.Existing != nil && s.Existing.ID != 0 {
		id = s.Existing.ID
	}
	if id != 0 {
		b.WriteString(`,"id":`)
		b.Write(strconv.AppendInt(b.AvailableBuffer(), id, 10))
	}
	w.flag("lookup_first", s.Verify)
	w.flag("gone", s.Gone)
	w.str("method", s.Method)
	w.str("path", s.Path)
	w.str("of", s.Of)
	sends := s.Sends()
	if sends && len(s.Query) > 0 {
		b.WriteString(`,"query":`)
		(&orderedValues{p: w.p, spec: resource.Get(s.Kind), vals: s.Query}).write(b)
	}
	if sends && len(s.Body) > 0 {
		b.WriteString(`,"body":`)
		(&orderedValues{p: w.p, spec: resource.Get(s.Kind), vals: s.Body}).write(b)
	}
	w.str("position", s.Pos)
	if sends && len(s.Body) > 0 {
		// encoding/json writes a map's keys sorted; a repeated wire name
		// is one key.
		w.keys = w.keys[:0]
		for _, v := range s.Body {
			if s.Where[v.Wire] != "" {
				w.keys = append(w.keys, v.Wire)
			}
		}
		if len(w.keys) > 0 {
			slices.Sort(w.keys)
			w.keys = slices.Compact(w.keys)
			b.WriteString(`,"field_positions":{`)
			for i, k := range w.keys {
				if i > 0 {
					b.WriteByte(',')
				}
				writeJSONString(b, k)
				b.WriteByte(':')
				writeJSONString(b, s.Where[k])
			}
			b.WriteByte('}')
		}
	}
	b.WriteString(`,"depends_on":[`)
	for i, d := range s.Deps {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, d)
	}
	b.WriteByte(']')
	if len(s.Changes) > 0 {
		b.WriteString(`,"changes":[`)
		for i, c := range s.Changes {
			if i > 0 {
				b.WriteByte(',')
			}
			jc := stepChange(c)
			b.WriteString(`{"field":`)
			writeJSONString(b, jc.Field)
			b.WriteString(`,"before":`)
			w.ptr(jc.Before)
			b.WriteString(`,"after":`)
			w.ptr(jc.After)
			w.flag("reset", jc.Reset)
			w.flag("drifted", jc.Drifted)
			b.WriteByte('}')
		}
		b.WriteByte(']')
	}
	w.str("offer", s.Offer)
	// The members few steps have go through encoding/json.
	if sends && len(s.Refs) > 0 {
		w.marshal("references", s.Refs)
	}
	if s.Action.Ends() {
		if len(s.Spec) > 0 {
			w.marshal("after", s.Spec)
		}
		if s.Commitment != nil {
			w.marshal("commitment", s.Commitment)
		}
		if len(s.ReferredBy) > 0 {
			w.marshal("referred_by", s.ReferredBy)
		}
	}
	b.WriteByte('}')
	return b.Bytes()
}

// marshal writes ,"name":v as the JSON plan's encoder encodes v (no HTML
// escaping).
func (w *stepWriter) marshal(name string, v any) {
	var out bytes.Buffer
	enc := json.NewEncoder(&out)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		out.Reset()
		out.WriteString("null") // plain data: never happens
	}
	w.b.WriteString(`,"`)
	w.b.WriteString(name)
	w.b.WriteString(`":`)
	w.b.Write(bytes.TrimSuffix(out.Bytes(), []byte("\n")))
}

// str writes ,"name":"v" unless v is empty (omitempty).
func (w *stepWriter) str(name, v string) {
	if v == "" {
		return
	}
	w.b.WriteString(`,"`)
	w.b.WriteString(name)
	w.b.WriteString(`":`)
	writeJSONString(&w.b, v)
}

// flag writes ,"name":true when v is set (omitempty).
func (w *stepWriter) flag(name string, v bool) {
	if v {
		w.b.WriteString(`,"`)
		w.b.WriteString(name)
		w.b.WriteString(`":true`)
	}
}

func (w *stepWriter) ptr(v *string) {
	if v == nil {
		w.b.WriteString("null")
		return
	}
	writeJSONString(&w.b, *v)
}

// stepChange is a change as the JSON plan names it.
func stepChange(c plan.FieldChange) jsonChange {
	return jsonChange{Field: strings.TrimPrefix(c.Field, "?"),
		Before: strPtr(c.Old, c.Old != ""), After: strPtr(c.New, !c.Reset && c.New != ""), Reset: c.Reset, Drifted: c.Drifted}
}

// write is MarshalJSON into b, compacted as encoding/json compacts what a
// MarshalJSON returns (an `extra:` value may hold spaces).
func (o *orderedValues) write(b *bytes.Buffer) {
	start := b.Len()
	raw := false
	b.WriteByte('{')
	for i, v := range o.vals {
		if i > 0 {
			b.WriteByte(',')
		}
		writeJSONString(b, v.Wire)
		b.WriteByte(':')
		writeValue(b, o.p, asCents(o.spec, v))
		raw = raw || v.Raw != nil || len(v.List) > 0
	}
	b.WriteByte('}')
	if raw {
		seg := slices.Clone(b.Bytes()[start:])
		b.Truncate(start)
		if err := json.Compact(b, seg); err != nil {
			b.Write(seg) // encoding/json would have failed; the test says so
		}
	}
}

// rawArray writes n elements as the JSON plan's arrays are laid out (one
// compact element a line), each the bytes elem returns.
func rawArray(bw *bufio.Writer, n int, elem func(i int) []byte) {
	bw.WriteString("[")
	for i := 0; i < n; i++ {
		if i > 0 {
			bw.WriteString(",")
		}
		bw.WriteString("\n    ")
		bw.Write(elem(i))
	}
	if n > 0 {
		bw.WriteString("\n  ")
	}
	bw.WriteString("]")
}
