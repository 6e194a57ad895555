// Package manifest loads onboard manifests: YAML files keeping every
// scalar's exact text and position, validated against the JSON Schema and by
// semantic checks, into a typed, address-keyed set of objects.
package manifest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Pos is a position in a manifest file (1-based line and column).
type Pos struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Col  int    `json:"col"`
}

// String renders file:line:col.
func (p Pos) String() string {
	if p.Line == 0 {
		return p.File
	}
	// By hand, not fmt: a plan renders one per field sent (hundreds of
	// thousands at 10,000 customers).
	var stack [128]byte // one allocation, the string's
	b := append(stack[:0], p.File...)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(p.Line), 10)
	b = append(b, ':')
	b = strconv.AppendInt(b, int64(p.Col), 10)
	return string(b)
}

// Value is a scalar field value with its exact text as written.
type Value struct {
	Text string
	Type resource.Type
	Pos  Pos
}

// Ref is a reference to another object: a local name resolved to the
// object, or the id of an object that already exists in BlueRockTEL.
type Ref struct {
	Target *Object // set for a local reference
	ID     string  // set for a reference by id (decimal text)
	// Name is the local name as written, for a local reference.
	Name string
	Pos  Pos
}

// Extra is one entry of an object's `extra:` map, sent verbatim.
type Extra struct {
	Key string
	Raw json.RawMessage
	Pos Pos
}

// Object is one declared object.
type Object struct {
	Kind resource.Kind
	// Name is the local name (the key under its collection).
	Name string
	// Addr is the stable address, e.g. "customer.acme.file.main.licence.seats".
	Addr string
	// Pos is the position of the object's key.
	Pos    Pos
	Parent *Object
	// Fields holds the scalar fields by manifest name (references excluded).
	Fields map[string]Value
	// Refs holds references by the field's manifest Name ("family", "item"),
	// whether written as a local name or as an id (`family_id`).
	Refs map[string]Ref
	// Lists holds reference lists by the field's manifest Name
	// ("contacts"): the local names written, then the ids (`contact_ids`).
	Lists map[string][]Ref
	// Extra entries in the order written.
	Extra []Extra
	// Children, in the order written, for kinds that nest. A customer
	// file's lines from offers come first, in the order of its offers.
	Children []*Object
	// Offer names the offer a line comes from ("" for a line written
	// only in its file). Pos is then the offer's line, or the file's line
	// that overrides it; OfferPos is the offer's line in the latter case.
	Offer    string
	OfferPos Pos
	// Overrides lists the manifest keys the file's line sets over its
	// offer's line (fields, references by Name, "extra.KEY"), in table
	// order then extra's; nil when nothing overrides it.
	Overrides []string
}

// Spec returns the object's entry in the resource table.
func (o *Object) Spec() *resource.Spec { return resource.Get(o.Kind) }

// Customer returns the owner (resource.Spec.Owner: a customer or a
// prospect) an object belongs to, itself for an owner, or nil for catalog
// objects.
func (o *Object) Customer() *Object {
	for c := o; c != nil; c = c.Parent {
		if c.Spec().Owner {
			return c
		}
	}
	return nil
}

// Set is a loaded, valid manifest set.
type Set struct {
	// Files read, in order.
	Files []string
	// Objects in a deterministic order: by file, then as written, parents
	// before their children.
	Objects []*Object
	// ByAddr indexes Objects by address.
	ByAddr map[string]*Object
	// Removed are the `removed:` entries of every file, in file order.
	Removed []Removal
}

// Address builds the address of an object named name of kind k nested in
// parent (nil for top-level kinds).
func Address(parent *Object, k resource.Kind, name string) string {
	if parent == nil {
		return string(k) + "." + name
	}
	return parent.Addr + "." + string(k) + "." + name
}

// KindOf reads the kind of the object at addr, checking that the address
// has the shape Address builds: kind.name pairs, a top-level kind first,
// then each kind nested in the one before ("customer.acme.file.main").
//
// The address of an object's follow-up step (its own address plus the
// kind's FollowUp name, "customer.acme.file.main.links") is the object's
// kind too.
func KindOf(addr string) (resource.Kind, error) {
	parts := strings.Split(addr, ".")
	if len(parts) > 2 && len(parts)%2 == 1 {
		if k, err := KindOf(strings.Join(parts[:len(parts)-1], ".")); err == nil {
			if s := resource.Get(k); s.FollowUp != "" && s.FollowUp == parts[len(parts)-1] {
				return k, nil
			}
		}
	}
	if len(parts) < 2 || len(parts)%2 != 0 {
		return "", fmt.Errorf("%q is not an address (e.g. customer.acme or customer.acme.file.main)", addr)
	}
	var parent *resource.Spec
	for i := 0; i < len(parts); i += 2 {
		k := resource.Kind(parts[i])
		s := resource.Get(k)
		if s == nil {
			return "", fmt.Errorf("%q is not an address: unknown kind %q", addr, k)
		}
		if (parent == nil) != (s.Parent == nil) || (parent != nil && s.Parent.Kind != parent.Kind) {
			return "", fmt.Errorf("%q is not an address: a %s is not nested there", addr, s.Title)
		}
		if parts[i+1] == "" {
			return "", fmt.Errorf("%q is not an address: empty name after %q", addr, k)
		}
		parent = s
	}
	return parent.Kind, nil
}

// Diagnostic is one problem found in a manifest set.
type Diagnostic struct {
	Pos     Pos    `json:"position"`
	Message string `json:"message"`
	// Hint says how to fix it, where one helps ("did you mean ...?").
	Hint string `json:"hint,omitempty"`
}

// String renders "file:line:col: message; hint".
func (d Diagnostic) String() string {
	var b strings.Builder
	b.WriteString(d.Pos.String())
	b.WriteString(": ")
	b.WriteString(d.Message)
	if d.Hint != "" {
		b.WriteString("; ")
		b.WriteString(d.Hint)
	}
	return b.String()
}

// Error is returned by Load when the set is invalid: every diagnostic, in
// file and position order.
type Error struct {
	Diagnostics []Diagnostic
}

func (e *Error) Error() string {
	if len(e.Diagnostics) == 1 {
		return e.Diagnostics[0].String()
	}
	return fmt.Sprintf("%s (and %d more problems)", e.Diagnostics[0], len(e.Diagnostics)-1)
}
