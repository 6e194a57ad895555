package main

import (
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
)

// An API that does not answer gets advice naming where its URL comes from
// and the URL tried, never with a password in it.
func TestAPIHintUnreachable(t *testing.T) {
	err := &bluerocktel.BreakerError{Cause: bluerocktel.BreakUnreachable, URL: "https://ops:hunter2@acme.example/api"}
	got := apiHint(err)
	for _, want := range []string{"ONBOARD_BASE_URL", "--base-url", "acme.example/api"} {
		if !strings.Contains(got, want) {
			t.Errorf("hint %q does not name %s", got, want)
		}
	}
	if strings.Contains(got, "hunter2") {
		t.Errorf("hint %q holds the password", got)
	}
	if got := apiHint(&bluerocktel.BreakerError{Cause: bluerocktel.BreakAuth, URL: "https://acme.example/api"}); strings.Contains(got, "--base-url") {
		t.Errorf("a refused token is not a URL problem: %q", got)
	}
}
