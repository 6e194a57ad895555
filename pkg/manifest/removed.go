package manifest

import (
	"fmt"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// RemovedKey is the top-level manifest key of the end-of-life decisions.
const RemovedKey = "removed"

// Removal is one entry of a `removed:` list: the decision taken for an
// object that the manifests no longer declare, and for everything it
// contains.
type Removal struct {
	// Addr is the address decided ("customer.globex").
	Addr string
	// Kind is the kind at Addr.
	Kind resource.Kind
	// Then is the decision.
	Then resource.End
	// Date is when a stop takes effect (YYYY-MM-DD); "" otherwise.
	Date string
	// Pos is the position of the entry (its `address`); DatePos of its
	// date.
	Pos, DatePos Pos
}

// Covers reports whether the decision covers the object at addr: the
// address itself, or one nested in it.
func (r *Removal) Covers(addr string) bool {
	return addr == r.Addr || strings.HasPrefix(addr, r.Addr+".")
}

// removedList reads the `removed:` list of a document. The schema has
// checked its shape; here each entry's address, decision and date are
// checked against the table.
func (b *builder) removedList(root *tnode) {
	e := root.entry(RemovedKey)
	if e == nil || b.bad[e.val] || e.val.kind != nSeq {
		return
	}
	for _, it := range e.val.items {
		if it == nil || b.bad[it] || it.kind != nMap {
			continue
		}
		if r, ok := b.removal(it); ok {
			b.removed = append(b.removed, r)
		}
	}
}

func (b *builder) removal(t *tnode) (Removal, bool) {
	ae, te, de := t.entry("address"), t.entry("then"), t.entry("date")
	if ae == nil || te == nil || b.bad[ae.val] || b.bad[te.val] || ae.val.kind != nScalar || te.val.kind != nScalar {
		return Removal{}, false // reported by the schema
	}
	r := Removal{Addr: ae.val.text, Then: resource.End(te.val.text), Pos: b.pos(ae.val.line, ae.val.col)}
	k, err := KindOf(r.Addr)
	if err != nil || strings.Count(r.Addr, ".")%2 == 0 {
		msg := fmt.Sprintf("%q is not an object's address", r.Addr)
		if err != nil {
			msg = err.Error()
		}
		b.errorf(nil, ae.val.line, ae.val.col, "write the address onboard gives the object (onboard state list shows them), e.g. customer.acme.file.main", "removed: %s", msg)
		return r, false
	}
	r.Kind = k
	spec := resource.Get(k)
	known := false
	for _, e := range resource.EndNames {
		known = known || e == r.Then
	}
	if !known || !spec.Allows(r.Then) {
		what := fmt.Sprintf("then: %q is not a decision onboard knows", r.Then)
		if known {
			what = fmt.Sprintf("%s cannot be ended by %s", a(spec.Title), r.Then)
		}
		b.errorf(nil, te.val.line, te.val.col, fmt.Sprintf("for %s write then: %s", a(spec.Title), spec.EndsText()),
			"removed %s: %s", r.Addr, what)
		return r, false
	}
	switch {
	case r.Then == resource.Stop && de == nil:
		b.errorf(nil, te.val.line, te.val.col, "add date: YYYY-MM-DD, the day its services stop",
			"removed %s: stop needs a date", r.Addr)
		return r, false
	case r.Then == resource.Stop:
		if b.bad[de.val] || de.val.kind != nScalar || de.val.sk != sString {
			return r, false
		}
		if !b.date(nil, "date", de.val) {
			return r, false
		}
		r.Date, r.DatePos = de.val.text, b.pos(de.val.line, de.val.col)
	case de != nil:
		b.errorf(nil, de.line, de.col, "remove date:, or decide then: stop",
			"removed %s: a date is for stop only, not %s", r.Addr, r.Then)
		return r, false
	}
	return r, true
}

// checkRemovals refuses a decision for an object still declared, a
// second decision for the same address, and one for an address inside
// another entry's.
func checkRemovals(set *Set) []Diagnostic {
	var diags []Diagnostic
	seen := map[string]*Removal{}
	for i := range set.Removed {
		r := &set.Removed[i]
		if first, dup := seen[r.Addr]; dup {
			diags = append(diags, Diagnostic{Pos: r.Pos,
				Message: fmt.Sprintf("removed %s is decided twice (first at %s)", r.Addr, first.Pos),
				Hint:    "keep one entry"})
			continue
		}
		seen[r.Addr] = r
	}
	for i := range set.Removed {
		r := &set.Removed[i]
		if seen[r.Addr] != r {
			continue // a repeat, reported above
		}
		// One decision an object: an entry for an address inside another
		// entry's would contradict or repeat it.
		if outer := enclosing(seen, r.Addr); outer != nil {
			diags = append(diags, Diagnostic{Pos: r.Pos,
				Message: fmt.Sprintf("removed %s is inside %s, decided at %s (then: %s), which covers it", r.Addr, outer.Addr, outer.Pos, outer.Then),
				Hint:    "keep one decision for it: remove this entry, or the outer one (an applied entry can go: the plan says when)"})
			continue
		}
		if o := set.ByAddr[r.Addr]; o != nil {
			diags = append(diags, Diagnostic{Pos: r.Pos,
				Message: fmt.Sprintf("removed %s is still declared (at %s)", r.Addr, o.Pos),
				Hint:    "remove its declaration to end it, or this entry to keep it"})
			continue
		}
		if len(resource.Get(r.Kind).Children()) == 0 {
			continue // it contains nothing
		}
		for _, o := range set.Objects {
			if r.Covers(o.Addr) {
				diags = append(diags, Diagnostic{Pos: r.Pos,
					Message: fmt.Sprintf("removed %s contains %s, still declared (at %s)", r.Addr, o.Addr, o.Pos),
					Hint:    "a decision covers everything the object contains: remove that declaration too, or decide for the objects inside only"})
				break
			}
		}
	}
	return diags
}

// enclosing returns the entry of the nearest address that contains addr
// (customer.acme for customer.acme.file.main), or nil.
func enclosing(entries map[string]*Removal, addr string) *Removal {
	parts := strings.Split(addr, ".")
	for n := len(parts) - 2; n >= 2; n -= 2 {
		if r := entries[strings.Join(parts[:n], ".")]; r != nil {
			return r
		}
	}
	return nil
}
