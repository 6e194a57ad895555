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
// wire field to the text it would be sent as (reference fields hold the
// numeric id; an `extra:` field holds its raw JSON).
//
// Values are compared in their canonical form (resource.Field.Canonical and
// CanonicalJSON): what the API stores for what was sent, so that a name
// sent with a trailing space, a price sent as 19.9 or answered as "19.90",
// a boolean answered as 1 all compare as the server keeps them.
//
// The kind's natural key is the first NaturalKeys alternative of the
// resource table whose fields are all set (not blank) in want. The list is
// filtered with filter[field]=value for each key field plus parentQuery
// (e.g. fileable_type and fileable_id for customer files), then compared
// here: the server's filters are spatie/laravel-query-builder filters,
// which may match substrings (a superset, harmless once compared) and
// split a value at its commas (a subset: "Dupont, Fils" becomes "Dupont"
// or " Fils", which may match nothing). A key value the server would not
// take as written (see unsafeFilter) is therefore not filtered on: the
// other key fields narrow the list, or the parent-scoped collection is
// listed whole and compared here. The key fields must be equal, and every
// field of want too when the kind has MatchAllFields. Plain parameters of
// parentQuery that the candidates echo (fileable_id) must match as well, in
// case the server ignored them.
//
// A field a candidate lacks is null, as Laravel omits or nulls unset
// fields. A candidate that would match but holds a compared field in a
// form that cannot be a value of its type makes the lookup uncertain:
// Lookup returns an *UncertainError rather than call the object absent (a
// duplicate) or present (a wrong adoption).
func (c *Client) Lookup(ctx context.Context, kind resource.Kind, parentQuery url.Values, want map[string]string) ([]*Record, error) {
	spec, err := specOf(kind)
	if err != nil {
		return nil, err
	}
	canon := make(map[string]string, len(want))
	for f, v := range want {
		canon[f] = canonicalWant(spec, f, v)
	}
	key, err := naturalKey(spec, canon)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for k, v := range parentQuery {
		q[k] = append([]string(nil), v...)
	}
	for _, f := range key {
		if !unsafeFilter(canon[f]) {
			q.Set("filter["+f+"]", canon[f])
		}
	}
	cands, err := c.List(ctx, kind, q)
	if err != nil {
		return nil, fmt.Errorf("looking up %s by %s: %w", spec.Title, strings.Join(key, "+"), err)
	}
	compare := key
	if spec.MatchAllFields {
		compare = make([]string, 0, len(canon))
		for f := range canon {
			compare = append(compare, f)
		}
		sort.Strings(compare)
	}
	var out []*Record
	for _, r := range cands {
		if !matchesParent(r, parentQuery) {
			continue
		}
		switch v, field := compareRecord(spec, r, canon, compare); v {
		case same:
			out = append(out, r)
		case unknown:
			return nil, &UncertainError{Kind: kind, ID: r.ID, Field: field, Got: r.Fields[field]}
		}
	}
	return out, nil
}

// UncertainError is a lookup that cannot tell whether a candidate is the
// object looked for: every compared field matches except Field, which the
// API returned in a form that cannot be a value of its type.
type UncertainError struct {
	Kind  resource.Kind
	ID    int64
	Field string
	Got   json.RawMessage
}

func (e *UncertainError) Error() string {
	title := string(e.Kind)
	if s := resource.Get(e.Kind); s != nil {
		title = s.Title
	}
	return fmt.Sprintf("cannot tell whether %s #%d is this one: the API returned %s %s, which is not a value of its type", title, e.ID, e.Field, e.Got)
}

// unsafeFilter reports whether the server's filter could miss an object
// whose field is v: spatie splits a value at its commas into several
// values, and turns "true" and "false" into booleans.
func unsafeFilter(v string) bool {
	return strings.Contains(v, ",") || v == "true" || v == "false"
}

// canonicalWant is the canonical form of a wanted value: the table's
// canonical form for a known field, the plain id for the parent's id
// fields, the text as is for other (`extra:`) fields.
func canonicalWant(spec *resource.Spec, wire, text string) string {
	if fd, ok := spec.WireField(wire); ok {
		return fd.Canonical(text)
	}
	if fieldType(spec, wire) == resource.Integer {
		return resource.Field{Type: resource.Integer}.Canonical(text)
	}
	return text
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

// verdict is the outcome of comparing a candidate with what is wanted.
type verdict int

const (
	same    verdict = iota
	differ          // some field certainly differs
	unknown         // no field differs, but one cannot be compared
)

// compareRecord compares the canonical wanted values of fields with r; for
// unknown it also names the field that could not be compared.
func compareRecord(spec *resource.Spec, r *Record, want map[string]string, fields []string) (verdict, string) {
	v, field := same, ""
	for _, f := range fields {
		switch compareField(spec, f, want[f], r.Fields[f]) {
		case differ:
			return differ, ""
		case unknown:
			if v == same {
				v, field = unknown, f
			}
		}
	}
	return v, field
}

// compareField compares one canonical wanted value with a candidate's raw
// JSON (nil when the candidate lacks the field: null).
func compareField(spec *resource.Spec, wire, want string, got json.RawMessage) verdict {
	fd, ok := spec.WireField(wire)
	if !ok {
		if fieldType(spec, wire) == resource.Integer {
			fd = resource.Field{Type: resource.Integer}
		} else {
			// An `extra:` field: compared as JSON, absent means different.
			if got != nil && equalField(typeGeneric, want, got) {
				return same
			}
			return differ
		}
	}
	if got == nil {
		got = json.RawMessage("null")
	}
	text, ok := fd.CanonicalJSON(got)
	switch {
	case !ok:
		return unknown
	case text == want:
		return same
	}
	return differ
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
		text, ok := resource.JSONText(got)
		return ok && (got[0] == '"' || isJSONNumber(got)) && decimalEqual(want, text)
	case resource.Boolean:
		w, ok := boolValue(want)
		g, ok2 := boolValue(strings.Trim(string(got), `"`))
		return ok && ok2 && w == g
	case resource.String, resource.Date:
		var s string
		return got[0] == '"' && json.Unmarshal(got, &s) == nil && s == want
	}
	return resource.EqualJSON(want, got)
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
