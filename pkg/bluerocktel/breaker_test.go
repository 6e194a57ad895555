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

// The API counts as unreachable from the later of a failed attempt's
// start and the last answer: an answer in between resets the window, and
// one attempt that hung for the whole window trips it at once.
func TestBreakerWindow(t *testing.T) {
	t0 := time.Now()
	at := func(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }
	type ev struct {
		answer      bool
		start, done int // ms
	}
	tests := []struct {
		name string
		evs  []ev
		trip bool
	}{
		{"failures with answers in between", []ev{{false, 0, 60}, {true, 0, 70}, {false, 70, 130}, {true, 70, 140}, {false, 140, 200}}, false},
		{"failures lasting past the window", []ev{{false, 0, 10}, {false, 20, 150}}, true},
		{"one attempt hanging for the window", []ev{{false, 0, 100}}, true},
		{"a hang while others answered", []ev{{true, 0, 90}, {false, 0, 100}}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := newBreaker("http://x/api", 100*time.Millisecond)
			for _, e := range tt.evs {
				if e.answer {
					b.answered(at(e.done))
				} else {
					b.failed(at(e.start), at(e.done), errors.New("refused"))
				}
			}
			if got := b.open() != nil; got != tt.trip {
				t.Fatalf("tripped %v, want %v (%v)", got, tt.trip, b.open())
			}
			b.answered(at(1000)) // stop a pending timer
		})
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
