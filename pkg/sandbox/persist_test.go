package sandbox

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

func TestDataFileRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sandbox.json")
	f := newFixture(t, Options{DataFile: path})
	line := mustCreate(t, f.s, "/api/v1/customer-files/licences",
		fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":2.50,"x_extra":{"k":[1,"v"]}}`, f.fl, f.item))
	mustCreate(t, f.s, "/api/v1/families", `{"name":"VoIP Services"}`) // a duplicate, kept as such
	fileGet := call(t, f.s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", f.fl), "").raw
	before := map[resource.Kind][]map[string]any{}
	for _, spec := range resource.All() {
		before[spec.Kind] = f.s.Objects(spec.Kind)
	}
	dupsBefore := f.s.Stats().Duplicates
	if err := f.s.Close(); err != nil {
		t.Fatalf("Close: %v", err)
	}
	if err := f.s.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}

	if data, err := os.ReadFile(path); err != nil || strings.Contains(string(data), testToken) {
		t.Fatalf("data file: read error %v, or it contains the token", err)
	}
	s2 := newTest(t, Options{DataFile: path})
	for _, spec := range resource.All() {
		if got := s2.Objects(spec.Kind); !reflect.DeepEqual(got, before[spec.Kind]) {
			t.Errorf("%s after reload:\n got %v\nwant %v", spec.Kind, got, before[spec.Kind])
		}
	}
	if got := call(t, s2, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", f.fl), "").raw; got != fileGet {
		t.Errorf("GET file after reload:\n got %s\nwant %s", got, fileGet)
	}
	if got := s2.Stats().Duplicates; !reflect.DeepEqual(got, dupsBefore) {
		t.Errorf("duplicates after reload = %v, want %v", got, dupsBefore)
	}
	// Indexes are rebuilt and ids continue after the stored ones.
	r := call(t, s2, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/licences?filter[customer_file_id]=%d", f.fl), "")
	if text(r.obj["total"]) != "1" {
		t.Errorf("filter after reload: %s", r.raw)
	}
	if id := mustCreate(t, s2, "/api/v1/customer-files/licences",
		fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":1}`, f.fl, f.item)); id != line+1 {
		t.Errorf("next licence id %d, want %d", id, line+1)
	}
	// The generated customer account is still known as generated: a
	// customer with the same name is still a duplicate by name.
	mustCreate(t, s2, "/api/v1/customers", `{"name":"Acme"}`)
	if got := s2.Stats().Duplicates["customer"]; got != 1 {
		t.Errorf("customer duplicates = %d, want 1", got)
	}
}

func TestDataFileErrors(t *testing.T) {
	dir := t.TempDir()
	if _, err := New(Options{DataFile: filepath.Join(dir, "missing.json")}); err != nil {
		t.Errorf("a missing data file must start empty: %v", err)
	}
	for name, content := range map[string]string{
		"garbage":      "not json",
		"version":      `{"version":99,"kinds":{}}`,
		"unknown kind": `{"version":1,"kinds":{"planet":{"next_id":1,"objects":[]}}}`,
		"no id":        `{"version":1,"kinds":{"family":{"next_id":1,"objects":[{"object":{"name":"x"}}]}}}`,
	} {
		path := filepath.Join(dir, strings.ReplaceAll(name, " ", "_")+".json")
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		if _, err := New(Options{DataFile: path}); err == nil {
			t.Errorf("%s: New accepted %s", name, content)
		}
	}
}

func TestServe(t *testing.T) {
	data := filepath.Join(t.TempDir(), "data.json")
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Serve(ctx, "", Options{DataFile: data, Latency: time.Hour}, pw)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var first [2]string
	for i := range first {
		if !lines.Scan() {
			t.Fatalf("Serve printed %d lines", i)
		}
		first[i] = lines.Text()
	}
	go io.Copy(io.Discard, pr) // drain the rest
	base, ok := strings.CutPrefix(first[0], "ONBOARD_BASE_URL=http://127.0.0.1:")
	if !ok || !strings.HasSuffix(base, "/api") {
		t.Fatalf("first line %q", first[0])
	}
	token, ok := strings.CutPrefix(first[1], "ONBOARD_TOKEN=")
	if !ok || len(token) < 32 {
		t.Fatalf("second line %q", first[1])
	}
	baseURL := strings.TrimPrefix(first[0], "ONBOARD_BASE_URL=")
	res, err := http.Get(baseURL + "/version")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Errorf("version: %d", res.StatusCode)
	}
	// A request stuck in an hour of latency does not block shutdown. The
	// sandbox counts the latency fault as the request starts to wait.
	go http.Get(baseURL + "/v1/families")
	statsURL := strings.TrimSuffix(baseURL, "/api") + StatsPath
	for deadline := time.Now().Add(10 * time.Second); ; {
		var st Stats
		res, err := http.Get(statsURL)
		if err != nil {
			t.Fatal(err)
		}
		err = json.NewDecoder(res.Body).Decode(&st)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if st.Faults[FaultLatency] > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the sandbox")
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
	if _, err := os.Stat(data); err != nil {
		t.Errorf("data file not written on shutdown: %v", err)
	}
}

func TestServeListenError(t *testing.T) {
	err := Serve(context.Background(), "256.0.0.1:99999", Options{Token: "secret-token"}, io.Discard)
	if err == nil || strings.Contains(err.Error(), "secret-token") {
		t.Errorf("Serve on a bad address: %v", err)
	}
}

func TestShellQuote(t *testing.T) {
	for in, want := range map[string]string{
		"sbx_abc123": "sbx_abc123",
		"a b":        "'a b'",
		"it's":       `'it'\''s'`,
		"$(rm)":      "'$(rm)'",
	} {
		if got := shellQuote(in); got != want {
			t.Errorf("shellQuote(%q) = %q, want %q", in, got, want)
		}
	}
}
