package bluerocktel

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Defaults applied by New to zero fields of Config.
const (
	DefaultTimeout       = 30 * time.Second
	DefaultMaxRetries    = 5
	DefaultRetryAfterCap = 60 * time.Second
	DefaultMinBackoff    = 250 * time.Millisecond
	DefaultMaxBackoff    = 15 * time.Second
	// MaxBodyBytes bounds every response body read.
	MaxBodyBytes = 10 << 20
)

// Version is sent in the User-Agent (onboard/<Version>); the CLI sets it
// from its build version.
var Version = "dev"

// Config configures a Client. Zero durations and a zero MaxRetries take the
// defaults above; a negative MaxRetries means no retries.
type Config struct {
	// BaseURL, e.g. https://acme.bluerocktel.net/api; the table's paths
	// (/v1/...) are appended.
	BaseURL string
	// Token is the bearer token. It is never printed: Config and Client
	// format it as [REDACTED] and the client redacts it from any text it
	// logs or puts in errors.
	Token string `json:"-"`
	// InsecureHTTP allows http:// to a non-loopback host.
	InsecureHTTP bool
	// Rate is the request rate (per second) shared by every goroutine using
	// the client, and the ceiling of adaptive pacing; 0 = unlimited until
	// the server answers 429.
	Rate float64
	// Timeout bounds each attempt (connect, send, response, body) through
	// the transport and a context deadline, never http.Client.Timeout.
	Timeout    time.Duration
	MaxRetries int
	// RetryAfterCap caps the wait asked by a Retry-After header.
	RetryAfterCap          time.Duration
	MinBackoff, MaxBackoff time.Duration
	// Debug receives one line per attempt and response (method, path and
	// query, status, duration, bodies), token redacted; nil = off.
	Debug io.Writer
	// BreakAfter is how long the API may stay unreachable before every
	// call fails at once with a *BreakerError (0: DefaultBreakAfter;
	// negative: never).
	BreakAfter time.Duration
	// Transport replaces the tuned transport (tests).
	Transport http.RoundTripper
}

const redacted = "[REDACTED]"

// String renders the config with the token redacted.
func (c Config) String() string {
	tok := ""
	if c.Token != "" {
		tok = redacted
	}
	return fmt.Sprintf("{BaseURL:%s Token:%s InsecureHTTP:%t Rate:%g Timeout:%s MaxRetries:%d RetryAfterCap:%s MinBackoff:%s MaxBackoff:%s Debug:%t}",
		RedactURL(c.BaseURL), tok, c.InsecureHTTP, c.Rate, c.Timeout, c.MaxRetries, c.RetryAfterCap, c.MinBackoff, c.MaxBackoff, c.Debug != nil)
}

// GoString is used by %#v.
func (c Config) GoString() string { return "bluerocktel.Config" + c.String() }

// Format makes every verb (%v, %+v, %#v, %s, ...) use the redacted form.
func (c Config) Format(f fmt.State, verb rune) {
	if verb == 'v' && f.Flag('#') {
		io.WriteString(f, c.GoString())
		return
	}
	io.WriteString(f, c.String())
}

// LogValue keeps the token out of slog output.
func (c Config) LogValue() slog.Value { return slog.StringValue(c.String()) }

// withDefaults fills zero fields.
func (c Config) withDefaults() Config {
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	switch {
	case c.MaxRetries == 0:
		c.MaxRetries = DefaultMaxRetries
	case c.MaxRetries < 0:
		c.MaxRetries = 0
	}
	if c.RetryAfterCap <= 0 {
		c.RetryAfterCap = DefaultRetryAfterCap
	}
	if c.MinBackoff <= 0 {
		c.MinBackoff = DefaultMinBackoff
	}
	if c.MaxBackoff <= 0 {
		c.MaxBackoff = DefaultMaxBackoff
	}
	if c.BreakAfter == 0 {
		c.BreakAfter = DefaultBreakAfter
	}
	if c.MaxBackoff < c.MinBackoff {
		c.MaxBackoff = c.MinBackoff
	}
	return c
}

// parseBaseURL checks the base URL: absolute http(s), no credentials, no
// query, and plain http only towards a loopback host unless insecure.
// NormalizeBaseURL is its text, as Client.BaseURL gives it: the API's
// identity that a state is bound to.
// Messages show the URL through RedactURL: a query string or userinfo may
// hold a token.
func parseBaseURL(raw string, insecure bool) (*url.URL, error) {
	if strings.TrimSpace(raw) == "" {
		return nil, fmt.Errorf("no base URL: set --base-url or ONBOARD_BASE_URL (e.g. https://acme.bluerocktel.net/api)")
	}
	shown := RedactURL(raw)
	u, err := url.Parse(raw)
	if err != nil {
		// url.Error repeats the whole URL: keep only what it says is wrong.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid base URL %q: %v", shown, err)
	}
	if u.User != nil {
		return nil, fmt.Errorf("base URL %s must not contain credentials: give the token with ONBOARD_TOKEN or --token-file", shown)
	}
	if u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, fmt.Errorf("base URL %q must be an absolute http(s) URL, e.g. https://acme.bluerocktel.net/api", shown)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.ForceQuery {
		return nil, fmt.Errorf("base URL %s must not have a query or fragment: give the token with ONBOARD_TOKEN or --token-file, never in the URL", shown)
	}
	if u.Scheme == "http" && !insecure && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("refusing plain http:// base URL %s: the API token would travel unencrypted; use https://, or pass --insecure-http if you really mean it (http is allowed without it only to loopback: 127.0.0.0/8, ::1, localhost)", shown)
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// RedactURL returns raw fit for a message: userinfo, query and fragment,
// which may hold a token or a password, are replaced by [REDACTED]. It
// works on text that does not parse as a URL too.
func RedactURL(raw string) string {
	s := raw
	rest := ""
	if i := strings.IndexAny(s, "?#"); i >= 0 {
		s, rest = s[:i], s[i:i+1]+redacted
	}
	// Userinfo is whatever precedes the last '@' of the authority.
	authStart := 0
	if i := strings.Index(s, "//"); i >= 0 {
		authStart = i + 2
	}
	authEnd := len(s)
	if i := strings.IndexByte(s[authStart:], '/'); i >= 0 {
		authEnd = authStart + i
	}
	if i := strings.LastIndexByte(s[authStart:authEnd], '@'); i >= 0 {
		s = s[:authStart] + redacted + s[authStart+i:]
	}
	return s + rest
}

// isLoopback reports whether host is localhost or a loopback IP literal.
// Names other than localhost are not resolved: what they resolve to may
// change between the check and the request.
func isLoopback(host string) bool {
	h := strings.TrimSuffix(strings.ToLower(host), ".")
	if h == "localhost" {
		return true
	}
	ip := net.ParseIP(h)
	return ip != nil && ip.IsLoopback()
}

// NormalizeBaseURL checks raw as New does and returns it as
// Client.BaseURL would: the API's identity, which a state is bound to.
func NormalizeBaseURL(raw string, insecureHTTP bool) (string, error) {
	u, err := parseBaseURL(raw, insecureHTTP)
	if err != nil {
		return "", err
	}
	return u.String(), nil
}
