package plan

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// linksYAML declares the file before the contacts it links: the links step
// must still come after them.
const linksYAML = `customers:
  acme:
    name: Acme
    files:
      main:
        name: Main
        services_start: 2026-04-01
        %s
    contacts:
      billing: {last_name: Martin, email_address: claire@acme.example}
      tech: {last_name: Durand, email_address: paul@acme.example}
`

func loadLinks(t *testing.T, fields string) *manifest.Set {
	t.Helper()
	path := filepath.Join(t.TempDir(), "m.yaml")
	if err := os.WriteFile(path, []byte(fmt.Sprintf(linksYAML, fields)), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// applied records every step of p in a state as created, with ids.
func applied(p *Plan) *state.State {
	st := &state.State{Objects: map[string]*state.Object{}}
	ids := map[string]int64{}
	for i, s := range p.Steps {
		id := int64(1000 + i)
		if s.Of != "" {
			id = ids[s.Of]
		}
		ids[s.Addr] = id
		st.Objects[s.Addr] = &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: id, Status: state.StatusCreated, Hash: s.Hash, Spec: s.Spec}
	}
	return st
}

const (
	fileAddr  = "customer.acme.file.main"
	linksAddr = "customer.acme.file.main.links"
)

func TestFollowUpStep(t *testing.T) {
	p, err := Compile(loadLinks(t, "contacts: [billing, tech]\n        billing_next: 2026-05-01"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := p.ByAddr[linksAddr]
	if s == nil {
		t.Fatalf("no %s step; steps %v", linksAddr, addrs(p))
	}
	if s.Action != Create || s.Method != "PUT" || s.Path != "/v1/customer-files/{id}" || s.Of != fileAddr || s.Kind != resource.CustomerFile {
		t.Errorf("links step = %s %s %s of %q kind %s", s.Action, s.Method, s.Path, s.Of, s.Kind)
	}
	wantDeps := []string{"customer.acme.contact.billing", "customer.acme.contact.tech", fileAddr}
	if !slices.Equal(s.Deps, wantDeps) {
		t.Errorf("deps = %v, want %v", s.Deps, wantDeps)
	}
	if got := s.Spec; got["contact_ids"] != "@customer.acme.contact.billing,@customer.acme.contact.tech" || got["billing_next"] != "2026-05-01" || len(got) != 2 {
		t.Errorf("spec = %v", got)
	}
	if last := p.Steps[len(p.Steps)-1]; last != s {
		t.Errorf("links step is not after the contacts: steps %v", addrs(p))
	}
	file := p.ByAddr[fileAddr]
	for _, v := range file.Body {
		if v.Wire == "contact_ids" || v.Wire == "billing_next" {
			t.Errorf("the file's POST carries %s: follow-up fields go in the PUT", v.Wire)
		}
	}
}

func TestFollowUpDecisions(t *testing.T) {
	first := "contacts: [billing, tech]\n        billing_next: 2026-05-01"
	p0, err := Compile(loadLinks(t, first), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := applied(p0)
	fileID := st.Objects[fileAddr].ID
	tests := []struct {
		name    string
		fields  string
		action  Action
		body    string // the update's body, encoded with contacts #1 and #2
		changes int
	}{
		{"same", first, NoOp, "", 0},
		{"reordered contacts are the same set", "contacts: [tech, billing]\n        billing_next: 2026-05-01", NoOp, "", 0},
		{"one contact less", "contacts: [billing]\n        billing_next: 2026-05-01", Update, `{"contact_ids":[1]}`, 1},
		{"another date", first[:len(first)-2] + "06", Update, `{"billing_next":"2026-05-06"}`, 1},
		{"an existing contact by id", "contacts: [billing, tech]\n        contact_ids: [77]\n        billing_next: 2026-05-01", Update, `{"contact_ids":[1,2,77]}`, 1},
		{"all removed: reset", "services_stop: 2026-12-31", Update, `{"services_stop":"2026-12-31","contact_ids":null,"billing_next":null}`, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(loadLinks(t, tt.fields), st, Options{})
			if err != nil {
				t.Fatal(err)
			}
			s := p.ByAddr[linksAddr]
			if s == nil || s.Action != tt.action || len(s.Changes) != tt.changes {
				t.Fatalf("links step %+v, want %s with %d changes", s, tt.action, tt.changes)
			}
			if p.ByAddr[fileAddr].Action != NoOp {
				t.Errorf("the file itself is %s, want no-op", p.ByAddr[fileAddr].Action)
			}
			if tt.action != Update {
				return
			}
			if s.Path != resource.Get(resource.CustomerFile).ObjectPath(fileID) {
				t.Errorf("path %s, want the file's", s.Path)
			}
			ids := map[string]int64{"customer.acme.contact.billing": 1, "customer.acme.contact.tech": 2}
			body, err := resource.EncodeBody(s.Body, func(a string) (int64, bool) { id, ok := ids[a]; return id, ok })
			if err != nil || string(body) != tt.body {
				t.Errorf("body %s (%v), want %s", body, err, tt.body)
			}
		})
	}
}

func TestNoFollowUpWithoutFields(t *testing.T) {
	p, err := Compile(loadLinks(t, "billing_frequency: 1"), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := p.ByAddr[linksAddr]; s != nil {
		t.Errorf("a file without follow-up fields has a links step: %+v", s)
	}
}

func addrs(p *Plan) []string {
	out := make([]string, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Addr
	}
	return out
}

// A follow-up is a PUT to its object: counted as an update, whether it is
// the first PUT (Action Create) or a change of the links, never as a
// create.
func TestFollowUpCountsAsUpdate(t *testing.T) {
	set := loadLinks(t, "contacts: [billing, tech]")
	fresh, err := Compile(set, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	links := fresh.ByAddr[linksAddr]
	if links.Action != Create || links.Effect() != Update {
		t.Fatalf("first PUT: action %s, effect %s; want create counted as update", links.Action, links.Effect())
	}
	if file := fresh.ByAddr[fileAddr]; file.Effect() != Create {
		t.Errorf("the file's own create: effect %s", file.Effect())
	}
	tests := []struct {
		name string
		set  *manifest.Set
		st   *state.State
		want Counts
	}{
		{"fresh: 4 creates and the links' PUT", set, nil, Counts{Create: 4, Update: 1}},
		{"rerun: all up to date", set, applied(fresh), Counts{NoOp: 5, FollowUpNoOp: 1}},
		{"one contact unlinked: one update", loadLinks(t, "contacts: [billing]"), applied(fresh), Counts{Update: 1, NoOp: 4}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(tt.set, tt.st, Options{})
			if err != nil {
				t.Fatal(err)
			}
			if got := p.Counts(); got != tt.want {
				t.Errorf("counts = %+v, want %+v", got, tt.want)
			}
		})
	}
}
