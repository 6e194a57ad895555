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
