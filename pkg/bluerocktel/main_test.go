package bluerocktel

import (
	"bytes"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testToken is distinctive so that any leak is found by a plain search.
const testToken = "tok-7Hq2-SECRET-Zr9x"

// transcript collects everything the tests produce: every client's debug
// output and every error message the tests look at. TestMain also captures
// the process's stdout and stderr (the test framework's own output), and
// fails the run if the token appears anywhere.
var transcript = &lockedBuffer{}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func TestMain(m *testing.M) {
	stdout, stderr := os.Stdout, os.Stderr
	r, w, err := os.Pipe()
	if err != nil {
		fmt.Fprintln(stderr, err)
		os.Exit(2)
	}
	os.Stdout, os.Stderr = w, w
	log.SetOutput(w)
	var printed bytes.Buffer
	done := make(chan struct{})
	go func() {
		io.Copy(io.MultiWriter(stdout, &printed), r)
		close(done)
	}()

	code := m.Run()

	w.Close()
	<-done
	os.Stdout, os.Stderr = stdout, stderr
	if strings.Contains(transcript.String()+printed.String(), testToken) {
		fmt.Fprintln(stderr, "FAIL: the API token appears in the test output or in the client's debug output")
		code = 1
	}
	os.Exit(code)
}

// logf logs to the test and to the transcript.
func logf(t *testing.T, format string, args ...any) {
	t.Helper()
	s := fmt.Sprintf(format, args...)
	t.Log(s)
	fmt.Fprintln(transcript, s)
}

// newClient returns a client for url with fast test settings; opts adjust
// the config.
func newClient(t *testing.T, url string, opts ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{
		BaseURL:       url,
		Token:         testToken,
		Timeout:       2 * time.Second,
		MaxRetries:    3,
		RetryAfterCap: 200 * time.Millisecond,
		MinBackoff:    time.Millisecond,
		MaxBackoff:    5 * time.Millisecond,
		Debug:         transcript,
	}
	for _, o := range opts {
		o(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(c.Close)
	return c
}

// counting wraps a handler and counts requests by method.
type counting struct {
	h     http.Handler
	n     atomic.Int64
	posts atomic.Int64
}

func (c *counting) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c.n.Add(1)
	if r.Method == http.MethodPost {
		c.posts.Add(1)
	}
	c.h.ServeHTTP(w, r)
}

// serve starts a test server whose handler is counted.
func serve(t *testing.T, h http.HandlerFunc) (*httptest.Server, *counting) {
	t.Helper()
	c := &counting{h: h}
	s := httptest.NewServer(c)
	t.Cleanup(s.Close)
	return s, c
}

// writeJSON answers status with body.
func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// newServer starts a test server for h.
func newServer(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	s := httptest.NewServer(h)
	t.Cleanup(s.Close)
	return s
}
