package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

// compileStep turns an object into its create request, following the
// resource table: the parent's id first (as the cookbook sends
// customer_file_id first), then the table's fields in order, then `extra:`
// entries. decide turns it into an update or a no-op.
func compileStep(o *manifest.Object) *Step {
	spec := o.Spec()
	s := &Step{Addr: o.Addr, Kind: o.Kind, Label: label(o), Method: "POST", Path: spec.Path, Pos: o.Pos.String()}
	if c := o.Customer(); c != nil {
		s.Group = c.Addr
	}
	if o.Offer != "" {
		s.Offer = o.Offer
		s.Overrides = overrides(spec, o.Overrides)
	}
	// One allocation each, sized for the fields the object sets (the
	// parent's id, its fields, references and extra entries): growing them
	// by append was half of Compile's allocations, and sizing them for
	// every field the table allows held 1 KB per step unused.
	s.Body = make([]resource.Value, 0, 1+len(o.Fields)+len(o.Refs)+len(o.Extra))
	s.Where = make(map[string]string, len(o.Fields)+len(o.Refs)+len(o.Extra))
	var deps []string // a handful: a slice beats a map
	addDep := func(addr string) {
		if !slices.Contains(deps, addr) {
			deps = append(deps, addr)
		}
	}
	if par := spec.Parent; par != nil && o.Parent != nil {
		addDep(o.Parent.Addr)
		s.Query = make([]resource.Value, 0, len(par.QueryConst)+1)
		keys := make([]string, 0, len(par.QueryConst))
		for k := range par.QueryConst {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			s.Query = append(s.Query, resource.Value{Wire: k, Type: resource.String, Text: par.QueryConst[k]})
		}
		if par.QueryField != "" {
			s.Query = append(s.Query, resource.Value{Wire: par.QueryField, Type: resource.Reference, Ref: o.Parent.Addr})
		}
		if par.BodyField != "" {
			s.Body = append(s.Body, resource.Value{Wire: par.BodyField, Type: resource.Reference, Ref: o.Parent.Addr})
		}
	}
	for _, f := range spec.Fields {
		if f.FollowUp {
			continue // sent by the follow-up step (followup.go)
		}
		if f.Type == resource.Reference {
			r, ok := o.Refs[f.Name]
			if !ok {
				continue
			}
			v := resource.Value{Wire: f.WireName(), Type: resource.Reference, Text: r.ID}
			if r.Target != nil {
				v.Ref = r.Target.Addr
				addDep(r.Target.Addr)
			}
			s.Body = append(s.Body, v)
			s.Where[v.Wire] = r.Pos.String()
			continue
		}
		if v, ok := o.Fields[f.Name]; ok {
			s.Body = append(s.Body, resource.Value{Wire: f.WireName(), Type: f.Type, Text: v.Text})
			s.Where[f.WireName()] = v.Pos.String()
		}
	}
	for _, e := range o.Extra {
		s.Body = append(s.Body, resource.Value{Wire: e.Key, Raw: e.Raw})
		s.Where[e.Key] = e.Pos.String()
	}
	sort.Strings(deps)
	s.Deps = deps
	s.Spec, s.Hash = specOf(spec, s.Query, s.Body)
	return s
}

// SymbolicText renders a value for specs and plans: references to local
// objects as "@addr", everything else as its text.
func SymbolicText(v resource.Value) string {
	switch {
	case v.Null:
		return ""
	case v.Raw != nil:
		return string(v.Raw)
	case v.Type == resource.ReferenceList:
		return symbolicList(v)
	case v.Type == resource.Reference && v.Ref != "":
		return "@" + v.Ref
	}
	return v.Text
}

// specOf maps wire names to symbolic texts in canonical form (query
// parameters prefixed with "?") and hashes them in request order, so that
// a reordered manifest with the same content keeps its hash only if the
// request is the same. Canonical forms make state hold what the API
// stores, which is what later comparisons (updates, drift) need.
func specOf(spec *resource.Spec, query, body []resource.Value) (map[string]string, string) {
	m := make(map[string]string, len(query)+len(body))
	// The hashed text is built in one buffer and hashed once: the same
	// bytes as writing each part to the hash, without an allocation per
	// part.
	var stack [512]byte
	buf := stack[:0]
	write := func(k, v string) {
		m[k] = v
		buf = append(buf, k...)
		buf = append(buf, 0)
		buf = append(buf, v...)
		buf = append(buf, 0)
	}
	for _, v := range query {
		write(queryKey(v.Wire), SymbolicText(v))
	}
	for _, v := range body {
		write(v.Wire, canonical(spec, v.Wire, SymbolicText(v)))
	}
	sum := sha256.Sum256(buf)
	return m, hex.EncodeToString(sum[:16])
}

// queryKeys holds the spec keys of the query parameters the table names
// ("?" and the wire name), made once instead of once per step.
var queryKeys sync.Map // string -> string

func queryKey(wire string) string {
	if k, ok := queryKeys.Load(wire); ok {
		return k.(string)
	}
	k, _ := queryKeys.LoadOrStore(wire, "?"+wire)
	return k.(string)
}

// overrides turns the manifest keys a file's line sets over its offer's
// line into the wire names of the step's spec.
func overrides(spec *resource.Spec, keys []string) []string {
	if len(keys) == 0 {
		return nil
	}
	out := make([]string, 0, len(keys))
	for _, k := range keys {
		if x, ok := strings.CutPrefix(k, resource.ExtraKey+"."); ok {
			out = append(out, x)
			continue
		}
		if f, ok := spec.Field(k); ok {
			out = append(out, f.WireName())
		}
	}
	return out
}
