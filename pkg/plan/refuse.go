package plan

import (
	"fmt"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Refusal is a change of the manifests that no update can make.
type Refusal struct {
	Addr string
	// Pos is where the manifest sets the field (or declares the object).
	Pos      string
	Field    string
	Old, New string
	// Reason says why, Hint what to do instead.
	Reason, Hint string
}

func (r Refusal) String() string {
	where := r.Addr
	if r.Pos != "" {
		where = r.Pos + ": " + r.Addr
	}
	return fmt.Sprintf("%s: %s cannot change from %s to %s: %s; %s",
		where, r.Field, orNone(r.Old), orNone(r.New), r.Reason, r.Hint)
}

// RefusedError lists the changes plan refuses.
type RefusedError struct {
	Refusals []Refusal
}

func (e *RefusedError) Error() string {
	parts := make([]string, len(e.Refusals))
	for i, r := range e.Refusals {
		parts[i] = r.String()
	}
	return strings.Join(parts, "\n")
}

// refusals lists the changes of s that an update cannot make: its parent
// (the object would move) and the table's Fixed fields (its identity).
func refusals(s *Step) []Refusal {
	spec := resource.Get(s.Kind)
	var out []Refusal
	for _, c := range s.Changes {
		wire := strings.TrimPrefix(c.Field, "?")
		r := Refusal{Addr: s.Addr, Field: wire, Old: c.Old, New: c.New, Pos: s.Where[wire]}
		if r.Pos == "" {
			r.Pos = s.Pos
		}
		switch f, known := spec.WireField(wire); {
		case spec.IsParentWire(wire):
			r.Reason = fmt.Sprintf("a %s cannot move to another %s", spec.Title, resource.Get(spec.Parent.Kind).Title)
			r.Hint = "declare it under its new parent with a local name of its own (a new object is created) and remove the old one from the manifests"
		case known && f.Fixed:
			r.Reason = fmt.Sprintf("it is part of what the %s is", spec.Title)
			r.Hint = fmt.Sprintf("give the %s a new local name to create a new one", spec.Title)
			if _, ok := spec.Field("active"); ok {
				r.Hint += ", and set `active: false` on the old one to end it"
			}
		default:
			continue
		}
		out = append(out, r)
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}
