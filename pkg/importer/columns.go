package importer

import (
	"sort"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// KeyColumn holds a row's local name.
const KeyColumn = "key"

// sheet is what a table holds: the kinds whose collection it is named
// after (files and contacts belong to customers or to prospects).
type sheet struct {
	collection string
	specs      []*resource.Spec
}

// sheets are the tables an import reads, by collection name, in table
// order.
func sheets() []sheet {
	var out []sheet
	at := map[string]int{}
	for _, s := range resource.All() {
		i, ok := at[s.Collection]
		if !ok {
			i = len(out)
			at[s.Collection] = i
			out = append(out, sheet{collection: s.Collection})
		}
		out[i].specs = append(out[i].specs, s)
	}
	return out
}

// column is what a header names.
type column struct {
	// key: the row's local name.
	key bool
	// parent is the kind whose key the column holds ("customer").
	parent resource.Kind
	// fields: the column's field in each kind of the sheet that has it,
	// and the manifest key it fills (the field's Name, or its IDName).
	fields map[*resource.Spec]fieldKey
	// name is the column's manifest name, for messages.
	name string
}

type fieldKey struct {
	f   resource.Field
	key string
}

// columns maps every spelling a header may use to its column: the
// manifest names, the wire names and the camelCase spellings of both
// (mainAddressLine1, sellingPriceWithoutTax, itemId), compared without
// case.
func (sh sheet) columns() (map[string]*column, []string) {
	m := map[string]*column{}
	var names []string
	add := func(spelling string, c *column) {
		for _, s := range []string{spelling, camel(spelling)} {
			s = strings.ToLower(s)
			if m[s] == nil {
				m[s] = c
			}
		}
	}
	key := &column{key: true, name: KeyColumn}
	add(KeyColumn, key)
	names = append(names, KeyColumn)
	byName := map[string]*column{}
	for _, s := range sh.specs {
		if s.Parent != nil {
			p := string(s.Parent.Kind)
			if byName[p] == nil {
				byName[p] = &column{parent: s.Parent.Kind, name: p}
				add(p, byName[p])
				names = append(names, p)
			}
		}
		for _, f := range s.Fields {
			keys := []string{f.Name}
			if f.IsRef() && f.IDName != "" && f.IDName != f.Name {
				keys = append(keys, f.IDName)
			}
			for _, k := range keys {
				c := byName[k]
				if c == nil {
					c = &column{fields: map[*resource.Spec]fieldKey{}, name: k}
					byName[k] = c
					names = append(names, k)
				}
				c.fields[s] = fieldKey{f: f, key: k}
				add(k, c)
				if k == f.Name && f.WireName() != k && !f.IsRef() {
					add(f.WireName(), c)
				}
			}
		}
	}
	return m, names
}

// camel is the API's camelCase spelling of a snake_case name
// (main_address_line1 is mainAddressLine1).
func camel(s string) string {
	parts := strings.Split(s, "_")
	for i := 1; i < len(parts); i++ {
		if parts[i] != "" {
			parts[i] = strings.ToUpper(parts[i][:1]) + parts[i][1:]
		}
	}
	return strings.Join(parts, "")
}

// collections are the sheet names an import knows, sorted.
func collections() []string {
	var out []string
	for _, sh := range sheets() {
		out = append(out, sh.collection)
	}
	sort.Strings(out)
	return out
}

// Sheets are the names of the sheets (or CSV files) an import reads: the
// resource table's collections, in table order.
func Sheets() []string {
	var out []string
	for _, sh := range sheets() {
		out = append(out, sh.collection)
	}
	return out
}
