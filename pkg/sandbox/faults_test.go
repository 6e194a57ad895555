package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func timed(t *testing.T, s *Server, method, path string) (resp, time.Duration) {
	t.Helper()
	start := time.Now()
	r := call(t, s, method, path, "")
	return r, time.Since(start)
}

func TestLatency(t *testing.T) {
	const latency = 60 * time.Millisecond
	slow := newTest(t, Options{Latency: latency})
	fast := newTest(t, Options{})
	for range 3 {
		if _, d := timed(t, slow, http.MethodGet, "/api/v1/families"); d < latency {
			t.Errorf("request with latency %v took %v", latency, d)
		}
		if _, d := timed(t, fast, http.MethodGet, "/api/v1/families"); d >= latency {
			t.Errorf("request without latency took %v", d)
		}
	}
	// Only API routes are delayed.
	if _, d := timed(t, slow, http.MethodGet, "/api/version"); d >= latency {
		t.Errorf("version took %v: faults must not apply to it", d)
	}
	if got := slow.Stats().Faults[FaultLatency]; got != 3 {
		t.Errorf("latency faults = %d, want 3", got)
	}
}

func TestJitterSpread(t *testing.T) {
	// Latency 0 and jitter 30ms: draws below zero clamp to no delay, the
	// others spread up to 30ms. The seed makes the draws fixed.
	const jitter = 30 * time.Millisecond
	s := newTest(t, Options{Jitter: jitter, Seed: 7})
	var short, long int
	for range 30 {
		_, d := timed(t, s, http.MethodGet, "/api/v1/families")
		switch {
		case d < 10*time.Millisecond:
			short++
		case d > 15*time.Millisecond:
			long++
		}
	}
	if short == 0 || long == 0 {
		t.Errorf("jitter did not spread: %d fast, %d slow requests out of 30", short, long)
	}
	// Every draw stays within [latency-jitter, latency+jitter], never < 0.
	f := newFaults(Options{Latency: 10 * time.Millisecond, Jitter: 40 * time.Millisecond, Seed: 3})
	var lo, hi time.Duration = time.Hour, 0
	for range 1000 {
		d := f.next().delay
		if d < 0 || d > 50*time.Millisecond {
			t.Fatalf("delay %v outside [0, 50ms]", d)
		}
		lo, hi = min(lo, d), max(hi, d)
	}
	if lo != 0 || hi < 45*time.Millisecond {
		t.Errorf("1000 draws spread over [%v, %v], want [0, ~50ms]", lo, hi)
	}
}

func TestMaxInflight(t *testing.T) {
	// Requests whose bodies are still being sent hold their slots: park
	// `limit` creates on blocked bodies, then every further request is
	// over the limit, deterministically.
	const limit, extra = 2, 3
	s := newTest(t, Options{MaxInflight: limit})
	var wg sync.WaitGroup
	writers := make([]*io.PipeWriter, limit)
	parked := make([]resp, limit)
	for i := range limit {
		pr, pw := io.Pipe()
		writers[i] = pw
		wg.Go(func() {
			req := httptest.NewRequest(http.MethodPost, "/api/v1/families", pr)
			req.Header.Set("Authorization", "Bearer "+testToken)
			rec := httptest.NewRecorder()
			s.ServeHTTP(rec, req)
			parked[i] = resp{status: rec.Code, raw: rec.Body.String()}
		})
	}
	deadline := time.Now().Add(10 * time.Second)
	for s.faults.inflight.Load() < limit {
		if time.Now().After(deadline) {
			t.Fatal("the parked requests never took their slots")
		}
		time.Sleep(time.Millisecond)
	}
	for range extra {
		r := call(t, s, http.MethodGet, "/api/v1/families", "")
		if r.status != http.StatusTooManyRequests || r.header.Get("Retry-After") == "" {
			t.Errorf("request over the limit: status %d, Retry-After %q; want 429 with Retry-After",
				r.status, r.header.Get("Retry-After"))
		}
	}
	for i, pw := range writers {
		fmt.Fprintf(pw, `{"name":"parked-%d"}`, i)
		pw.Close()
	}
	wg.Wait()
	for i, r := range parked {
		if r.status != http.StatusCreated {
			t.Errorf("parked request %d: %d %s", i, r.status, r.raw)
		}
	}
	if got := s.Stats().Faults[FaultMaxInflight]; got != extra {
		t.Errorf("max_inflight faults = %d, want %d", got, extra)
	}
	// Slots are released: a later request is served.
	if r := call(t, s, http.MethodGet, "/api/v1/families", ""); r.status != http.StatusOK {
		t.Errorf("after the burst: status %d", r.status)
	}
}

func TestRateLimit(t *testing.T) {
	tests := []struct {
		rate       float64
		burst      int // requests served back to back
		retryAfter int
	}{
		{rate: 1, burst: 1, retryAfter: 1},
		{rate: 0.5, burst: 1, retryAfter: 2},
		{rate: 0.2, burst: 1, retryAfter: 5},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.rate), func(t *testing.T) {
			s := newTest(t, Options{Rate: tt.rate})
			for i := range tt.burst {
				if r := call(t, s, http.MethodGet, "/api/v1/families", ""); r.status != http.StatusOK {
					t.Fatalf("request %d within the burst: status %d", i, r.status)
				}
			}
			r := call(t, s, http.MethodPost, "/api/v1/families", `{"name":"over"}`)
			if r.status != http.StatusTooManyRequests {
				t.Fatalf("over the rate: status %d, want 429", r.status)
			}
			got, err := strconv.Atoi(r.header.Get("Retry-After"))
			if err != nil || got != tt.retryAfter {
				t.Errorf("Retry-After = %q, want %d", r.header.Get("Retry-After"), tt.retryAfter)
			}
			if n := len(s.Objects("family")); n != 0 {
				t.Errorf("a rate-limited create was stored")
			}
			if got := s.Stats().Faults[FaultRateLimit]; got != 1 {
				t.Errorf("rate_limit faults = %d, want 1", got)
			}
			// Not the version route.
			if r := callAuth(t, s, http.MethodGet, "/api/version", "", ""); r.status != http.StatusOK {
				t.Errorf("version rate limited: %d", r.status)
			}
		})
	}
}

func TestFail5xx(t *testing.T) {
	const p, n = 0.3, 300
	s := newTest(t, Options{Fail5xx: p, Seed: 42})
	var failed, created int
	var names []string
	for i := range n {
		name := fmt.Sprintf("fam-%d", i)
		r := call(t, s, http.MethodPost, "/api/v1/families", fmt.Sprintf(`{"name":%q}`, name))
		switch r.status {
		case http.StatusInternalServerError, http.StatusServiceUnavailable:
			failed++
			if r.obj["message"] == nil {
				t.Errorf("5xx without a message: %s", r.raw)
			}
		case http.StatusCreated:
			created++
			names = append(names, name)
		default:
			t.Fatalf("status %d", r.status)
		}
	}
	if lo, hi := int(0.2*n), int(0.4*n); failed < lo || failed > hi {
		t.Errorf("%d of %d requests failed, want about %.0f%% (%d..%d)", failed, n, p*100, lo, hi)
	}
	objs := s.Objects("family")
	if len(objs) != created {
		t.Fatalf("%d stored, want %d (only the 201s)", len(objs), created)
	}
	for i, o := range objs {
		if o["name"] != names[i] {
			t.Errorf("stored %v, want %s", o["name"], names[i])
		}
	}
	st := s.Stats()
	if st.Faults[FaultFail5xx] != int64(failed) {
		t.Errorf("fail_5xx faults = %d, want %d", st.Faults[FaultFail5xx], failed)
	}
	if r := st.Routes["POST /v1/families"]; r["500"]+r["503"] != int64(failed) || r["500"] == 0 || r["503"] == 0 {
		t.Errorf("route stats %v: want both 500s and 503s summing to %d", r, failed)
	}
}

func TestDropAfterCommit(t *testing.T) {
	s := newTest(t, Options{DropAfterCommit: 0.5, Seed: 1})
	srv := httptest.NewServer(s)
	defer srv.Close()
	client := srv.Client()
	const n = 20
	var dropped, answered int
	for i := range n {
		code, err := sendOver(t, srv, http.MethodPost, "/v1/families", fmt.Sprintf(`{"name":"f%d"}`, i))
		if err != nil {
			dropped++ // EOF or reset: the client cannot know the outcome
			continue
		}
		if code != http.StatusCreated {
			t.Fatalf("status %d", code)
		}
		answered++
	}
	if dropped == 0 || answered == 0 {
		t.Errorf("with P=0.5: %d dropped, %d answered; want some of each", dropped, answered)
	}
	if got := len(s.Objects("family")); got != n {
		t.Errorf("%d families stored, want all %d (dropped creates are committed)", got, n)
	}
	st := s.Stats()
	if st.Faults[FaultDrop] != int64(dropped) || st.Routes["POST /v1/families"]["dropped"] != int64(dropped) {
		t.Errorf("stats: faults %v routes %v, want %d drops", st.Faults, st.Routes, dropped)
	}
	// Lists and gets are never dropped.
	for range 10 {
		res, err := client.Get(srv.URL + "/api/version")
		if err != nil {
			t.Fatalf("GET dropped: %v", err)
		}
		res.Body.Close()
	}
}

// TestSeedReproducible runs the same sequential requests against sandboxes
// with random faults: the same seed gives the same outcomes.
func TestSeedReproducible(t *testing.T) {
	run := func(seed int64) string {
		s := newTest(t, Options{Fail5xx: 0.4, Seed: seed})
		var b strings.Builder
		for i := range 60 {
			path := "/api/v1/families"
			body := fmt.Sprintf(`{"name":"n%d"}`, i)
			method := http.MethodPost
			if i%3 == 0 {
				method, body = http.MethodGet, ""
			}
			fmt.Fprintf(&b, "%d ", call(t, s, method, path, body).status)
		}
		if got := s.Stats().Seed; got != seed {
			t.Errorf("Stats.Seed = %d, want %d", got, seed)
		}
		return b.String()
	}
	a, b, c := run(11), run(11), run(12)
	if a != b {
		t.Errorf("same seed, different outcomes:\n%s\n%s", a, b)
	}
	if a == c {
		t.Errorf("seeds 11 and 12 gave identical outcomes: %s", a)
	}
	// Seed 0 picks a random seed and reports it.
	if s := newTest(t, Options{Fail5xx: 0.1}); s.Stats().Seed == 0 {
		t.Error("seed 0 was not replaced by a random seed")
	}
}

func TestOptionsChecked(t *testing.T) {
	for _, o := range []Options{{Fail5xx: 1.5}, {DropAfterCommit: -0.1}, {Rate: -1}, {MaxInflight: -2}, {Jitter: -time.Second}} {
		if _, err := New(o); err == nil {
			t.Errorf("New(%+v) accepted", o)
		}
	}
}

func TestFail429(t *testing.T) {
	const p, n = 0.3, 300
	s := newTest(t, Options{Fail429: p, Seed: 7})
	var throttled, created int
	for i := range n {
		r := call(t, s, http.MethodPost, "/api/v1/families", fmt.Sprintf(`{"name":"fam-%d"}`, i))
		switch r.status {
		case http.StatusTooManyRequests:
			throttled++
			if got := r.header.Get("Retry-After"); got != "1" {
				t.Errorf("Retry-After = %q, want 1", got)
			}
		case http.StatusCreated:
			created++
		default:
			t.Fatalf("status %d", r.status)
		}
	}
	if lo, hi := int(0.2*n), int(0.4*n); throttled < lo || throttled > hi {
		t.Errorf("%d of %d requests throttled, want about %.0f%% (%d..%d)", throttled, n, p*100, lo, hi)
	}
	if got := len(s.Objects("family")); got != created {
		t.Fatalf("%d stored, want %d: a 429 must store nothing", got, created)
	}
	if got := s.Stats().Faults[FaultFail429]; got != int64(throttled) {
		t.Errorf("fail_429 faults = %d, want %d", got, throttled)
	}
}
