package main

import (
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
)

// defaultRate stays a little under the 2,000 requests a minute that the
// vendor's own SDK allows itself.
const defaultRate = "1800/m"

// clientFlags configure the API client.
type clientFlags struct {
	baseURL      string
	tokenFile    string
	insecureHTTP bool
	rate         string
	timeout      time.Duration
	debug        bool
	breakAfter   time.Duration
}

func (f *clientFlags) register(fs *pflag.FlagSet) {
	fs.StringVar(&f.baseURL, "base-url", "", "API base URL, e.g. https://acme.bluerocktel.net/api (default $ONBOARD_BASE_URL)")
	fs.StringVar(&f.tokenFile, "token-file", "", "read the API token from this file (default: $ONBOARD_TOKEN)")
	fs.BoolVar(&f.insecureHTTP, "insecure-http", false, "allow a plain http:// base URL to a host that is not loopback")
	fs.StringVar(&f.rate, "rate", defaultRate, "request rate limit shared by all workers: N/s, N/m, or 0 for none")
	fs.DurationVar(&f.timeout, "timeout", 30*time.Second, "timeout of one HTTP request")
	fs.DurationVar(&f.breakAfter, "unreachable-after", bluerocktel.DefaultBreakAfter, "stop the run when the API has not answered for this long")
	fs.BoolVar(&f.debug, "debug", false, "log every request and response on stderr (the token is redacted)")
}

// client builds the API client. Configuration mistakes are usage errors.
func (f *clientFlags) client(a *app) (*bluerocktel.Client, error) {
	base := f.baseURL
	if base == "" {
		base = os.Getenv("ONBOARD_BASE_URL")
	}
	if base == "" {
		return nil, usagef("no API base URL: set ONBOARD_BASE_URL or pass --base-url (e.g. https://acme.bluerocktel.net/api)")
	}
	token, err := f.token()
	if err != nil {
		return nil, err
	}
	rate, err := parseRate(f.rate)
	if err != nil {
		return nil, err
	}
	bluerocktel.Version = strings.Fields(strings.TrimPrefix(versionString(), "onboard "))[0]
	cfg := bluerocktel.Config{BaseURL: base, Token: token, InsecureHTTP: f.insecureHTTP, Rate: rate, Timeout: f.timeout, BreakAfter: f.breakAfter}
	if f.debug {
		cfg.Debug = a.stderr
	}
	c, err := bluerocktel.New(cfg)
	if err != nil {
		return nil, &usageError{err}
	}
	return c, nil
}

// api is the identity of the API the flags name, as the client's BaseURL
// (what a state is bound to); "" when none is configured.
func (f *clientFlags) api() (string, error) {
	base := f.baseURL
	if base == "" {
		base = os.Getenv("ONBOARD_BASE_URL")
	}
	if base == "" {
		return "", nil
	}
	api, err := bluerocktel.NormalizeBaseURL(base, f.insecureHTTP)
	if err != nil {
		return "", &usageError{err}
	}
	return api, nil
}

// target is the base URL for messages (it never holds the token).
func (f *clientFlags) target() string {
	base := f.baseURL
	if base == "" {
		base = os.Getenv("ONBOARD_BASE_URL")
	}
	return bluerocktel.RedactURL(base) // userinfo and query may hold secrets
}

// token reads the API token from --token-file or $ONBOARD_TOKEN. Messages
// never include it.
func (f *clientFlags) token() (string, error) {
	if f.tokenFile != "" {
		b, err := os.ReadFile(f.tokenFile)
		if err != nil {
			return "", usagef("read --token-file: %v", err)
		}
		t := strings.TrimSpace(string(b))
		if t == "" {
			return "", usagef("--token-file %s is empty", f.tokenFile)
		}
		return t, nil
	}
	if t := strings.TrimSpace(os.Getenv("ONBOARD_TOKEN")); t != "" {
		return t, nil
	}
	return "", usagef("no API token: set ONBOARD_TOKEN or pass --token-file FILE")
}

// parseRate reads "30/s", "1800/m", "25" (per second) or "0" (no limit)
// into requests per second.
func parseRate(s string) (float64, error) {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n < 0 {
		return 0, usagef("--rate %q: want N/s, N/m or 0 (e.g. 1800/m)", s)
	}
	switch unit {
	case "", "s":
		return n, nil
	case "m", "min":
		return n / 60, nil
	}
	return 0, usagef("--rate %q: unit must be /s or /m", s)
}
