package pgstate_test

import (
	"testing"

	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

func TestWithoutPassword(t *testing.T) {
	for loc, want := range map[string]string{
		"postgres://onboard:s3cret@db:5432/x?state=prod": "postgres://onboard@db:5432/x?state=prod",
		"postgres://onboard@db/x":                        "postgres://onboard@db/x",
		"postgres://db/x":                                "postgres://db/x",
		"states/onboard.state":                           "states/onboard.state",
	} {
		if got := pgstate.WithoutPassword(loc); got != want {
			t.Errorf("WithoutPassword(%q) = %q, want %q", loc, got, want)
		}
	}
}
