package resource

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// A ReferenceList's text is its items' texts joined by commas: ids
// ("12,13"), or in a plan's spec "@addr" for objects still to be created.
// The API syncs a pivot table, so order does not matter: the canonical
// form is sorted.

// listCanonical sorts and canonicalises the items of a list's text.
func listCanonical(text string) string {
	items := SplitList(text)
	for i, it := range items {
		if !strings.HasPrefix(it, "@") {
			items[i] = canonicalNumber(it, 0, true)
		}
	}
	sort.Strings(items)
	return strings.Join(items, ",")
}

// SplitList returns the items of a ReferenceList's text ("" has none).
func SplitList(text string) []string {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	items := strings.Split(text, ",")
	for i := range items {
		items[i] = strings.TrimSpace(items[i])
	}
	return items
}

// listAnswered reads a list the API answered (a JSON array of ids,
// numbers or numeric strings) in canonical form.
func listAnswered(raw json.RawMessage) (string, bool) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var items []any
	if err := dec.Decode(&items); err != nil {
		return "", false
	}
	ref := Field{Type: Reference}
	texts := make([]string, 0, len(items))
	for _, it := range items {
		var t string
		var ok bool
		switch v := it.(type) {
		case json.Number:
			t, ok = ref.canonicalAnswered(string(v), false)
		case string:
			t, ok = ref.canonicalAnswered(v, true)
		}
		if !ok || t == "" {
			return "", false
		}
		texts = append(texts, t)
	}
	sort.Strings(texts)
	return strings.Join(texts, ","), true
}

// resolveList renders a list value as the JSON array of its ids.
func (v Value) resolveList(ids IDs) (string, error) {
	var b strings.Builder
	b.WriteByte('[')
	for i, it := range v.List {
		if i > 0 {
			b.WriteByte(',')
		}
		t, err := it.Resolve(ids)
		if err != nil {
			return "", err
		}
		b.WriteString(t)
	}
	b.WriteByte(']')
	return b.String(), nil
}
