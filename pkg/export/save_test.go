package export

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

const testAPI = "http://127.0.0.1:1/api"

func built(t *testing.T) *Result {
	t.Helper()
	res, err := Build(estate(t), BuildOptions{Schema: "https://example.com/manifest.schema.json"})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// entries lists dir's names: what an export left there.
func entries(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range es {
		names = append(names, e.Name())
	}
	return names
}

// A written export is manifests and a state that plan reads as nothing
// to do, with the state inside the directory or beside it, over an old
// directory or not; nothing staged is left.
func TestWrite(t *testing.T) {
	for _, tt := range []struct {
		name, state string
		old         bool
	}{
		{name: "state inside", state: "tenant/onboard.state"},
		{name: "state beside", state: "tenant.state"},
		{name: "over an old export", state: "tenant/onboard.state", old: true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			out, loc := filepath.Join(dir, "tenant"), filepath.Join(dir, tt.state)
			if tt.old {
				if err := os.MkdirAll(filepath.Join(out, "customers"), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(out, "customers", "stale.yaml"), []byte("x"), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			res := built(t)
			now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
			if err := Write(context.Background(), res, WriteOptions{Out: out, State: loc, API: testAPI, Now: now}); err != nil {
				t.Fatal(err)
			}
			for _, f := range res.Files {
				b, err := os.ReadFile(filepath.Join(out, f.Path))
				if err != nil || string(b) != string(f.Data) {
					t.Errorf("%s: %v, or not as built", f.Path, err)
				}
			}
			if _, err := os.Stat(filepath.Join(out, "customers", "stale.yaml")); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the old export's file is still there: %v", err)
			}
			st, _, err := state.Read(loc)
			if err != nil {
				t.Fatal(err)
			}
			if st.Len() != res.Objects || st.Meta.API != testAPI {
				t.Errorf("state: %d records bound to %q, want %d bound to %s", st.Len(), st.Meta.API, res.Objects, testAPI)
			}
			for _, o := range st.Objects {
				if !o.Time.Equal(now) || o.ID == 0 {
					t.Errorf("%s recorded with id %d at %s", o.Addr, o.ID, o.Time)
				}
			}
			set, err := manifest.Load(out)
			if err != nil {
				t.Fatal(err)
			}
			p, err := plan.Compile(set, st, plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if p.HasChanges() {
				t.Errorf("a plan of the export has changes: %+v", p.Counts())
			}
			want := []string{"tenant"}
			if tt.state == "tenant.state" {
				want = []string{"tenant", "tenant.state"}
			}
			if got := entries(t, dir); strings.Join(got, " ") != strings.Join(want, " ") {
				t.Errorf("left %v, want %v", got, want)
			}
		})
	}
}

// An interrupted export and one that does not validate write nothing.
func TestWriteNothing(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	invalid := &Result{Files: []File{{Path: "catalog.yaml", Data: []byte("families:\n  voip:\n    nme: VoIP\n")}}}
	for _, tt := range []struct {
		name  string
		ctx   context.Context
		res   *Result
		check func(*testing.T, error)
	}{
		{"interrupted", cancelled, nil, func(t *testing.T, err error) {
			if !errors.Is(err, context.Canceled) {
				t.Errorf("error %v, want context.Canceled", err)
			}
		}},
		{"invalid", context.Background(), invalid, func(t *testing.T, err error) {
			var ie *InvalidError
			if !errors.As(err, &ie) || len(ie.Diagnostics) == 0 {
				t.Fatalf("error %v, want an *InvalidError", err)
			}
			// Named as it would have been written, not as staged.
			if d := ie.Diagnostics[0]; !strings.HasSuffix(d.Pos.File, filepath.Join("tenant", "catalog.yaml")) {
				t.Errorf("diagnostic at %s: %s", d.Pos, d.Message)
			}
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if tt.res == nil {
				tt.res = built(t)
			}
			dir := t.TempDir()
			err := Write(tt.ctx, tt.res, WriteOptions{Out: filepath.Join(dir, "tenant"), State: filepath.Join(dir, "tenant.state"), API: testAPI})
			tt.check(t, err)
			if got := entries(t, dir); len(got) > 0 {
				t.Errorf("left %v, want nothing", got)
			}
		})
	}
}
