package sandbox

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

const testToken = "test-token-7f3a"

// stepClock returns base, base+step, base+2*step... one per call, so that
// timestamps are predictable.
func stepClock(base time.Time, step time.Duration) func() time.Time {
	var mu sync.Mutex
	n := 0
	return func() time.Time {
		mu.Lock()
		defer mu.Unlock()
		t := base.Add(time.Duration(n) * step)
		n++
		return t
	}
}

func newTest(t testing.TB, opts Options) *Server {
	t.Helper()
	if opts.Token == "" {
		opts.Token = testToken
	}
	if opts.Now == nil {
		opts.Now = stepClock(time.Date(2026, 3, 24, 10, 0, 0, 0, time.UTC), time.Minute)
	}
	s, err := New(opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return s
}

// resp is a decoded response.
type resp struct {
	status int
	header http.Header
	raw    string
	obj    map[string]any // decoded with UseNumber when the body is an object
}

// call sends a request straight to the handler with the test token.
func call(t testing.TB, h http.Handler, method, target, body string) resp {
	t.Helper()
	return callAuth(t, h, method, target, body, "Bearer "+testToken)
}

func callAuth(t testing.TB, h http.Handler, method, target, body, auth string) resp {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req := httptest.NewRequest(method, target, rd)
	if auth != "" {
		req.Header.Set("Authorization", auth)
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	r := resp{status: rec.Code, header: rec.Header(), raw: rec.Body.String()}
	r.obj = decodeJSON(t, rec.Body.Bytes())
	return r
}

func decodeJSON(t testing.TB, b []byte) map[string]any {
	t.Helper()
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("response is not a JSON object: %v: %s", err, b)
	}
	return m
}

// mustCreate posts body and fails the test unless it is a 201; it returns
// the new id.
func mustCreate(t testing.TB, h http.Handler, target, body string) int64 {
	t.Helper()
	r := call(t, h, http.MethodPost, target, body)
	if r.status != http.StatusCreated {
		t.Fatalf("POST %s %s: status %d: %s", target, body, r.status, r.raw)
	}
	return idOf(t, r.obj)
}

func idOf(t testing.TB, m map[string]any) int64 {
	t.Helper()
	n, ok := m["id"].(json.Number)
	if !ok {
		t.Fatalf("id %v (%T) is not a JSON number", m["id"], m["id"])
	}
	id, err := n.Int64()
	if err != nil || id <= 0 {
		t.Fatalf("id %v is not a positive integer", n)
	}
	return id
}

// text renders a decoded JSON value for comparisons: numbers as their
// exact text, strings quoted, so that 5 and "5" differ.
func text(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}
