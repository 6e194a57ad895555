package state

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Status is the known outcome of an object's creation.
type Status string

const (
	// StatusCreated: the object exists in BlueRockTEL and its id is known
	// (created by onboard, adopted after a lookup, or imported by hand).
	StatusCreated Status = "created"
	// StatusPending: the intent to create it was journaled before the POST;
	// whether the object exists is unknown until resolved by a lookup.
	StatusPending Status = "pending"
)

// valid reports whether s is a status this version knows.
func (s Status) valid() bool {
	return s == StatusCreated || s == StatusPending
}

// Object is what the state knows about one object of the manifests.
type Object struct {
	// Addr is the object's manifest address, e.g. "customer.acme.file.main".
	Addr string `json:"addr"`
	// Kind is the resource kind (resource.Kind as text).
	Kind string `json:"kind"`
	// ID is the BlueRockTEL id; 0 while pending.
	ID     int64  `json:"id,omitempty"`
	Status Status `json:"status"`
	// Hash is the hash of the spec that was sent.
	Hash string `json:"hash"`
	// Spec maps each wire field to the exact text sent (references as
	// "@<addr>" or the id), to diff against a changed manifest.
	Spec map[string]string `json:"spec,omitempty"`
	// Returned holds useful response fields, e.g. customer_account.
	Returned map[string]string `json:"returned,omitempty"`
	// File is the manifest file that declared the object when it was
	// last written (relative to the project), so that a plan of some of
	// the project's files reports orphans of those files only. "" in
	// states written before it was recorded.
	File string `json:"file,omitempty"`
	// Ended is the decision of a `removed:` entry applied to the object
	// that keeps it in BlueRockTEL and in the state ("deactivate" or
	// "stop", resource.End): it is no longer declared, and no orphan.
	Ended string `json:"ended,omitempty"`
	// Time is when the record was written.
	Time time.Time `json:"time"`
}

// clone returns a deep copy, so that callers and the store never share maps.
func (o *Object) clone() *Object {
	c := *o
	c.Spec = maps.Clone(o.Spec)
	c.Returned = maps.Clone(o.Returned)
	return &c
}

// State is a view of the objects recorded in a state file, keyed by address.
type State struct {
	Objects map[string]*Object
	// Meta is the state's lineage, serial and API binding.
	Meta Meta
	// History is the state's events, oldest first.
	History []Event
}

// newState returns an empty state.
func newState() *State {
	return &State{Objects: make(map[string]*Object)}
}

// Get returns the object at addr, or nil if the state does not know it.
func (s *State) Get(addr string) *Object {
	if s == nil {
		return nil
	}
	return s.Objects[addr]
}

// IDOf returns the id the state records for the object at addr, if it
// has one: how a comparison resolves the "@addr" of a reference.
func (s *State) IDOf(addr string) (int64, bool) {
	if o := s.Get(addr); o != nil && o.ID > 0 {
		return o.ID, true
	}
	return 0, false
}

// Len is the number of objects.
func (s *State) Len() int {
	if s == nil {
		return 0
	}
	return len(s.Objects)
}

// Sorted returns the objects ordered by address, for deterministic output.
func (s *State) Sorted() []*Object {
	if s == nil {
		return nil
	}
	out := make([]*Object, 0, len(s.Objects))
	for _, o := range s.Objects {
		out = append(out, o)
	}
	slices.SortFunc(out, func(a, b *Object) int { return strings.Compare(a.Addr, b.Addr) })
	return out
}
