// Package plan compiles a manifest set and the state into a plan: a DAG of
// steps, each a complete operation (a create, an update, a no-op, or the
// end a removed: entry decides: deactivate, stop, delete or forget; with
// its method, path, query, body, source positions and dependencies), plus
// the objects that state knows and the manifests no longer declare.
//
// Everything downstream (apply, the renderers, saved plan files) reads
// steps only, never the manifest model.
package plan

import (
	"fmt"
	"slices"
	"sort"

	"github.com/dominikbraun/graph"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// Action is what a step will do.
type Action string

// Actions.
const (
	// Create sends a POST (after a lookup when the outcome of an earlier
	// attempt is unknown, or with Options.Adopt).
	Create Action = "create"
	// Update sends a PUT of the fields that changed.
	Update Action = "update"
	// NoOp: the object exists with the same spec; nothing is sent.
	NoOp Action = "no-op"
	// Deactivate, Stop, Delete and Forget end an object no longer
	// declared, as a `removed:` entry decides (lifecycle.go).
	Deactivate Action = "deactivate"
	Stop       Action = "stop"
	Delete     Action = "delete"
	Forget     Action = "forget"
)

// FieldChange is one field that differs between state and manifest.
type FieldChange struct {
	Field string `json:"field"`
	Old   string `json:"old"`
	New   string `json:"new"`
	// Reset: the manifest no longer sets the field; the update sends
	// null, and the API gives it the value it would get on create.
	Reset bool `json:"reset,omitempty"`
	// Drifted: Old is what BlueRockTEL holds now, changed behind onboard's
	// back (refresh); the update restores the manifest's value.
	Drifted bool `json:"drifted,omitempty"`
}

// Step is one object of the plan, as a complete operation.
type Step struct {
	Addr   string        `json:"address"`
	Kind   resource.Kind `json:"kind"`
	Action Action        `json:"action"`
	// Label names the object for people ("Main Contract 2026").
	Label string `json:"label,omitempty"`
	// Group is the address of the customer the object belongs to, "" for
	// catalog objects.
	Group string `json:"group,omitempty"`
	// Method and Path are the request: POST to the collection, PUT to the
	// object; empty for a no-op.
	Method string `json:"method,omitempty"`
	Path   string `json:"path,omitempty"`
	// Query and Body are the request's values, references to objects still
	// to be created kept symbolic. An update's body holds only the changed
	// fields.
	Query []resource.Value `json:"query,omitempty"`
	Body  []resource.Value `json:"body,omitempty"`
	// Pos is where the manifest declares the object; Where maps each wire
	// field it sets to its position ("file:line:col").
	Pos   string            `json:"pos,omitempty"`
	Where map[string]string `json:"where,omitempty"`
	// Deps are the addresses of the objects this one references (its parent
	// and local references), sorted.
	Deps []string `json:"depends_on"`
	// Existing is the state's record the step was computed from, if any.
	Existing *state.Object `json:"existing,omitempty"`
	// Verify: look the object up by natural key before creating it (an
	// earlier create's outcome is unknown, or adoption was asked for).
	Verify bool `json:"lookup_first,omitempty"`
	// Changes lists the fields an update changes.
	Changes []FieldChange `json:"changes,omitempty"`
	// Spec is the object's full request as wire field -> text (references
	// as "@addr", query parameters as "?name"); Hash identifies it. Both go
	// to state once the step succeeds.
	Spec map[string]string `json:"spec"`
	Hash string            `json:"hash"`
	// Imported: state knows the object's id from `state import` but not
	// what it was created from; it is taken to match the manifest, and
	// apply records the manifest's spec.
	Imported bool `json:"imported,omitempty"`
	// Gone: state knows the object, but BlueRockTEL no longer has it (or
	// the object it is nested in): it is created again.
	Gone bool `json:"gone,omitempty"`
	// Of is set on a follow-up step (followup.go): the address of the
	// object it PUTs to, whose id fills Path's {id}.
	Of string `json:"of,omitempty"`
	// Offer names the offer the line comes from ("" for a line written
	// in its file); Overrides are the wire fields its file's line sets
	// over the offer's (extra entries by key), so that a change to them
	// is the file's, not the offer's.
	Offer     string   `json:"offer,omitempty"`
	Overrides []string `json:"overrides,omitempty"`
	// Refs are the objects the request refers to by id (refs.go), as
	// BlueRockTEL held them when the plan was made; empty when they were
	// not read.
	Refs []Referenced `json:"references,omitempty"`
	// File is the manifest file that declares the object (relative to
	// Options.Root), recorded in the state; for an end step, the file of
	// its `removed:` entry.
	File string `json:"file,omitempty"`
	// Commitment is set when ending a line breaks its commitment.
	Commitment *Commitment `json:"commitment,omitempty"`
	// ReferredBy, on a delete, lists the objects that stay in
	// BlueRockTEL and still refer to it: the API will refuse the DELETE.
	ReferredBy []string `json:"referred_by,omitempty"`
}

// ID is the id the object has in BlueRockTEL, 0 when it is to be created.
func (s *Step) ID() int64 {
	if s.Action == Create || s.Existing == nil {
		return 0
	}
	return s.Existing.ID
}

// Effect is what the step does, as plan, apply, the renderers and the
// summaries all count and show it: its Action, except that a follow-up's
// first PUT (Of set, Action Create: the object exists by then, and the PUT
// sets the fields the API takes only that way) is an update of the object.
// Every count of steps by action goes through it.
func (s *Step) Effect() Action {
	if s.Of != "" && s.Action == Create {
		return Update
	}
	return s.Action
}

// Sends reports whether the step sends a request.
func (s *Step) Sends() bool { return s.Method != "" && s.Action != NoOp && s.Action != Forget }

// Runs reports whether apply has something to do for the step: a request
// to send, or the state to change (forget, and the stop of what ends with
// its files).
func (s *Step) Runs() bool { return s.Action != NoOp }

// Plan is a compiled plan.
type Plan struct {
	// Steps in a deterministic topological order: catalog first, then each
	// customer with its files and lines, as written.
	Steps  []*Step
	ByAddr map[string]*Step
	// Orphans are in state but no longer in the manifests, and no
	// `removed:` entry decides them: left as they are.
	Orphans []*state.Object
	// Settled are the `removed:` entries already applied.
	Settled []Settled
	// Titles names each group of steps (a customer address) for people.
	Titles map[string]string
	// Previews is the billing preview of every customer file whose money
	// the plan changes.
	Previews []FilePreview

	// Existing is what BlueRockTEL held of the objects the manifests refer
	// to by id (Options.Existing), for the previews' catalog prices.
	Existing Existing
}

// Graph returns the dependency DAG as a dominikbraun/graph graph: a vertex
// per step, an edge from a dependency to its dependent.
//
// It is built on demand, not by Compile: the cycle check (checkCycles),
// apply's scheduling and the DOT output all work from Step.Deps, and the
// library's adjacency maps cost about 1.2 KB per object, which plan and
// apply never need. Built without PreventCycles, whose check per edge is
// quadratic; Compile has already refused cycles.
func (p *Plan) Graph() (graph.Graph[string, *Step], error) {
	g := graph.New(func(s *Step) string { return s.Addr }, graph.Directed(), graph.Acyclic())
	for _, s := range p.Steps {
		if err := g.AddVertex(s); err != nil {
			return nil, fmt.Errorf("graph %s: %w", s.Addr, err)
		}
	}
	for _, s := range p.Steps {
		for _, d := range s.Deps {
			if err := g.AddEdge(d, s.Addr); err != nil {
				return nil, fmt.Errorf("graph %s: edge from %s: %w", s.Addr, d, err)
			}
		}
	}
	return g, nil
}

// Options tune compilation.
type Options struct {
	// Adopt looks up every object that state does not know before creating
	// it (for a pipeline that lost its state).
	Adopt bool
	// Live is what a refresh read from BlueRockTEL, by address (nil: no
	// refresh; the plan trusts the state). An object it says is gone is
	// created again; a field changed behind onboard's back is restored.
	Live map[string]*resource.Live
	// Existing is what BlueRockTEL holds for the objects the manifests
	// refer to by id (References). A reference to an object it lacks
	// fails Compile with *MissingError; nil: not read, not checked.
	Existing Existing
	// Today is the date commitments are checked against (YYYY-MM-DD;
	// default: the system's date).
	Today string
	// Root is the directory manifest files are recorded relative to (the
	// project's); "" records them as given.
	Root string
	// Targets limit the plan to these addresses, what they contain and
	// what they need (--target); none: everything.
	Targets []string
}

// Counts tallies a plan.
type Counts struct {
	Create     int `json:"create"`
	Update     int `json:"update"`
	Deactivate int `json:"deactivate"`
	Stop       int `json:"stop"`
	Delete     int `json:"delete"`
	Forget     int `json:"forget"`
	NoOp       int `json:"no_op"`
	Orphan     int `json:"orphan"`
	// FollowUpNoOp is how many of NoOp are follow-up PUTs with nothing to
	// send: updates of objects already counted, not objects.
	FollowUpNoOp int `json:"-"`
}

// Add counts one step of action a. Plan and apply count through it alike.
func (c *Counts) Add(a Action) {
	switch a {
	case Create:
		c.Create++
	case Update:
		c.Update++
	case Deactivate:
		c.Deactivate++
	case Stop:
		c.Stop++
	case Delete:
		c.Delete++
	case Forget:
		c.Forget++
	case NoOp:
		c.NoOp++
	}
}

// Counts returns how many steps of each action the plan holds.
func (p *Plan) Counts() Counts {
	var c Counts
	for _, s := range p.Steps {
		c.Add(s.Effect())
		if s.Effect() == NoOp && s.Of != "" {
			c.FollowUpNoOp++
		}
	}
	c.Orphan = len(p.Orphans)
	return c
}

// HasChanges reports whether applying the plan would change anything
// (send a request, or forget an object). Orphans are left as they are,
// so they are not changes; NeedsDecision reports them.
func (p *Plan) HasChanges() bool {
	return slices.ContainsFunc(p.Steps, (*Step).Runs)
}

// NeedsDecision reports whether the plan has changes or orphans that a
// `removed:` entry should decide: what --detailed-exitcode reports as 2.
func (p *Plan) NeedsDecision() bool { return p.HasChanges() || len(p.Orphans) > 0 }

// Compile builds the plan for set against st (which may be empty). It
// fails with *RefusedError when a change cannot be made by an update,
// *MissingError when the manifests refer by id to an object that
// opts.Existing lacks, *DecisionError when a removed: entry cannot be
// carried out, and *TargetError when a target matches nothing.
func Compile(set *manifest.Set, st *state.State, opts Options) (*Plan, error) {
	if st == nil {
		st = &state.State{Objects: map[string]*state.Object{}}
	}
	p := &Plan{
		ByAddr: make(map[string]*Step, len(set.Objects)),
		Steps:  make([]*Step, 0, len(set.Objects)),
		Titles: map[string]string{},
	}
	refs := References(set)
	if err := CheckReferences(refs, opts.Existing); err != nil {
		return nil, err
	}
	p.Existing = opts.Existing
	var refused RefusedError
	ordered := orderObjects(set.Objects)
	ids := st.IDOf
	for _, s := range withFollowUps(ordered, st) {
		o := set.ByAddr[s.Addr]
		if s.Of != "" {
			o = set.ByAddr[s.Of]
		}
		s.Existing = st.Objects[s.Addr]
		var parent *Step
		switch {
		case s.Of != "": // a follow-up goes with the object it PUTs to
			parent = p.ByAddr[s.Of]
		case o.Parent != nil:
			parent = p.ByAddr[o.Parent.Addr]
		}
		if r := decide(s, parent, opts, ids); len(r) > 0 {
			refused.Refusals = append(refused.Refusals, r...)
		}
		if _, dup := p.ByAddr[s.Addr]; dup {
			return nil, fmt.Errorf("plan %s: %w", s.Addr, graph.ErrVertexAlreadyExists)
		}
		s.File = relFile(opts.Root, o.Pos.File)
		if c := o.Customer(); c != nil {
			if _, ok := p.Titles[c.Addr]; !ok {
				p.Titles[c.Addr] = fmt.Sprintf("%s %s (%s)", title(c), c.Name, label(c))
			}
		}
		p.Steps = append(p.Steps, s)
		p.ByAddr[s.Addr] = s
	}
	if len(refused.Refusals) > 0 {
		return nil, &refused
	}
	sc, err := newScope(opts.Targets, p, set, st)
	if err != nil {
		return nil, err
	}
	if sc != nil {
		sc.filter(p)
	}
	ends, settled, err := endSteps(set, st, today(opts))
	if err != nil {
		return nil, err
	}
	for _, e := range ends {
		if sc.covers(e.Addr) {
			p.Steps = append(p.Steps, e)
			p.ByAddr[e.Addr] = e
		}
	}
	for _, s := range settled {
		if sc.covers(s.Addr) {
			p.Settled = append(p.Settled, s)
		}
	}
	p.Steps = append(declared(p.Steps), orderEnds(endsOf(p.Steps), p.ByAddr)...)
	staying(p, st)
	for _, s := range p.Steps {
		if s.Group != "" && p.Titles[s.Group] == "" {
			p.Titles[s.Group] = groupTitle(st, s.Group)
		}
	}
	for _, s := range p.Steps {
		for _, d := range s.Deps {
			if _, ok := p.ByAddr[d]; !ok {
				return nil, fmt.Errorf("plan %s: depends on %s, which is not in the manifest set", s.Addr, d)
			}
		}
	}
	if err := checkCycles(p.Steps, func(s *Step) string { return s.Addr }, func(s *Step) []string { return s.Deps }); err != nil {
		return nil, err
	}
	p.Orphans = orphans(set, st, p, fileSet(set, opts.Root), sc.covers)
	referenced(p, refs, opts.Existing)
	p.Previews = previews(p)
	return p, nil
}

// decide sets the step's action from the state's record (and, after a
// refresh, from what BlueRockTEL holds), and turns a changed object into
// its update. It returns the changes an update cannot make.
func decide(s *Step, parent *Step, opts Options, ids func(string) (int64, bool)) []Refusal {
	e := s.Existing
	var live *resource.Live
	if opts.Live != nil && e != nil && e.Status == state.StatusCreated && e.ID != 0 {
		live = opts.Live[s.Addr]
		// An object nested in one created again is gone with it: its old
		// parent no longer exists.
		if parent != nil && parent.Gone {
			live = &resource.Live{Addr: s.Addr, Gone: true}
		}
	}
	switch {
	case live != nil && live.Gone:
		s.Action, s.Gone = Create, true
	case live != nil && live.Record != nil && e.Hash != "" && len(resource.Compare(resource.Get(s.Kind), e.Spec, live.Record, ids)) > 0:
		// Changed behind onboard's back: diff what BlueRockTEL holds now
		// with the manifest.
		spec := resource.Get(s.Kind)
		drift := resource.Compare(spec, e.Spec, live.Record, ids)
		current := resource.LiveSpec(spec, e.Spec, live.Record, ids)
		s.Changes = diffSpecs(spec, current, s.Spec)
		drifted := map[string]bool{}
		for _, d := range drift {
			drifted[d.Wire] = true
		}
		for i := range s.Changes {
			s.Changes[i].Drifted = drifted[s.Changes[i].Field]
		}
		if len(s.Changes) == 0 {
			// The same change was made in BlueRockTEL and the manifest:
			// nothing to send, and apply records the manifest's spec.
			s.Action, s.Imported = NoOp, true
			break
		}
		if r := refusals(s); len(r) > 0 {
			return r
		}
		toUpdate(s)
	case e == nil:
		s.Action, s.Verify = Create, opts.Adopt || adoptsByDefault(s)
	case e.Status != state.StatusCreated || e.ID == 0:
		// An intent without a recorded outcome: the POST may have been
		// stored. Look before creating again.
		s.Action, s.Verify = Create, true
	case e.Hash == "":
		s.Action, s.Imported = NoOp, true
	case e.Hash == s.Hash:
		s.Action = NoOp
	default:
		s.Changes = diffSpecs(resource.Get(s.Kind), e.Spec, s.Spec)
		if len(s.Changes) == 0 {
			s.Action = NoOp
			break
		}
		if r := refusals(s); len(r) > 0 {
			return r
		}
		toUpdate(s)
	}
	if s.Action == NoOp {
		s.Method, s.Path, s.Query, s.Body = "", "", nil, nil
	}
	return nil
}

// toUpdate turns s into a PUT of its changed fields, removed ones as null.
func toUpdate(s *Step) {
	spec := resource.Get(s.Kind)
	changed := make(map[string]FieldChange, len(s.Changes))
	for _, c := range s.Changes {
		changed[c.Field] = c
	}
	body := make([]resource.Value, 0, len(s.Changes))
	for _, v := range s.Body {
		if _, ok := changed[v.Wire]; ok {
			body = append(body, v)
			delete(changed, v.Wire)
		}
	}
	// What is left was removed from the manifest: reset it, in table order.
	for _, c := range s.Changes {
		if _, ok := changed[c.Field]; ok {
			t := resource.String
			if f, ok := spec.WireField(c.Field); ok {
				t = f.Type
			}
			body = append(body, resource.Value{Wire: c.Field, Type: t, Null: true})
		}
	}
	s.Action, s.Method, s.Path = Update, "PUT", spec.ObjectPath(s.Existing.ID)
	s.Query, s.Body = nil, body
}

// adoptsByDefault: the step sends every field of its kind's AdoptKey.
func adoptsByDefault(s *Step) bool {
	key := resource.Get(s.Kind).AdoptKey
	return len(key) > 0 && !slices.ContainsFunc(key, func(f string) bool { return s.Spec[f] == "" })
}

// diffSpecs compares the recorded spec with the manifest's, field by field
// in canonical form (so that 19.9 and 19.90 are the same price), in the
// table's field order, then `extra:` entries sorted.
func diffSpecs(spec *resource.Spec, old, new map[string]string) []FieldChange {
	var out []FieldChange
	seen := map[string]bool{}
	add := func(k string) {
		if seen[k] {
			return
		}
		seen[k] = true
		ov, inOld := old[k]
		nv, inNew := new[k]
		if inOld && inNew && canonical(spec, k, ov) == canonical(spec, k, nv) {
			return
		}
		if !inOld && !inNew {
			return
		}
		out = append(out, FieldChange{Field: k, Old: ov, New: nv, Reset: inOld && !inNew})
	}
	if spec.Parent != nil {
		for k := range spec.Parent.QueryConst {
			add("?" + k)
		}
		if spec.Parent.QueryField != "" {
			add("?" + spec.Parent.QueryField)
		}
		if spec.Parent.BodyField != "" {
			add(spec.Parent.BodyField)
		}
	}
	for _, f := range spec.Fields {
		add(f.WireName())
	}
	var rest []string
	for k := range new {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	for k := range old {
		if !seen[k] {
			if _, ok := new[k]; !ok {
				rest = append(rest, k)
			}
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		add(k)
	}
	return out
}

// canonical is a spec value's canonical form: references and `extra:`
// entries as recorded, table fields as the API stores them.
func canonical(spec *resource.Spec, wire, text string) string {
	f, ok := spec.WireField(wire)
	if !ok || f.Type == resource.Reference {
		return text
	}
	return f.Canonical(text)
}

// orderObjects puts catalog objects (no customer) first, then customers
// with their nested objects, each group in manifest order. Manifest order
// already puts parents before children.
func orderObjects(objs []*manifest.Object) []*manifest.Object {
	out := make([]*manifest.Object, 0, len(objs))
	for _, o := range objs {
		if o.Customer() == nil {
			out = append(out, o)
		}
	}
	for _, o := range objs {
		if o.Customer() != nil {
			out = append(out, o)
		}
	}
	return out
}

// ReadScope is what a refresh of only what changed reads: every object
// whose step would send something or settle an unknown outcome, and
// everything it depends on (its parents, its references, theirs), so that
// an object gone behind onboard's back is seen where it matters. Objects
// the manifests leave unchanged are trusted to the state.
func (p *Plan) ReadScope() map[string]bool {
	out := map[string]bool{}
	var add func(addr string)
	add = func(addr string) {
		if out[addr] {
			return
		}
		out[addr] = true
		if s := p.ByAddr[addr]; s != nil {
			for _, d := range s.Deps {
				add(d)
			}
			if s.Of != "" {
				add(s.Of)
			}
		}
	}
	for _, s := range p.Steps {
		if s.Action != NoOp || s.Verify {
			add(s.Addr)
		}
	}
	return out
}
