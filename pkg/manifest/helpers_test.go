package manifest

import "testing"

// loadBytes loads one in-memory manifest file named m.yaml.
func loadBytes(t testing.TB, src string) (*Set, error) {
	t.Helper()
	return load([]source{{path: "m.yaml", data: []byte(src), read: true}})
}

// diagnostics loads src and returns its diagnostics as strings (nil when
// valid); an error that is not a *Error fails the test.
func diagnostics(t testing.TB, src string) []string {
	t.Helper()
	_, err := loadBytes(t, src)
	if err == nil {
		return nil
	}
	me, ok := err.(*Error)
	if !ok {
		t.Fatalf("not a *Error: %v", err)
	}
	var out []string
	for _, d := range me.Diagnostics {
		out = append(out, d.String())
	}
	return out
}
