package project_test

import (
	"slices"
	"testing"

	"github.com/onboardhq/onboard/pkg/project"
)

func TestParse(t *testing.T) {
	tests := []struct {
		name, text string
		state      string
		err        string // the error, "" for none
	}{
		{name: "state", text: "# the state\nstate: ../pinned.state\n", state: "../pinned.state"},
		{name: "quoted url", text: `state: "postgres://onboard@db/onboard?state=prod"`, state: "postgres://onboard@db/onboard?state=prod"},
		{name: "empty", text: ""},
		{name: "comments only", text: "# nothing yet\n"},
		{name: "misspelt key", text: "# pinned\nstat: other.state\n",
			err: `onboard.project:2:1: unknown key "stat" in the project file; did you mean "state"?`},
		{name: "unknown key, nothing near", text: "state: a\nlocation: b\n",
			err: `onboard.project:2:1: unknown key "location" in the project file; the project file's keys are state`},
		{name: "empty state", text: "state:\n",
			err: "onboard.project:1:7: `state:` names no location; write e.g. `state: onboard.state` or `state: postgres://host/db`"},
		{name: "state is a list", text: "state: [a, b]\n",
			err: "onboard.project:1:8: state takes a string; write e.g. `state: onboard.state`"},
		{name: "twice", text: "state: a\nstate: b\n",
			err: `onboard.project:2:1: "state" is set twice (first at line 1); keep one`},
		{name: "not a mapping", text: "- state: a\n",
			err: "onboard.project:1:1: a project file is a mapping of settings; write one `key: value` per line, e.g. `state: onboard.state`"},
		{name: "syntax", text: "state: a\n  b: [\n",
			err: "onboard.project:2:1: not valid YAML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, err := project.Parse([]byte(tt.text), "onboard.project")
			if tt.err != "" {
				if err == nil || len(err.Error()) < len(tt.err) || err.Error()[:len(tt.err)] != tt.err {
					t.Fatalf("error\n got %v\nwant %s", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.State != tt.state {
				t.Errorf("state = %q, want %q", f.State, tt.state)
			}
		})
	}
}

func TestKeysAndPositions(t *testing.T) {
	if got := project.Keys(); !slices.Equal(got, []string{"state", "refresh", "currency", "vat_rate", "policy"}) {
		t.Errorf("Keys() = %v", got)
	}
	f, err := project.Parse([]byte("\n  state: x.state\n"), "p")
	if err != nil {
		t.Fatal(err)
	}
	if p := f.Pos("state"); p.String() != "p:2:10" {
		t.Errorf("Pos(state) = %s, want p:2:10", p)
	}
}

func TestRefresh(t *testing.T) {
	for _, mode := range project.RefreshModes {
		f, err := project.Parse([]byte("refresh: "+mode+"\n"), "p")
		if err != nil || f.Refresh != mode {
			t.Errorf("refresh: %s gave %+v, %v", mode, f, err)
		}
	}
	_, err := project.Parse([]byte("# plans\nrefresh: sometimes\n"), "p")
	if err == nil || err.Error() != `p:2:10: refresh must be all, changed or none, not "sometimes"; write e.g. `+"`refresh: changed`"+` (read only what the manifests change)` {
		t.Errorf("error %v", err)
	}
}
