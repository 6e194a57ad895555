package plan

import (
	"bufio"
	"bytes"
	"encoding/json"
	"io"
	"sort"
	"strconv"

	"github.com/onboardhq/onboard/pkg/resource"
)

// FormatVersion is the version of the JSON plan format. It changes only
// when a field is removed or changes meaning.
const FormatVersion = 1

// jsonOrphan is an orphan in the JSON plan.
type jsonOrphan struct {
	Address string `json:"address"`
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
}

// RenderJSON writes the plan in the documented, versioned JSON format
// (see README "Plan JSON format"): an object with format_version, summary,
// steps, orphans and billing_previews, indented by two spaces.
//
// The steps (one per object: 50,000 for 10,000 customers) are written one
// by one as they are rendered, instead of building the whole document and
// handing it to encoding/json: that held two copies of the output (~35 MB
// each at 10,000 customers) plus its reflection garbage, and took 0.7 s.
// The bytes are those encoding/json's Encoder (SetIndent("", "  "),
// SetEscapeHTML(false)) gives for the same document; TestRenderJSONBytes
// checks it against that encoding.
func (p *Plan) RenderJSON(w io.Writer) error {
	previews := p.Previews()
	o := newJSONOut(w)
	o.raw("{\n  \"format_version\": ")
	o.raw(strconv.Itoa(FormatVersion))
	o.raw(",\n  \"summary\": ")
	o.value(p.Counts(), 1)
	o.raw(",\n  \"steps\": [")
	for i, s := range p.Steps {
		if i > 0 {
			o.raw(",")
		}
		o.raw("\n    ")
		p.writeStepJSON(o, s)
	}
	if len(p.Steps) > 0 {
		o.raw("\n  ")
	}
	o.raw("],\n  \"orphans\": [")
	for i, orph := range p.Orphans {
		if i > 0 {
			o.raw(",")
		}
		o.raw("\n    ")
		o.value(jsonOrphan{Address: orph.Addr, Kind: orph.Kind, ID: orph.ID}, 2)
	}
	if len(p.Orphans) > 0 {
		o.raw("\n  ")
	}
	o.raw("],\n  \"billing_previews\": [")
	for i, fp := range previews {
		if i > 0 {
			o.raw(",")
		}
		o.raw("\n    ")
		o.value(fp, 2)
	}
	if len(previews) > 0 {
		o.raw("\n  ")
	}
	o.raw("]\n}\n")
	return o.flush()
}

// writeStepJSON writes one step object at depth 2 (inside "steps"). Keys
// and omissions follow the format: id, lookup_first, method, path, query,
// body and changes only when set; depends_on always.
func (p *Plan) writeStepJSON(o *jsonOut, s *Step) {
	const in = "\n      " // a key of the step
	o.raw("{" + in + `"address": `)
	o.str(s.Addr)
	o.raw("," + in + `"kind": `)
	o.str(string(s.Kind))
	o.raw("," + in + `"action": `)
	o.str(string(s.Action))
	if s.Existing != nil && s.Existing.ID != 0 {
		o.raw("," + in + `"id": `)
		o.raw(strconv.FormatInt(s.Existing.ID, 10))
	}
	if s.Verify {
		o.raw("," + in + `"lookup_first": true`)
	}
	if s.Action == Create {
		o.raw("," + in + `"method": "POST",` + in + `"path": `)
		o.str(resource.Get(s.Kind).Path)
		if len(s.Query) > 0 {
			o.raw("," + in + `"query": `)
			p.writeQueryJSON(o, s.Query)
		}
		if len(s.Body) > 0 {
			o.raw("," + in + `"body": {`)
			for i, v := range s.Body {
				if i > 0 {
					o.raw(",")
				}
				o.raw(in + "  ")
				o.str(v.Wire)
				o.raw(": ")
				p.writeValueJSON(o, v, 4)
			}
			o.raw(in + "}")
		}
	}
	o.raw("," + in + `"depends_on": [`)
	for i, d := range s.Deps {
		if i > 0 {
			o.raw(",")
		}
		o.raw(in + "  ")
		o.str(d)
	}
	if len(s.Deps) > 0 {
		o.raw(in)
	}
	o.raw("]")
	if len(s.Changes) > 0 {
		o.raw("," + in + `"changes": `)
		o.value(s.Changes, 3)
	}
	o.raw("\n    }")
}

// writeQueryJSON writes the query parameters as an object sorted by name
// (a JSON object of the format, not the request's order); a repeated name
// keeps its last value.
func (p *Plan) writeQueryJSON(o *jsonOut, query []resource.Value) {
	last := make(map[string]resource.Value, len(query))
	names := make([]string, 0, len(query))
	for _, v := range query {
		if _, seen := last[v.Wire]; !seen {
			names = append(names, v.Wire)
		}
		last[v.Wire] = v
	}
	sort.Strings(names)
	o.raw("{")
	for i, name := range names {
		if i > 0 {
			o.raw(",")
		}
		o.raw("\n        ")
		o.str(name)
		o.raw(": ")
		p.writeValueJSON(o, last[name], 4)
	}
	o.raw("\n      }")
}

// writeValueJSON writes a request value at the given depth: a reference to
// an object that exists already as its id, one to an object still to be
// created as {"ref": "addr"}, an `extra:` entry as its JSON, strings and
// dates as JSON strings, other types as their exact text.
func (p *Plan) writeValueJSON(o *jsonOut, v resource.Value, depth int) {
	if id, ok := p.knownID(v); ok {
		o.raw(id)
		return
	}
	switch {
	case v.Type == resource.Reference && v.Ref != "":
		if plainJSON(v.Ref, true) {
			o.raw("{\n" + indentOf(depth+1) + `"ref": "`)
			o.raw(v.Ref)
			o.raw("\"\n" + indentOf(depth) + "}")
			return
		}
		// json.Marshal escapes HTML characters here, as the format always
		// did for this one string.
		b, err := json.Marshal(map[string]string{"ref": v.Ref})
		if err != nil {
			o.fail(err)
			return
		}
		o.rawJSON(b, depth)
	case v.Raw != nil:
		o.rawJSON(v.Raw, depth)
	case v.Type == resource.String || v.Type == resource.Date:
		o.str(v.Text)
	default:
		o.raw(v.Text)
	}
}

// jsonOut writes JSON text to a buffered writer, keeping the first error.
type jsonOut struct {
	w       *bufio.Writer
	scratch bytes.Buffer
	strEnc  *json.Encoder // strings: no HTML escaping, as the format's encoder
	valEnc  map[int]*json.Encoder
	tmp     bytes.Buffer
	err     error
}

func newJSONOut(w io.Writer) *jsonOut {
	o := &jsonOut{w: bufio.NewWriterSize(w, 64<<10), valEnc: map[int]*json.Encoder{}}
	o.strEnc = json.NewEncoder(&o.scratch)
	o.strEnc.SetEscapeHTML(false)
	return o
}

func (o *jsonOut) fail(err error) {
	if o.err == nil {
		o.err = err
	}
}

func (o *jsonOut) raw(s string) { o.w.WriteString(s) }

// str writes s as a JSON string, escaped exactly as encoding/json does
// without HTML escaping.
func (o *jsonOut) str(s string) {
	if plainJSON(s, false) {
		o.w.WriteByte('"')
		o.w.WriteString(s)
		o.w.WriteByte('"')
		return
	}
	o.scratch.Reset()
	if err := o.strEnc.Encode(s); err != nil {
		o.fail(err)
		return
	}
	o.w.Write(bytes.TrimSuffix(o.scratch.Bytes(), []byte{'\n'}))
}

// value writes v with encoding/json, indented as a value at depth (its
// first line is not indented: the caller has written the key or the
// element's indentation).
func (o *jsonOut) value(v any, depth int) {
	enc := o.valEnc[depth]
	if enc == nil {
		enc = json.NewEncoder(&o.scratch)
		enc.SetEscapeHTML(false)
		enc.SetIndent(indentOf(depth), "  ")
		o.valEnc[depth] = enc
	}
	o.scratch.Reset()
	if err := enc.Encode(v); err != nil {
		o.fail(err)
		return
	}
	o.w.Write(bytes.TrimSuffix(o.scratch.Bytes(), []byte{'\n'}))
}

// rawJSON writes a JSON value held as text, compacted then indented at
// depth, as encoding/json does with a Marshaler's output.
func (o *jsonOut) rawJSON(b []byte, depth int) {
	o.tmp.Reset()
	if err := json.Compact(&o.tmp, b); err != nil {
		o.fail(err)
		return
	}
	o.scratch.Reset()
	if err := json.Indent(&o.scratch, o.tmp.Bytes(), indentOf(depth), "  "); err != nil {
		o.fail(err)
		return
	}
	o.w.Write(o.scratch.Bytes())
}

func (o *jsonOut) flush() error {
	if err := o.w.Flush(); err != nil {
		o.fail(err)
	}
	return o.err
}

// indentOf is the indentation of a line at depth.
func indentOf(depth int) string {
	const spaces = "                                "
	if 2*depth <= len(spaces) {
		return spaces[:2*depth]
	}
	b := make([]byte, 2*depth)
	for i := range b {
		b[i] = ' '
	}
	return string(b)
}

// plainJSON reports whether s needs no escaping in a JSON string: printable
// ASCII other than '"' and '\\' (and, when html, other than '<', '>' and
// '&', which encoding/json escapes by default). Anything else goes through
// encoding/json, whose escaping (control characters, invalid UTF-8,
// U+2028/U+2029) the format follows.
func plainJSON(s string, html bool) bool {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c < 0x20 || c >= 0x7f || c == '"' || c == '\\':
			return false
		case html && (c == '<' || c == '>' || c == '&'):
			return false
		}
	}
	return true
}
