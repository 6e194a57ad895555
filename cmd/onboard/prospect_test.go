package main

// Issue 18's prospect defects: a prospect is an owner like a customer (a
// lock scope of a shared state, the section its objects are orphans of),
// and no part of the catalog.

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/sandbox"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

const prospectSet = `prospects:
  globex:
    name: Globex Networks
    contacts:
      buyer:
        last_name: Nguyen
        email_address: an.nguyen@globex.example
      cto:
        last_name: Moreau
        email_address: cto@globex.example
    files:
      pilot:
        name: Pilot 2026
        services_start: 2026-06-01
`

func TestProspectOnSharedState(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	env := sb.env()
	loc := pgState(t)
	dir := t.TempDir()
	set := filepath.Join(dir, "prospects.yaml")
	write := func(text string) {
		t.Helper()
		if err := os.WriteFile(set, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(prospectSet)
	run := func(t *testing.T, want int, args ...string) cliRun {
		t.Helper()
		r := runOnboard(t, env, args...)
		if r.code != want {
			t.Fatalf("want exit %d:\n%s", want, r)
		}
		return r
	}
	run(t, 0, "apply", "--auto-approve", "--rate", "0", set, "--state", loc)

	t.Run("state rm takes the prospect's lock", func(t *testing.T) {
		// Another runner applying the prospect holds its scope.
		holder, err := pgstate.Open(t.Context(), loc, state.Options{Command: "apply"})
		if err != nil {
			t.Fatal(err)
		}
		if err := holder.Lock(t.Context(), []string{state.ScopeOf("prospect.globex")}, 0); err != nil {
			t.Fatal(err)
		}
		r := run(t, 1, "state", "rm", "prospect.globex.prospect-file.pilot", "--state", loc)
		if !strings.Contains(r.stderr, "prospect.globex") || !strings.Contains(r.stderr, "locked") {
			t.Errorf("state rm under another runner's lock of the prospect: want a lock error naming prospect.globex:\n%s", r)
		}
		if err := holder.Close(); err != nil {
			t.Fatal(err)
		}
		st, err := pgstate.Read(t.Context(), loc)
		if err != nil {
			t.Fatal(err)
		}
		if st.Get("prospect.globex.prospect-file.pilot") == nil {
			t.Fatal("the refused state rm removed the file")
		}
		// Once released, the same command goes through.
		run(t, 0, "state", "rm", "prospect.globex.prospect-file.pilot", "--state", loc)
		run(t, 0, "state", "import", "prospect.globex.prospect-file.pilot", "1000001", "--state", loc)
	})

	t.Run("a contact removed from a prospect is an orphan", func(t *testing.T) {
		write(strings.Replace(prospectSet, "      cto:\n        last_name: Moreau\n        email_address: cto@globex.example\n", "", 1))
		r := run(t, 0, "plan", set, "--state", loc, "-o", "json")
		if !strings.Contains(r.stdout, `"address":"prospect.globex.prospect-contact.cto"`) {
			t.Errorf("the plan does not report the removed contact as an orphan:\n%s", r)
		}
		if !strings.Contains(r.stdout, `"orphan":1`) {
			t.Errorf("want 1 orphan:\n%s", r)
		}
	})
}
