package resource

import (
	"bytes"
	"sort"
	"strconv"
	"strings"
)

// Drift is one field whose live value differs from the one recorded.
type Drift struct {
	// Wire is the field's key in the spec compared against ("quantity";
	// "?fileable_id" for a query parameter).
	Wire string
	// Recorded is the spec's text, as recorded ("5", "@item.trunk").
	Recorded string
	// Live is the canonical form of what BlueRockTEL answered ("8"), ""
	// for null, or the raw JSON when it is not a value of the field's type.
	Live string
}

// Compare returns the fields of spec (wire name -> text, references as
// "@addr", query parameters prefixed with "?": the form of a state record's
// Spec and of a plan step's) whose live value differs, in canonical form,
// in the table's field order. ids resolves the address of a reference.
//
// Only the fields spec holds are compared: fields it does not hold (API
// defaults such as a line's label and price taken from its item, a
// generated customer_account, active; server-side fields such as
// timestamps) are never drift. Neither is a field the live record does not
// carry at all, nor a reference whose target's id is unknown: there is
// nothing to compare them with.
func Compare(kind *Spec, spec map[string]string, live *Record, ids func(addr string) (int64, bool)) []Drift {
	if live == nil {
		return nil
	}
	var out []Drift
	for _, wire := range orderedKeys(kind, spec) {
		text := spec[wire]
		name := strings.TrimPrefix(wire, "?")
		raw, ok := live.Fields[name]
		if !ok {
			continue
		}
		f, known := fieldOf(kind, name)
		if !known {
			if !EqualJSON(text, raw) {
				out = append(out, Drift{Wire: wire, Recorded: text, Live: string(bytes.TrimSpace(raw))})
			}
			continue
		}
		want := text
		if f.Type == ReferenceList {
			w, ok := listIDs(text, ids)
			if !ok {
				continue // a target's id is unknown: nothing to compare with
			}
			want = w
		}
		if f.Type == Reference && strings.HasPrefix(text, "@") {
			id, ok := ids(text[1:])
			if !ok {
				continue
			}
			want = strconv.FormatInt(id, 10)
		}
		got, ok := f.CanonicalJSON(raw)
		if !ok {
			out = append(out, Drift{Wire: wire, Recorded: text, Live: string(bytes.TrimSpace(raw))})
			continue
		}
		if f.Canonical(want) != got {
			out = append(out, Drift{Wire: wire, Recorded: text, Live: got})
		}
	}
	return out
}

// listIDs resolves the "@addr" items of a reference list's text to ids.
func listIDs(text string, ids func(addr string) (int64, bool)) (string, bool) {
	items := SplitList(text)
	for i, it := range items {
		if a, ok := strings.CutPrefix(it, "@"); ok {
			id, ok := ids(a)
			if !ok {
				return "", false
			}
			items[i] = strconv.FormatInt(id, 10)
		}
	}
	return strings.Join(items, ","), true
}

// fieldOf returns the table field for wire name w of kind, including the
// parent link (customer_file_id, fileable_id: references; fileable_type:
// a string). known is false for a field the table does not describe (an
// `extra:` entry).
func fieldOf(kind *Spec, w string) (Field, bool) {
	if f, ok := kind.WireField(w); ok {
		return f, true
	}
	if p := kind.Parent; p != nil {
		if w == p.BodyField || w == p.QueryField {
			return Field{Name: w, Wire: w, Type: Reference, Target: p.Kind}, true
		}
		if _, ok := p.QueryConst[w]; ok {
			return Field{Name: w, Wire: w, Type: String}, true
		}
	}
	return Field{}, false
}

// orderedKeys orders spec's keys as requests are written: query
// parameters, the parent link, the table's fields, then the rest sorted.
func orderedKeys(kind *Spec, spec map[string]string) []string {
	rank := func(k string) int {
		if strings.HasPrefix(k, "?") {
			return 0
		}
		if p := kind.Parent; p != nil && k == p.BodyField {
			return 1
		}
		for i, f := range kind.Fields {
			if f.WireName() == k {
				return 2 + i
			}
		}
		return 2 + len(kind.Fields)
	}
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		ri, rj := rank(keys[i]), rank(keys[j])
		if ri != rj {
			return ri < rj
		}
		return keys[i] < keys[j]
	})
	return keys
}

// LiveSpec returns spec with each drifted field replaced by its live value
// (canonical text; a reference that moved becomes the live id; "" for
// null): the spec of what BlueRockTEL has now, for the fields spec holds,
// as `--refresh-only` records it in state. Fields without drift keep
// their text, references to unchanged targets their "@addr".
func LiveSpec(kind *Spec, spec map[string]string, live *Record, ids func(addr string) (int64, bool)) map[string]string {
	out := make(map[string]string, len(spec))
	for k, v := range spec {
		out[k] = v
	}
	for _, d := range Compare(kind, spec, live, ids) {
		out[d.Wire] = d.Live
	}
	return out
}
