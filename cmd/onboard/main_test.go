package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestMain lets testscript run the real CLI as the `onboard` command: the
// test binary re-executes itself as onboard in a child process, so the
// scripts exercise argument parsing, exit codes, stdout/stderr and signals
// exactly as a user's shell does.
func TestMain(m *testing.M) {
	testscript.Main(stopPGAfter{m}, map[string]func(){
		"onboard": func() { os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScripts runs testdata/script/*.txtar: users' sessions, against a
// sandbox API served by the test process.
func TestScripts(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir:                 "../../testdata/script",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			e.Setenv("NO_COLOR", "1")
			e.Setenv("ONBOARD_TOKEN", "")
			e.Setenv("ONBOARD_BASE_URL", "")
			e.Setenv("REPO", repoRoot(t))
			return nil
		},
		Cmds: scriptCmds(map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"sandbox":   cmdSandbox,
			"exitcode":  cmdExitCode,
			"jsonlines": cmdJSONLines,
			"readme":    cmdReadme,
			"pgstate":   cmdPGState,
		}, driftCmds, ciCmds),
	})
}

func repoRoot(t *testing.T) string {
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return strings.TrimSuffix(wd, "/cmd/onboard")
}

// recorder keeps every API request the sandbox received, in order.
type recorder struct {
	mu   sync.Mutex
	reqs []string
}

func (r *recorder) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if strings.HasPrefix(req.URL.Path, "/api/v1/") {
			body, _ := io.ReadAll(req.Body)
			req.Body = io.NopCloser(bytes.NewReader(body))
			line := req.Method + " " + strings.TrimPrefix(req.URL.RequestURI(), "/api")
			if len(body) > 0 {
				line += " " + canonicalJSON(body)
			}
			r.mu.Lock()
			r.reqs = append(r.reqs, line)
			r.mu.Unlock()
		}
		h.ServeHTTP(w, req)
	})
}

// canonicalJSON re-encodes a body with sorted keys and numbers as written
// (canonicalValue), so that scripts compare requests by meaning, not key
// order; a body that is not JSON is shown as it is.
func canonicalJSON(b []byte) string {
	s, err := canonicalValue(b)
	if err != nil {
		return string(b)
	}
	return s
}

// sandboxes maps each running script to its sandbox.
var sandboxes sync.Map // *testscript.TestScript -> *runningSandbox

type runningSandbox struct {
	srv *sandbox.Server
	rec *recorder
}

// cmdSandbox manages a sandbox API for a script:
//
//	sandbox start [--latency D] [--max-inflight N] [--fail-5xx P] [--drop-after-commit P] [--rate R] [--seed S] [--data FILE] [--preload NAME|FILE]
//	    serves it and sets ONBOARD_BASE_URL and ONBOARD_TOKEN; --data
//	    preloads objects that already exist in BlueRockTEL, with their
//	    ids (the format of `onboard sandbox --data`; saved back on exit)
//	sandbox requests [--sorted]  prints every API request received (method, path, canonical body)
//	sandbox count N        asserts that N API requests were received
//	sandbox objects KIND   prints the stored objects of a kind as JSON lines
//	sandbox duplicates     asserts that no two objects share a natural key
//	sandbox reset-log      forgets the requests received so far
func cmdSandbox(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("usage: sandbox start|requests|count|objects|duplicates|reset-log")
	}
	get := func() *runningSandbox {
		v, ok := sandboxes.Load(ts)
		if !ok {
			ts.Fatalf("sandbox: not started")
		}
		return v.(*runningSandbox)
	}
	switch args[0] {
	case "start":
		opts := sandbox.Options{Token: "sandbox-token-" + strconv.FormatInt(time.Now().UnixNano(), 36), Seed: 1}
		for i := 1; i+1 < len(args); i += 2 {
			v := args[i+1]
			var err error
			switch args[i] {
			case "--latency":
				opts.Latency, err = time.ParseDuration(v)
			case "--max-inflight":
				opts.MaxInflight, err = strconv.Atoi(v)
			case "--fail-5xx":
				opts.Fail5xx, err = strconv.ParseFloat(v, 64)
			case "--drop-after-commit":
				opts.DropAfterCommit, err = strconv.ParseFloat(v, 64)
			case "--rate":
				opts.Rate, err = strconv.ParseFloat(v, 64)
			case "--seed":
				opts.Seed, err = strconv.ParseInt(v, 10, 64)
			case "--filters":
				opts.Filters = v
			case "--drop-first":
				opts.DropFirst = append(opts.DropFirst, resource.Kind(v))
			case "--preload":
				opts.Preload = v
			case "--data":
				opts.DataFile = ts.MkAbs(v)
				_, err = os.Stat(opts.DataFile) // a typo must not start an empty sandbox
			default:
				ts.Fatalf("sandbox start: unknown flag %s", args[i])
			}
			ts.Check(err)
		}
		srv, err := sandbox.New(opts)
		ts.Check(err)
		rec := &recorder{}
		hs := httptest.NewServer(rec.wrap(srv))
		ts.Defer(func() { hs.Close(); srv.Close(); sandboxes.Delete(ts) })
		ts.Setenv("ONBOARD_BASE_URL", hs.URL+"/api")
		ts.Setenv("SANDBOX_URL", hs.URL) // without /api
		ts.Setenv("ONBOARD_TOKEN", srv.Token())
		sandboxes.Store(ts, &runningSandbox{srv: srv, rec: rec})
	case "requests":
		r := get()
		r.rec.mu.Lock()
		reqs := append([]string(nil), r.rec.reqs...)
		r.rec.mu.Unlock()
		if len(args) > 1 && args[1] == "--sorted" {
			// Independent steps run in parallel, so arrival order varies.
			sort.Strings(reqs)
		}
		for _, l := range reqs {
			fmt.Fprintln(ts.Stdout(), l)
		}
	case "reset-log":
		r := get()
		r.rec.mu.Lock()
		r.rec.reqs = nil
		r.rec.mu.Unlock()
	case "count":
		if len(args) != 2 {
			ts.Fatalf("usage: sandbox count N")
		}
		want, err := strconv.Atoi(args[1])
		ts.Check(err)
		r := get()
		r.rec.mu.Lock()
		got := len(r.rec.reqs)
		r.rec.mu.Unlock()
		if (got == want) == neg {
			ts.Fatalf("sandbox received %d API requests, want %s%d", got, map[bool]string{true: "not ", false: ""}[neg], want)
		}
	case "objects":
		if len(args) != 2 {
			ts.Fatalf("usage: sandbox objects KIND")
		}
		objs := get().srv.Objects(resource.Kind(args[1]))
		for _, o := range objs {
			delete(o, "created_at")
			delete(o, "updated_at")
			b, err := json.Marshal(o)
			ts.Check(err)
			fmt.Fprintln(ts.Stdout(), string(b))
		}
	case "bill":
		// sandbox bill FILE_ID DATE: a simulated billing run, its invoice
		// on stdout.
		if len(args) != 3 {
			ts.Fatalf("usage: sandbox bill FILE_ID DATE")
		}
		id, err := strconv.ParseInt(args[1], 10, 64)
		ts.Check(err)
		b, err := get().srv.BillingRun(id, args[2])
		if (err != nil) != neg {
			ts.Fatalf("sandbox bill: %v", err)
		}
		fmt.Fprintln(ts.Stdout(), string(b))
	case "duplicates":
		st := get().srv.Stats()
		var dups []string
		for k, n := range st.Duplicates { // by kind
			if n > 0 {
				dups = append(dups, fmt.Sprintf("%s: %d", k, n))
			}
		}
		sort.Strings(dups)
		if (len(dups) > 0) != neg {
			ts.Fatalf("sandbox duplicates: %v", dups)
		}
	default:
		ts.Fatalf("sandbox: unknown subcommand %q", args[0])
	}
}

// cmdExitCode runs a program and asserts its exact exit status, which
// `exec` and `! exec` cannot (any non-zero passes `! exec`):
//
//	exitcode N PROGRAM [ARGS...]
//
// Its stdout and stderr are kept for the next stdout/stderr/cmp commands.
func cmdExitCode(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exitcode N PROGRAM [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("exitcode: %v", err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
}

// cmdJSONLines asserts that the last command's stdout is exactly N lines,
// each one complete JSON object (a stream a tool can read line by line):
//
//	jsonlines N
func cmdJSONLines(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 1 {
		ts.Fatalf("usage: jsonlines N")
	}
	want, err := strconv.Atoi(args[0])
	ts.Check(err)
	out := ts.ReadFile("stdout")
	if out != "" && !strings.HasSuffix(out, "\n") {
		ts.Fatalf("stdout does not end with a newline")
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if out == "" {
		lines = nil
	}
	for i, l := range lines {
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(l), &obj); err != nil {
			ts.Fatalf("stdout line %d is not one JSON object: %v\n%s", i+1, err, l)
		}
	}
	if len(lines) != want {
		ts.Fatalf("stdout has %d JSON lines, want %d", len(lines), want)
	}
}
