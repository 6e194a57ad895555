package state_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/state"
)

// A session with DiscardEmpty removes the state it created when it
// recorded nothing, and only then.
func TestDiscardEmpty(t *testing.T) {
	obj := state.Object{Addr: "customer.acme", Kind: "customer", ID: 1, Status: state.StatusCreated, Time: time.Now()}
	for _, tc := range []struct {
		name   string
		exists bool // the file exists before the session
		put    bool
		event  bool // a history event recorded
		keep   bool
	}{
		{name: "new, nothing recorded", keep: false},
		{name: "new, an object recorded", put: true, keep: true},
		{name: "existing, nothing recorded", exists: true, keep: true},
		{name: "new, only an override recorded", event: true, keep: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "onboard.state")
			if tc.exists {
				s, err := state.Open(path, state.Options{})
				if err != nil {
					t.Fatal(err)
				}
				if err := s.Close(); err != nil {
					t.Fatal(err)
				}
			}
			s, err := state.Open(path, state.Options{DiscardEmpty: true})
			if err != nil {
				t.Fatal(err)
			}
			if tc.put {
				if err := s.Put(obj); err != nil {
					t.Fatal(err)
				}
			}
			if tc.event {
				if err := s.Record(state.Event{Kind: state.EventPolicyOverride}); err != nil {
					t.Fatal(err)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			_, err = os.Stat(path)
			if kept := err == nil; kept != tc.keep {
				t.Errorf("state file kept: %v, want %v (%v)", kept, tc.keep, err)
			}
			if _, err := os.Stat(path + ".lock"); err == nil {
				t.Error("the lock file is left behind")
			}
		})
	}
}
