package plan

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
)

// A manifest may refer by id to an object it does not declare (`item_id:
// 42`, `family_id`, `contact_ids`): an object onboard may never have
// created. Plan cannot read BlueRockTEL; the caller reads these objects
// (References says which) and hands them in as Options.Existing. Compile
// then refuses a plan that refers to an object BlueRockTEL lacks, before
// anything is sent, and shows what each one is.

// Reference is one reference by id in the manifests.
type Reference struct {
	// Kind is the kind referred to (the field's Target in the table).
	Kind resource.Kind
	ID   int64
	// Addr is the address of the referring object, Field its manifest
	// key (item_id), Name the key of a local name instead (item) and Wire
	// the field it is sent as.
	Addr, Field, Name, Wire string
	// List: the field is a list of ids (contact_ids).
	List bool
	// Pos is where the id is written.
	Pos string
}

// References lists every reference by id of set, in manifest order.
func References(set *manifest.Set) []Reference {
	var out []Reference
	for _, o := range set.Objects {
		spec := o.Spec()
		for _, f := range spec.Fields {
			switch f.Type {
			case resource.Reference:
				if r, ok := o.Refs[f.Name]; ok && r.ID != "" {
					out = appendRef(out, o, f, r)
				}
			case resource.ReferenceList:
				for _, r := range o.Lists[f.Name] {
					if r.ID != "" {
						out = appendRef(out, o, f, r)
					}
				}
			}
		}
	}
	return out
}

func appendRef(out []Reference, o *manifest.Object, f resource.Field, r manifest.Ref) []Reference {
	id, err := strconv.ParseInt(r.ID, 10, 64)
	if err != nil {
		return out // validated as a positive integer: cannot happen
	}
	return append(out, Reference{Kind: f.Target, ID: id, Addr: o.Addr, Field: f.IDName, Name: f.Name, Wire: f.WireName(),
		List: f.Type == resource.ReferenceList, Pos: r.Pos.String()})
}

// Existing is what BlueRockTEL holds for the objects the manifests refer
// to by id: by kind and id, each object's fields as wire field -> text
// in canonical form (resource.Field.CanonicalJSON). An id it lacks does
// not exist in BlueRockTEL.
type Existing map[resource.Kind]map[int64]map[string]string

// Lookup returns the fields of the object of kind k with id, if it exists.
func (e Existing) Lookup(k resource.Kind, id int64) (map[string]string, bool) {
	f, ok := e[k][id]
	return f, ok
}

// Referenced is an object a step refers to by id, as BlueRockTEL holds
// it when the plan was made: what a reviewer needs to recognise it.
type Referenced struct {
	// Field is the wire field holding the id (item_id, contact_ids).
	Field string        `json:"field"`
	Kind  resource.Kind `json:"kind"`
	ID    int64         `json:"id"`
	// Label is the field that names the object (resource.Spec.Label).
	Label string `json:"label,omitempty"`
	// Price is its price, for a kind that has one (an item's catalog
	// price), as the API stores it.
	Price string `json:"price,omitempty"`
	// Pos is where the manifest writes the id.
	Pos string `json:"pos,omitempty"`
}

// String names the object for people: `item #42 "SIP Trunk — 2
// channels", 19.90`.
func (r Referenced) String() string {
	title := string(r.Kind)
	if s := resource.Get(r.Kind); s != nil {
		title = s.Title
	}
	s := title + " #" + strconv.FormatInt(r.ID, 10)
	if r.Label != "" {
		s += " " + strconv.Quote(r.Label)
	}
	if r.Price != "" {
		s += ", " + r.Price
	}
	return s
}

// MissingError is a plan that refers by id to objects BlueRockTEL does
// not hold: applying it would create the objects before the first one that
// needs them, then fail, leaving a customer half onboarded.
type MissingError struct {
	Missing []Reference
}

func (e *MissingError) Error() string {
	lines := make([]string, len(e.Missing))
	for i, r := range e.Missing {
		lines[i] = r.Missing()
	}
	return strings.Join(lines, "\n")
}

// Missing says, at the reference's position, that its object does not
// exist, and how to fix it.
func (r Reference) Missing() string {
	spec := resource.Get(r.Kind)
	form := r.Name + ": NAME"
	if r.List {
		form = r.Name + ": [NAME, ...]"
	}
	hint := fmt.Sprintf("use the id of %s %s that exists in this BlueRockTEL, or declare the %s in the manifests and refer to it by its local name (%s)",
		article(spec.Title), spec.Title, spec.Title, form)
	return fmt.Sprintf("%s: %s: %s #%d does not exist in BlueRockTEL; %s", r.Pos, r.Field, spec.Title, r.ID, hint)
}

// CheckReferences fails with *MissingError when existing lacks the object
// of some of refs (nil when existing is nil: not read).
func CheckReferences(refs []Reference, existing Existing) error {
	if existing == nil {
		return nil
	}
	var missing []Reference
	for _, r := range refs {
		if _, ok := existing.Lookup(r.Kind, r.ID); !ok {
			missing = append(missing, r)
		}
	}
	if len(missing) == 0 {
		return nil
	}
	return &MissingError{Missing: missing}
}

// referenced describes, for each step, the objects it refers to by id.
func referenced(p *Plan, refs []Reference, existing Existing) {
	if existing == nil {
		return
	}
	byAddr := map[string][]Reference{}
	for _, r := range refs {
		byAddr[r.Addr] = append(byAddr[r.Addr], r)
	}
	for _, s := range p.Steps {
		addr := s.Addr
		if s.Of != "" {
			addr = s.Of
		}
		for _, r := range byAddr[addr] {
			if !sends(s, r.Wire) {
				continue
			}
			s.Refs = append(s.Refs, describe(r, existing))
		}
		sort.SliceStable(s.Refs, func(i, j int) bool { return s.Refs[i].Field < s.Refs[j].Field })
	}
}

// sends reports whether the step's request carries wire field w (a
// follow-up carries the file's contact_ids, its create does not).
func sends(s *Step, w string) bool {
	_, ok := s.Spec[w]
	return ok
}

// describe is what a reviewer sees of a referenced object.
func describe(r Reference, existing Existing) Referenced {
	out := Referenced{Field: r.Wire, Kind: r.Kind, ID: r.ID, Pos: r.Pos}
	fields, _ := existing.Lookup(r.Kind, r.ID)
	spec := resource.Get(r.Kind)
	if f, ok := spec.Field(spec.Label); ok {
		out.Label = fields[f.WireName()]
	}
	if f, ok := spec.Billed(resource.Price); ok {
		out.Price = fields[f.WireName()]
	}
	return out
}

// article is "a" or "an" before a title.
func article(title string) string {
	if strings.ContainsRune("aeiou", rune(title[0])) {
		return "an"
	}
	return "a"
}

// Sending keeps the references of the objects that p sends a request for:
// a plan that sends nothing needs no id checked.
func Sending(p *Plan, refs []Reference) []Reference {
	sent := map[string]bool{}
	for _, s := range p.Steps {
		if !s.Sends() {
			continue
		}
		if s.Of != "" {
			sent[s.Of] = true
		} else {
			sent[s.Addr] = true
		}
	}
	out := []Reference{}
	for _, r := range refs {
		if sent[r.Addr] {
			out = append(out, r)
		}
	}
	return out
}

// Describe checks refs against existing and, when all exist, adds what
// they are to the steps and the billing previews, for a plan compiled
// without Options.Existing.
func (p *Plan) Describe(refs []Reference, existing Existing) error {
	if err := CheckReferences(refs, existing); err != nil {
		return err
	}
	p.Existing = existing
	referenced(p, refs, existing)
	p.Previews = previews(p)
	return nil
}
