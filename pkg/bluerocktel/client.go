// Package bluerocktel is a typed client for the BlueRockTEL billing API as
// the onboarding cookbook uses it: create (POST), get by id, partial update
// (PUT), paginated lists with filter[...] and look-ups by natural key, for
// the kinds of the resource table.
//
// It is honest about creates: a POST is retried as it is only when it
// certainly never reached the server (connection refused, 429); any other
// failure after sending is an *OutcomeUnknownError, for the caller to
// resolve by looking the object up. Requests share one adaptive rate limit.
// The API token never appears in any output of the package.
package bluerocktel

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Client talks to one BlueRockTEL instance. It is safe for concurrent use;
// all its requests share one rate limit.
type Client struct {
	base  string // scheme://host/path, no trailing slash
	tok   *secret
	cfg   Config // with Token cleared
	rc    *retryablehttp.Client
	tr    *http.Transport // nil when Config.Transport was given
	pacer *pacer
	stats *counters
	debug *debugLog
	brk   *breaker
	// preflighted: Preflight succeeded once.
	preflighted *atomic.Bool
}

// secret holds the token behind a pointer: fmt prints a nested pointer as
// an address, so even %+v of a Client value cannot show it.
type secret struct{ s string }

// New checks cfg and returns a client. A plain http:// base URL is refused
// unless its host is loopback (127.0.0.0/8, ::1, localhost) or
// cfg.InsecureHTTP is set.
func New(cfg Config) (*Client, error) {
	cfg = cfg.withDefaults()
	u, err := parseBaseURL(cfg.BaseURL, cfg.InsecureHTTP)
	if err != nil {
		return nil, err
	}
	if cfg.Token == "" {
		return nil, errors.New("no API token: set ONBOARD_TOKEN or --token-file")
	}
	if cfg.Rate < 0 {
		return nil, fmt.Errorf("rate %g must not be negative (0 = unlimited)", cfg.Rate)
	}
	c := &Client{
		base:        u.String(),
		tok:         &secret{cfg.Token},
		pacer:       newPacer(cfg.Rate, time.Now()),
		stats:       &counters{},
		debug:       &debugLog{w: cfg.Debug, token: cfg.Token},
		brk:         newBreaker(u.String(), cfg.BreakAfter),
		preflighted: new(atomic.Bool),
	}
	base := cfg.Transport
	if base == nil {
		c.tr = newTransport(cfg.Timeout)
		base = c.tr
	}
	_, traceable := base.(*http.Transport)
	cfg.Token = ""
	c.cfg = cfg
	c.rc = &retryablehttp.Client{
		HTTPClient: &http.Client{
			Transport: &attemptTransport{
				base: base, traceable: traceable, timeout: cfg.Timeout,
				pacer: c.pacer, stats: c.stats, debug: c.debug, brk: c.brk,
			},
			// An API does not redirect; following a 307 would send the
			// POST body again, elsewhere.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		Logger:       nil, // the default logger prints URLs to stderr
		RetryWaitMin: cfg.MinBackoff,
		RetryWaitMax: cfg.MaxBackoff,
		RetryMax:     cfg.MaxRetries,
		CheckRetry:   checkRetry,
		Backoff:      c.backoff,
		// Hand back the last response or error as is: the client decides
		// what it means (the default wraps errors with the URL and drops
		// the response).
		ErrorHandler: func(resp *http.Response, err error, _ int) (*http.Response, error) { return resp, err },
	}
	return c, nil
}

// BaseURL is the normalised base URL (scheme://host/path, no trailing
// slash): the API's identity for the state.
func (c *Client) BaseURL() string { return c.base }

// Close releases idle connections.
func (c *Client) Close() {
	if c.tr != nil {
		c.tr.CloseIdleConnections()
	}
}

// String describes the client without its token.
func (c *Client) String() string {
	return fmt.Sprintf("bluerocktel.Client{BaseURL:%s Token:%s}", c.base, redacted)
}

// Format makes every verb use String.
func (c *Client) Format(f fmt.State, _ rune) { f.Write([]byte(c.String())) }

// Create POSTs body (a JSON object) to the kind's collection, with query
// added to the URL (customer files: fileable_type and fileable_id). It
// returns the created record, an *OutcomeUnknownError when the object may
// or may not have been stored, or another error when it certainly was not.
func (c *Client) Create(ctx context.Context, kind resource.Kind, query url.Values, body []byte) (*Record, error) {
	spec, err := specOf(kind)
	if err != nil {
		return nil, err
	}
	res, err := c.do(ctx, http.MethodPost, spec.Path, query, body)
	if err != nil {
		return nil, err
	}
	rec, err := decodeRecord(res)
	if err != nil {
		// A 2xx was received: the object exists, but which one is unknown.
		c.stats.outcomeUnknown.Add(1)
		return nil, &OutcomeUnknownError{Method: http.MethodPost, Path: spec.Path, Err: err}
	}
	return rec, nil
}

// Get fetches one object by id.
func (c *Client) Get(ctx context.Context, kind resource.Kind, id int64) (*Record, error) {
	path, err := itemPath(kind, id)
	if err != nil {
		return nil, err
	}
	res, err := c.do(ctx, http.MethodGet, path, nil, nil)
	if err != nil {
		return nil, err
	}
	rec, err := decodeRecord(res)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", path, err)
	}
	return rec, nil
}

// Update PUTs the fields of body (a partial JSON object) to object id. It
// returns the record the server answers with; when the answer carries no
// object, a record with the id only.
func (c *Client) Update(ctx context.Context, kind resource.Kind, id int64, body []byte) (*Record, error) {
	path, err := itemPath(kind, id)
	if err != nil {
		return nil, err
	}
	res, err := c.do(ctx, http.MethodPut, path, nil, body)
	if err != nil {
		return nil, err
	}
	if rec, err := decodeRecord(res); err == nil {
		return rec, nil
	}
	return &Record{ID: id, Fields: map[string]json.RawMessage{}}, nil
}

func specOf(kind resource.Kind) (*resource.Spec, error) {
	spec := resource.Get(kind)
	if spec == nil {
		return nil, fmt.Errorf("unknown resource kind %q", kind)
	}
	return spec, nil
}

func itemPath(kind resource.Kind, id int64) (string, error) {
	spec, err := specOf(kind)
	if err != nil {
		return "", err
	}
	if id <= 0 {
		return "", fmt.Errorf("invalid %s id %d", spec.Title, id)
	}
	return spec.Path + "/" + url.PathEscape(strconv.FormatInt(id, 10)), nil
}

// do sends one call (with its retries) and returns the body of a 2xx, or
// the error it amounts to.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, body []byte) ([]byte, error) {
	u := c.base + path
	if len(query) > 0 {
		u += "?" + encodeQuery(path, query)
	}
	// After the breaker tripped nothing is sent; calls waiting to retry
	// are cut short when it trips.
	if err := c.brk.open(); err != nil {
		return nil, err
	}
	ctx, unbind := c.brk.bind(ctx)
	defer unbind()
	cl := &call{method: method, path: path}
	ctx = context.WithValue(ctx, callKey{}, cl)
	var raw any
	if body != nil {
		raw = body
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, raw)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.tok.s)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "onboard/"+Version)

	resp, err := c.rc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats the whole URL
		}
		err = &redactedError{err: err, token: c.tok.s}
		berr := c.brk.open()
		if berr != nil {
			err = berr // one cause for every call it stopped
		}
		if method == http.MethodPost && cl.last.maybeStored {
			c.stats.outcomeUnknown.Add(1)
			return nil, &OutcomeUnknownError{Method: method, Path: path, Err: err}
		}
		if berr != nil {
			return nil, berr
		}
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	data, _ := readBody(resp.Body) // already in memory (attemptTransport)
	resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
		return data, nil
	}
	apiErr := c.apiError(method, path, resp, data)
	if resp.StatusCode == http.StatusUnauthorized || resp.StatusCode == http.StatusForbidden {
		// Certainly not stored, and every later request would be refused
		// alike: stop the client.
		c.brk.refused(apiErr)
		return nil, c.brk.open()
	}
	if method == http.MethodPost && (resp.StatusCode >= 500 || resp.StatusCode < 400) {
		// The server may have stored the object before failing (5xx), or
		// stored it and redirected (3xx, which is never followed).
		c.stats.outcomeUnknown.Add(1)
		return nil, &OutcomeUnknownError{Method: method, Path: path, Err: apiErr}
	}
	return nil, apiErr
}

// encodeQuery keeps the table's parameter order for the kind whose
// collection path is path (the cookbook's ?fileable_type=...&fileable_id=...).
func encodeQuery(path string, q url.Values) string {
	for _, s := range resource.All() {
		if s.Path == path {
			return s.EncodeQuery(q)
		}
	}
	return q.Encode()
}
