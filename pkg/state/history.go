package state

import (
	"errors"
	"maps"
	"slices"
	"time"
)

// Event is one entry of a state's history: a decision that is not an
// object, recorded by the session that acted on it, e.g. an override of a
// policy rule applied with a saved plan. Both backends keep every event,
// in the order recorded, through compaction and migration.
type Event struct {
	// Kind names what happened (EventPolicyOverride).
	Kind string `json:"kind"`
	// Time is when the event was recorded.
	Time time.Time `json:"time"`
	// By is who ran the session (the CI's actor, or user@host); Command
	// what it ran.
	By      string `json:"by,omitempty"`
	Command string `json:"command,omitempty"`
	// Details are the event's facts, by name (for an override: rule,
	// reason, overridden_by, overridden_at).
	Details map[string]string `json:"details,omitempty"`
}

// EventPolicyOverride: a plan that a policy rule denies was applied with
// an override naming the rule, with a reason.
const EventPolicyOverride = "policy-override"

// errEventKind refuses an event without a kind.
var errEventKind = errors.New("state history event needs a kind")

// clone returns a deep copy.
func (e Event) clone() Event {
	e.Details = maps.Clone(e.Details)
	return e
}

// cloneHistory copies a history for a caller.
func cloneHistory(h []Event) []Event {
	out := slices.Clone(h)
	for i := range out {
		out[i] = out[i].clone()
	}
	return out
}

// Record journals e in the state's history, durably, before it returns.
func (s *Store) Record(e Event) error {
	if e.Kind == "" {
		return errEventKind
	}
	e = e.clone()
	if e.Time.IsZero() {
		e.Time = now()
	}
	line, err := encodeLine(record{Op: opEvent, Event: &e})
	if err != nil {
		return err
	}
	if err := s.bumpSerial(); err != nil {
		return err
	}
	return s.append(&appendReq{line: line, rec: &record{Op: opEvent, Event: &e}})
}
