package state_test

import (
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/statetest"
)

// The file backend passes the conformance suite.
func TestFileBackendConformance(t *testing.T) {
	statetest.Run(t, statetest.Harness{
		New: func(t *testing.T) string { return filepath.Join(t.TempDir(), "onboard.state") },
		Open: func(t *testing.T, loc string, opts state.Options) (state.Backend, error) {
			return state.Open(loc, opts)
		},
		Read: func(t *testing.T, loc string) (*state.State, error) {
			st, _, err := state.Read(loc)
			return st, err
		},
		Crash: func(t *testing.T, b state.Backend) { state.Crash(b.(*state.Store)) },
	})
}
