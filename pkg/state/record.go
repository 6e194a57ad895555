package state

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// Format and Version identify the file format in the header line.
const (
	Format  = "onboard-state"
	Version = 1
)

// headerLine is the first line of every state file, byte for byte.
var headerLine = []byte(`{"format":"onboard-state","version":1}` + "\n")

// Record operations.
const (
	opPut = "put" // set the object at addr (whole object)
	opRm  = "rm"  // remove the object at addr
	// opMeta sets the state's Meta (lineage, serial, API); the last wins.
	opMeta = "meta"
	// opEvent appends an Event to the state's history.
	opEvent = "event"
)

// record is one journal line: an op and, for puts, the object's fields
// inline.
type record struct {
	Op string `json:"op"`
	Object
	// Meta is set by meta records only.
	Meta *Meta `json:"meta,omitempty"`
	// Event is set by event records only.
	Event *Event `json:"event,omitempty"`
}

// rmRecord is the wire form of a removal (no object fields).
type rmRecord struct {
	Op   string    `json:"op"`
	Addr string    `json:"addr"`
	Time time.Time `json:"time"`
}

// header is the decoded header line.
type header struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
}

// encodePut returns the journal line (newline-terminated) setting o.
func encodePut(o *Object) ([]byte, error) {
	if line, ok := fastEncodePut(make([]byte, 0, encodedSize(o)), o); ok {
		return line, nil
	}
	return encodeLine(record{Op: opPut, Object: *o})
}

// encodeRm returns the journal line (newline-terminated) removing addr.
func encodeRm(addr string, t time.Time) ([]byte, error) {
	return encodeLine(rmRecord{Op: opRm, Addr: addr, Time: t})
}

// encodeLine encodes v as one JSON line. HTML escaping is off: names such
// as "Smith & Co" stay readable and shorter.
func encodeLine(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil { // Encode appends the newline
		return nil, fmt.Errorf("encode state record: %w", err)
	}
	return buf.Bytes(), nil
}

// decodeRecord parses and checks one journal line (without its newline)
// into r. in (may be nil) shares repeated strings between records.
func decodeRecord(line []byte, r *record, in *interner) error {
	if !fastDecode(line, r, in) {
		*r = record{} // drop what the fast path filled in before giving up
		if err := json.Unmarshal(line, r); err != nil {
			return err
		}
	}
	if r.Op == opMeta {
		if r.Meta == nil || r.Meta.Lineage == "" {
			return errors.New("meta record without lineage")
		}
		return nil
	}
	if r.Op == opEvent {
		if r.Event == nil || r.Event.Kind == "" {
			return errors.New("event record without kind")
		}
		return nil
	}
	if r.Addr == "" {
		return errors.New("record without addr")
	}
	switch r.Op {
	case opPut:
		if r.Kind == "" {
			return fmt.Errorf("object %s without kind", r.Addr)
		}
		if !r.Status.valid() {
			return fmt.Errorf("object %s has unknown status %q", r.Addr, r.Status)
		}
	case opRm:
	default:
		return fmt.Errorf("unknown record op %q", r.Op)
	}
	return nil
}

// decodeHeader checks the header line (without its newline).
func decodeHeader(line []byte) error {
	var h header
	if err := json.Unmarshal(line, &h); err != nil || h.Format != Format {
		return errNotState
	}
	if h.Version != Version {
		return fmt.Errorf("state format version %d is not supported by this onboard (it reads version %d); use the onboard that wrote it", h.Version, Version)
	}
	return nil
}

// apply applies a decoded record to objects and meta. Replay and the live
// store use the same function, so memory and file agree. A put stores a
// pointer to the record's object: records are never reused or mutated
// afterwards. It reports whether the record was an object record (meta
// and event records are not counted for compaction).
func (r *record) apply(objects map[string]*Object, meta *Meta, history *[]Event) bool {
	switch r.Op {
	case opPut:
		objects[r.Addr] = &r.Object
	case opRm:
		delete(objects, r.Addr)
	case opMeta:
		*meta = *r.Meta
		return false
	case opEvent:
		*history = append(*history, *r.Event)
		return false
	}
	return true
}
