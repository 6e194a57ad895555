package resource

import (
	"bytes"
	"encoding/json"
)

// Record is one object as BlueRockTEL answered it. Field values are kept
// as raw JSON so that numbers keep their exact text ("19.90" stays
// "19.90"). The client decodes it (bluerocktel.Record); plan and the
// comparison read it as data.
type Record struct {
	ID     int64
	Fields map[string]json.RawMessage
}

// Has reports whether the record carries field f (null included).
func (r *Record) Has(f string) bool {
	_, ok := r.Fields[f]
	return ok
}

// Raw returns the raw JSON of field f, or nil.
func (r *Record) Raw(f string) json.RawMessage { return r.Fields[f] }

// Text returns field f as text: a string unquoted, a number or boolean as its
// exact JSON text, "" for null or a missing field. Objects and arrays come
// back as their JSON text.
func (r *Record) Text(f string) string {
	t, _ := JSONText(r.Fields[f])
	return t
}

// JSONText converts a raw JSON scalar to text; ok is false for a missing
// or null value.
func JSONText(raw json.RawMessage) (string, bool) {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return "", false
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return string(raw), true
		}
		return s, true
	}
	return string(raw), true
}

// Live is what BlueRockTEL holds for one object a state knows, as a
// refresh read it: the data plan compares the state's records with.
type Live struct {
	Addr string
	Kind Kind
	ID   int64
	// Gone: BlueRockTEL answered 404 for the object, or for the object
	// whose GET embeds it.
	Gone bool
	// Record is the object as the API answered it (nil when Gone). The
	// record of a kind that embeds others (Spec.Embeds) carries them under
	// their Collection.
	Record *Record
}
