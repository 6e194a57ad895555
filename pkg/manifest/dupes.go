package manifest

import (
	"fmt"
	"slices"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/resource"
)

// siblings checks objects that share a parent (or the top level) for ones
// onboard could not tell apart when it looks an object up after a lost
// response: lines identical in every field, and objects of other kinds
// sharing a natural key. The top level is checked across the whole set
// instead (see collide), with local references resolved by name.
func (b *builder) siblings(objs []*Object, nested bool) {
	if !nested {
		return
	}
	for _, group := range byKind(objs) {
		s := group[0].Spec()
		var clean []*Object
		for _, o := range group {
			if !b.dirty[o] {
				clean = append(clean, o)
			}
		}
		if s.MatchAllFields {
			b.diags = append(b.diags, identical(clean)...)
		} else {
			b.diags = append(b.diags, collide(clean)...)
		}
	}
}

// byKind groups objects by kind, keeping their order.
func byKind(objs []*Object) [][]*Object {
	var groups [][]*Object
	idx := map[resource.Kind]int{}
	for _, o := range objs {
		i, ok := idx[o.Kind]
		if !ok {
			i = len(groups)
			idx[o.Kind] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], o)
	}
	return groups
}

// identical reports lines of one kind and parent that say exactly the same
// thing (item, every field, extra).
func identical(objs []*Object) []Diagnostic {
	if len(objs) < 2 {
		return nil
	}
	var diags []Diagnostic
	seen := map[string]*Object{}
	for _, o := range objs {
		sig := signature(o)
		first, dup := seen[sig]
		if !dup {
			seen[sig] = o
			continue
		}
		s := o.Spec()
		hint := "merge the quantities into one line"
		if _, ok := s.Field("label"); ok {
			hint = "give them distinct labels or merge the quantities"
		}
		diags = append(diags, Diagnostic{
			Pos: o.Pos,
			Message: fmt.Sprintf("%s %q is identical to %s %q (at %s): onboard could not tell them apart",
				s.Title, o.Name, s.Title, first.Name, first.Pos),
			Hint: hint,
		})
	}
	return diags
}

// signature renders everything an object sends, for comparison.
func signature(o *Object) string {
	var b strings.Builder
	for _, f := range o.Spec().Fields {
		b.WriteString(f.Name)
		b.WriteByte('=')
		if f.Type == resource.Reference {
			b.WriteString(refKey(o.Refs, f))
		} else if v, ok := o.Fields[f.Name]; ok {
			b.WriteString(canonValue(v))
		}
		b.WriteByte(0)
	}
	extra := slices.Clone(o.Extra)
	slices.SortFunc(extra, func(a, b Extra) int { return strings.Compare(a.Key, b.Key) })
	for _, x := range extra {
		fmt.Fprintf(&b, "extra.%s=%s\x00", x.Key, x.Raw)
	}
	return b.String()
}

// refKey identifies a reference's target: the local name, or the id.
func refKey(refs map[string]Ref, f resource.Field) string {
	r, ok := refs[f.Name]
	switch {
	case !ok:
		return ""
	case r.ID != "":
		return "id:" + r.ID
	}
	return "name:" + r.Name
}

// canonValue compares decimals by value (5 and 5.0 are the same quantity
// to the API); other types by text.
func canonValue(v Value) string {
	if v.Type == resource.Decimal {
		if d, _, err := apd.NewFromString(v.Text); err == nil {
			d.Reduce(d)
			return d.Text('f')
		}
	}
	return v.Text
}

// naturalKey returns the values of key (wire names) for o, and whether
// all of them are set. The parent's id is the same for siblings.
func naturalKey(o *Object, key []string) (string, bool) {
	s := o.Spec()
	var b strings.Builder
	for _, w := range key {
		f, ok := s.WireField(w)
		switch {
		case !ok && s.Parent != nil && w == s.Parent.BodyField:
			continue
		case !ok:
			return "", false
		case f.Type == resource.Reference:
			k := refKey(o.Refs, f)
			if k == "" {
				return "", false
			}
			b.WriteString(k)
		default:
			v, set := o.Fields[f.Name]
			if !set {
				return "", false
			}
			b.WriteString(canonValue(v))
		}
		b.WriteByte(0)
	}
	return b.String(), true
}

// collide reports objects of one kind and parent that an existing-object
// lookup would confuse: the key one object is looked up by (the first of
// its natural keys that it sets) matches another object.
func collide(objs []*Object) []Diagnostic {
	if len(objs) < 2 {
		return nil
	}
	keys := objs[0].Spec().NaturalKeys
	buckets := map[string][]int{}
	for i, o := range objs {
		for k, key := range keys {
			if v, ok := naturalKey(o, key); ok {
				id := fmt.Sprintf("%d\x01%s", k, v)
				buckets[id] = append(buckets[id], i)
			}
		}
	}
	reported := map[int]bool{}
	var diags []Diagnostic
	for i, o := range objs {
		for k, key := range keys {
			v, ok := naturalKey(o, key)
			if !ok {
				continue
			}
			// o is looked up by its first complete key only. Any other
			// object in that bucket is confused with it; the bucket's
			// first member is the one named (buckets are in order).
			b := buckets[fmt.Sprintf("%d\x01%s", k, v)]
			j := b[0]
			if j == i && len(b) > 1 {
				j = b[1]
			}
			if later := max(i, j); j != i && !reported[later] {
				reported[later] = true
				diags = append(diags, collision(objs[later], objs[min(i, j)], key))
			}
			break
		}
	}
	return diags
}

func collision(o, first *Object, key []string) Diagnostic {
	s := o.Spec()
	var names []string
	for _, w := range key {
		if f, ok := s.WireField(w); ok {
			names = append(names, f.Name)
		}
	}
	fields := strings.Join(names, " and ")
	return Diagnostic{
		Pos: o.Pos,
		Message: fmt.Sprintf("%s %q has the same %s as %s %q (at %s)",
			s.Title, o.Name, fields, s.Title, first.Name, first.Pos),
		Hint: fmt.Sprintf("onboard finds an existing %s by its %s, so both would be the same %s: make them differ or merge them",
			s.Title, fields, s.Title),
	}
}
