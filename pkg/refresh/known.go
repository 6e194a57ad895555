package refresh

import (
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// Known is an object the state knows: where it is in the manifests and
// which BlueRockTEL object it is.
type Known struct {
	// Addr is the manifest address, e.g. "customer.acme.file.main".
	Addr string
	Kind resource.Kind
	// ID is the BlueRockTEL id (> 0).
	ID int64
	// Parent is the address of the object this one is nested in (a line's
	// file, a file's customer), or "" for a top-level object.
	Parent string
}

// KnownFrom lists the objects of st that exist in BlueRockTEL (created,
// with an id), in address order. Pending intents are left out: whether
// they exist is for apply's lookup to settle, not for a refresh.
func KnownFrom(st *state.State) []Known {
	var out []Known
	for _, o := range st.Sorted() {
		if o.Status != state.StatusCreated || o.ID <= 0 {
			continue
		}
		out = append(out, Known{Addr: o.Addr, Kind: resource.Kind(o.Kind), ID: o.ID, Parent: resource.ParentAddr(o.Addr)})
	}
	return out
}
