// Package drift is the report of a scheduled, read-only check of a whole
// tenant (onboard drift): what BlueRockTEL holds compared with what the
// state recorded (changed or deleted behind onboard's back) and with what
// the manifests declare (changes merged but not applied).
//
// It reads a refresh and a plan as data; it sends nothing and writes
// nothing.
package drift

import (
	"sort"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// Field is one field of an object that drifted.
type Field struct {
	// Field is the wire name ("quantity").
	Field string `json:"field"`
	// State is the value onboard recorded, Live what BlueRockTEL holds
	// now ("" for null).
	State string `json:"state"`
	Live  string `json:"live"`
	// Manifest is what the manifests declare, when they declare the
	// object (InManifests).
	Manifest    string `json:"manifest,omitempty"`
	InManifests bool   `json:"in_manifests"`
	// Accepted: the manifests already say what BlueRockTEL holds (in
	// canonical form); only the state is behind.
	Accepted bool `json:"accepted,omitempty"`
}

// Object is an object BlueRockTEL changed or deleted since onboard last
// wrote the state.
type Object struct {
	Addr  string        `json:"address"`
	Kind  resource.Kind `json:"kind"`
	Title string        `json:"title"`
	ID    int64         `json:"id"`
	// Gone: BlueRockTEL no longer has it (apply creates it again while
	// the manifests declare it).
	Gone bool `json:"gone,omitempty"`
	// Fields that differ (none when Gone).
	Fields []Field `json:"fields,omitempty"`
	// Declared: the manifests still declare the object.
	Declared bool `json:"declared"`
}

// Pending is a change of the manifests that apply has not made yet.
type Pending struct {
	Addr   string        `json:"address"`
	Kind   resource.Kind `json:"kind"`
	Title  string        `json:"title"`
	Action plan.Action   `json:"action"`
	// Fields an update changes (none for a create).
	Fields []string `json:"fields,omitempty"`
}

// Report is what a drift check found.
type Report struct {
	// Objects is the number of objects read from BlueRockTEL and
	// Requests the requests it took.
	Objects  int `json:"objects_read"`
	Requests int `json:"requests"`
	// Drifted lists what changed in BlueRockTEL, by address.
	Drifted []Object `json:"drifted"`
	// Pending lists what the manifests declare and apply has not made
	// (beyond repairing Drifted), in plan order.
	Pending []Pending `json:"pending"`
}

// Clean reports whether BlueRockTEL, the state and the manifests agree.
func (r *Report) Clean() bool { return len(r.Drifted) == 0 && len(r.Pending) == 0 }

// Build compares what a full refresh read (live) with the state it read
// for (st) and with the plan compiled from the manifests after it (p).
func Build(st *state.State, live map[string]*refresh.Live, p *plan.Plan, stats refresh.Stats) *Report {
	r := &Report{Objects: stats.Objects, Requests: stats.Requests(), Drifted: []Object{}, Pending: []Pending{}}
	for _, c := range refresh.Changes(st, live) {
		o := Object{Addr: c.Addr, Kind: c.Kind, Title: title(c.Kind), ID: c.ID, Gone: c.Gone}
		step := p.ByAddr[c.Addr]
		o.Declared = step != nil
		for _, d := range c.Drift {
			f := Field{Field: d.Wire, State: d.Recorded, Live: d.Live}
			if step != nil {
				f.Manifest, f.InManifests = step.Spec[d.Wire]
				f.Accepted = f.InManifests && canonical(c.Kind, d.Wire, f.Manifest) == d.Live
			}
			o.Fields = append(o.Fields, f)
		}
		r.Drifted = append(r.Drifted, o)
	}
	sort.Slice(r.Drifted, func(i, j int) bool { return r.Drifted[i].Addr < r.Drifted[j].Addr })
	for _, s := range p.Steps {
		if !s.Runs() || s.Gone || repairsOnly(s) {
			continue
		}
		pd := Pending{Addr: s.Addr, Kind: s.Kind, Title: title(s.Kind), Action: s.Action}
		for _, c := range s.Changes {
			pd.Fields = append(pd.Fields, c.Field)
		}
		r.Pending = append(r.Pending, pd)
	}
	return r
}

// repairsOnly: an update whose every change restores a drifted field,
// reported with the drift already.
func repairsOnly(s *plan.Step) bool {
	if s.Action != plan.Update || len(s.Changes) == 0 {
		return false
	}
	for _, c := range s.Changes {
		if !c.Drifted {
			return false
		}
	}
	return true
}

func title(k resource.Kind) string {
	if s := resource.Get(k); s != nil {
		return s.Title
	}
	return string(k)
}

// canonical is a manifest value in the form a refresh reports live ones.
func canonical(k resource.Kind, wire, text string) string {
	if spec := resource.Get(k); spec != nil {
		if f, ok := spec.WireField(wire); ok && !f.IsRef() {
			return f.Canonical(text)
		}
	}
	return text
}
