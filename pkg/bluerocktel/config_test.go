package bluerocktel

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestNewBaseURLRules(t *testing.T) {
	tests := []struct {
		url      string
		insecure bool
		token    string
		wantErr  string // "" = accepted
	}{
		{url: "https://acme.bluerocktel.net/api"},
		{url: "https://acme.bluerocktel.net/api/"},
		{url: "http://127.0.0.1:8080/api"},
		{url: "http://127.45.6.7/api"},
		{url: "http://[::1]:9000/api"},
		{url: "http://localhost:9000"},
		{url: "http://LocalHost.:9000"},
		{url: "http://acme.bluerocktel.net/api", wantErr: "--insecure-http"},
		{url: "http://acme.bluerocktel.net/api", insecure: true},
		{url: "http://10.0.0.5/api", wantErr: "refusing plain http"},
		{url: "http://192.168.1.1/api", wantErr: "refusing plain http"},
		{url: "http://localhost.evil.example/api", wantErr: "refusing plain http"},
		{url: "http://127.0.0.1.nip.io/api", wantErr: "refusing plain http"},
		{url: "http://[::2]/api", wantErr: "refusing plain http"},
		{url: "ftp://127.0.0.1/api", wantErr: "absolute http(s) URL"},
		{url: "acme.bluerocktel.net/api", wantErr: "absolute http(s) URL"},
		{url: "", wantErr: "no base URL"},
		{url: "https://user:pw@acme.bluerocktel.net/api", wantErr: "must not contain credentials"},
		{url: "https://acme.bluerocktel.net/api?x=1", wantErr: "query"},
		{url: "https://acme.bluerocktel.net/api", token: "-", wantErr: "no API token"},
	}
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			tok := testToken
			if tt.token == "-" {
				tok = ""
			}
			c, err := New(Config{BaseURL: tt.url, Token: tok, InsecureHTTP: tt.insecure})
			if tt.wantErr == "" {
				if err != nil {
					t.Fatalf("New(%q) = %v, want accepted", tt.url, err)
				}
				if strings.HasSuffix(c.base, "/") {
					t.Errorf("base %q keeps a trailing slash", c.base)
				}
				return
			}
			if err == nil {
				t.Fatalf("New(%q) accepted, want error containing %q", tt.url, tt.wantErr)
			}
			logf(t, "%v", err)
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), "pw@") {
				t.Errorf("error %q shows the URL's password", err)
			}
		})
	}
}

func TestConfigAndClientNeverShowToken(t *testing.T) {
	cfg := Config{BaseURL: "https://acme.bluerocktel.net/api", Token: testToken, Rate: 30, Timeout: time.Second}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	type wrapper struct{ Cfg Config }
	var out []string
	for _, v := range []any{cfg, &cfg, c, wrapper{cfg}, &wrapper{cfg}} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			out = append(out, fmt.Sprintf(verb, v))
		}
	}
	// A Client value (not pointer): its token sits behind a pointer.
	out = append(out, fmt.Sprintf("%+v", *c), fmt.Sprintf("%#v", *c))
	b, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	out = append(out, string(b))
	var sb bytes.Buffer
	slog.New(slog.NewTextHandler(&sb, nil)).Info("config", "cfg", cfg)
	out = append(out, sb.String())

	for _, s := range out {
		if strings.Contains(s, testToken) {
			t.Errorf("token shown in %q", s)
		}
	}
	// The redacted form still says a token is set, and keeps the useful part.
	if s := fmt.Sprintf("%+v", cfg); !strings.Contains(s, redacted) || !strings.Contains(s, "acme.bluerocktel.net") {
		t.Errorf("%%+v of Config = %q, want the base URL and %s", s, redacted)
	}
	fmt.Fprintln(transcript, strings.Join(out, "\n"))
}

func TestConfigDefaults(t *testing.T) {
	got := Config{}.withDefaults()
	if got.Timeout != DefaultTimeout || got.MaxRetries != DefaultMaxRetries || got.RetryAfterCap != DefaultRetryAfterCap ||
		got.MinBackoff != DefaultMinBackoff || got.MaxBackoff != DefaultMaxBackoff {
		t.Errorf("defaults not applied: %+v", got)
	}
	if got := (Config{MaxRetries: -1}).withDefaults(); got.MaxRetries != 0 {
		t.Errorf("MaxRetries -1 -> %d, want 0 (no retries)", got.MaxRetries)
	}
	if got := (Config{MinBackoff: time.Second, MaxBackoff: time.Millisecond}).withDefaults(); got.MaxBackoff != time.Second {
		t.Errorf("MaxBackoff below MinBackoff not raised: %v", got.MaxBackoff)
	}
}

func TestNoHTTPClientTimeout(t *testing.T) {
	// Timeouts are per attempt in the transport and context: an
	// http.Client.Timeout would hide whether a request was sent.
	c, err := New(Config{BaseURL: "https://x.example/api", Token: testToken})
	if err != nil {
		t.Fatal(err)
	}
	if c.rc.HTTPClient.Timeout != 0 {
		t.Errorf("http.Client.Timeout = %v, want 0", c.rc.HTTPClient.Timeout)
	}
	if c.tr.MaxIdleConnsPerHost < 64 || c.tr.DisableKeepAlives {
		t.Errorf("transport not tuned for parallel workers: MaxIdleConnsPerHost=%d keepalive=%t", c.tr.MaxIdleConnsPerHost, !c.tr.DisableKeepAlives)
	}
	if c.tr.ResponseHeaderTimeout != DefaultTimeout {
		t.Errorf("ResponseHeaderTimeout = %v, want %v", c.tr.ResponseHeaderTimeout, DefaultTimeout)
	}
}

// A base URL's query string, fragment or userinfo may hold a token or a
// password: no message about it shows them, whatever is wrong with it.
func TestBaseURLSecretsNeverShown(t *testing.T) {
	const secret = "SECRETs3cr3t"
	tests := []struct {
		url, wantErr string
	}{
		{"https://host/api?api_token=" + secret, "must not have a query"},
		{"https://host/api?" + secret, "must not have a query"},
		{"https://host/api#" + secret, "must not have a query"},
		{"https://user:" + secret + "@host/api", "must not contain credentials"},
		{"https://" + secret + "@host/api", "must not contain credentials"},
		{"https://user:" + secret + "@host/api?token=" + secret, "must not contain credentials"},
		{"http://user:" + secret + "@10.0.0.1/api", "must not contain credentials"},
		{"ftp://host/api?token=" + secret, "absolute http(s) URL"},
		{"https://ho st/api?token=" + secret, "invalid base URL"},
		{"https://user:" + secret + "@ho st/api", "invalid base URL"},
		{"https://host:99x/api?token=" + secret, "invalid base URL"},
		{"%zz://host/api?token=" + secret, "invalid base URL"},
	}
	for _, tt := range tests {
		t.Run(tt.wantErr, func(t *testing.T) {
			_, err := New(Config{BaseURL: tt.url, Token: testToken})
			if err == nil {
				t.Fatalf("New(%q) accepted", tt.url)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %q does not contain %q", err, tt.wantErr)
			}
			if strings.Contains(err.Error(), secret) {
				t.Errorf("error %q shows the secret", err)
			}
			cfg := Config{BaseURL: tt.url, Token: testToken}
			for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
				if s := fmt.Sprintf(verb, cfg); strings.Contains(s, secret) {
					t.Errorf("%s of the config shows the secret: %s", verb, s)
				}
			}
		})
	}
}

func TestRedactURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://acme.bluerocktel.net/api", "https://acme.bluerocktel.net/api"},
		{"https://host/api?api_token=x", "https://host/api?[REDACTED]"},
		{"https://host/api#frag", "https://host/api#[REDACTED]"},
		{"https://u:p@host/api", "https://[REDACTED]@host/api"},
		{"https://u:p@x@host:8080/api?t=1", "https://[REDACTED]@host:8080/api?[REDACTED]"},
		{"host/api@v1", "host/api@v1"},
		{"u:p@host/api", "[REDACTED]@host/api"},
		{"", ""},
	}
	for _, tt := range tests {
		if got := RedactURL(tt.in); got != tt.want {
			t.Errorf("RedactURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
