package sandbox

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"

	"github.com/onboardhq/onboard/pkg/resource"
)

// remove handles DELETE Path/{id} with the API's rules: 422 while another
// object refers to it (a file's lines, a customer's files or contacts,
// the items of a family, the lines of an item, the files linking a
// contact), 404 for an id it does not hold (deleted already).
func (s *Server) remove(ks *kindStore, id int64) reply {
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	o := ks.objs[id]
	if o == nil {
		return notFound
	}
	if by, byID, ok := st.referrer(ks, id); ok {
		return message(http.StatusUnprocessableEntity,
			fmt.Sprintf("This %s cannot be deleted: %s #%d refers to it.", ks.spec.Title, by.spec.Title, byID))
	}
	ks.unindex(o)
	delete(ks.objs, id)
	if i, found := slices.BinarySearch(ks.order, id); found {
		ks.order = slices.Delete(ks.order, i, i+1)
	}
	return reply{status: http.StatusNoContent}
}

// referrer finds an object that refers to object id of ks: by its parent
// link, a reference or a reference list, as the table states them.
func (st *store) referrer(ks *kindStore, id int64) (*kindStore, int64, bool) {
	idText := strconv.FormatInt(id, 10)
	for _, other := range st.list {
		var wires []string
		if p := other.spec.Parent; p != nil && p.Kind == ks.spec.Kind {
			if p.BodyField != "" {
				wires = append(wires, p.BodyField)
			}
			if p.QueryField != "" {
				wires = append(wires, p.QueryField)
			}
		}
		for _, f := range other.spec.Fields {
			if f.IsRef() && f.Target == ks.spec.Kind {
				wires = append(wires, f.WireName())
			}
		}
		if len(wires) == 0 {
			continue
		}
		for _, oid := range other.order {
			o := other.objs[oid]
			if other.spec.Parent != nil && other.spec.Parent.Kind == ks.spec.Kind && !constsMatch(other.spec.Parent, o) {
				continue // a file of a prospect does not refer to the customer with its id
			}
			for _, w := range wires {
				if refersTo(o.vals[w], idText) {
					return other, oid, true
				}
			}
		}
	}
	return nil, 0, false
}

// constsMatch reports whether o carries its parent's query constants
// (fileable_type=customer).
func constsMatch(p *resource.Parent, o *object) bool {
	for k, v := range p.QueryConst {
		if t, ok := valueText(o.vals[k]); ok && resource.TrimAPI(t) != v {
			return false
		}
	}
	return true
}

// refersTo reports whether a stored value is the id, or a list holding it.
func refersTo(v any, idText string) bool {
	if list, ok := v.([]any); ok {
		return slices.ContainsFunc(list, func(x any) bool { return refersTo(x, idText) })
	}
	t, ok := valueText(v)
	return ok && t == idText
}
