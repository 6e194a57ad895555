package project_test

import (
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/onboardhq/onboard/pkg/project"
)

// The policy list is kept as written, positions included, for pkg/policy;
// a misspelt `policy:` is an error, never rules silently left out.
func TestPolicyKept(t *testing.T) {
	text := "state: x.state\npolicy:\n  - name: cap\n    deny: true\n"
	f, err := project.Parse([]byte(text), "onboard.project")
	if err != nil {
		t.Fatal(err)
	}
	if f.Policy.Kind != yaml.SequenceNode || f.Policy.Line != 3 || len(f.Policy.Content) != 1 || string(f.Source()) != text {
		t.Errorf("policy node = %+v", f.Policy)
	}
	none, err := project.Parse([]byte("state: x.state\n"), "onboard.project")
	if err != nil || none.Policy.Kind != 0 {
		t.Errorf("no policy: %+v, %v", none.Policy, err)
	}
	_, err = project.Parse([]byte("polcy:\n  - name: cap\n    deny: true\n"), "onboard.project")
	if err == nil || !strings.HasPrefix(err.Error(), `onboard.project:1:1: unknown key "polcy" in the project file; did you mean "policy"?`) {
		t.Errorf("misspelt policy: %v", err)
	}
}
