package bluerocktel

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// refusingTransport dials a closed port (a real "connection refused") for
// the first n dials, then the requested address.
func refusingTransport(t *testing.T, n int64) (*http.Transport, *atomic.Int64) {
	closed := closedAddr(t)
	var dials atomic.Int64
	d := &net.Dialer{}
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dials.Add(1) <= n {
			addr = closed
		}
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(tr.CloseIdleConnections)
	return tr, &dials
}

func created(w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body)
	writeJSON(w, 201, `{"id":7,"name":"VoIP Services"}`)
}

func TestConnectionRefusedIsRetried(t *testing.T) {
	for _, method := range []string{"POST", "GET", "PUT"} {
		t.Run(method, func(t *testing.T) {
			srv, cnt := serve(t, created)
			tr, dials := refusingTransport(t, 2)
			c := newClient(t, srv.URL, func(c *Config) { c.Transport = tr })
			ctx := context.Background()
			var err error
			switch method {
			case "POST":
				_, err = c.Create(ctx, resource.Family, nil, []byte(`{"name":"VoIP Services"}`))
			case "GET":
				_, err = c.Get(ctx, resource.Family, 7)
			case "PUT":
				_, err = c.Update(ctx, resource.Family, 7, []byte(`{"name":"VoIP Services"}`))
			}
			if err != nil {
				t.Fatalf("%s after 2 refused connections: %v", method, err)
			}
			st := c.Stats()
			if cnt.n.Load() != 1 || dials.Load() != 3 || st.Retries != 2 || st.TransportErrors != 2 || st.Requests != 3 {
				t.Errorf("server saw %d, dials %d, stats %+v; want 1 request after 3 dials and 2 retries", cnt.n.Load(), dials.Load(), st)
			}
		})
	}
}

func TestClosedPortExhaustsRetriesAndIsNotOutcomeUnknown(t *testing.T) {
	// The default (tuned) transport, towards a port nothing listens on: the
	// POST certainly never reached a server.
	c := newClient(t, "http://"+closedAddr(t)+"/api", func(c *Config) { c.MaxRetries = 2 })
	_, err := c.Create(context.Background(), resource.Family, nil, []byte(`{"name":"x"}`))
	logf(t, "%v", err)
	if err == nil || errors.Is(err, ErrOutcomeUnknown) {
		t.Fatalf("error %v, want a plain error (not outcome unknown)", err)
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("error %v does not wrap ECONNREFUSED", err)
	}
	if st := c.Stats(); st.Requests != 3 || st.Retries != 2 || st.OutcomeUnknown != 0 {
		t.Errorf("stats %+v, want 3 attempts, 2 retries", st)
	}
}

// hijack takes the connection after reading the whole request.
func hijack(w http.ResponseWriter, r *http.Request) net.Conn {
	io.ReadAll(r.Body)
	conn, _, err := w.(http.Hijacker).Hijack()
	if err != nil {
		panic(err)
	}
	return conn
}

// stall reads the request and never answers (until the client goes away):
// reading the body lets the server notice the client closing.
func stall(w http.ResponseWriter, r *http.Request) {
	io.ReadAll(r.Body)
	select {
	case <-r.Context().Done():
	case <-time.After(3 * time.Second):
	}
}

func TestPostWithoutDefinitiveAnswerIsOutcomeUnknown(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		reuse   bool // send a GET first so that the POST goes on a reused connection
		timeout time.Duration
		ctx     time.Duration // caller deadline
		want    []string
	}{
		{name: "closed after the request was read", handler: func(w http.ResponseWriter, r *http.Request) {
			hijack(w, r).Close()
		}, want: []string{"EOF"}},
		{name: "reset after the request was read", handler: func(w http.ResponseWriter, r *http.Request) {
			c := hijack(w, r)
			c.(*net.TCPConn).SetLinger(0) // RST, not FIN
			c.Close()
		}},
		{name: "closed on a reused keep-alive connection", reuse: true, handler: func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodGet {
				writeJSON(w, 200, `{"id":1}`)
				return
			}
			hijack(w, r).Close()
		}},
		{name: "answer cut in the body", handler: func(w http.ResponseWriter, r *http.Request) {
			c := hijack(w, r)
			io.WriteString(c, "HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"id\":")
			c.Close()
		}, want: []string{"reading response body"}},
		{name: "no answer within the attempt timeout", timeout: 100 * time.Millisecond, handler: stall,
			want: []string{"no complete answer within 100ms"}},
		{name: "caller deadline after sending", ctx: 100 * time.Millisecond, handler: stall,
			want: []string{"deadline exceeded"}},
		{name: "500", handler: func(w http.ResponseWriter, r *http.Request) {
			writeJSON(w, 500, `{"message":"Server Error: deadlock found"}`)
		}, want: []string{"server error 500", "deadlock found"}},
		{name: "302 after storing", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "/api/v1/families/7", http.StatusFound)
		}, want: []string{"302"}},
		{name: "503 with Retry-After", handler: func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Retry-After", "0")
			writeJSON(w, 503, `{"message":"maintenance"}`)
		}, want: []string{"503", "maintenance"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := serve(t, tt.handler)
			c := newClient(t, srv.URL, func(c *Config) {
				if tt.timeout > 0 {
					c.Timeout = tt.timeout
				}
			})
			ctx := context.Background()
			if tt.reuse {
				if _, err := c.Get(ctx, resource.Family, 1); err != nil {
					t.Fatal(err)
				}
			}
			if tt.ctx > 0 {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, tt.ctx)
				defer cancel()
			}
			_, err := c.Create(ctx, resource.Family, nil, []byte(`{"name":"VoIP Services"}`))
			logf(t, "%v", err)
			var ou *OutcomeUnknownError
			if !errors.As(err, &ou) || !errors.Is(err, ErrOutcomeUnknown) {
				t.Fatalf("error %v (%T), want *OutcomeUnknownError", err, err)
			}
			if ou.Method != "POST" || ou.Path != "/v1/families" {
				t.Errorf("OutcomeUnknownError = %+v", ou)
			}
			for _, s := range tt.want {
				if !strings.Contains(err.Error(), s) {
					t.Errorf("error %q does not contain %q", err, s)
				}
			}
			if n := cnt.posts.Load(); n != 1 {
				t.Errorf("server saw %d POSTs, want exactly 1", n)
			}
			if st := c.Stats(); st.OutcomeUnknown != 1 {
				t.Errorf("stats %+v, want OutcomeUnknown 1", st)
			}
		})
	}
}

func TestCanceledBeforeSendingIsNotOutcomeUnknown(t *testing.T) {
	srv, cnt := serve(t, created)
	c := newClient(t, srv.URL)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Create(ctx, resource.Family, nil, []byte(`{"name":"x"}`))
	logf(t, "%v", err)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("error %v, want context.Canceled and not outcome unknown", err)
	}
	if cnt.n.Load() != 0 {
		t.Errorf("server saw %d requests", cnt.n.Load())
	}
}

// failing answers the first n requests with fail, then with ok.
func failing(n int64, fail, ok http.HandlerFunc) http.HandlerFunc {
	var seen atomic.Int64
	return func(w http.ResponseWriter, r *http.Request) {
		if seen.Add(1) <= n {
			fail(w, r)
			return
		}
		ok(w, r)
	}
}

func TestIdempotentRequestsAreRetried(t *testing.T) {
	fails := map[string]http.HandlerFunc{
		"500": func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 500, `{"message":"oops"}`) },
		"502 html": func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(502)
			io.WriteString(w, "<html>Bad Gateway</html>")
		},
		"429": func(w http.ResponseWriter, r *http.Request) { writeJSON(w, 429, `{"message":"Too Many Attempts."}`) },
		"reset": func(w http.ResponseWriter, r *http.Request) {
			c := hijack(w, r)
			c.(*net.TCPConn).SetLinger(0)
			c.Close()
		},
		"slow": stall,
	}
	ok := func(w http.ResponseWriter, r *http.Request) {
		io.ReadAll(r.Body)
		writeJSON(w, 200, `{"id":7,"name":"VoIP Services"}`)
	}
	for name, fail := range fails {
		for _, method := range []string{"GET", "PUT"} {
			t.Run(method+" "+name, func(t *testing.T) {
				srv, cnt := serve(t, failing(2, fail, ok))
				c := newClient(t, srv.URL, func(c *Config) { c.Timeout = 80 * time.Millisecond })
				var rec *Record
				var err error
				if method == "GET" {
					rec, err = c.Get(context.Background(), resource.Family, 7)
				} else {
					rec, err = c.Update(context.Background(), resource.Family, 7, []byte(`{"name":"VoIP Services"}`))
				}
				if err != nil || rec.ID != 7 {
					t.Fatalf("%s: %+v, %v", method, rec, err)
				}
				if cnt.n.Load() != 3 || c.Stats().Retries != 2 {
					t.Errorf("server saw %d requests, stats %+v; want 3 and 2 retries", cnt.n.Load(), c.Stats())
				}
			})
		}
	}
}

func TestRetriesExhaustedOn5xxGivesServerMessage(t *testing.T) {
	srv, cnt := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 500, `{"message":"SQLSTATE[HY000] connection lost"}`)
	})
	c := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.Get(context.Background(), resource.Customer, 3)
	logf(t, "%v", err)
	if !errors.Is(err, ErrServer) || !strings.Contains(err.Error(), "SQLSTATE[HY000] connection lost") {
		t.Errorf("error %v, want ErrServer with the server's message", err)
	}
	if cnt.n.Load() != 3 {
		t.Errorf("server saw %d requests, want 3", cnt.n.Load())
	}
}

func TestPostRetriedOn429(t *testing.T) {
	srv, cnt := serve(t, failing(1, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		writeJSON(w, 429, `{"message":"Too Many Attempts."}`)
	}, created))
	c := newClient(t, srv.URL)
	rec, err := c.Create(context.Background(), resource.Family, nil, []byte(`{"name":"VoIP Services"}`))
	if err != nil || rec.ID != 7 {
		t.Fatalf("Create after a 429: %+v, %v", rec, err)
	}
	if cnt.posts.Load() != 2 {
		t.Errorf("server saw %d POSTs, want 2", cnt.posts.Load())
	}
	if st := c.Stats(); st.TooManyRequests != 1 || st.Status2xx != 1 || st.Status4xx != 1 || st.Retries != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestRetryAfterHonouredAndCapped(t *testing.T) {
	tests := []struct {
		name       string
		retryAfter string
		cap        time.Duration
		min, max   time.Duration
	}{
		{name: "1s capped at 200ms", retryAfter: "1", cap: 200 * time.Millisecond, min: 190 * time.Millisecond, max: 900 * time.Millisecond},
		{name: "1s under a 5s cap", retryAfter: "1", cap: 5 * time.Second, min: 950 * time.Millisecond, max: 1900 * time.Millisecond},
		{name: "absurd seconds", retryAfter: "999999999999", cap: 200 * time.Millisecond, min: 190 * time.Millisecond, max: 900 * time.Millisecond},
		{name: "absurd date", retryAfter: time.Now().Add(1000 * time.Hour).UTC().Format(http.TimeFormat), cap: 200 * time.Millisecond, min: 190 * time.Millisecond, max: 900 * time.Millisecond},
	}
	t.Parallel() // mostly waiting
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var first, second time.Time
			srv, _ := serve(t, failing(1, func(w http.ResponseWriter, r *http.Request) {
				first = time.Now()
				w.Header().Set("Retry-After", tt.retryAfter)
				writeJSON(w, 429, `{"message":"Too Many Attempts."}`)
			}, func(w http.ResponseWriter, r *http.Request) {
				second = time.Now()
				writeJSON(w, 200, `{"id":7}`)
			}))
			c := newClient(t, srv.URL, func(c *Config) { c.RetryAfterCap = tt.cap })
			if _, err := c.Get(context.Background(), resource.Family, 7); err != nil {
				t.Fatal(err)
			}
			if wait := second.Sub(first); wait < tt.min || wait > tt.max {
				t.Errorf("waited %v between the 429 and the retry, want %v..%v", wait, tt.min, tt.max)
			}
		})
	}
}

func TestPersistent429IsTyped(t *testing.T) {
	srv, cnt := serve(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		writeJSON(w, 429, `{"message":"Too Many Attempts."}`)
	})
	c := newClient(t, srv.URL, func(c *Config) { c.MaxRetries = 2 })
	_, err := c.Create(context.Background(), resource.Family, nil, []byte(`{"name":"x"}`))
	logf(t, "%v", err)
	if !errors.Is(err, ErrRateLimited) || errors.Is(err, ErrOutcomeUnknown) {
		t.Errorf("error %v, want ErrRateLimited, not outcome unknown (a 429 was not processed)", err)
	}
	if cnt.posts.Load() != 3 {
		t.Errorf("server saw %d POSTs, want 3", cnt.posts.Load())
	}
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2026, 3, 24, 10, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"0", 0, true},
		{"3", 3 * time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"Tue, 24 Mar 2026 10:00:30 GMT", 30 * time.Second, true},
		{"Tue, 24 Mar 2026 09:00:00 GMT", 0, true},
		{"-1", 0, false},
		{"soon", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseRetryAfter(tt.in, now)
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseRetryAfter(%q) = %v, %t; want %v, %t", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestBackoffIsJitteredExponentialAndBounded(t *testing.T) {
	c := newClient(t, "http://127.0.0.1:1")
	minW, maxW := 100*time.Millisecond, 1600*time.Millisecond
	for attempt := 0; attempt < 8; attempt++ {
		ceil := min(maxW, minW<<attempt)
		seen := map[time.Duration]bool{}
		for i := 0; i < 50; i++ {
			d := c.backoff(minW, maxW, attempt, nil)
			if d < ceil/2 || d > ceil {
				t.Fatalf("attempt %d: backoff %v outside [%v, %v]", attempt, d, ceil/2, ceil)
			}
			seen[d] = true
		}
		if len(seen) < 5 {
			t.Errorf("attempt %d: backoff barely varies (%d values): no jitter", attempt, len(seen))
		}
	}
}
