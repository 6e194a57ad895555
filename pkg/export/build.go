package export

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/schemas"
)

// BuildOptions tune Build.
type BuildOptions struct {
	// IncludeExtra keeps the fields the resource table does not know under
	// `extra:` (server-managed ones, nulls and values at the API's
	// defaults excepted).
	IncludeExtra bool
	// Schema is the `$schema` reference of the files: a URL, or a path
	// relative to the export's directory (adjusted to each file's depth).
	// "" writes the schema into the export as SchemaFile and refers to it.
	Schema string
}

// File is one file of the export, its path relative to the export's
// directory.
type File struct {
	Path string
	Data []byte
}

// CatalogFile and CustomersDir lay the export out as examples/gitops/.
const (
	CatalogFile  = "catalog.yaml"
	CustomersDir = "customers"
	// SchemaFile is the manifest JSON Schema, written beside catalog.yaml
	// so that editors find it wherever the export goes.
	SchemaFile = "manifest.schema.json"
)

// Result is a built export.
type Result struct {
	Files []File
	// IDs maps each exported object's address to its BlueRockTEL id.
	IDs map[string]int64
	// Returned holds, by address, the response fields the resource table
	// keeps in state (customer_account).
	Returned map[string]map[string]string
	// Warnings are objects left out, fields that could not be read.
	Warnings []string
	// Objects is the number of objects exported.
	Objects int
	// Unmodelled is the number of objects with fields left out because
	// the schema does not know them (see IncludeExtra).
	Unmodelled int
}

// obj is one object being exported.
type obj struct {
	n      *Node
	name   string
	addr   string
	parent *obj
	// vals are the table's fields as wire -> text: canonical, or the
	// decimal text as the API answered it; references as the id.
	vals map[string]string
	// omitted are fields left out at the API's default.
	omitted map[string]bool
	extra   []entry
	kids    []*obj
}

type entry struct{ key, val string }

// serverFields are managed by the server: never exported.
var serverFields = map[string]bool{"id": true, "created_at": true, "updated_at": true, "deleted_at": true}

// Build turns what Read found into manifests: local names from names,
// references by local name within the export and by id outside it, the
// table's fields in its order with exact decimals and dates, fields at the
// API's defaults left out. The same estate gives the same bytes.
func Build(est *Estate, opts BuildOptions) (*Result, error) {
	res := &Result{IDs: map[string]int64{}, Returned: map[string]map[string]string{}}
	objs := map[resource.Kind]map[int64]*obj{}
	var top []*obj
	for _, s := range resource.All() {
		objs[s.Kind] = map[int64]*obj{}
		nodes := est.Objects[s.Kind]
		// Names in id order per scope: the oldest object keeps the plain name.
		namers := map[*obj]*namer{}
		topNamer := newNamer()
		for _, n := range nodes {
			var parent *obj
			if n.Parent != nil {
				parent = objs[n.Parent.Spec.Kind][n.Parent.ID]
				if parent == nil {
					continue // its parent was left out
				}
			}
			o := &obj{n: n, parent: parent}
			if why := o.read(opts, res); why != "" {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s #%d%s is not exported, nor what it holds: %s", s.Title, n.ID, o.where(), why))
				continue
			}
			nm := topNamer
			if parent != nil {
				if namers[parent] == nil {
					namers[parent] = newNamer()
				}
				nm = namers[parent]
			}
			o.name = nm.name(o.baseName(objs))
			o.addr = manifest.Address(nil, s.Kind, o.name)
			if parent != nil {
				o.addr = parent.addr + "." + string(s.Kind) + "." + o.name
				parent.kids = append(parent.kids, o)
			} else {
				top = append(top, o)
			}
			objs[s.Kind][n.ID] = o
			res.IDs[o.addr] = n.ID
			res.Objects++
			for _, w := range s.Returned {
				if t := n.Record.Text(w); t != "" {
					if res.Returned[o.addr] == nil {
						res.Returned[o.addr] = map[string]string{}
					}
					res.Returned[o.addr][w] = t
				}
			}
		}
	}
	var keep func([]*obj)
	keep = func(objs []*obj) {
		keepIdentities(objs)
		for _, o := range objs {
			keep(o.kids)
		}
	}
	keep(top)
	var catalog []*obj
	var customers []*obj
	for _, o := range top {
		if o.n.Spec.Catalog {
			catalog = append(catalog, o)
		} else {
			customers = append(customers, o)
		}
	}
	w := &writer{objs: objs, schema: opts.Schema, res: res}
	up := "../"
	switch {
	case opts.Schema == "":
		w.schema = SchemaFile
		res.Files = append(res.Files, File{Path: SchemaFile, Data: schemas.Manifest})
	case strings.Contains(opts.Schema, "://") || strings.HasPrefix(opts.Schema, "/"):
		up = ""
	}
	if len(catalog) > 0 {
		res.Files = append(res.Files, File{Path: CatalogFile, Data: w.file(catalog, "", "The catalog (families and items) the customers under customers/ refer to by local name.")})
	}
	for _, c := range customers {
		what := fmt.Sprintf("Customer #%d", c.n.ID)
		if acc := c.n.Record.Text("customer_account"); acc != "" {
			what += " (" + acc + ")"
		}
		res.Files = append(res.Files, File{Path: CustomersDir + "/" + c.name + ".yaml", Data: w.file([]*obj{c}, up, what+".")})
	}
	for _, s := range resource.All() {
		for _, o := range objs[s.Kind] {
			for _, f := range s.Fields {
				if id, ok := idText(o.vals[f.WireName()]); ok && f.Type == resource.Reference && est.Missing[f.Target][id] {
					res.Warnings = append(res.Warnings, fmt.Sprintf("%s refers to %s #%d, which BlueRockTEL does not hold: kept as %s: %d",
						o.addr, resource.Get(f.Target).Title, id, f.IDName, id))
				}
			}
		}
	}
	sort.Strings(res.Warnings)
	return res, nil
}

// where names the object's parent in warnings.
func (o *obj) where() string {
	if o.parent == nil {
		return ""
	}
	return fmt.Sprintf(" (in %s #%d)", o.parent.n.Spec.Title, o.parent.n.ID)
}

// read fills vals and extra from the record; it returns why the object
// cannot be exported ("" when it can).
func (o *obj) read(opts BuildOptions, res *Result) string {
	s, rec := o.n.Spec, o.n.Record
	o.vals = map[string]string{}
	o.omitted = map[string]bool{}
	for _, f := range s.Fields {
		w := f.WireName()
		raw := rec.Raw(w)
		if raw == nil {
			if f.Required {
				return fmt.Sprintf("it has no %s, which onboard requires", f.Name)
			}
			continue
		}
		text, ok := f.CanonicalJSON(raw)
		if !ok {
			res.Warnings = append(res.Warnings, fmt.Sprintf("%s #%d: %s is %.60s, not a %s; left out", s.Title, o.n.ID, w, raw, f.Type))
			continue
		}
		if text == "" {
			if f.Required {
				return fmt.Sprintf("it has no %s, which onboard requires", f.Name)
			}
			continue
		}
		if f.Type == resource.Decimal && !f.Money {
			// As the API holds it ("2.50" stays 2.50), when it is plain.
			if t := rec.Text(w); isPlainDecimal(t) {
				text = t
			}
		}
		o.vals[w] = text
	}
	for _, d := range s.Defaults {
		f, ok := s.WireField(d.Wire)
		v, set := o.vals[d.Wire]
		if !ok || !set {
			continue
		}
		def := ""
		if d.IDFormat != "" {
			def = fmt.Sprintf(d.IDFormat, o.n.ID)
		} else if def, ok = f.CanonicalJSON(json.RawMessage(d.JSON)); !ok {
			continue
		}
		if f.Canonical(v) == def {
			o.omitted[d.Wire] = true
		}
	}
	unknown := o.unknownFields()
	if len(unknown) > 0 && !opts.IncludeExtra {
		res.Unmodelled++
	}
	if opts.IncludeExtra {
		for _, k := range unknown {
			o.extra = append(o.extra, entry{key: k, val: flowJSON(rec.Fields[k])})
		}
	}
	return ""
}

// unknownFields are the record's fields the table does not know, sorted:
// not a field, not the parent link, not embedded children, not managed by
// the server, not null, not at a default the API sets.
func (o *obj) unknownFields() []string {
	s, rec := o.n.Spec, o.n.Record
	var out []string
	for k, raw := range rec.Fields {
		if serverFields[k] || s.IsParentWire(k) || isNull(raw) {
			continue
		}
		if _, ok := s.WireField(k); ok {
			continue
		}
		if _, ok := s.Field(k); ok {
			continue
		}
		if isChildCollection(s, k) || atDefault(s, k, raw) {
			continue
		}
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

func isNull(raw json.RawMessage) bool {
	t := bytes.TrimSpace(raw)
	return len(t) == 0 || string(t) == "null"
}

func isChildCollection(s *resource.Spec, k string) bool {
	for _, c := range s.Children() {
		if c.Collection == k {
			return true
		}
	}
	return false
}

// atDefault reports whether a field outside the table holds the value the
// API gives it on create (an item's active: true).
func atDefault(s *resource.Spec, k string, raw json.RawMessage) bool {
	for _, d := range s.Defaults {
		if d.Wire != k || d.IDFormat != "" {
			continue
		}
		t := resource.String
		switch d.JSON {
		case "true", "false":
			t = resource.Boolean
		default:
			if len(d.JSON) > 0 && d.JSON[0] != '"' {
				t = resource.Decimal
			}
		}
		f := resource.Field{Type: t}
		a, okA := f.CanonicalJSON(raw)
		b, okB := f.CanonicalJSON(json.RawMessage(d.JSON))
		return okA && okB && a == b
	}
	return false
}

// baseName is the slug the object's name derives from: its label field
// (a family's or customer's name, an item's description); for kinds
// without one (lines), the local name of what it refers to first (its
// item), else kind-id.
func (o *obj) baseName(objs map[resource.Kind]map[int64]*obj) string {
	s := o.n.Spec
	if s.Label != "" {
		if f, ok := s.Field(s.Label); ok {
			if b := Slug(o.vals[f.WireName()]); b != "" {
				return b
			}
		}
	}
	for _, f := range s.Fields {
		if f.Type != resource.Reference {
			continue
		}
		id, ok := idText(o.vals[f.WireName()])
		if !ok {
			continue
		}
		if t := objs[f.Target][id]; t != nil {
			return t.name
		}
		return fmt.Sprintf("%s-%d", f.Target, id)
	}
	return fmt.Sprintf("%s-%d", s.Kind, o.n.ID)
}

// keepIdentities puts back a field left out at its default when it is
// what tells the object apart from a sibling: a lookup by the next natural
// key (a customer's name and email once its generated account is left
// out) would find both, and validation refuses such a pair.
func keepIdentities(objs []*obj) {
	if len(objs) < 2 {
		return
	}
	byKind := map[resource.Kind][]*obj{}
	for _, o := range objs {
		byKind[o.n.Spec.Kind] = append(byKind[o.n.Spec.Kind], o)
	}
	for _, group := range byKind {
		s := group[0].n.Spec
		if s.MatchAllFields || len(group) < 2 {
			continue
		}
		buckets := map[string]int{}
		for _, o := range group {
			for i, key := range s.NaturalKeys {
				if v, ok := o.key(key); ok {
					buckets[strconv.Itoa(i)+"\x01"+v]++
				}
			}
		}
		for _, o := range group {
			if len(o.omitted) == 0 {
				continue
			}
			// Without the omitted fields, o is looked up (and checked
			// for collisions) by its first complete key.
			clash := false
			for i, key := range s.NaturalKeys {
				if v, ok := o.key(key); ok {
					clash = buckets[strconv.Itoa(i)+"\x01"+v] > 1
					break
				}
			}
			if clash {
				for _, key := range s.NaturalKeys {
					for _, w := range key {
						delete(o.omitted, w)
					}
				}
			}
		}
	}
}

// key is the object's value of a natural key, and whether it sets every
// field of it (omitted fields count as unset).
func (o *obj) key(key []string) (string, bool) {
	var b strings.Builder
	for _, w := range key {
		if o.n.Spec.IsParentWire(w) {
			continue
		}
		v, ok := o.vals[w]
		if !ok || o.omitted[w] {
			return "", false
		}
		f, _ := o.n.Spec.WireField(w)
		b.WriteString(f.Canonical(v))
		b.WriteByte(0)
	}
	return b.String(), true
}

// isPlainDecimal is decimal text as manifests take it: optional minus,
// digits without leading zeros, optional fraction; no exponent.
func isPlainDecimal(s string) bool {
	s = strings.TrimPrefix(s, "-")
	intPart, frac, hasDot := strings.Cut(s, ".")
	if intPart == "" || !isDigits(intPart) || (len(intPart) > 1 && intPart[0] == '0') {
		return false
	}
	return !hasDot || isDigits(frac)
}
