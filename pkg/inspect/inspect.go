// Package inspect reads one object of the state from BlueRockTEL (a
// customer file with all its lines, in one request) and compares it, and
// each line, with the manifests' specs when given, else with what the
// state recorded: what `onboard show ADDRESS` prints. It changes nothing.
package inspect

import (
	"context"
	"encoding/json"
	"strconv"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// parallelism bounds the reads: a file's lines come with its GET, so
// there is rarely more than one request.
const parallelism = 4

// Object is an object as BlueRockTEL has it, compared.
type Object struct {
	Addr string // "" for a line the state does not know
	Kind resource.Kind
	ID   int64
	Gone bool
	// Record is BlueRockTEL's answer, without embedded lines.
	Record *bluerocktel.Record
	// Against names what drift is measured against: "manifest", or
	// "state" without manifests or for an object they do not declare.
	Against string
	// Spec is what the object is compared with (nil when not known).
	Spec  map[string]string
	Drift []resource.Drift
	// Lines are a file's lines, as BlueRockTEL returns them, then the lines
	// state knows that BlueRockTEL no longer has.
	Lines []*Object
	// Requests is how many requests the read took (on the top object).
	Requests int
	// Names maps "kind#id" to the address the state knows it by, to name
	// the targets of ids (see NameOf).
	Names map[string]string
	// Manifests: compared with manifests (want was given).
	Manifests bool
}

// NameOf is the address of the object of kind k with id text id, "" when
// the state does not know it.
func (o *Object) NameOf(k resource.Kind, id string) string {
	return o.Names[string(k)+"#"+id]
}

// Read refreshes o (with its lines, for a file) and compares it with the
// manifests' specs by address (want) when given, else with what st
// recorded.
func Read(ctx context.Context, c refresh.Reader, st *state.State, o *state.Object, want map[string]map[string]string) (*Object, error) {
	known := []refresh.Known{{Addr: o.Addr, Kind: resource.Kind(o.Kind), ID: o.ID, Parent: resource.ParentAddr(o.Addr)}}
	names := map[string]string{}
	for _, so := range st.Sorted() {
		// The first address of an id names it: a file's follow-up
		// (customer.acme.file.main.links) shares the file's id and sorts
		// after it.
		if key := so.Kind + "#" + strconv.FormatInt(so.ID, 10); so.ID > 0 && names[key] == "" {
			names[key] = so.Addr
		}
		if resource.ParentAddr(so.Addr) == o.Addr && so.Status == state.StatusCreated && so.ID > 0 && isEmbedded(resource.Kind(so.Kind)) {
			known = append(known, refresh.Known{Addr: so.Addr, Kind: resource.Kind(so.Kind), ID: so.ID, Parent: o.Addr})
		}
	}
	live, stats, err := refresh.Read(ctx, c, known, refresh.Options{Parallelism: parallelism})
	if err != nil {
		return nil, err
	}
	ids := st.IDOf
	build := func(addr string, kind resource.Kind, id int64, rec *bluerocktel.Record, gone bool) *Object {
		s := &Object{Addr: addr, Kind: kind, ID: id, Gone: gone, Record: rec, Against: "state", Names: names}
		if sp, ok := want[addr]; ok && addr != "" {
			s.Spec, s.Against = sp, "manifest"
		} else if so := st.Get(addr); so != nil {
			// Without manifests, or an object they no longer declare.
			s.Spec = so.Spec
		}
		if rec != nil && s.Spec != nil {
			s.Drift = resource.Compare(resource.Get(kind), s.Spec, rec, ids)
		}
		return s
	}
	top := live[o.Addr]
	var rec *bluerocktel.Record
	if !top.Gone {
		rec = withoutEmbedded(resource.Get(top.Kind), top.Record)
	}
	v := build(o.Addr, top.Kind, top.ID, rec, top.Gone)
	v.Requests = stats.Requests()
	v.Manifests = want != nil
	if top.Gone {
		return v, nil
	}
	byID := map[string]*refresh.Live{}
	for _, k := range known[1:] {
		byID[string(k.Kind)+"#"+strconv.FormatInt(k.ID, 10)] = live[k.Addr]
	}
	shownLines := map[string]bool{}
	for _, cs := range resource.Get(top.Kind).Embeds() {
		recs, ok, err := bluerocktel.Embedded(top.Record, cs.Collection)
		if err != nil || !ok {
			continue
		}
		for _, lr := range recs {
			key := string(cs.Kind) + "#" + strconv.FormatInt(lr.ID, 10)
			addr := ""
			if l := byID[key]; l != nil {
				addr = l.Addr
				shownLines[addr] = true
			}
			v.Lines = append(v.Lines, build(addr, cs.Kind, lr.ID, lr, false))
		}
	}
	// Lines state knows that the file's answer lacks: gone, or found by id
	// elsewhere.
	for _, k := range known[1:] {
		if shownLines[k.Addr] {
			continue
		}
		l := live[k.Addr]
		v.Lines = append(v.Lines, build(k.Addr, k.Kind, k.ID, l.Record, l.Gone))
	}
	return v, nil
}

// isEmbedded: objects of kind k come in their parent's GET (a file's
// lines), so they are read with it.
func isEmbedded(k resource.Kind) bool {
	s := resource.Get(k)
	return s != nil && s.Parent != nil && s.Parent.Embedded
}

// withoutEmbedded drops the collections of the kinds spec's GET embeds
// (shown as lines).
func withoutEmbedded(spec *resource.Spec, r *bluerocktel.Record) *bluerocktel.Record {
	out := &bluerocktel.Record{ID: r.ID, Fields: make(map[string]json.RawMessage, len(r.Fields))}
	children := map[string]bool{}
	for _, s := range spec.Embeds() {
		children[s.Collection] = true
	}
	for k, v := range r.Fields {
		if !children[k] {
			out.Fields[k] = v
		}
	}
	return out
}
