package bluerocktel

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// After a 401 or 403 every call fails at once, with the same cause, and
// sends nothing more.
func TestBreakerTripsOnRefusal(t *testing.T) {
	for _, status := range []int{401, 403} {
		t.Run(http.StatusText(status), func(t *testing.T) {
			srv, cnt := serve(t, func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, status, `{"message":"no"}`)
			})
			c := newClient(t, srv.URL)
			var wg sync.WaitGroup
			errs := make([]error, 50)
			for i := range errs {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errs[i] = c.Create(context.Background(), resource.Customer, nil, []byte(`{"name":"x"}`))
				}()
			}
			wg.Wait()
			for i, err := range errs {
				var be *BreakerError
				if !errors.As(err, &be) || be.Cause != BreakAuth || be.Status != status {
					t.Fatalf("call %d: %v, want a BreakerError for %d", i, err, status)
				}
				if errors.Is(err, ErrUnauthorized) != (status == 401) || !errors.Is(err, ErrBreakerOpen) {
					t.Fatalf("call %d: %v matches the wrong sentinels", i, err)
				}
			}
			// Calls already on the wire when the first answer came are
			// answered too; none is sent after the trip.
			sent := cnt.n.Load()
			if _, err := c.Get(context.Background(), resource.Item, 1); !errors.Is(err, ErrBreakerOpen) {
				t.Fatalf("after the trip: %v", err)
			}
			if cnt.n.Load() != sent {
				t.Fatalf("a call after the trip was sent")
			}
			logf(t, "%v", errs[0])
		})
	}
}

// An API that stops answering trips the breaker after BreakAfter, even
// while every call sleeps in a back-off, and the error names the URL.
func TestBreakerTripsWhenUnreachable(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close() // nothing listens there now: connection refused
	window := 300 * time.Millisecond
	c := newClient(t, "http://"+addr+"/api", func(cfg *Config) {
		cfg.BreakAfter = window
		cfg.MaxRetries = 1000 // only the breaker can stop it
		cfg.MinBackoff, cfg.MaxBackoff = 50*time.Millisecond, time.Second
	})
	start := time.Now()
	var wg sync.WaitGroup
	var tripped atomic.Int32
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Create(context.Background(), resource.Family, nil, []byte(`{"name":"x"}`))
			var be *BreakerError
			if errors.As(err, &be) && be.Cause == BreakUnreachable {
				tripped.Add(1)
			} else {
				t.Errorf("call: %v, want an unreachable BreakerError", err)
			}
		}()
	}
	wg.Wait()
	took := time.Since(start)
	if took < window || took > window+time.Second {
		t.Fatalf("calls stopped after %s, want about %s", took, window)
	}
	err = c.Tripped()
	if err == nil || !strings.Contains(err.Error(), "http://"+addr+"/api") || strings.Contains(err.Error(), testToken) {
		t.Fatalf("Tripped() = %v: want the URL, never the token", err)
	}
	logf(t, "%v", err)
}

// An answer in between resets the window: an API that answers at times is
// not cut off.
func TestBreakerResetByAnswers(t *testing.T) {
	b := newBreaker("http://x/api", 100*time.Millisecond)
	t0 := time.Now()
	for i := range 10 {
		b.failed(t0.Add(time.Duration(i)*60*time.Millisecond), errors.New("refused"))
		b.answered()
	}
	if err := b.open(); err != nil {
		t.Fatalf("tripped although the API answered: %v", err)
	}
	b.failed(t0, errors.New("refused"))
	b.failed(t0.Add(150*time.Millisecond), errors.New("refused"))
	if err := b.open(); err == nil {
		t.Fatal("not tripped after failures lasting past the window")
	}
}

func TestPreflight(t *testing.T) {
	tests := []struct {
		name    string
		path    string // base URL path
		status  int
		body    string
		want    string // in the error; "" for none
		breaker bool
	}{
		{"ok", "/api", 200, `{"data":[],"current_page":1,"last_page":1}`, "", false},
		{"missing /api", "", 404, `<html>Not Found</html>`, "its path does not end with /api: try http://", false},
		{"web page, not the API", "", 200, `<html>welcome</html>`, "not a list of families", false},
		{"wrong token", "/api", 401, `{"message":"Unauthenticated."}`, "401 Unauthenticated", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, cnt := serve(t, func(w http.ResponseWriter, r *http.Request) { writeJSON(w, tt.status, tt.body) })
			c := newClient(t, srv.URL+tt.path)
			err := c.Preflight(context.Background())
			if cnt.n.Load() != 1 {
				t.Errorf("preflight sent %d requests, want 1", cnt.n.Load())
			}
			if tt.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Preflight = %v, want %q", err, tt.want)
			}
			if errors.Is(err, ErrBreakerOpen) != tt.breaker {
				t.Fatalf("Preflight = %v: breaker %v, want %v", err, !tt.breaker, tt.breaker)
			}
			logf(t, "%v", err)
		})
	}
}
