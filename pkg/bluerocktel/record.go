package bluerocktel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// Record is one object as the API returned it. Field values are kept as raw
// JSON so that numbers keep their exact text ("19.90" stays "19.90").
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
	t, _ := jsonText(r.Fields[f])
	return t
}

// jsonText converts a raw JSON scalar to text; ok is false for a missing or
// null value.
func jsonText(raw json.RawMessage) (string, bool) {
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

// decodeRecord parses one object. The id may be a JSON number or a numeric
// string.
func decodeRecord(body []byte) (*Record, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return nil, fmt.Errorf("decoding response object: %w", err)
	}
	if fields == nil {
		return nil, fmt.Errorf("decoding response object: got null")
	}
	// Tolerate a Laravel API resource wrapper {"data": {...}}.
	if _, ok := fields["id"]; !ok {
		var inner map[string]json.RawMessage
		if d, ok := fields["data"]; ok && json.Unmarshal(d, &inner) == nil && inner != nil {
			fields = inner
		}
	}
	return recordFrom(fields)
}

func recordFrom(fields map[string]json.RawMessage) (*Record, error) {
	raw, ok := fields["id"]
	if !ok {
		return nil, fmt.Errorf("response object has no id")
	}
	text, _ := jsonText(raw)
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("response object has an invalid id %.40s", string(raw))
	}
	return &Record{ID: id, Fields: fields}, nil
}
