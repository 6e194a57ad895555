package resource

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"strings"
)

// Value is one field of a request: the exact text of a typed value, a
// reference to another object whose id is filled in at apply time, or a raw
// JSON value from `extra:`.
type Value struct {
	Wire string `json:"wire"`
	Type Type   `json:"type"`
	// Text is the literal: "19.90", "2026-04-01", "true", "Acme". For a
	// Reference it holds an existing id when Ref is empty.
	Text string `json:"text,omitempty"`
	// Ref is the address of the object whose id fills a Reference.
	Ref string `json:"ref,omitempty"`
	// Raw is an `extra:` entry, sent verbatim.
	Raw json.RawMessage `json:"raw,omitempty"`
	// Null sends JSON null: an update resets a field the manifest no
	// longer sets to the value the API gives it on create.
	Null bool `json:"null,omitempty"`
	// List holds the items of a ReferenceList (each a Reference).
	List []Value `json:"list,omitempty"`
}

// IDs resolves the address of a created object to its id.
type IDs func(addr string) (int64, bool)

// Resolve returns the value's text with references substituted.
func (v Value) Resolve(ids IDs) (string, error) {
	if v.Null {
		return "", nil
	}
	if v.Type == ReferenceList {
		return v.resolveList(ids)
	}
	if v.Type == Reference && v.Ref != "" {
		id, ok := ids(v.Ref)
		if !ok {
			return "", fmt.Errorf("%s: id of %s is not known yet", v.Wire, v.Ref)
		}
		return strconv.FormatInt(id, 10), nil
	}
	if v.Raw != nil {
		return string(v.Raw), nil
	}
	return v.Text, nil
}

// EncodeBody renders values as a JSON object, in order, with references
// substituted. Numbers are written as their exact text, never through
// float64; HTML characters are not escaped.
func EncodeBody(values []Value, ids IDs) ([]byte, error) {
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, v := range values {
		if i > 0 {
			buf.WriteByte(',')
		}
		writeString(&buf, v.Wire)
		buf.WriteByte(':')
		s, err := v.Resolve(ids)
		if err != nil {
			return nil, err
		}
		switch {
		case v.Null:
			buf.WriteString("null")
		case v.Raw != nil:
			buf.Write(v.Raw)
		case v.Type == String || v.Type == Date:
			writeString(&buf, s)
		default: // Integer, Decimal, Boolean, Reference: JSON literals as written
			buf.WriteString(s)
		}
	}
	buf.WriteByte('}')
	return buf.Bytes(), nil
}

func writeString(buf *bytes.Buffer, s string) {
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s)           // strings always encode
	buf.Truncate(buf.Len() - 1) // Encode appends a newline
}

// EncodeQuery encodes a query string in the cookbook's order: the parent's
// constant parameters, then the parent's id
// (?fileable_type=customer&fileable_id=101), then any others sorted.
// url.Values.Encode would sort them all.
func (s *Spec) EncodeQuery(q url.Values) string {
	var first []string
	if p := s.Parent; p != nil {
		consts := make([]string, 0, len(p.QueryConst))
		for k := range p.QueryConst {
			consts = append(consts, k)
		}
		sort.Strings(consts)
		first = append(consts, p.QueryField)
	}
	var b strings.Builder
	done := map[string]bool{}
	add := func(k string) {
		for _, v := range q[k] {
			if b.Len() > 0 {
				b.WriteByte('&')
			}
			b.WriteString(url.QueryEscape(k) + "=" + url.QueryEscape(v))
		}
		done[k] = true
	}
	for _, k := range first {
		if k != "" {
			add(k)
		}
	}
	rest := make([]string, 0, len(q))
	for k := range q {
		if !done[k] {
			rest = append(rest, k)
		}
	}
	sort.Strings(rest)
	for _, k := range rest {
		add(k)
	}
	return b.String()
}
