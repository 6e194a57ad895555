package plan

import (
	"slices"
	"sort"
	"strings"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// followUp returns the step that PUTs an object's follow-up fields (a
// file's contact_ids and billing dates, resource.Field.FollowUp) once the
// object exists, or nil when the object sets none and state has no record
// of an earlier one. Its address is the object's plus the kind's FollowUp
// name ("customer.acme.file.main.links"), its kind the object's, its id
// (in state) the object's; it depends on the object and on every object
// it lists. decide then makes it a create (the first PUT), an update (a
// PUT of what changed, a removed field sent as null) or a no-op, by the
// same diff as any object.
func followUp(o *manifest.Object, st *state.State) *Step {
	spec := o.Spec()
	if spec.FollowUp == "" {
		return nil
	}
	addr := FollowUpAddr(o.Addr, spec)
	if !hasFollowUp(o, spec) && st.Objects[addr] == nil {
		return nil // the common case: nothing to send after the create
	}
	s := &Step{Addr: addr, Kind: o.Kind, Label: label(o), Method: "PUT", Path: spec.Path + "/{id}", Of: o.Addr,
		Pos: o.Pos.String(), Where: map[string]string{}}
	if c := o.Customer(); c != nil {
		s.Group = c.Addr
	}
	deps := []string{o.Addr}
	for _, f := range spec.Fields {
		if !f.FollowUp {
			continue
		}
		if f.Type == resource.ReferenceList {
			refs, ok := o.Lists[f.Name]
			if !ok {
				continue
			}
			v := resource.Value{Wire: f.WireName(), Type: resource.ReferenceList, List: make([]resource.Value, 0, len(refs))}
			for _, r := range refs {
				item := resource.Value{Wire: f.WireName(), Type: resource.Reference, Text: r.ID}
				if r.Target != nil {
					item.Ref = r.Target.Addr
					if !slices.Contains(deps, item.Ref) {
						deps = append(deps, item.Ref)
					}
				}
				v.List = append(v.List, item)
			}
			s.Body = append(s.Body, v)
			if len(refs) > 0 {
				s.Where[v.Wire] = refs[0].Pos.String()
			}
			continue
		}
		if v, ok := o.Fields[f.Name]; ok {
			s.Body = append(s.Body, resource.Value{Wire: f.WireName(), Type: f.Type, Text: v.Text})
			s.Where[f.WireName()] = v.Pos.String()
		}
	}
	sort.Strings(deps)
	s.Deps = deps
	s.Spec, s.Hash = specOf(spec, nil, s.Body)
	return s
}

// hasFollowUp reports whether o sets any of its kind's follow-up fields.
func hasFollowUp(o *manifest.Object, spec *resource.Spec) bool {
	for _, f := range spec.Fields {
		if !f.FollowUp {
			continue
		}
		if _, ok := o.Lists[f.Name]; ok {
			return true
		}
		if _, ok := o.Fields[f.Name]; ok {
			return true
		}
	}
	return false
}

// FollowUpAddr is the address of the follow-up step of the object at addr.
func FollowUpAddr(addr string, spec *resource.Spec) string { return addr + "." + spec.FollowUp }

// symbolicList renders a ReferenceList for specs: its items' symbolic
// texts joined by commas ("@customer.acme.contact.billing,12").
func symbolicList(v resource.Value) string {
	items := make([]string, len(v.List))
	for i, it := range v.List {
		items[i] = SymbolicText(it)
	}
	return strings.Join(items, ",")
}

// withFollowUps compiles the objects in order, the follow-up steps of a
// customer's (or prospect's) objects after its last object, so that the
// steps stay in topological order whatever order the manifest lists a
// file and the contacts it links.
func withFollowUps(ordered []*manifest.Object, st *state.State) []*Step {
	out := make([]*Step, 0, len(ordered))
	var pending []*Step
	var group *manifest.Object
	steps := compileSteps(ordered) // parallel.go
	for i, o := range ordered {
		if c := o.Customer(); c != group {
			out, pending, group = append(out, pending...), pending[:0], c
		}
		out = append(out, steps[i])
		if f := followUp(o, st); f != nil {
			pending = append(pending, f)
		}
	}
	return append(out, pending...)
}

// title is a group's heading word: "Customer", "Prospect".
func title(o *manifest.Object) string {
	t := o.Spec().Title
	return strings.ToUpper(t[:1]) + t[1:]
}
