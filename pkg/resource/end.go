package resource

import (
	"slices"
	"strings"
)

// End is an end-of-life decision for an object removed from the
// manifests (a `removed:` entry's `then`).
type End string

// The decisions, from the least to the most final.
const (
	// Deactivate PUTs the kind's ActiveField false: the object stays, and
	// stops billing.
	Deactivate End = "deactivate"
	// Stop PUTs the kind's StopField (services_stop) with the entry's date
	// on the object, or on each of its children that have one: billing
	// ends on that date, the object stays.
	Stop End = "stop"
	// Delete DELETEs the object (and first what it contains).
	Delete End = "delete"
	// Forget sends nothing: the object leaves the state and onboard's
	// view, and stays in BlueRockTEL as it is.
	Forget End = "forget"
)

// EndNames lists the decisions in the order above, for schema and
// messages.
var EndNames = []End{Deactivate, Stop, Delete, Forget}

// Allows reports whether the kind allows decision e.
func (s *Spec) Allows(e End) bool { return slices.Contains(s.Ends, e) }

// EndsText lists the kind's decisions for messages ("stop, delete or
// forget").
func (s *Spec) EndsText() string {
	names := make([]string, len(s.Ends))
	for i, e := range s.Ends {
		names[i] = string(e)
	}
	switch len(names) {
	case 0:
		return "none"
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " or " + names[len(names)-1]
}

// Commitment names the fields holding a line's commitment: Months (an
// Integer) counted from Start (a Date).
type Commitment struct {
	Months string
	Start  string
}
