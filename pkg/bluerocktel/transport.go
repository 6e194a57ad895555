package bluerocktel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"sync/atomic"
	"time"
)

// newTransport returns the transport used when Config.Transport is nil:
// keep-alive connections reused by parallel workers, every phase bounded.
//
// HTTP/1.1 only. Go's own transport never replays a POST by itself: in
// net/http/transport.go, Transport.roundTrip retries a failed request only
// when (*persistConn).shouldRetryRequest says so, which for a request that
// has been (partly) written requires req.isReplayable() (request.go): a
// GET, HEAD, OPTIONS or TRACE, or a request carrying an Idempotency-Key or
// X-Idempotency-Key header, which this client never sets. The one other
// case, nothingWrittenError, is a request of which not a byte was written
// to a reused connection: resending that cannot create anything twice.
// The HTTP/2 transport (h2_bundle.go, http2shouldRetryRequest) would also
// resend a request after a PROTOCOL_ERROR stream reset, whatever its
// method; disabling HTTP/2 keeps the POST guarantee simple.
func newTransport(timeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: min(timeout, 10*time.Second), KeepAlive: 30 * time.Second}
	t := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           d.DialContext,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   128,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   min(timeout, 10*time.Second),
		ResponseHeaderTimeout: timeout,
		ExpectContinueTimeout: time.Second,
		Protocols:             new(http.Protocols),
	}
	t.Protocols.SetHTTP1(true)
	return t
}

// call is the state of one client call across its attempts, carried in the
// request context so that the transport and the retry policy share it.
type call struct {
	method, path string
	attempts     int
	// last describes the last attempt.
	last attempt
}

type attempt struct {
	// maybeStored: the request may have reached the server and been
	// acted upon (no answer, or a 5xx); false when it certainly did not
	// reach it or was refused (4xx).
	maybeStored bool
	status      int // 0 when no response was read
}

type callKey struct{}

func callFrom(ctx context.Context) *call {
	c, _ := ctx.Value(callKey{}).(*call)
	if c == nil {
		c = &call{} // transport used outside Client.do: nothing shared
	}
	return c
}

// attemptTransport wraps the real transport for every attempt: it waits for
// the shared pace, bounds the attempt with a deadline, records whether the
// request may have reached the server, reads the whole (size-limited) body
// within that deadline, counts and logs.
//
// It deliberately has no CloseIdleConnections method: go-retryablehttp
// calls http.Client.CloseIdleConnections after every failed call, which
// would drop the idle connections of all the other workers.
type attemptTransport struct {
	base      http.RoundTripper
	traceable bool // base is an *http.Transport: httptrace GotConn is reliable
	timeout   time.Duration
	pacer     *pacer
	stats     *counters
	debug     *debugLog
	brk       *breaker
}

// errNoCompleteAnswer marks an attempt that ran out of time.
var errNoCompleteAnswer = errors.New("no complete answer")

func (t *attemptTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	ctx := req.Context()
	cl := callFrom(ctx)
	cl.attempts++
	cl.last = attempt{}
	if err := t.brk.open(); err != nil {
		return nil, err // tripped: nothing is sent
	}
	if cl.attempts > 1 {
		t.stats.retries.Add(1)
	}
	s, err := t.pacer.wait(ctx)
	if err != nil {
		return nil, fmt.Errorf("waiting for the rate limit: %w", err)
	}

	actx, cancel := context.WithTimeout(ctx, t.timeout)
	defer cancel()
	var gotConn atomic.Bool
	actx = httptrace.WithClientTrace(actx, &httptrace.ClientTrace{
		GotConn: func(httptrace.GotConnInfo) { gotConn.Store(true) },
	})
	t.stats.requests.Add(1)
	t.debug.request(req, cl.attempts)
	start := time.Now()

	resp, err := t.base.RoundTrip(req.WithContext(actx))
	var body []byte
	if err == nil {
		body, err = readBody(resp.Body)
		resp.Body.Close()
	}
	now := time.Now()
	if err != nil {
		// Certainly not sent: no connection was obtained, or dialing failed.
		cl.last.maybeStored = !isDialError(err) && !(t.traceable && !gotConn.Load())
		var ne net.Error
		if ctx.Err() == nil && (actx.Err() != nil || errors.As(err, &ne) && ne.Timeout()) {
			err = fmt.Errorf("%w within %s: %w", errNoCompleteAnswer, t.timeout, err)
		}
		t.stats.transportErrors.Add(1)
		if ctx.Err() == nil {
			t.brk.failed(start, now, err)
		}
		t.pacer.observe(s, now, 0)
		t.debug.failure(req, now.Sub(start), err)
		return nil, err
	}
	cl.last = attempt{maybeStored: resp.StatusCode < 400 || resp.StatusCode >= 500, status: resp.StatusCode}
	t.brk.answered(now)
	t.stats.status(resp.StatusCode)
	t.pacer.observe(s, now, resp.StatusCode)
	t.debug.response(req, resp.StatusCode, now.Sub(start), body)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

// readBody reads a whole response body, refusing more than MaxBodyBytes.
func readBody(r io.Reader) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxBodyBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading response body: %w", err)
	}
	if len(b) > MaxBodyBytes {
		return nil, fmt.Errorf("response body larger than %d bytes", MaxBodyBytes)
	}
	return b, nil
}

// isDialError reports an error raised before any connection existed:
// nothing of the request can have reached the server.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}
