package importer

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/onboardhq/onboard/pkg/export"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/schemas"
)

// Options tune Build.
type Options struct {
	// Schema is the `$schema` reference of the files, as export's
	// BuildOptions.Schema: "" writes the schema beside catalog.yaml.
	Schema string
}

// Diagnostic is one problem, at the cell (or row, or table) it is about.
type Diagnostic struct {
	Pos     Pos
	Message string
	// Hint says how to fix it, where one helps ("did you mean ...?").
	Hint string
}

// String renders "position: message; hint".
func (d Diagnostic) String() string {
	s := d.Pos.String() + ": " + d.Message
	if d.Hint != "" {
		s += "; " + d.Hint
	}
	return s
}

// Error is every problem of the input, in the order of the tables given,
// then rows, then columns.
type Error struct{ Diagnostics []Diagnostic }

func (e *Error) Error() string {
	if len(e.Diagnostics) == 1 {
		return e.Diagnostics[0].String()
	}
	return fmt.Sprintf("%s (and %d more problems)", e.Diagnostics[0], len(e.Diagnostics)-1)
}

// Result is the manifests an input makes.
type Result struct {
	// Files are the manifests (and the schema, unless Options.Schema
	// names one elsewhere), paths relative to the output directory.
	Files []export.File
	// Declares lists, for each manifest file, the addresses of the
	// objects it declares.
	Declares map[string][]string
	// Set is the manifests as loaded and checked.
	Set *manifest.Set
	// Customers is the number of customers.
	Customers int
	// Warnings are sheets left out (not named after a kind).
	Warnings []string
}

// node is one row becoming an object.
type node struct {
	spec   *resource.Spec
	obj    *export.Object
	row    Pos
	key    *Cell // nil when derived (lines without a key)
	parent *Cell
	cells  map[string]Cell // by manifest key
	up     *node
	kids   []*node
	addr   string
}

type builder struct {
	diags []Diagnostic
	// orphans are rows whose parent row is missing: checked under a
	// stand-in parent, so that their cells are reported too.
	orphans []*node
	order   map[string]int // table ordinal by file and sheet
	rows    map[resource.Kind][]*node
}

func (b *builder) errorf(p Pos, hint, format string, args ...any) {
	b.diags = append(b.diags, Diagnostic{Pos: p, Message: fmt.Sprintf(format, args...), Hint: hint})
}

// Build turns the tables into manifests, or returns an *Error with every
// problem found (none is written then). The same tables give the same
// bytes: objects in key order, fields in table order, as export writes
// them.
func Build(tables []*Table, opts Options) (*Result, error) {
	d, err := prepare(tables, opts)
	if err != nil {
		return nil, err
	}
	if err := d.check(); err != nil {
		return nil, err
	}
	return d.res, nil
}

// draft is an import rendered and not yet checked as manifests.
type draft struct {
	b         *builder
	res       *Result
	manifests []manifest.File
	lines     map[string]map[int]origin
}

// prepare reads the tables into objects and renders them; problems of the
// tables themselves (columns, keys, parents) are kept for check to report
// with the manifests' own.
func prepare(tables []*Table, opts Options) (*draft, error) {
	b := &builder{order: map[string]int{}, rows: map[resource.Kind][]*node{}}
	res := &Result{Declares: map[string][]string{}}
	known := map[string]sheet{}
	for _, sh := range sheets() {
		known[sh.collection] = sh
	}
	seen := map[string]Pos{}
	for i, t := range tables {
		b.order[t.At.File+"\x00"+t.At.Sheet] = i
		name := strings.ToLower(strings.TrimSpace(t.Name))
		sh, ok := known[name]
		if !ok {
			best := manifest.Nearest(name, collections())
			if t.At.Sheet != "" && best == "" {
				res.Warnings = append(res.Warnings, fmt.Sprintf("%s: sheet %q is not named after a kind; left out", t.At.File, t.Name))
				continue
			}
			hint := "name it after a kind: " + strings.Join(collections(), ", ")
			if best != "" {
				hint = fmt.Sprintf("did you mean %q?", best)
			}
			b.errorf(t.At, hint, "%q is not a kind onboard imports", t.Name)
			continue
		}
		if first, dup := seen[name]; dup {
			b.errorf(t.At, "merge them into one", "a second %s table (the first is at %s)", name, first)
			continue
		}
		seen[name] = t.At
		b.table(t, sh)
	}
	top := b.link()
	d := &draft{b: b, res: res, lines: map[string]map[int]origin{}}
	if err := d.render(top, opts); err != nil {
		return nil, err
	}
	return d, nil
}

// check runs the manifests through the manifest loader, traces each
// diagnostic to its cell, and returns every problem (an *Error), or nil.
func (d *draft) check() error {
	b := d.b
	if len(d.manifests) > 0 {
		set, err := manifest.LoadData(d.manifests)
		var merr *manifest.Error
		switch {
		case errors.As(err, &merr):
			for _, dg := range merr.Diagnostics {
				if p, ok := trace(d.lines[dg.Pos.File], dg.Pos.Line); ok {
					b.diags = append(b.diags, Diagnostic{Pos: p, Message: dg.Message, Hint: dg.Hint})
				}
			}
		case err != nil:
			return err
		}
		d.res.Set = set
	}
	if len(b.diags) > 0 {
		slices.SortStableFunc(b.diags, func(x, y Diagnostic) int {
			return cmp.Or(
				cmp.Compare(b.order[x.Pos.File+"\x00"+x.Pos.Sheet], b.order[y.Pos.File+"\x00"+y.Pos.Sheet]),
				cmp.Compare(x.Pos.Row, y.Pos.Row),
				cmp.Compare(x.Pos.Col, y.Pos.Col))
		})
		return &Error{Diagnostics: slices.Compact(b.diags)}
	}
	return nil
}

// table reads one table's rows into nodes.
func (b *builder) table(t *Table, sh sheet) {
	spellings, names := sh.columns()
	cols := make([]*column, len(t.Header))
	at := map[*column]Pos{}
	for j, h := range t.Header {
		text := strings.TrimSpace(h.Text)
		if text == "" {
			continue
		}
		c := spellings[strings.ToLower(text)]
		if c == nil {
			b.errorf(h.Pos, suggestColumn(text, names, sh), "unknown column %q in %s", text, sh.collection)
			continue
		}
		if first, dup := at[c]; dup {
			b.errorf(h.Pos, "remove one of them", "column %q again (the first is at %s)", c.name, first)
			continue
		}
		at[c] = h.Pos
		cols[j] = c
	}
	for _, row := range t.Rows {
		b.row(t, sh, cols, row)
	}
}

func suggestColumn(text string, names []string, sh sheet) string {
	cands := make([]string, 0, 2*len(names))
	back := map[string]string{}
	for _, n := range names {
		cands = append(cands, n, camel(n))
		back[n], back[camel(n)] = n, n
	}
	if best := manifest.Nearest(text, cands); best != "" {
		return fmt.Sprintf("did you mean %q?", back[best])
	}
	return "the columns of " + sh.collection + " are " + strings.Join(names, ", ")
}

// row reads one row into a node (or diagnostics).
func (b *builder) row(t *Table, sh sheet, cols []*column, row []Cell) {
	n := &node{row: rowPos(row), cells: map[string]Cell{}}
	type set struct {
		c    *column
		cell Cell
	}
	var vals []set
	parents := map[resource.Kind]Cell{}
	for j, cell := range row {
		if strings.TrimSpace(cell.Text) == "" {
			continue
		}
		if j >= len(cols) || cols[j] == nil {
			if j >= len(t.Header) || strings.TrimSpace(t.Header[j].Text) == "" {
				b.errorf(cell.Pos, "name the column in the header row, or clear the cell", "a value in a column without a name")
			}
			continue
		}
		c := cols[j]
		switch {
		case c.key:
			cell := cell
			n.key = &cell
		case c.parent != "":
			parents[c.parent] = cell
		default:
			vals = append(vals, set{c, cell})
		}
	}
	// The kind: the only one of the sheet, or the one whose parent the
	// row names (a file of a customer, or of a prospect).
	stand := false // the row cannot be an object of the output
	n.spec = sh.specs[0]
	if len(sh.specs) > 1 {
		var found []*resource.Spec
		var owners []string
		for _, s := range sh.specs {
			owners = append(owners, string(s.Parent.Kind))
			if _, ok := parents[s.Parent.Kind]; ok {
				found = append(found, s)
			}
		}
		switch len(found) {
		case 0:
			b.errorf(n.row, fmt.Sprintf("write the key of its %s in the %s column", strings.Join(owners, " or "), strings.Join(owners, " or ")),
				"this row of %s belongs to no %s", sh.collection, strings.Join(owners, " or "))
			stand = true
		case 1:
			n.spec = found[0]
		default:
			c := parents[found[1].Parent.Kind]
			b.errorf(c.Pos, "clear one of them", "a row of %s belongs to one %s, and this row names both", sh.collection, strings.Join(owners, " or "))
			n.spec, stand = found[0], true
		}
	}
	if p := n.spec.Parent; p != nil && !stand {
		c, ok := parents[p.Kind]
		if !ok {
			b.errorf(n.row, fmt.Sprintf("write the key of its %s in the %s column", resource.Get(p.Kind).Title, p.Kind),
				"this row of %s belongs to no %s", sh.collection, resource.Get(p.Kind).Title)
			stand = true
		} else {
			c.Text = strings.TrimSpace(c.Text)
			n.parent = &c
		}
	}
	n.obj = &export.Object{Spec: n.spec, Values: map[string]string{}, Origin: n}
	for _, v := range vals {
		fk, ok := v.c.fields[n.spec]
		if !ok {
			b.errorf(v.cell.Pos, "clear the cell", "%s has no %s", a(n.spec.Title), v.c.name)
			continue
		}
		n.obj.Values[fk.key] = value(fk.f, fk.key, v.cell, t.Date1904)
		n.cells[fk.key] = v.cell
	}
	switch {
	case n.key != nil:
		n.key.Text = strings.TrimSpace(n.key.Text)
		if !validName(n.key.Text) {
			b.errorf(n.key.Pos, "use letters, digits, '-' and '_' (e.g. acme-2026)", "invalid key %q for %s", n.key.Text, a(n.spec.Title))
			n.key, stand = nil, true
		} else {
			n.obj.Name = n.key.Text
		}
	case n.spec.Charge == resource.NoCharge:
		b.errorf(n.row, "write the row's local name in the key column (e.g. acme)", "this %s row has no key", n.spec.Title)
		stand = true
	}
	if stand {
		// Not an object of the output, but its cells are checked: under
		// a stand-in name (and parents), like a row whose parent is
		// missing.
		if n.obj.Name == "" {
			n.obj.Name = fmt.Sprintf("__row-%d-of-%s", n.row.Row, sh.collection)
		}
		b.orphans = append(b.orphans, n)
		return
	}
	b.rows[n.spec.Kind] = append(b.rows[n.spec.Kind], n)
}

// validName is the manifests' rule for a local name.
func validName(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !(unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

func a(title string) string {
	if strings.ContainsRune("aeiou", rune(title[0])) {
		return "an " + title
	}
	return "a " + title
}

// link attaches each node to its parent, names lines without a key after
// their item, checks that keys are unique, and returns the top-level nodes.
func (b *builder) link() []*node {
	// Keys of kinds that rows of other sheets name (customer, prospect,
	// file) are unique in their sheet; others within their parent.
	byKey := map[resource.Kind]map[string]*node{}
	var top []*node
	for _, s := range resource.All() {
		isParent := len(s.Children()) > 0
		if byKey[s.Kind] == nil {
			byKey[s.Kind] = map[string]*node{}
		}
		scoped := map[*node]map[string]*node{}
		for _, n := range b.rows[s.Kind] {
			if s.Parent != nil {
				p := byKey[s.Parent.Kind][n.parent.Text]
				if p == nil {
					b.unknownParent(n, byKey[s.Parent.Kind])
					if n.key == nil {
						n.obj.Name = lineName(n, nil)
					}
					b.orphans = append(b.orphans, n)
					continue
				}
				n.up = p
			}
			if n.key == nil {
				n.obj.Name = lineName(n, scoped[n.up])
			}
			scope := byKey[s.Kind]
			if s.Parent != nil && !isParent {
				if scoped[n.up] == nil {
					scoped[n.up] = map[string]*node{}
				}
				scope = scoped[n.up]
			}
			if first := scope[n.obj.Name]; first != nil {
				where := "in its sheet"
				if !isParent && s.Parent != nil {
					where = "within its " + resource.Get(s.Parent.Kind).Title
				}
				b.errorf(n.keyPos(), "give each row its own key", "key %q is already the key of the row at %s: a %s's key is unique %s",
					n.obj.Name, first.row, s.Title, where)
				continue
			}
			scope[n.obj.Name] = n
			if n.up != nil {
				n.up.kids = append(n.up.kids, n)
				n.addr = n.up.addr + "." + string(s.Kind) + "." + n.obj.Name
			} else {
				n.addr = manifest.Address(nil, s.Kind, n.obj.Name)
				top = append(top, n)
			}
		}
	}
	return top
}

func (n *node) keyPos() Pos {
	if n.key != nil {
		return n.key.Pos
	}
	return n.row
}

func (b *builder) unknownParent(n *node, keys map[string]*node) {
	ps := resource.Get(n.spec.Parent.Kind)
	names := make([]string, 0, len(keys))
	for k := range keys {
		names = append(names, k)
	}
	slices.Sort(names)
	hint := fmt.Sprintf("write the key of a row of the %s sheet", ps.Collection)
	if best := manifest.Nearest(n.parent.Text, names); best != "" {
		hint = fmt.Sprintf("did you mean %q?", best)
	}
	b.errorf(n.parent.Pos, hint, "no %s with key %q in the %s sheet", ps.Title, n.parent.Text, ps.Collection)
}

// lineName names a line without a key after its item, as export does
// ("sip-trunk", then "sip-trunk-2"), in row order.
func lineName(n *node, taken map[string]*node) string {
	base := n.obj.Values["item"]
	if base == "" {
		base = "item-" + n.obj.Values["item_id"]
	}
	if !validName(base) {
		base = string(n.spec.Kind)
	}
	name := base
	for i := 2; taken[name] != nil; i++ {
		name = fmt.Sprintf("%s-%d", base, i)
	}
	return name
}

// render writes the catalog and one file per customer, and the rows
// without a parent under stand-ins (checked, never written), noting which
// cell each line comes from.
func (d *draft) render(top []*node, opts Options) error {
	b, res := d.b, d.res
	var sortKids func([]*node) []*export.Object
	sortKids = func(ns []*node) []*export.Object {
		slices.SortFunc(ns, func(x, y *node) int { return strings.Compare(x.obj.Name, y.obj.Name) })
		out := make([]*export.Object, len(ns))
		for i, n := range ns {
			n.obj.Children = sortKids(n.kids)
			out[i] = n.obj
		}
		return out
	}
	var catalog, customers []*node
	// As export lays it out: catalog kinds in catalog.yaml, each owner
	// (customer, prospect) in a file of its own.
	for _, n := range top {
		if n.spec.Catalog {
			catalog = append(catalog, n)
		} else {
			customers = append(customers, n)
		}
	}
	schema, up := opts.Schema, "../"
	switch {
	case schema == "":
		schema = export.SchemaFile
		res.Files = append(res.Files, export.File{Path: export.SchemaFile, Data: schemas.Manifest})
	case strings.Contains(schema, "://") || strings.HasPrefix(schema, "/"):
		up = ""
	}
	lines := d.lines
	var manifests []manifest.File
	write := func(path string, d export.Doc, ns []*node) {
		m := map[int]origin{}
		d.Objects = sortKids(ns)
		data := export.Render(d, func(line int, o *export.Object, key string) {
			m[line] = origin{o.Origin.(*node), key}
		})
		lines[path] = m
		res.Files = append(res.Files, export.File{Path: path, Data: data})
		manifests = append(manifests, manifest.File{Path: path, Data: data})
		var walk func(*node)
		walk = func(n *node) {
			res.Declares[path] = append(res.Declares[path], n.addr)
			for _, k := range n.kids {
				walk(k)
			}
		}
		for _, n := range ns {
			walk(n)
		}
	}
	const edit = "Imported by `onboard import`: change the spreadsheet and import again rather than this file."
	if len(catalog) > 0 {
		write(export.CatalogFile, export.Doc{Schema: schema,
			Comment: []string{"The catalog (families and items) the customers under customers/ refer to by local name.", edit}}, catalog)
	}
	for _, c := range customers {
		write(export.CustomersDir+"/"+c.obj.Name+".yaml", export.Doc{Schema: up + schema,
			Comment: []string{"Customer " + c.obj.Name + ".", edit}}, []*node{c})
	}
	res.Customers = len(customers)
	if len(b.orphans) > 0 {
		// Checked, never written: each under stand-ins for its missing
		// ancestors, whose own lines trace to nothing.
		const path = "(rows without their parent)"
		var stand []*export.Object
		for i, n := range b.orphans {
			o := n.obj
			for _, f := range n.spec.Fields {
				if f.Type == resource.ReferenceList {
					delete(o.Values, f.Name) // names of the missing parent's objects
				}
			}
			for s := n.spec; s.Parent != nil; {
				s = resource.Get(s.Parent.Kind)
				p := &export.Object{Spec: s, Name: fmt.Sprintf("__stand-in-%d", i+1), Values: map[string]string{}, Children: []*export.Object{o}}
				for _, f := range s.Fields {
					if f.Required && f.Type == resource.String {
						p.Values[f.Name] = p.Name
					}
				}
				o = p
			}
			stand = append(stand, o)
		}
		m := map[int]origin{}
		data := export.Render(export.Doc{Objects: stand}, func(line int, o *export.Object, key string) {
			if n, ok := o.Origin.(*node); ok {
				m[line] = origin{n, key}
			} else {
				m[line] = origin{}
			}
		})
		lines[path] = m
		manifests = append(manifests, manifest.File{Path: path, Data: data})
	}
	if len(manifests) == 0 {
		if len(b.diags) == 0 {
			return errors.New("nothing to import: no rows in any sheet named after a kind")
		}
		return nil
	}
	d.manifests = manifests
	return nil
}

// origin is what a written line came from.
type origin struct {
	n   *node
	key string
}

// trace finds the cell that gave a line: the field's cell, or the row's
// key (for a line of the object's name, or one inside its fields, such as
// an item of a list), or the row. A line of a stand-in parent traces to
// nothing (false): its problems are the missing parent's, reported.
func trace(m map[int]origin, line int) (Pos, bool) {
	for l := line; l > 0; l-- {
		o, ok := m[l]
		if !ok {
			continue
		}
		if o.n == nil {
			return Pos{}, false
		}
		if c, ok := o.n.cells[o.key]; ok && o.key != "" {
			return c.Pos, true
		}
		return o.n.keyPos(), true
	}
	return Pos{File: "(generated manifests)"}, true
}
