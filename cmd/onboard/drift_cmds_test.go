package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
)

// driftCmds are the testscript commands that change the script's sandbox
// behind onboard's back, through the sandbox's control routes (as someone
// editing in BlueRockTEL's web interface would):
//
//	sandbox-edit [--state FILE] ADDRESS|KIND ID FIELD=VALUE...
//	    VALUE is a JSON literal (8, 19.90, true, null, "x y") or else a string
//	sandbox-delete [--state FILE] ADDRESS|KIND ID
//	    a file goes with its lines, a customer with its files
//
// An ADDRESS is looked up in the state (default ./onboard.state).
var driftCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"sandbox-edit":   cmdSandboxEdit,
	"sandbox-delete": cmdSandboxDelete,
}

func cmdSandboxEdit(ts *testscript.TestScript, neg bool, args []string) {
	kind, id, rest := controlTarget(ts, "sandbox-edit [--state FILE] ADDRESS|KIND ID FIELD=VALUE...", args)
	if len(rest) == 0 {
		ts.Fatalf("sandbox-edit: no FIELD=VALUE given")
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, kv := range rest {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			ts.Fatalf("sandbox-edit: %q is not FIELD=VALUE", kv)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(k)
		b.Write(key)
		b.WriteByte(':')
		if json.Valid([]byte(v)) {
			b.WriteString(v)
		} else {
			s, _ := json.Marshal(v)
			b.Write(s)
		}
	}
	b.WriteByte('}')
	controlCall(ts, neg, http.MethodPut, kind, id, b.Bytes())
}

func cmdSandboxDelete(ts *testscript.TestScript, neg bool, args []string) {
	kind, id, rest := controlTarget(ts, "sandbox-delete [--state FILE] ADDRESS|KIND ID", args)
	if len(rest) > 0 {
		ts.Fatalf("usage: sandbox-delete [--state FILE] ADDRESS|KIND ID")
	}
	controlCall(ts, neg, http.MethodDelete, kind, id, nil)
}

// controlTarget reads the object a command is about: KIND ID, or an
// address looked up in the state.
func controlTarget(ts *testscript.TestScript, usage string, args []string) (resource.Kind, int64, []string) {
	statePath := "onboard.state"
	if len(args) >= 2 && args[0] == "--state" {
		statePath, args = args[1], args[2:]
	}
	if len(args) == 0 {
		ts.Fatalf("usage: %s", usage)
	}
	if len(args) >= 2 && resource.Get(resource.Kind(args[0])) != nil {
		if id, err := strconv.ParseInt(args[1], 10, 64); err == nil {
			return resource.Kind(args[0]), id, args[2:]
		}
	}
	st, _, err := state.Read(ts.MkAbs(statePath))
	ts.Check(err)
	o := st.Get(args[0])
	if o == nil || o.ID <= 0 {
		ts.Fatalf("%s has no id in the state %s", args[0], statePath)
	}
	return resource.Kind(o.Kind), o.ID, args[1:]
}

// controlCall sends one control request to the script's sandbox.
func controlCall(ts *testscript.TestScript, neg bool, method string, kind resource.Kind, id int64, body []byte) {
	base := strings.TrimSuffix(ts.Getenv("ONBOARD_BASE_URL"), "/api")
	if base == "" {
		ts.Fatalf("sandbox: not started")
	}
	req, err := http.NewRequest(method, fmt.Sprintf("%s%s%s/%d", base, sandbox.ControlPrefix, kind, id), bytes.NewReader(body))
	ts.Check(err)
	req.Header.Set("Authorization", "Bearer "+ts.Getenv("ONBOARD_TOKEN"))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	fmt.Fprintln(ts.Stdout(), string(out))
	if ok := resp.StatusCode == http.StatusOK; ok == neg {
		ts.Fatalf("%s %s #%d: %s %s", method, kind, id, resp.Status, out)
	}
}

// scriptCmds merges command sets.
func scriptCmds(sets ...map[string]func(ts *testscript.TestScript, neg bool, args []string)) map[string]func(ts *testscript.TestScript, neg bool, args []string) {
	out := map[string]func(ts *testscript.TestScript, neg bool, args []string){}
	for _, s := range sets {
		for k, v := range s {
			out[k] = v
		}
	}
	return out
}
