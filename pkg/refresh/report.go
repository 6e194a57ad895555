package refresh

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// Changed is one object whose live form differs from what the state
// recorded: gone, or with drifted fields.
type Changed struct {
	Addr string
	Kind resource.Kind
	ID   int64
	Gone bool
	// Drift lists the fields that differ (empty when Gone).
	Drift []resource.Drift
	// Spec is the state's spec with the live values (see resource.LiveSpec), and
	// Hash identifies it; both nil/"" when Gone.
	Spec map[string]string
	Hash string
}

// Changes compares every object of st that live holds with what st
// recorded, in address order: what a refresh-only run records in the
// state. Objects whose recorded spec is unknown (imported by hand) are
// skipped: there is nothing to compare.
func Changes(st *state.State, live map[string]*Live) []Changed {
	ids := st.IDOf
	var out []Changed
	for _, o := range st.Sorted() {
		l := live[o.Addr]
		if l == nil || o.Status != state.StatusCreated {
			continue
		}
		c := Changed{Addr: o.Addr, Kind: resource.Kind(o.Kind), ID: o.ID}
		spec := resource.Get(c.Kind)
		switch {
		case l.Gone:
			c.Gone = true
		case spec == nil || o.Spec == nil:
			continue
		default:
			c.Drift = resource.Compare(spec, o.Spec, l.Record, ids)
			if len(c.Drift) == 0 {
				continue
			}
			c.Spec = resource.LiveSpec(spec, o.Spec, l.Record, ids)
			c.Hash = HashSpec(c.Spec)
		}
		out = append(out, c)
	}
	return out
}

// HashSpec identifies a spec recorded from BlueRockTEL rather than sent:
// it never equals a plan step's hash, so the next plan compares the
// manifest with it field by field.
func HashSpec(spec map[string]string) string {
	keys := make([]string, 0, len(spec))
	for k := range spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	h := sha256.New()
	h.Write([]byte("live\x00"))
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(spec[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}
