package bluerocktel

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// checkRetry is the retry policy. GET and PUT (idempotent) are retried on
// transport errors, 429 and 5xx. A POST is retried only when it certainly
// never reached the server: the attempt failed before a connection existed
// (refused, DNS, dial timeout), or the server answered 429 (rejected before
// processing). A POST that may have been sent is never retried as is.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, nil // the caller gave up
	}
	cl := callFrom(ctx)
	if err != nil {
		if !transient(err) {
			return false, nil
		}
		if cl.method == http.MethodPost {
			return !cl.last.maybeStored, nil
		}
		return true, nil
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return true, nil
	case resp.StatusCode >= 500 && resp.StatusCode != http.StatusNotImplemented:
		return cl.method != http.MethodPost, nil
	}
	return false, nil
}

// transient reports whether a transport error may go away on retry:
// certificate problems and malformed requests will not.
func transient(err error) bool {
	var (
		cv *tls.CertificateVerificationError
		ua x509.UnknownAuthorityError
		he x509.HostnameError
		ci x509.CertificateInvalidError
		rh tls.RecordHeaderError
	)
	if errors.As(err, &cv) || errors.As(err, &ua) || errors.As(err, &he) || errors.As(err, &ci) || errors.As(err, &rh) {
		return false
	}
	msg := err.Error()
	return !strings.Contains(msg, "unsupported protocol scheme") && !strings.Contains(msg, "invalid header")
}

// backoff is the wait before retry number attempt+1: Retry-After when the
// server gave one (429 or 503), capped at RetryAfterCap; otherwise
// exponential from MinBackoff, capped at MaxBackoff, with "equal jitter"
// (a random point in the upper half) so that parallel workers spread out.
func (c *Client) backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil && (resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable) {
		if d, ok := parseRetryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(d, c.cfg.RetryAfterCap)
		}
	}
	d := maxWait
	if attempt < 30 {
		d = min(maxWait, minWait<<attempt)
	}
	half := d / 2
	return half + rand.N(half+1)
}

// parseRetryAfter reads delay-seconds or an HTTP-date.
func parseRetryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil {
		if n < 0 {
			return 0, false
		}
		if n > int64(365*24*time.Hour/time.Second) {
			n = int64(365 * 24 * time.Hour / time.Second) // absurd; avoids overflow
		}
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(0, t.Sub(now)), true
	}
	return 0, false
}

// redactedError keeps an error's chain while removing the token from its
// text (defensive: transport errors carry URLs, never headers).
type redactedError struct {
	err   error
	token string
}

func (e *redactedError) Error() string { return redact(e.err.Error(), e.token) }
func (e *redactedError) Unwrap() error { return e.err }
