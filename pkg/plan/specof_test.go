package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
)

// TestSpecHashUnchanged recomputes every step's hash part by part, as the
// states written so far were hashed: one buffer hashed once must give the
// same hash, or every object applied before would look changed.
func TestSpecHashUnchanged(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	if err := generate.WriteWithContacts(dir, 40, 9); err != nil {
		t.Fatal(err)
	}
	for _, paths := range [][]string{{dir}, {filepath.Join("..", "..", "examples", "acme-complete.yaml")}} {
		set, err := manifest.Load(paths...)
		if err != nil {
			t.Fatal(err)
		}
		p, err := Compile(set, nil, Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range p.Steps {
			h := sha256.New()
			for _, v := range s.Query {
				k := "?" + v.Wire
				h.Write([]byte(k))
				h.Write([]byte{0})
				h.Write([]byte(s.Spec[k]))
				h.Write([]byte{0})
			}
			for _, v := range s.Body {
				h.Write([]byte(v.Wire))
				h.Write([]byte{0})
				h.Write([]byte(s.Spec[v.Wire]))
				h.Write([]byte{0})
			}
			if want := hex.EncodeToString(h.Sum(nil)[:16]); s.Hash != want {
				t.Fatalf("%s: hash %s, hashed part by part %s", s.Addr, s.Hash, want)
			}
		}
	}
}
