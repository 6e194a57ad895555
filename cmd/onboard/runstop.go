package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/onboardhq/onboard/pkg/apply"
	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/state"
)

// preflight checks, before the first write, that the state may be used
// against this API, then that the API is there and accepts the token (one
// request), and only then binds the state to it: a mistyped base URL must
// not become the state's API.
func preflight(ctx context.Context, store state.Backend, client *bluerocktel.Client, retarget bool) error {
	if _, _, err := state.CheckAPI(store.Meta(), store.Location(), client.BaseURL(), retarget); err != nil {
		return bindAPIError(err)
	}
	if err := client.Preflight(ctx); err != nil {
		return &exitError{code: exitFailure, err: fmt.Errorf("%w%s; nothing was written", err, apiHint(err))}
	}
	return bindAPIError(store.BindAPI(client.BaseURL(), retarget))
}

// bindAPIError adds the flags that resolve an API mismatch.
func bindAPIError(err error) error {
	var me *state.APIMismatchError
	if errors.As(err, &me) {
		return fmt.Errorf("%w; nothing was sent. Pass --state to use another state, or --retarget to bind this one to %s deliberately", err, me.RunAPI)
	}
	return err
}

// stopOnTrip returns ctx, also cancelled when the client's breaker trips:
// apply then starts nothing new, and its requests would fail unsent anyway.
func stopOnTrip(ctx context.Context, client *bluerocktel.Client) (context.Context, func()) {
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(client.TrippedContext(), cancel)
	return ctx, func() { stop(); cancel() }
}

// printFailures lists the failures, the ones the breaker stopped collapsed
// into one line with their shared cause.
func (a *app) printFailures(res *apply.Result) {
	var cause error
	stopped := 0
	var others []apply.Failure
	for _, f := range res.Failures {
		var be *bluerocktel.BreakerError
		if errors.As(f.Err, &be) {
			stopped++
			if cause == nil {
				cause = be
			}
			continue
		}
		others = append(others, f)
	}
	if len(res.Failures) == 0 {
		return
	}
	fmt.Fprintf(a.stderr, "\n%d failed:\n", len(res.Failures))
	for _, f := range others {
		fmt.Fprintf(a.stderr, "  %s\n", phraseFailure(f.Err))
	}
	if stopped > 0 {
		fmt.Fprintf(a.stderr, "  %d stopped: %v\n", stopped, cause)
	}
}

// closingAdvice is the last line of a run that did not complete, fitting
// its cause: rerunning does not fix a refused token or rejected fields.
func closingAdvice(res *apply.Result, client *bluerocktel.Client, statePath string) string {
	var be *bluerocktel.BreakerError
	if err := client.Tripped(); errors.As(err, &be) {
		switch be.Cause {
		case bluerocktel.BreakAuth:
			return fmt.Sprintf("State saved to %s; nothing more was sent after the API refused the token: fix ONBOARD_TOKEN or --token-file, then run apply again.", statePath)
		default:
			return fmt.Sprintf("State saved to %s; the API at %s stopped answering: when it is back, run apply again to complete what is left.", statePath, be.URL)
		}
	}
	rejected := 0
	for _, f := range res.Failures {
		if errors.Is(f.Err, bluerocktel.ErrValidation) {
			rejected++
		}
	}
	if rejected > 0 && rejected == len(res.Failures) {
		return fmt.Sprintf("State saved to %s; the API rejected %d object(s) (422): fix the manifests as said above, then run apply again.", statePath, rejected)
	}
	return fmt.Sprintf("State saved to %s; run apply again to complete what is left.", statePath)
}

// phraseFailure is a failure with what to do about it, in commands.
func phraseFailure(err error) string {
	var ue *apply.UnresolvedError
	if errors.As(err, &ue) {
		return fmt.Sprintf("%v; check in BlueRockTEL which object is this one, then run `onboard state import %s ID` "+
			"(or `onboard state rm %s` if none is), and apply again", err, ue.Addr, ue.Addr)
	}
	var re *apply.UnrecordedError
	if errors.As(err, &re) {
		return fmt.Sprintf("%v: run `onboard state import %s %d`", err, re.Addr, re.ID)
	}
	return err.Error()
}

// apiHint says what to check when the API refused the token (where the
// token comes from) or did not answer at all (where its URL comes from,
// and the URL tried).
func apiHint(err error) string {
	if errors.Is(err, bluerocktel.ErrUnauthorized) {
		return ": check ONBOARD_TOKEN or --token-file"
	}
	var be *bluerocktel.BreakerError
	if errors.As(err, &be) && be.Cause == bluerocktel.BreakUnreachable {
		return fmt.Sprintf(": check that BlueRockTEL is reachable at %s, or give its URL with ONBOARD_BASE_URL or --base-url (e.g. https://acme.bluerocktel.net/api)",
			bluerocktel.RedactURL(be.URL))
	}
	return ""
}
