package bluerocktel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

func TestRequestsCarryHeadersPathsAndEscapedQuery(t *testing.T) {
	type seen struct {
		method, path, rawQuery, body string
		header                       http.Header
		query                        url.Values
	}
	var mu sync.Mutex
	var got []seen
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.EscapedPath(), r.URL.RawQuery, string(b), r.Header.Clone(), r.URL.Query()})
		mu.Unlock()
		switch r.Method {
		case http.MethodGet:
			if strings.HasSuffix(r.URL.Path, "/42") {
				writeJSON(w, 200, `{"id":42,"description":"SIP"}`)
				return
			}
			writeJSON(w, 200, `{"data":[],"current_page":1,"last_page":1}`)
		case http.MethodPut:
			writeJSON(w, 200, `{"id":42,"billing_frequency":3}`)
		default:
			writeJSON(w, 201, `{"id":500,"name":"Main"}`)
		}
	})
	defer func(v string) { Version = v }(Version)
	Version = "1.2.3"
	c := newClient(t, srv.URL+"/api/")
	ctx := context.Background()

	if _, err := c.Create(ctx, resource.CustomerFile, url.Values{"fileable_type": {"customer"}, "fileable_id": {"101"}}, []byte(`{"name":"Main"}`)); err != nil {
		t.Fatal(err)
	}
	if r, err := c.Get(ctx, resource.Item, 42); err != nil || r.ID != 42 || r.Text("description") != "SIP" {
		t.Fatalf("Get = %+v, %v", r, err)
	}
	if r, err := c.Update(ctx, resource.CustomerFile, 42, []byte(`{"billing_frequency":3}`)); err != nil || r.Text("billing_frequency") != "3" {
		t.Fatalf("Update = %+v, %v", r, err)
	}
	name := "VoIP & Data/Fax ?#% é"
	if _, err := c.List(ctx, resource.Family, url.Values{"filter[name]": {name}}); err != nil {
		t.Fatal(err)
	}

	if len(got) != 4 {
		t.Fatalf("server saw %d requests, want 4", len(got))
	}
	want := []struct{ method, path, body string }{
		{"POST", "/api/v1/customer-files", `{"name":"Main"}`},
		{"GET", "/api/v1/items/42", ""},
		{"PUT", "/api/v1/customer-files/42", `{"billing_frequency":3}`},
		{"GET", "/api/v1/families", ""},
	}
	for i, w := range want {
		g := got[i]
		if g.method != w.method || g.path != w.path || g.body != w.body {
			t.Errorf("request %d = %s %s %q, want %s %s %q", i, g.method, g.path, g.body, w.method, w.path, w.body)
		}
		for h, v := range map[string]string{
			"Authorization": "Bearer " + testToken,
			"Accept":        "application/json",
			"Content-Type":  "application/json",
			"User-Agent":    "onboard/1.2.3",
		} {
			if g.header.Get(h) != v {
				t.Errorf("request %d: %s = %q, want %q", i, h, g.header.Get(h), v)
			}
		}
		for _, h := range []string{"Idempotency-Key", "X-Idempotency-Key"} {
			if _, ok := g.header[h]; ok {
				t.Errorf("request %d carries %s: net/http could then replay it", i, h)
			}
		}
	}
	if q := got[0].query; q.Get("fileable_type") != "customer" || q.Get("fileable_id") != "101" {
		t.Errorf("customer-file query = %q", got[0].rawQuery)
	}
	if q := got[3].query; q.Get("filter[name]") != name || q.Get("page") != "1" || q.Get("per_page") == "" {
		t.Errorf("list query %q decodes to %v, want filter[name]=%q with page and per_page", got[3].rawQuery, q, name)
	}
}

func TestBadArguments(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1/api")
	ctx := context.Background()
	if _, err := c.Get(ctx, resource.Kind("invoice"), 1); err == nil || !strings.Contains(err.Error(), "unknown resource kind") {
		t.Errorf("unknown kind: %v", err)
	}
	if _, err := c.Get(ctx, resource.Item, 0); err == nil || !strings.Contains(err.Error(), "invalid item id") {
		t.Errorf("id 0: %v", err)
	}
	if _, err := c.Update(ctx, resource.Item, -5, []byte(`{}`)); err == nil {
		t.Errorf("negative id accepted")
	}
}

func TestTypedAPIErrors(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		body     string
		sentinel error
		contains []string
		fields   map[string][]string
	}{
		{
			name: "422 field errors", status: 422,
			body:     `{"message":"The given data was invalid.","errors":{"family_id":["The selected family id is invalid."],"selling_price_without_tax":["The selling price without tax must be a number.","It must be at least 0."]}}`,
			sentinel: ErrValidation,
			contains: []string{"422", "The given data was invalid.", "family_id: The selected family id is invalid."},
			fields: map[string][]string{
				"family_id":                 {"The selected family id is invalid."},
				"selling_price_without_tax": {"The selling price without tax must be a number.", "It must be at least 0."},
			},
		},
		{
			name: "401 without token", status: 401,
			body:     `{"message":"Unauthenticated."}`,
			sentinel: ErrUnauthorized,
			contains: []string{"the API token was rejected (401 Unauthenticated)"},
		},
		{
			name: "401 echoing the token", status: 401,
			body:     `{"message":"bad token ` + testToken + `"}`,
			sentinel: ErrUnauthorized,
			contains: []string{"the API token was rejected"},
		},
		{
			name: "404", status: 404, body: `{"message":"No query results for model [Item] 9."}`,
			sentinel: ErrNotFound, contains: []string{"404", "No query results"},
		},
		{
			name: "404 html", status: 404, body: "<html>\n<body>Not   Found</body></html>",
			sentinel: ErrNotFound, contains: []string{"<html> <body>Not Found</body></html>"},
		},
		{
			name: "422 echoing the token in a field message", status: 422,
			body:     `{"message":"invalid","errors":{"name":["` + testToken + ` is not a name"]}}`,
			sentinel: ErrValidation, contains: []string{redacted + " is not a name"},
			fields: map[string][]string{"name": {redacted + " is not a name"}},
		},
		{
			name: "403", status: 403, body: `{"message":"This action is unauthorized."}`,
			contains: []string{"403", "This action is unauthorized."},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
			c := newClient(t, srv.URL)
			_, err := c.Get(context.Background(), resource.Item, 9)
			if err == nil {
				t.Fatal("no error")
			}
			logf(t, "%v", err)
			var ae *APIError
			if !errors.As(err, &ae) {
				t.Fatalf("error %T is not an *APIError", err)
			}
			if ae.Status != tt.status || ae.Method != "GET" || ae.Path != "/v1/items/9" {
				t.Errorf("APIError = %+v", ae)
			}
			for _, s := range []error{ErrUnauthorized, ErrNotFound, ErrValidation, ErrRateLimited, ErrServer} {
				if errors.Is(err, s) != (s == tt.sentinel) {
					t.Errorf("errors.Is(err, %q) = %t", s, errors.Is(err, s))
				}
			}
			for _, s := range tt.contains {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if tt.fields != nil {
				if len(ae.Fields) != len(tt.fields) {
					t.Errorf("Fields = %v, want %v", ae.Fields, tt.fields)
				}
				for f, msgs := range tt.fields {
					if strings.Join(ae.Fields[f], "|") != strings.Join(msgs, "|") {
						t.Errorf("Fields[%s] = %q, want %q", f, ae.Fields[f], msgs)
					}
				}
			}
			if strings.Contains(err.Error(), testToken) || strings.Contains(ae.Message, testToken) {
				t.Errorf("the token leaks into the error")
			}
			if cnt.n.Load() != 1 {
				t.Errorf("a %d was sent %d times, want once (not retried)", tt.status, cnt.n.Load())
			}
		})
	}
}

func TestCreateWithoutIDIsOutcomeUnknown(t *testing.T) {
	// A 2xx means the object exists; without its id the caller must look
	// it up, exactly as after a lost answer.
	for _, body := range []string{`{"name":"x"}`, `not json`, `{"id":"abc"}`, ``} {
		srv, cnt := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 201, body) })
		c := newClient(t, srv.URL)
		_, err := c.Create(context.Background(), resource.Family, nil, []byte(`{"name":"x"}`))
		logf(t, "body %q: %v", body, err)
		if !errors.Is(err, ErrOutcomeUnknown) {
			t.Errorf("body %q: error %v, want outcome unknown", body, err)
		}
		if cnt.posts.Load() != 1 {
			t.Errorf("body %q: %d POSTs, want 1", body, cnt.posts.Load())
		}
	}
}

func TestRecordDecoding(t *testing.T) {
	rec, err := decodeRecord([]byte(`{"id":"7","price":"19.90","n":19.90,"ok":true,"nil":null,"s":"a\"b","o":{"x":1}}`))
	if err != nil {
		t.Fatal(err)
	}
	for f, want := range map[string]string{"price": "19.90", "n": "19.90", "ok": "true", "nil": "", "s": `a"b`, "missing": "", "o": `{"x":1}`} {
		if got := rec.Text(f); got != want {
			t.Errorf("Text(%s) = %q, want %q", f, got, want)
		}
	}
	if rec.ID != 7 || !rec.Has("nil") || rec.Has("missing") {
		t.Errorf("record = %+v", rec)
	}
	wrapped, err := decodeRecord([]byte(`{"data":{"id":9,"name":"w"}}`))
	if err != nil || wrapped.ID != 9 || wrapped.Text("name") != "w" {
		t.Errorf("data wrapper: %+v, %v", wrapped, err)
	}
}

func TestResponseBodyIsSizeLimited(t *testing.T) {
	big := `{"id":1,"pad":"` + strings.Repeat("x", MaxBodyBytes) + `"}`
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 200, big) })
	c := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = -1; c.Debug = nil })
	_, err := c.Get(context.Background(), resource.Family, 1)
	logf(t, "%.200v", err)
	if err == nil || !strings.Contains(err.Error(), "larger than") {
		t.Errorf("error %.200v, want a body size error", err)
	}
}

func TestParallelCallersReuseConnections(t *testing.T) {
	var mu sync.Mutex
	conns := 0
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"id":1}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c := newClient(t, srv.URL, func(c *Config) { c.Debug = nil })
	var wg sync.WaitGroup
	for w := 0; w < 16; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 25; i++ {
				if _, err := c.Get(context.Background(), resource.Family, 1); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	mu.Lock()
	defer mu.Unlock()
	// A dial racing a connection coming back to the pool may add a few;
	// without reuse it would be one per request.
	if conns > 32 {
		t.Errorf("400 requests from 16 callers opened %d connections, want about 16 (keep-alive reuse)", conns)
	}
}
