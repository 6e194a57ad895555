package main

// Issue 18: every place that prints a state location prints it redacted.
// One test runs every command that takes a state with a PostgreSQL
// location holding a password, against a reachable server, and looks for
// the password in all their output and in the files they write.

import (
	"io"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state/pgstate/pgtest"
)

// stateless are the commands that never name a state.
var stateless = map[string]bool{
	"onboard validate": true, "onboard schema": true, "onboard version": true,
	"onboard sandbox": true, "onboard completion": true, "onboard help": true,
	"onboard import": true, // writes manifests; never reads or names a state
}

func TestStateLocationNeverShowsPassword(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	env := sb.env()
	loc, other := pgState(t), pgState(t)
	if !strings.Contains(loc, ":"+pgtest.Password+"@") {
		t.Fatalf("the state URL holds no password to look for: %s", loc)
	}
	work := t.TempDir()
	acme := filepath.Join(repoRoot(t), "examples", "acme.yaml")
	saved := filepath.Join(work, "acme.plan")
	unreachable := regexp.MustCompile(`:\d+/`).ReplaceAllString(loc, ":1/") + "&connect_timeout=2"

	type run struct {
		args []string
		env  []string // added to env
		// redacted: the output names the state, redacted; "" when it
		// need not name it.
		redacted bool
	}
	runs := []run{
		{args: []string{"apply", "--auto-approve", acme, "--state", loc}, redacted: true},
		{args: []string{"plan", acme, "--state", loc}},
		{args: []string{"plan", acme, "--state", loc, "--out", saved}},
		{args: []string{"show", saved}},
		{args: []string{"apply", saved, "--state", loc}},
		{args: []string{"plan", acme, "--state", loc, "--refresh-only"}},
		{args: []string{"apply", "--auto-approve", "--refresh-only", acme, "--state", loc}},
		{args: []string{"plan", acme}, env: []string{"ONBOARD_STATE=" + loc}},
		{args: []string{"apply", "--auto-approve", acme}, env: []string{"ONBOARD_STATE=" + loc, "ONBOARD_TOKEN=wrong"}},
		{args: []string{"graph", acme, "--state", loc}},
		{args: []string{"drift", acme, "--state", loc}},
		{args: []string{"drift", acme, "--state", loc, "--output", "markdown"}},
		{args: []string{"drift", acme, "--state", unreachable}, redacted: true},
		{args: []string{"show", "customer.acme", "--state", loc}},
		{args: []string{"show", "customer.nobody", "--state", loc}, redacted: true},
		{args: []string{"show", "customer.nobody"}, env: []string{"ONBOARD_STATE=" + loc}, redacted: true},
		{args: []string{"invoices", "customer.acme", "--state", loc}},
		{args: []string{"invoices", "customer.nobody", "--state", loc}, redacted: true},
		{args: []string{"state", "--state", loc}},
		{args: []string{"state", "list", "--state", loc}},
		{args: []string{"state", "list", "-o", "json", "--state", loc}},
		{args: []string{"state", "show", "customer.acme", "--state", loc}},
		{args: []string{"state", "show", "customer.nobody", "--state", loc}, redacted: true},
		{args: []string{"state", "rm", "customer.nobody", "--state", loc}, redacted: true},
		{args: []string{"state", "rm", "customer.acme.file.main-2026.recurring.sip-trunk", "--state", loc}},
		{args: []string{"state", "import", "customer.acme.file.main-2026.recurring.sip-trunk", "600001", "--state", loc}},
		{args: []string{"state", "import", "customer.acme", "1", "--state", loc}},
		{args: []string{"state", "migrate", "--to", other, "--state", loc}, redacted: true},
		{args: []string{"state", "migrate", "--to", loc, "--state", loc}, redacted: true},
		{args: []string{"state", "list", "--state", unreachable}, redacted: true},
		{args: []string{"state", "history", "--state", loc}},
		{args: []string{"state", "history", "-o", "json", "--state", unreachable}, redacted: true},
		{args: []string{"force-unlock", "--state", loc}},
		{args: []string{"export", "--catalog", "--out", filepath.Join(work, "export"), "--state", loc}, redacted: true},
		{args: []string{"export", "--catalog", "--out", filepath.Join(work, "export")}, env: []string{"ONBOARD_STATE=" + loc}, redacted: true},
	}

	// Every command that can name a state is run above.
	ran := map[string]bool{}
	for _, r := range runs {
		ran[commandPath(r.args)] = true
	}
	for _, path := range leafCommands() {
		if !ran[path] && !stateless[path] && !stateless[strings.Join(strings.Fields(path)[:min(2, len(strings.Fields(path)))], " ")] {
			t.Errorf("%s is not run by this test: add it, with a state location", path)
		}
	}

	for _, r := range runs {
		res := runOnboard(t, append(append([]string(nil), env...), r.env...), r.args...)
		out := res.stdout + res.stderr
		name := strings.ReplaceAll(strings.Join(res.args, " "), pgtest.Password, "PASSWORD")
		if strings.Contains(out, pgtest.Password) {
			t.Errorf("onboard %s (exit %d) shows the password:\n%s", name, res.code, strings.ReplaceAll(out, pgtest.Password, "<PASSWORD>"))
		}
		if r.redacted && !strings.Contains(out, "onboard:xxxxx@127.0.0.1") {
			t.Errorf("onboard %s (exit %d) does not name the state, redacted:\n%s", name, res.code, strings.ReplaceAll(out, pgtest.Password, "<PASSWORD>"))
		}
	}
	// Nor in what they wrote.
	err := filepath.Walk(work, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), pgtest.Password) {
			t.Errorf("%s holds the password", path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(saved); err != nil {
		t.Errorf("plan --out wrote no plan: %v", err)
	}
}

// commandPath is the command args run: "onboard state list".
func commandPath(args []string) string {
	root := newRoot(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard})
	c, _, err := root.Find(args)
	if err != nil {
		return "onboard " + args[0]
	}
	return c.CommandPath()
}

// leafCommands lists every runnable command, sorted.
func leafCommands() []string {
	var out []string
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if c.Runnable() && !c.Hidden {
			out = append(out, c.CommandPath())
		}
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(newRoot(&app{stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}))
	sort.Strings(out)
	return out
}
