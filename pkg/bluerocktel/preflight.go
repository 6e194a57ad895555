package bluerocktel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// PreflightError says why the API is not usable before anything is written:
// the base URL does not lead to the API (wrong path, often a missing /api),
// or its answer is not the API's.
type PreflightError struct {
	// URL is the base URL (never holds the token).
	URL string
	// Status is the HTTP status of the check (0 if it had no usable answer).
	Status int
	// Hint says what to fix.
	Hint string
	Err  error
}

// Error names the URL, what was wrong and what to fix.
func (e *PreflightError) Error() string {
	s := fmt.Sprintf("the base URL %s does not lead to the BlueRockTEL API", e.URL)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the cause.
func (e *PreflightError) Unwrap() error { return e.Err }

// Preflight checks, with one cheap authenticated request (the first page,
// of one family, of the family list), that the base URL leads to the API,
// that the token is accepted and that the API answers, before anything is
// written. It fails with a *BreakerError for a refused token (401/403) or
// an API unreachable for BreakAfter, and with a *PreflightError for a URL
// that answers but is not the API (404, or not a JSON list).
//
// Once it has succeeded, later calls return nil without a request: a run
// checks the API once (before its refresh, or before its first write).
func (c *Client) Preflight(ctx context.Context) error {
	if c.preflighted.Load() {
		return nil
	}
	spec := resource.Get(resource.Family)
	q := url.Values{"per_page": {"1"}, "page": {"1"}}
	body, err := c.do(ctx, http.MethodGet, spec.Path, q, nil)
	var ae *APIError
	switch {
	case err == nil:
		if _, perr := decodePage(body); perr != nil {
			return &PreflightError{URL: c.base, Status: http.StatusOK, Hint: c.pathHint(),
				Err: fmt.Errorf("GET %s answered something that is not a list of families", spec.Path)}
		}
		c.preflighted.Store(true)
		return nil
	case errors.As(err, &ae) && ae.Status == http.StatusNotFound:
		return &PreflightError{URL: c.base, Status: ae.Status, Hint: c.pathHint(),
			Err: fmt.Errorf("GET %s answered 404 Not Found", spec.Path)}
	}
	return err
}

// pathHint names the usual mistake: a base URL without its /api.
func (c *Client) pathHint() string {
	u, err := url.Parse(c.base)
	if err == nil && !strings.HasSuffix(u.Path, "/api") {
		return fmt.Sprintf("its path does not end with /api: try %s/api", c.base)
	}
	return "check the base URL (e.g. https://acme.bluerocktel.net/api)"
}
