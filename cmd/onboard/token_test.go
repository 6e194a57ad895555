package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestTokenNeverAppears runs a representative set of commands with a
// distinctive token (and a wrong one) and finds neither in any stdout,
// stderr, state file, lock file, plan or sandbox statistics; state and lock
// files are mode 0600.
func TestTokenNeverAppears(t *testing.T) {
	// Two distinctive halves: a leak of either half counts too.
	const (
		token = "tok5Qw8RightHalfA-9zXcV7TokenHalfB"
		wrong = "bad5Lp2WrongHalfA-3kJhG1TokenHalfB"
	)
	secrets := []string{token, wrong, token[:17], token[17:], wrong[:17], wrong[17:]}
	work := t.TempDir()
	acme := filepath.Join(repoRoot(t), "examples", "acme.yaml")
	gen, _ := generateSet(t, 10, 5)
	tokenFile := filepath.Join(work, "token")
	if err := os.WriteFile(tokenFile, []byte(token+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	// Faults exercise the error paths: 5xx, lost responses (outcome
	// unknown, then lookups) and 429s, all logged by --debug.
	sb := startSandbox(t, sandbox.Options{Token: token, Fail5xx: 0.1, DropAfterCommit: 0.1, Fail429: 0.05, Seed: 8})
	slow := startSandbox(t, sandbox.Options{Token: token, Latency: 20 * time.Millisecond, Seed: 8})
	env := sb.env()
	state := func(name string) string { return filepath.Join(work, name+".state") }

	var outputs []cliRun
	run := func(env []string, wantCode int, args ...string) cliRun {
		t.Helper()
		r := runOnboard(t, env, args...)
		outputs = append(outputs, r)
		if r.code != wantCode {
			t.Errorf("want exit %d:\n%s", wantCode, r)
		}
		return r
	}
	run(env, 0, "validate", acme)
	run(env, 0, "validate", gen, "--output", "json")
	run(env, 0, "plan", acme, "--state", state("acme"))
	run(env, 0, "plan", gen, "--state", state("gen"), "--output", "json")
	run(env, 0, "plan", gen, "--state", state("gen"), "--output", "markdown")
	run(env, 0, "graph", acme, "--state", state("acme"))

	debug := run(env, 0, "apply", "--auto-approve", acme, "--state", state("acme"), "--debug", "--rate", "0")
	if !strings.Contains(debug.stderr, "POST") || !strings.Contains(debug.stderr, "/v1/customers") {
		t.Errorf("--debug logged no request, so the check proves nothing:\n%s", debug)
	}
	run(env, 0, "apply", "--auto-approve", acme, "--state", state("acme"), "--debug")
	run(env, 0, "plan", acme, "--state", state("acme"), "--detailed-exitcode")
	run(env, 0, "plan", acme, "--state", state("acme"), "--output", "json")

	// Through faults and retries, with the token from a file; up to 3
	// runs, as a pipeline would.
	fileEnv := cliEnv(sb.base, "")
	for i := 0; i < 3; i++ {
		r := runOnboard(t, fileEnv, "apply", "--auto-approve", gen, "--state", state("gen"), "--token-file", tokenFile, "--debug", "--rate", "0", "--output", "json")
		outputs = append(outputs, r)
		if r.code == 0 {
			break
		}
	}
	if st := sb.srv.Stats(); st.Faults[sandbox.FaultDrop] == 0 || st.Faults[sandbox.FaultFail5xx] == 0 {
		t.Errorf("no fault was injected (%v): the error paths were not exercised", st.Faults)
	}

	// A wrong token: the API answers 401.
	denied := run(cliEnv(sb.base, wrong), 1, "apply", "--auto-approve", acme, "--state", state("denied"), "--debug")
	if !strings.Contains(denied.stderr+denied.stdout, "401") {
		t.Errorf("the apply with a wrong token should report the API's 401:\n%s", denied)
	}

	run(env, 0, "state", "list", "--state", state("acme"))
	run(env, 0, "state", "show", "customer.acme", "--state", state("acme"))
	run(env, 0, "state", "show", "customer.acme.file.main-2026", "--state", state("acme"))
	run(env, 1, "state", "show", "customer.nobody", "--state", state("acme"))

	// A killed apply leaves its lock file: the holder's details, on disk.
	killed := startOnboard(t, slow.env(), "apply", "--auto-approve", gen, "--state", state("killed"), "--debug")
	if !waitFor(time.Minute, func() bool { return slow.requests("POST") > 0 || killed.exited() }) || killed.exited() {
		t.Fatalf("the apply to kill sent nothing:\n%s", killed.wait())
	}
	killed.signal(syscall.SIGKILL)
	outputs = append(outputs, killed.wait())
	lockPath := state("killed") + ".lock"
	if _, err := os.Stat(lockPath); err != nil {
		t.Fatalf("a killed apply should leave its lock file: %v", err)
	}
	files := map[string][]byte{}
	readFile := func(path string) {
		t.Helper()
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		files[path] = b
		fi, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := fi.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %04o, want 0600", filepath.Base(path), perm)
		}
	}
	readFile(lockPath)
	run(slow.env(), 0, "force-unlock", "--state", state("killed"))
	run(slow.env(), 0, "apply", "--auto-approve", gen, "--state", state("killed"), "--debug", "--rate", "0")

	// Every file onboard wrote beside its states: states, and any lock,
	// journal or temporary file.
	entries, err := os.ReadDir(work)
	if err != nil {
		t.Fatal(err)
	}
	states := 0
	for _, e := range entries {
		if !strings.Contains(e.Name(), ".state") {
			continue
		}
		readFile(filepath.Join(work, e.Name()))
		if strings.HasSuffix(e.Name(), ".state") {
			states++
		}
	}
	if states < 3 {
		t.Errorf("only %d state files were written", states)
	}

	resp, err := http.Get(sb.hs.URL + sandbox.StatsPath)
	if err != nil {
		t.Fatal(err)
	}
	stats, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	files["sandbox stats"] = stats

	hits := 0
	for _, r := range outputs {
		for _, s := range secrets {
			for stream, text := range map[string]string{"stdout": r.stdout, "stderr": r.stderr} {
				if strings.Contains(text, s) {
					hits++
					t.Errorf("onboard %s: the token appears on %s", strings.Join(r.args, " "), stream)
				}
			}
		}
	}
	for name, b := range files {
		for _, s := range secrets {
			if strings.Contains(string(b), s) {
				hits++
				t.Errorf("the token appears in %s", name)
			}
		}
	}
	t.Logf("searched %d command outputs and %d files for the token: %d hit(s)", 2*len(outputs), len(files), hits)
}
