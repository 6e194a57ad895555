package sandbox

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// TestPreload: a sandbox starts with the objects a seed names, whether
// built-in or a file; a data file that holds objects already wins, and a
// preload that is neither is an error that names the built-in seeds.
func TestPreload(t *testing.T) {
	dir := t.TempDir()
	seedFile := filepath.Join(dir, "seed.json")
	if err := os.WriteFile(seedFile, []byte(`{"version":1,"kinds":{"family":{"objects":[{"object":{"id":3,"name":"Mine"}}]}}}`), 0o644); err != nil {
		t.Fatal(err)
	}
	full := filepath.Join(dir, "full.json")
	{
		s, err := New(Options{Token: testToken, DataFile: full, Preload: seedFile})
		if err != nil {
			t.Fatal(err)
		}
		mustCreate(t, s, "/api/v1/families", `{"name":"Created later"}`)
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	cases := []struct {
		name     string
		opts     Options
		families []string // names, in id order
		items    []string
		err      string
	}{
		{name: "built-in examples", opts: Options{Preload: "examples"},
			families: []string{"Legacy connectivity"}, items: []string{"Fibre 500 Mb/s"}},
		{name: "a file", opts: Options{Preload: seedFile}, families: []string{"Mine"}},
		{name: "missing data file: preloaded", opts: Options{Preload: "examples", DataFile: filepath.Join(dir, "none.json")},
			families: []string{"Legacy connectivity"}, items: []string{"Fibre 500 Mb/s"}},
		{name: "data file with objects wins", opts: Options{Preload: "examples", DataFile: full},
			families: []string{"Mine", "Created later"}},
		{name: "neither", opts: Options{Preload: "exampels"}, err: `preload "exampels": not a built-in seed (examples) nor a readable data file`},
		{name: "no path tricks", opts: Options{Preload: "../seeds/examples"}, err: "not a built-in seed"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.opts.Token = testToken
			s, err := New(c.opts)
			if c.err != "" {
				if err == nil || !strings.Contains(err.Error(), c.err) {
					t.Fatalf("New: %v, want an error with %q", err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			names := func(k resource.Kind, field string) []string {
				var out []string
				for _, o := range s.Objects(k) {
					out = append(out, o[field].(string))
				}
				return out
			}
			if got := names(resource.Family, "name"); strings.Join(got, "|") != strings.Join(c.families, "|") {
				t.Errorf("families %q, want %q", got, c.families)
			}
			if got := names(resource.Item, "description"); strings.Join(got, "|") != strings.Join(c.items, "|") {
				t.Errorf("items %q, want %q", got, c.items)
			}
		})
	}
	// The built-in seed has the ids examples/gitops refers to.
	s, err := New(Options{Token: testToken, Preload: "examples"})
	if err != nil {
		t.Fatal(err)
	}
	if r := call(t, s, "GET", "/api/v1/items/42", ""); r.status != 200 || !strings.Contains(string(r.raw), `"family_id":7`) {
		t.Errorf("GET /items/42: %d %s", r.status, r.raw)
	}
}
