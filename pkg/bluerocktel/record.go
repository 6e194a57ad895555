package bluerocktel

import (
	"encoding/json"
	"fmt"
	"strconv"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Record is one object as the API returned it (the resource table's
// Record: plan reads it without the client).
type Record = resource.Record

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
	text, _ := resource.JSONText(raw)
	id, err := strconv.ParseInt(text, 10, 64)
	if err != nil || id <= 0 {
		return nil, fmt.Errorf("response object has an invalid id %.40s", string(raw))
	}
	return &Record{ID: id, Fields: fields}, nil
}
