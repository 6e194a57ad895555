package bluerocktel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strings"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Lookup finds the existing objects of kind that equal want, a map from
// wire field to the exact text it would be sent as (reference fields hold
// the numeric id; an `extra:` field holds its raw JSON).
//
// The kind's natural key is the first NaturalKeys alternative of the
// resource table whose fields are all set in want. The list is filtered
// with filter[field]=value for each key field plus parentQuery (e.g.
// fileable_type and fileable_id for customer files), then compared exactly
// here, because the server's filter may match substrings: the key fields
// must be equal, and every field of want too when the kind has
// MatchAllFields. Plain parameters of parentQuery that the candidates echo
// (fileable_id) must match as well, in case the server ignored them.
//
// Comparison follows the field's type in the table: decimals as exact
// decimals ("19.90" == 19.9 == "19.9000"), integers and ids numerically,
// booleans as booleans (true, 1 and "1" alike, as Laravel may return
// them), strings and dates exactly. A field missing from a candidate does
// not match.
func (c *Client) Lookup(ctx context.Context, kind resource.Kind, parentQuery url.Values, want map[string]string) ([]*Record, error) {
	spec, err := specOf(kind)
	if err != nil {
		return nil, err
	}
	key, err := naturalKey(spec, want)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for k, v := range parentQuery {
		q[k] = append([]string(nil), v...)
	}
	for _, f := range key {
		q.Set("filter["+f+"]", want[f])
	}
	cands, err := c.List(ctx, kind, q)
	if err != nil {
		return nil, fmt.Errorf("looking up %s by %s: %w", spec.Title, strings.Join(key, "+"), err)
	}
	compare := key
	if spec.MatchAllFields {
		compare = make([]string, 0, len(want))
		for f := range want {
			compare = append(compare, f)
		}
		sort.Strings(compare)
	}
	var out []*Record
	for _, r := range cands {
		if matches(spec, r, want, compare) && matchesParent(r, parentQuery) {
			out = append(out, r)
		}
	}
	return out, nil
}

// naturalKey picks the first key alternative whose fields are all set.
func naturalKey(spec *resource.Spec, want map[string]string) ([]string, error) {
	for _, alt := range spec.NaturalKeys {
		ok := len(alt) > 0
		for _, f := range alt {
			if want[f] == "" {
				ok = false
				break
			}
		}
		if ok {
			return alt, nil
		}
	}
	alts := make([]string, len(spec.NaturalKeys))
	for i, alt := range spec.NaturalKeys {
		alts[i] = strings.Join(alt, "+")
	}
	return nil, fmt.Errorf("cannot look up a %s: none of its natural keys (%s) is set", spec.Title, strings.Join(alts, ", "))
}

func matches(spec *resource.Spec, r *Record, want map[string]string, fields []string) bool {
	for _, f := range fields {
		if !equalField(fieldType(spec, f), want[f], r.Fields[f]) {
			return false
		}
	}
	return true
}

// matchesParent checks the plain parameters of the parent query that the
// record echoes.
func matchesParent(r *Record, parentQuery url.Values) bool {
	for k, v := range parentQuery {
		if len(v) != 1 || strings.ContainsAny(k, "[]") {
			continue
		}
		switch k {
		case "page", "per_page", "sort", "include":
			continue
		}
		got, ok := r.Fields[k]
		if !ok {
			continue
		}
		if !equalField(typeGeneric, v[0], got) && !equalField(resource.String, v[0], got) {
			return false
		}
	}
	return true
}

// typeGeneric marks a field unknown to the table: want holds raw JSON.
const typeGeneric resource.Type = -1

// fieldType is the type of wire field f of spec.
func fieldType(spec *resource.Spec, f string) resource.Type {
	if fd, ok := spec.WireField(f); ok {
		if fd.Type == resource.Reference {
			return resource.Integer
		}
		return fd.Type
	}
	if f == "id" || (spec.Parent != nil && (f == spec.Parent.BodyField || f == spec.Parent.QueryField)) {
		return resource.Integer
	}
	return typeGeneric
}

// equalField compares a wanted text with a candidate's raw JSON.
func equalField(t resource.Type, want string, got json.RawMessage) bool {
	got = bytes.TrimSpace(got)
	if len(got) == 0 {
		return false
	}
	switch t {
	case resource.Decimal, resource.Integer, resource.Reference:
		text, ok := jsonText(got)
		return ok && (got[0] == '"' || isJSONNumber(got)) && decimalEqual(want, text)
	case resource.Boolean:
		w, ok := boolValue(want)
		g, ok2 := boolValue(strings.Trim(string(got), `"`))
		return ok && ok2 && w == g
	case resource.String, resource.Date:
		var s string
		return got[0] == '"' && json.Unmarshal(got, &s) == nil && s == want
	}
	return jsonEqual(want, got)
}

func isJSONNumber(b []byte) bool { return b[0] == '-' || (b[0] >= '0' && b[0] <= '9') }

// decimalEqual compares two decimal texts exactly; false if either is not
// a finite number.
func decimalEqual(a, b string) bool {
	x, _, err := apd.NewFromString(strings.TrimSpace(a))
	if err != nil || x.Form != apd.Finite {
		return false
	}
	y, _, err := apd.NewFromString(strings.TrimSpace(b))
	if err != nil || y.Form != apd.Finite {
		return false
	}
	return x.Cmp(y) == 0
}

func boolValue(s string) (bool, bool) {
	switch s {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	}
	return false, false
}

// jsonEqual compares a wanted raw JSON text (or plain text when it is not
// JSON) with got, numbers as exact decimals.
func jsonEqual(want string, got json.RawMessage) bool {
	var w, g any
	if err := unmarshalNumber([]byte(want), &w); err != nil {
		text, ok := jsonText(got)
		return ok && text == want
	}
	if err := unmarshalNumber(got, &g); err != nil {
		return false
	}
	return deepEqual(w, g)
}

func unmarshalNumber(b []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return fmt.Errorf("trailing data")
	}
	return nil
}

func deepEqual(a, b any) bool {
	switch x := a.(type) {
	case json.Number:
		y, ok := b.(json.Number)
		return ok && decimalEqual(string(x), string(y))
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k, v := range x {
			w, ok := y[k]
			if !ok || !deepEqual(v, w) {
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
			if !deepEqual(x[i], y[i]) {
				return false
			}
		}
		return true
	}
	return a == b // string, bool, nil
}
