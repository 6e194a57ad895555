package sandbox

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/onboardhq/onboard/pkg/resource"
)

// kv is one field of a request body, in the order sent.
type kv struct {
	key string
	val any
}

// rule is how the sandbox validates one wire field of a kind. Rules come
// from the resource table: its fields, plus the parent link (a body field
// such as customer_file_id, or query parameters such as fileable_id).
type rule struct {
	wire     string
	field    resource.Field // constraints (Positive, Min, Money, ...)
	typ      resource.Type
	required bool
	target   resource.Kind // for references: the kind the id must exist in
	constVal string        // for parent query constants: the only accepted value
}

// rulesFor builds the validation rules of a kind, in the order errors are
// reported: the parent link first, then the table's fields.
func rulesFor(spec *resource.Spec) []rule {
	var rules []rule
	if p := spec.Parent; p != nil {
		if p.QueryField != "" {
			rules = append(rules, rule{wire: p.QueryField, typ: resource.Reference, required: true, target: p.Kind})
			for _, k := range sortedKeys(p.QueryConst) {
				rules = append(rules, rule{wire: k, typ: resource.String, required: true, constVal: p.QueryConst[k]})
			}
		}
		if p.BodyField != "" {
			rules = append(rules, rule{wire: p.BodyField, typ: resource.Reference, required: true, target: p.Kind})
		}
	}
	for _, f := range spec.Fields {
		rules = append(rules, rule{wire: f.WireName(), field: f, typ: f.Type, required: f.Required, target: f.Target})
	}
	return rules
}

// fieldErrors collects Laravel-style validation errors in report order.
type fieldErrors struct {
	order []string
	msgs  map[string][]string
	rank  map[string]int // report order of known fields
}

func (e *fieldErrors) add(field, msg string) {
	if e.msgs == nil {
		e.msgs = map[string][]string{}
	}
	if _, ok := e.msgs[field]; !ok {
		e.order = append(e.order, field)
	}
	e.msgs[field] = append(e.msgs[field], msg)
}

func (e *fieldErrors) rankOf(field string) int {
	if r, ok := e.rank[field]; ok {
		return r
	}
	return len(e.rank)
}

func (e *fieldErrors) empty() bool { return len(e.order) == 0 }

// body renders the 422 body: the first message, "(and N more errors)", and
// every message by field.
func (e *fieldErrors) body() []byte {
	// Errors found under the store lock (unknown foreign keys) come after
	// the others; report them all in field order as Laravel does.
	sort.SliceStable(e.order, func(i, j int) bool { return e.rankOf(e.order[i]) < e.rankOf(e.order[j]) })
	total := 0
	for _, f := range e.order {
		total += len(e.msgs[f])
	}
	msg := e.msgs[e.order[0]][0]
	switch more := total - 1; {
	case more == 1:
		msg += " (and 1 more error)"
	case more > 1:
		msg += fmt.Sprintf(" (and %d more errors)", more)
	}
	b := []byte(`{"message":`)
	b = appendString(b, msg)
	b = append(b, `,"errors":{`...)
	for i, f := range e.order {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendString(b, f)
		b = append(b, ":["...)
		for j, m := range e.msgs[f] {
			if j > 0 {
				b = append(b, ',')
			}
			b = appendString(b, m)
		}
		b = append(b, ']')
	}
	return append(b, "}}"...)
}

// attribute is Laravel's display name of a field: underscores become spaces.
func attribute(wire string) string { return strings.ReplaceAll(wire, "_", " ") }

// fkCheck is a reference whose target must exist; it is checked under the
// store's lock, together with the write, so that it cannot race.
type fkCheck struct {
	wire   string
	target resource.Kind
	id     int64
}

// serverFields are set by the server only; a body cannot set them.
var serverFields = map[string]bool{"id": true, "created_at": true, "updated_at": true}

// validate normalizes the fields of a body against the kind's rules. On
// create, required fields must be present; on update (partial PUT) only the
// fields sent are checked. Unknown fields pass through unchecked.
func (ks *kindStore) validate(fields []kv, create bool) ([]kv, []fkCheck, *fieldErrors) {
	errs := &fieldErrors{rank: ks.rank}
	var fks []fkCheck
	sent := make(map[string]int, len(fields))
	for i, f := range fields {
		sent[f.key] = i
	}
	out := make([]kv, len(fields))
	copy(out, fields)
	for _, r := range ks.rules {
		i, present := sent[r.wire]
		if !present {
			if create && r.required {
				errs.add(r.wire, "The "+attribute(r.wire)+" field is required.")
			}
			continue
		}
		if r.typ == resource.ReferenceList {
			v, listFKs, msg := normalizeList(r, out[i].val)
			if msg != "" {
				errs.add(r.wire, msg)
				continue
			}
			out[i].val = v
			fks = append(fks, listFKs...)
			continue
		}
		v, fk, msg := normalize(r, out[i].val)
		if msg != "" {
			errs.add(r.wire, msg)
			continue
		}
		out[i].val = v
		if fk != nil {
			fks = append(fks, *fk)
		}
	}
	return out, fks, errs
}

// normalize checks one value against its rule and returns the value to
// store, a foreign key to check, or a Laravel message.
func normalize(r rule, v any) (any, *fkCheck, string) {
	name := "The " + attribute(r.wire) + " field "
	if v == nil || v == "" {
		if r.required {
			return nil, nil, name + "is required."
		}
		// Laravel turns empty strings into null before validating.
		return nil, nil, ""
	}
	switch r.typ {
	case resource.String:
		s, ok := v.(string)
		if !ok {
			return nil, nil, name + "must be a string."
		}
		if r.constVal != "" && s != r.constVal {
			return nil, nil, "The selected " + attribute(r.wire) + " is invalid."
		}
		if n := r.field.MinLength; n > 0 && utf8.RuneCountInString(s) < n {
			return nil, nil, name + "must be at least " + strconv.Itoa(n) + " characters."
		}
		if r.field.Email && !validEmail(s) {
			return nil, nil, name + "must be a valid email address."
		}
		return s, nil, ""
	case resource.Integer, resource.Reference:
		s, ok := canonicalInt(v)
		if !ok {
			return nil, nil, name + "must be an integer."
		}
		if m := checkBounds(r.field, s); m != "" {
			return nil, nil, name + m
		}
		if r.typ == resource.Reference {
			id, _ := strconv.ParseInt(s, 10, 64)
			return json.Number(s), &fkCheck{wire: r.wire, target: r.target, id: id}, ""
		}
		return json.Number(s), nil, ""
	case resource.Decimal:
		s, ok := canonicalDecimal(v)
		if !ok {
			return nil, nil, name + "must be a number."
		}
		if m := checkBounds(r.field, s); m != "" {
			return nil, nil, name + m
		}
		if r.field.Money {
			// A money column keeps Scale decimals: finer values are
			// rounded, and prices are answered as strings ("19.90").
			return r.field.Canonical(s), nil, ""
		}
		return json.Number(s), nil, ""
	case resource.Boolean:
		b, ok := normBool(v)
		if !ok {
			return nil, nil, name + "must be true or false."
		}
		return b, nil, ""
	case resource.Date:
		s, ok := validDate(v)
		if !ok {
			return nil, nil, name + "must be a valid date."
		}
		return s, nil, ""
	}
	return v, nil, ""
}

// normalizeList checks a list of ids (a pivot synced by a PUT, such as a
// file's contact_ids): null is the empty list, every item an id of an
// existing object of the rule's target kind, each once.
func normalizeList(r rule, v any) ([]any, []fkCheck, string) {
	if v == nil {
		return []any{}, nil, ""
	}
	items, ok := v.([]any)
	if !ok {
		return nil, nil, "The " + attribute(r.wire) + " field must be an array."
	}
	out := make([]any, 0, len(items))
	fks := make([]fkCheck, 0, len(items))
	seen := map[string]bool{}
	for _, it := range items {
		s, ok := canonicalInt(it)
		if !ok {
			return nil, nil, "The " + attribute(r.wire) + " field must be an array of integers."
		}
		if seen[s] {
			continue // a sync stores each id once
		}
		seen[s] = true
		id, _ := strconv.ParseInt(s, 10, 64)
		out = append(out, json.Number(s))
		fks = append(fks, fkCheck{wire: r.wire, target: r.target, id: id})
	}
	return out, fks, ""
}

// validEmail is the shape Laravel's email rule checks: one @ between a
// local part and a domain, no white space.
func validEmail(s string) bool {
	local, domain, ok := strings.Cut(s, "@")
	return ok && local != "" && domain != "" && !strings.ContainsAny(s, " \t\r\n") && !strings.Contains(domain, "@")
}

// errMalformed is returned for a body that is not one JSON object.
var errMalformed = errors.New("the request body must be a JSON object")

// decodeBody reads a JSON object keeping its keys in the order sent and
// numbers as exact text (UseNumber: never float64). An empty body is an
// empty object. A repeated key keeps its first position and last value, as
// PHP's json_decode does.
func decodeBody(r io.Reader) ([]kv, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, fmt.Errorf("reading the request body: %w", err)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, nil
	}
	return decodeObject(data)
}

// decodeObject decodes one JSON object into ordered fields.
func decodeObject(data []byte) ([]kv, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil || tok != json.Delim('{') {
		return nil, errMalformed
	}
	var out []kv
	pos := map[string]int{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, errMalformed
		}
		key, ok := tok.(string)
		if !ok {
			return nil, errMalformed
		}
		var v any
		if err := dec.Decode(&v); err != nil {
			return nil, errMalformed
		}
		if i, dup := pos[key]; dup {
			out[i].val = v
			continue
		}
		pos[key] = len(out)
		out = append(out, kv{key, v})
	}
	if tok, err := dec.Token(); err != nil || tok != json.Delim('}') {
		return nil, errMalformed
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errMalformed
	}
	return out, nil
}
