package planrender

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// TestStepWriterMatchesEncodingJSON holds the hand-written step encoder
// to encoding/json's bytes for stepJSON, on the examples, generated sets
// (with contacts and follow-ups), plans against applied and partly
// applied states, and steps with every optional field set and strings
// that need escaping.
func TestStepWriterMatchesEncodingJSON(t *testing.T) {
	var plans []*plan.Plan
	add := func(set *manifest.Set, st *state.State) *plan.Plan {
		t.Helper()
		p, err := plan.Compile(set, st, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plans = append(plans, p)
		return p
	}
	load := func(paths ...string) *manifest.Set {
		t.Helper()
		set, err := manifest.Load(paths...)
		if err != nil {
			t.Fatal(err)
		}
		return set
	}
	ex := filepath.Join("..", "..", "examples")
	for _, paths := range [][]string{
		{filepath.Join(ex, "acme.yaml")},
		{filepath.Join(ex, "acme-complete.yaml")},
		{filepath.Join(ex, "gitops")},
	} {
		set := load(paths...)
		fresh := add(set, nil)
		st := applied(fresh)
		add(set, st)
		// Change every other object's spec: updates with before/after.
		i := 0
		for _, o := range st.Objects {
			if i++; i%2 == 0 {
				continue
			}
			spec := map[string]string{}
			for k, v := range o.Spec {
				spec[k] = v + "0"
			}
			o.Spec, o.Hash = spec, "old"
		}
		if p, err := plan.Compile(set, st, plan.Options{}); err == nil {
			plans = append(plans, p)
		}
		add(set, partlyApplied(fresh))
	}
	dir := t.TempDir()
	for _, g := range []struct {
		name string
		fn   func(string, int, int64) error
	}{{"plain", generate.Write}, {"contacts", generate.WriteWithContacts}} {
		d := filepath.Join(dir, g.name)
		if err := g.fn(d, 30, 7); err != nil {
			t.Fatal(err)
		}
		set := load(d)
		fresh := add(set, nil)
		add(set, partlyApplied(fresh))
	}
	// Every optional field, and strings to escape.
	odd := filepath.Join(dir, "odd.yaml")
	if err := os.WriteFile(odd, []byte(oddManifest), 0o644); err != nil {
		t.Fatal(err)
	}
	p := add(load(odd), nil)
	for i, s := range p.Steps {
		s.Verify, s.Gone, s.Of = i%2 == 0, i%3 == 0, "customer.\"odd\"\u2028"
		s.Changes = []plan.FieldChange{{Field: "?q", Old: "a<b>&", New: "\x01"}, {Field: "f", Reset: true, Drifted: true}, {Field: "g", New: "é"}}
		s.Existing = &state.Object{ID: int64(i)}
		if s.Sends() {
			s.Body = append(s.Body, resource.Value{Wire: "spaced", Raw: json.RawMessage(`{ "a" : [1, 2] }`)})
		}
		// An offer's line, the objects referred to by id, and an end
		// step's members.
		s.Offer = "pack <\"x\">"
		s.Refs = []plan.Referenced{{Field: "item_id", Kind: "item", ID: 42, Label: "A <b>", Price: "19.90", Pos: "x.yaml:1:2"}}
		if i == 0 {
			s.Action, s.Method, s.Spec = plan.Deactivate, "PUT", map[string]string{"active": "false", "a&b": "<"}
			s.Commitment, s.ReferredBy = &plan.Commitment{Ends: "2028-01-01", MonthsLeft: 19}, []string{"customer.x"}
		}
	}

	steps := 0
	for _, p := range plans {
		w := &stepWriter{p: p}
		for _, s := range p.Steps {
			var want bytes.Buffer
			enc := json.NewEncoder(&want)
			enc.SetEscapeHTML(false)
			if err := enc.Encode(stepJSON(p, s)); err != nil {
				t.Fatal(err)
			}
			got := w.step(s)
			if !bytes.Equal(got, bytes.TrimSuffix(want.Bytes(), []byte("\n"))) {
				t.Fatalf("%s:\n got %s\nwant %s", s.Addr, got, want.Bytes())
			}
			steps++
		}
	}
	if steps < 500 {
		t.Fatalf("compared only %d steps", steps)
	}
}

// partlyApplied is the state after fresh's first half was applied.
func partlyApplied(fresh *plan.Plan) *state.State {
	st := applied(fresh)
	for i, s := range fresh.Steps {
		if i >= len(fresh.Steps)/2 {
			delete(st.Objects, s.Addr)
		}
	}
	return st
}

const oddManifest = `families:
  f:
    name: "Fam \"quoted\" \\ back\tslash <html> & \u2028 x"
    extra:
      custom: { a: [1, 2, {b: "x y"}], c: null }
      other: "été"
items:
  i:
    description: "Line\nbreak"
    family: f
    selling_price_without_tax: 1.50
    billing_frequency: 1
    active_for_recurring_billing: true
`
