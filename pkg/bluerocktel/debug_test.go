package bluerocktel

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

func TestDebugLogsEachExchangeWithoutToken(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		// A hostile server echoing the Authorization header in its body.
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, 201, `{"id":7,"name":"VoIP","echo":"`+r.Header.Get("Authorization")+`"}`)
		default:
			writeJSON(w, 401, `{"message":"Unauthenticated. token=`+strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")+`"}`)
		}
	})
	var buf lockedBuffer
	c := newClient(t, srv.URL+"/api", func(c *Config) { c.Debug = &buf })
	ctx := context.Background()
	if _, err := c.Create(ctx, resource.Family, nil, []byte(`{"name":"VoIP"}`)); err != nil {
		t.Fatal(err)
	}
	_, err := c.List(ctx, resource.Family, url.Values{"filter[name]": {"VoIP"}})
	logf(t, "%v", err)
	out := buf.String()
	transcript.Write([]byte(out))
	for _, want := range []*regexp.Regexp{
		regexp.MustCompile(`--> POST /api/v1/families attempt=1 body=\{"name":"VoIP"\}`),
		regexp.MustCompile(`<-- 201 POST /api/v1/families \([0-9.]+(µs|ms|s)\) body=\{"id":7,"name":"VoIP","echo":"Bearer \[REDACTED\]"\}`),
		regexp.MustCompile(`--> GET /api/v1/families\?filter%5Bname%5D=VoIP&page=1&per_page=100 attempt=1 body=\(empty\)`),
		regexp.MustCompile(`<-- 401 GET /api/v1/families\?\S+ \([0-9.]+(µs|ms|s)\) body=\{"message":"Unauthenticated. token=\[REDACTED\]"\}`),
	} {
		if !want.MatchString(out) {
			t.Errorf("debug output lacks %s:\n%s", want, out)
		}
	}
	if strings.Contains(out, testToken) || strings.Contains(err.Error(), testToken) {
		t.Errorf("token in debug output or error")
	}
	if strings.Contains(strings.ToLower(out), "authorization:") {
		t.Errorf("headers logged:\n%s", out)
	}
}
