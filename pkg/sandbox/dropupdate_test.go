package sandbox

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestDropUpdate: with DropUpdate, a share of the successful PUTs is
// stored and then left unanswered; creates are never dropped by it, and
// the drops are counted as a fault and on the PUT route.
func TestDropUpdate(t *testing.T) {
	s := newTest(t, Options{DropUpdate: 0.5, Seed: 1})
	srv := httptest.NewServer(s)
	defer srv.Close()
	send := func(method, path, body string) (int, error) {
		return sendOver(t, srv, method, path, body)
	}
	const n = 20
	for i := range n {
		if code, err := send(http.MethodPost, "/v1/families", fmt.Sprintf(`{"name":"f%d"}`, i)); err != nil || code != http.StatusCreated {
			t.Fatalf("create %d: status %d, error %v (DropUpdate must not drop creates)", i, code, err)
		}
	}
	var dropped, answered int
	for i, so := range s.Objects("family") {
		code, err := send(http.MethodPut, fmt.Sprintf("/v1/families/%d", so["id"].(int64)), fmt.Sprintf(`{"name":"g%d"}`, i))
		switch {
		case err != nil:
			dropped++ // EOF or reset: the client cannot know the outcome
		case code == http.StatusOK:
			answered++
		default:
			t.Fatalf("update %d: status %d", i, code)
		}
	}
	if dropped == 0 || answered == 0 {
		t.Errorf("with P=0.5: %d dropped, %d answered; want some of each", dropped, answered)
	}
	for i, so := range s.Objects("family") {
		if want := fmt.Sprintf("g%d", i); so["name"] != want {
			t.Errorf("family #%d is named %v, want %s: a dropped update is committed", so["id"].(int64), so["name"], want)
		}
	}
	st := s.Stats()
	if st.Faults[FaultDropUpdate] != int64(dropped) || st.Routes["PUT /v1/families/{id}"]["dropped"] != int64(dropped) {
		t.Errorf("stats: faults %v routes %v, want %d update drops", st.Faults, st.Routes, dropped)
	}
	if st.Faults[FaultDrop] != 0 {
		t.Errorf("stats: %d create drops, want none", st.Faults[FaultDrop])
	}
}

// TestDropUpdateChecked: the probability must be in [0, 1].
func TestDropUpdateChecked(t *testing.T) {
	for _, p := range []float64{-0.1, 1.5} {
		if _, err := New(Options{DropUpdate: p}); err == nil || !strings.Contains(err.Error(), "drop-after-update") {
			t.Errorf("DropUpdate %v: error %v, want one naming drop-after-update", p, err)
		}
	}
}

// sendOver sends a request with the test token over a real connection to
// srv (path under /api) and returns its status; the error is the
// client's when no answer came (a dropped connection).
func sendOver(t *testing.T, srv *httptest.Server, method, path, body string) (int, error) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/api"+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+testToken)
	req.Header.Set("Content-Type", "application/json")
	res, err := srv.Client().Do(req)
	if err != nil {
		return 0, err
	}
	_, _ = io.ReadAll(res.Body)
	res.Body.Close()
	return res.StatusCode, nil
}
