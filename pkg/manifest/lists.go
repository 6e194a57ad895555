package manifest

import (
	"fmt"
	"slices"

	"github.com/onboardhq/onboard/pkg/resource"
)

// referenceList reads a list of local names (f.Name) and of ids
// (f.IDName); both may be given, to link new and existing objects. The
// names are resolved once the set is assembled (resolveLists), within the
// ancestor of kind f.Scope.
func (b *builder) referenceList(o *Object, f resource.Field, t *tnode) {
	var refs []Ref
	seen := map[string]bool{}
	add := func(key string, r Ref, v *tnode) {
		if seen[key] {
			b.errorf(o, v.line, v.col, "list each one once", "%s lists %s twice", f.Name, v.text)
			return
		}
		seen[key] = true
		refs = append(refs, r)
	}
	if e := t.entry(f.Name); e != nil && !b.bad[e.val] && e.val.kind == nSeq {
		for _, v := range e.val.items {
			if v.kind != nScalar || v.sk != sString {
				continue // reported by the schema
			}
			add("name:"+v.text, Ref{Name: v.text, Pos: b.pos(v.line, v.col)}, v)
		}
	}
	if e := t.entry(f.IDName); e != nil && !b.bad[e.val] && e.val.kind == nSeq {
		for _, v := range e.val.items {
			if v.kind != nScalar || !b.integer(o, f.IDName, v, true) {
				continue
			}
			add("id:"+v.text, Ref{ID: v.text, Pos: b.pos(v.line, v.col)}, v)
		}
	}
	if t.entry(f.Name) == nil && t.entry(f.IDName) == nil {
		return
	}
	if o.Lists == nil {
		o.Lists = map[string][]Ref{}
	}
	o.Lists[f.Name] = refs
}

// resolveLists resolves the local names of reference lists among the
// objects of the target kind nested in the object's ancestor of the
// field's Scope (a file's contacts are its customer's). A name declared
// under another owner is reported as such.
func resolveLists(objs []*Object, dirty map[*Object]bool) []Diagnostic {
	// Every object of a kind that lists refer to, by name, across owners.
	targets := map[resource.Kind]bool{}
	for _, s := range resource.All() {
		for _, f := range s.Fields {
			if f.Type == resource.ReferenceList {
				targets[f.Target] = true
			}
		}
	}
	byName := map[resource.Kind]map[string][]*Object{}
	for _, o := range objs {
		if !targets[o.Kind] {
			continue
		}
		if byName[o.Kind] == nil {
			byName[o.Kind] = map[string][]*Object{}
		}
		byName[o.Kind][o.Name] = append(byName[o.Kind][o.Name], o)
	}
	var diags []Diagnostic
	for _, o := range objs {
		for name, refs := range o.Lists {
			f, _ := o.Spec().Field(name)
			owner := o.ancestor(f.Scope)
			for i, r := range refs {
				if r.ID != "" {
					continue
				}
				cands := byName[f.Target][r.Name]
				if j := slices.IndexFunc(cands, func(c *Object) bool { return c.ancestor(f.Scope) == owner }); j >= 0 {
					refs[i].Target = cands[j]
					continue
				}
				dirty[o] = true
				diags = append(diags, unknownListed(o, f, r, owner, cands))
			}
		}
	}
	return diags
}

// unknownListed reports a listed name that is not one of the owner's.
func unknownListed(o *Object, f resource.Field, r Ref, owner *Object, elsewhere []*Object) Diagnostic {
	target := resource.Get(f.Target)
	ownerTitle := kindTitle(f.Scope)
	d := Diagnostic{Pos: r.Pos}
	if len(elsewhere) > 0 {
		other := elsewhere[0].ancestor(f.Scope)
		d.Message = fmt.Sprintf("%s %q links %s %q of %s %q (at %s), not one of its own %s %q",
			o.Spec().Title, o.Name, target.Title, r.Name, ownerTitle, other.Name, elsewhere[0].Pos, ownerTitle, owner.Name)
		d.Hint = fmt.Sprintf("a file links contacts of its own %s: declare the contact under %s %q's %s:, or use %s: [ID] for an existing one",
			ownerTitle, ownerTitle, owner.Name, target.Collection, f.IDName)
		return d
	}
	d.Message = fmt.Sprintf("%s %q links unknown %s %q", o.Spec().Title, o.Name, target.Title, r.Name)
	var names []string
	for _, c := range owner.Children {
		if c.Kind == f.Target {
			names = append(names, c.Name)
		}
	}
	d.Hint = fmt.Sprintf("declare it under %s %q's %s:, or use %s: [ID] for %s that already exists in BlueRockTEL",
		ownerTitle, owner.Name, target.Collection, f.IDName, a(target.Title))
	if best := nearest(r.Name, names); best != "" {
		d.Hint = fmt.Sprintf("did you mean %q?", best)
	}
	return d
}

// ancestor returns the object's nearest ancestor (or itself) of kind k.
func (o *Object) ancestor(k resource.Kind) *Object {
	for c := o; c != nil; c = c.Parent {
		if c.Kind == k {
			return c
		}
	}
	return nil
}
