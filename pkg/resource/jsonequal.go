package resource

import (
	"bytes"
	"encoding/json"

	"github.com/cockroachdb/apd/v3"
)

// EqualJSON compares a value sent verbatim (an `extra:` entry, as raw JSON
// text) with what the API answered, by meaning: objects regardless of key
// order, numbers as exact decimals (1.50 equals 1.5). Text that is not JSON
// compares with a JSON string of the same text. The lookups, drift and
// export all use it, so that they agree on what "the same" means.
func EqualJSON(want string, got json.RawMessage) bool {
	w, err := decodeJSON([]byte(want))
	if err != nil {
		w = want
	}
	g, err := decodeJSON(got)
	if err != nil {
		return false
	}
	return equalValues(w, g)
}

func decodeJSON(b []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, &json.SyntaxError{}
	}
	return v, nil
}

func equalValues(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		p, _, err1 := apd.NewFromString(string(x))
		q, _, err2 := apd.NewFromString(string(y))
		return err1 == nil && err2 == nil && p.Cmp(q) == 0
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			if w, ok := y[k]; !ok || !equalValues(v, w) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalValues(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b // string, bool, nil
}
