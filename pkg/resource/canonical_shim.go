package resource

import "encoding/json"

// Temporary stand-ins for issue 9's canonical forms (removed at merge).
func (f Field) Canonical(text string) string { return text }

// CanonicalJSON is a stand-in.
func (f Field) CanonicalJSON(raw json.RawMessage) (string, bool) {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s, true
	}
	return string(raw), true
}
