package main

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// A wrong token on a 300-customer set: the preflight's one request, one
// message, advice that fits (issue 13).
func TestWrongTokenSendsAtMostTwoRequests(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dir, _ := generateSet(t, 300, 1)
	r := runOnboard(t, cliEnv(sb.base, "wrong-token"), "apply", "--auto-approve", dir, "--state", filepath.Join(t.TempDir(), "s.state"))
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r)
	}
	if n := sb.requests(""); n > 2 {
		t.Fatalf("%d requests sent, want at most 2", n)
	}
	if n := strings.Count(r.stderr, "401 Unauthenticated"); n != 1 {
		t.Fatalf("%d lines mention the 401, want 1\n%s", n, r)
	}
	if strings.Contains(r.stdout+r.stderr, "run apply again to complete") || strings.Contains(r.stdout+r.stderr, "wrong-token") {
		t.Fatalf("wrong advice, or the token shown\n%s", r)
	}
}

// A server gone mid-run: the run stops within --unreachable-after (plus
// the requests in flight), says so once, naming the URL, and advises to
// rerun when the API is back; the state it saved lets that rerun finish.
func TestDeadServerMidRunStops(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{Latency: 10 * time.Millisecond})
	dir, _ := generateSet(t, 300, 2)
	statePath := filepath.Join(t.TempDir(), "s.state")
	const window = 2 * time.Second
	p := startOnboard(t, sb.env(), "apply", "--auto-approve", dir, "--state", statePath, "--unreachable-after", window.String())
	if !waitFor(time.Minute, func() bool { return sb.requests("POST") >= 100 || p.exited() }) {
		t.Fatal("apply did not get going")
	}
	gone := time.Now()
	sb.hs.CloseClientConnections()
	sb.hs.Close()
	r := p.wait()
	took := time.Since(gone)
	if r.code != 1 {
		t.Fatalf("exit %d, want 1\n%s", r.code, r)
	}
	// The window, plus one request timeout at most for an attempt that
	// was waiting for an answer when the server went away.
	if took > window+5*time.Second {
		t.Fatalf("the run went on %s after the server was gone, want about %s\n%s", took.Round(time.Millisecond), window, r)
	}
	if n := strings.Count(r.stderr, "has not answered for"); n != 1 {
		t.Fatalf("%d messages about the dead API, want 1\n%s", n, r)
	}
	if !strings.Contains(r.stdout, "Apply failed: ") {
		t.Fatalf("the summary does not say the apply failed\n%s", r)
	}
	if !strings.Contains(r.stderr, sb.base) || !strings.Contains(r.stdout, "stopped answering: when it is back, run apply again") {
		t.Fatalf("the message does not name %s, or the advice does not fit\n%s", sb.base, r)
	}
	t.Logf("stopped %s after the server went away", took.Round(time.Millisecond))
}
