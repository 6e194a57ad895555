package export

import (
	"bytes"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Object is one object to write as a manifest: what Build makes of an
// object BlueRockTEL holds, and what an import makes of a spreadsheet
// row. Render writes it the same way whatever it came from.
type Object struct {
	Spec *resource.Spec
	// Name is the local name.
	Name string
	// Values are the table's fields by manifest key, as text: a field's
	// Name with its value (a reference's local name; a reference list's
	// local names joined by commas), or a reference's IDName with the
	// id(s). Numbers, booleans and dates are written as given, so they
	// must be the text the manifest is to hold ("19.90", "2026-04-01").
	Values map[string]string
	// Extra are entries written under extra:, in order, each value as
	// YAML text.
	Extra []Extra
	// Children are the objects nested in it, in the order to write them
	// within each of its kind's collections.
	Children []*Object
	// Origin is the caller's: Render hands it back with each line it
	// writes for the object.
	Origin any
}

// Extra is one entry of an object's extra: map.
type Extra struct{ Key, YAML string }

// Doc is one manifest file.
type Doc struct {
	// Schema is the `$schema` reference of the file's first line ("" for
	// none), as written (relative to the file).
	Schema string
	// Comment lines, written after the schema line, each as "# line".
	Comment []string
	// Objects are the top-level objects, written under their collections
	// in table order, in the given order within each.
	Objects []*Object
}

// LineFunc is told of each line Render writes for an object: its 1-based
// number, the object, and the manifest key of the field it holds ("" for
// the line of the object's local name).
type LineFunc func(line int, o *Object, key string)

// Render writes d as manifest YAML: the schema line, the comment, then
// each collection with its objects, fields in table order, nested
// collections in table order. The same Doc gives the same bytes. at, when
// not nil, is told where each object and field is written, so that a
// diagnostic on the file can be traced back to what it came from.
func Render(d Doc, at LineFunc) []byte {
	r := &renderer{at: at}
	if d.Schema != "" {
		r.line("# yaml-language-server: $schema=" + d.Schema)
		r.line("#")
	}
	for _, c := range d.Comment {
		r.line(strings.TrimRight("# "+c, " "))
	}
	for _, s := range resource.TopLevel() {
		first := true
		for _, o := range d.Objects {
			if o.Spec != s {
				continue
			}
			if first {
				r.line("")
				r.line(s.Collection + ":")
				first = false
			}
			r.object(o, 1)
		}
	}
	return r.b.Bytes()
}

type renderer struct {
	b  bytes.Buffer
	n  int
	at LineFunc
}

func (r *renderer) line(s string) {
	r.b.WriteString(s)
	r.b.WriteByte('\n')
	r.n++
}

func (r *renderer) mark(o *Object, key string) {
	if r.at != nil {
		r.at(r.n+1, o, key)
	}
}

// object writes "name:" and the object's fields at depth.
func (r *renderer) object(o *Object, depth int) {
	ind := strings.Repeat("  ", depth)
	r.mark(o, "")
	r.line(ind + yamlString(o.Name) + ":")
	ind += "  "
	s := o.Spec
	for _, f := range s.Fields {
		keys := []string{f.Name}
		if f.IsRef() && f.IDName != "" && f.IDName != f.Name {
			keys = append(keys, f.IDName)
		}
		for _, k := range keys {
			v, ok := o.Values[k]
			if !ok {
				continue
			}
			r.mark(o, k)
			r.line(ind + k + ": " + fieldText(f, k, v))
		}
	}
	if len(o.Extra) > 0 {
		r.line(ind + resource.ExtraKey + ":")
		for _, e := range o.Extra {
			r.mark(o, resource.ExtraKey+"."+e.Key)
			r.line(ind + "  " + yamlString(e.Key) + ": " + e.YAML)
		}
	}
	for _, c := range s.Children() {
		first := true
		for _, k := range o.Children {
			if k.Spec != c {
				continue
			}
			if first {
				r.line(ind + c.Collection + ":")
				first = false
			}
			r.object(k, depth+2)
		}
	}
}

// fieldText writes a field's value under key: a reference list as a flow
// list, a reference's local name as a string, an id, number, boolean or
// date plain when it is one (anything else quoted as YAML needs, so that
// the manifest's checks see the very text given).
func fieldText(f resource.Field, key, v string) string {
	if f.Type == resource.ReferenceList {
		items := resource.SplitList(v)
		for i, it := range items {
			if key == f.Name {
				items[i] = yamlString(it)
			} else {
				items[i] = plainOr(it, isPlainDecimal(it))
			}
		}
		return "[" + strings.Join(items, ", ") + "]"
	}
	if f.Type == resource.Reference {
		if key == f.Name {
			return yamlString(v)
		}
		return plainOr(v, isPlainDecimal(v))
	}
	return scalar(f, v)
}

// plainOr writes v plain when ok, else as YAML needs.
func plainOr(v string, ok bool) string {
	if ok {
		return v
	}
	return yamlString(v)
}
