package refresh_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/state"
)

func TestKnownFrom(t *testing.T) {
	path := filepath.Join(t.TempDir(), "onboard.state")
	s, err := state.Open(path, state.Options{Command: "test"})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	for _, o := range []state.Object{
		{Addr: "customer.acme.file.main.licence.seats", Kind: "licence", ID: 600001, Status: state.StatusCreated, Time: now},
		{Addr: "customer.acme", Kind: "customer", ID: 200001, Status: state.StatusCreated, Time: now},
		{Addr: "customer.acme.file.main", Kind: "file", ID: 300001, Status: state.StatusCreated, Time: now},
		{Addr: "customer.globex", Kind: "customer", Status: state.StatusPending, Time: now},
	} {
		put := s.Put
		if o.Status == state.StatusPending {
			put = s.Intent
		}
		if err := put(o); err != nil {
			t.Fatal(err)
		}
	}
	got := refresh.KnownFrom(s.State())
	ids := s.State().IDOf
	if id, ok := ids("customer.acme.file.main"); !ok || id != 300001 {
		t.Errorf("IDs(file) = %d, %v", id, ok)
	}
	if _, ok := ids("customer.globex"); ok {
		t.Error("IDs of a pending object: want unknown")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	want := []refresh.Known{
		{Addr: "customer.acme", Kind: "customer", ID: 200001},
		{Addr: "customer.acme.file.main", Kind: "file", ID: 300001, Parent: "customer.acme"},
		{Addr: "customer.acme.file.main.licence.seats", Kind: "licence", ID: 600001, Parent: "customer.acme.file.main"},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("KnownFrom = %v\nwant %v", got, want)
	}
}
