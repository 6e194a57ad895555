package plan

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// TestRenderJSONBytes compares the streaming RenderJSON with the
// encoding/json rendering of the same document, byte for byte, on plans
// with every kind of value and step: references to objects to create and
// to existing ones, ids, lookups first, changes, orphans, `extra:` values
// (nested, HTML characters, unicode), and generated and example sets.
func TestRenderJSONBytes(t *testing.T) {
	load := func(paths ...string) func(t *testing.T) *manifest.Set {
		return func(t *testing.T) *manifest.Set {
			set, err := manifest.Load(paths...)
			if err != nil {
				t.Fatal(err)
			}
			return set
		}
	}
	generated := func(t *testing.T) *manifest.Set {
		dir := filepath.Join(t.TempDir(), "set")
		if err := generate.Write(dir, 30, 7); err != nil {
			t.Fatal(err)
		}
		return load(dir)(t)
	}
	root := filepath.Join("..", "..")
	sets := map[string]func(t *testing.T) *manifest.Set{
		"fixture":   func(*testing.T) *manifest.Set { return fixture() },
		"acme":      load(filepath.Join(root, "examples", "acme.yaml")),
		"gitops":    load(filepath.Join(root, "examples", "gitops")),
		"extra":     load(filepath.Join(root, "testdata", "valid", "extra.yaml")),
		"unicode":   load(filepath.Join(root, "testdata", "valid", "unicode.yaml")),
		"ids":       load(filepath.Join(root, "testdata", "valid", "ids.yaml")),
		"generated": generated,
	}
	// states derives, from the fresh plan, states that make some steps
	// no-ops, changes, pending lookups and orphans.
	states := map[string]func(fresh *Plan) *state.State{
		"none": func(*Plan) *state.State { return nil },
		"mixed": func(fresh *Plan) *state.State {
			st := &state.State{Objects: map[string]*state.Object{}}
			for i, s := range fresh.Steps {
				o := &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(100 + i), Status: state.StatusCreated, Hash: s.Hash, Spec: s.Spec}
				switch i % 4 {
				case 1: // changed: another spec
					o.Hash, o.Spec = "other", map[string]string{"name": "Old <name> & co", "gone": "x"}
				case 2: // an intent whose outcome is unknown
					o.Status, o.ID = state.StatusPending, 0
				case 3: // not in state: created
					continue
				}
				st.Objects[s.Addr] = o
			}
			st.Objects["customer.gone"] = &state.Object{Addr: "customer.gone", Kind: "customer", ID: 9, Status: state.StatusCreated}
			st.Objects["family.old"] = &state.Object{Addr: "family.old", Kind: "family", ID: 3, Status: state.StatusCreated}
			return st
		},
	}
	for name, mk := range sets {
		for sname, mkState := range states {
			for _, adopt := range []bool{false, true} {
				t.Run(fmt.Sprintf("%s/%s/adopt=%t", name, sname, adopt), func(t *testing.T) {
					set := mk(t)
					fresh, err := Compile(set, nil, Options{})
					if err != nil {
						t.Fatal(err)
					}
					p, err := Compile(set, mkState(fresh), Options{Adopt: adopt})
					if err != nil {
						t.Fatal(err)
					}
					var got, want bytes.Buffer
					if err := p.RenderJSON(&got); err != nil {
						t.Fatal(err)
					}
					if err := p.renderJSONReference(&want); err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got.Bytes(), want.Bytes()) {
						g, w := got.Bytes(), want.Bytes()
						i := 0
						for i < len(g) && i < len(w) && g[i] == w[i] {
							i++
						}
						t.Fatalf("RenderJSON differs from encoding/json at byte %d:\ngot:  %q\nwant: %q", i, excerpt(g, i), excerpt(w, i))
					}
					if !json.Valid(got.Bytes()) {
						t.Fatal("RenderJSON wrote invalid JSON")
					}
				})
			}
		}
	}
}

func excerpt(b []byte, i int) string {
	lo, hi := max(0, i-80), min(len(b), i+80)
	return string(b[lo:hi])
}

// TestRenderJSONWriteError: a failing writer's error is returned.
func TestRenderJSONWriteError(t *testing.T) {
	p, err := Compile(fixture(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.RenderJSON(failingWriter{}); err == nil {
		t.Fatal("RenderJSON to a failing writer returned no error")
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, io.ErrClosedPipe }

type refJSONPlan struct {
	FormatVersion int             `json:"format_version"`
	Summary       Counts          `json:"summary"`
	Steps         []refJSONStep   `json:"steps"`
	Orphans       []refJSONOrphan `json:"orphans"`
	Previews      []FilePreview   `json:"billing_previews"`
}

type refJSONStep struct {
	Address   string                     `json:"address"`
	Kind      resource.Kind              `json:"kind"`
	Action    Action                     `json:"action"`
	ID        int64                      `json:"id,omitempty"`
	Verify    bool                       `json:"lookup_first,omitempty"`
	Method    string                     `json:"method,omitempty"`
	Path      string                     `json:"path,omitempty"`
	Query     map[string]json.RawMessage `json:"query,omitempty"`
	Body      refOrderedJSON             `json:"body,omitempty"`
	DependsOn []string                   `json:"depends_on"`
	Changes   []FieldChange              `json:"changes,omitempty"`
}

type refJSONOrphan struct {
	Address string `json:"address"`
	Kind    string `json:"kind"`
	ID      int64  `json:"id"`
}

// refOrderedJSON is a JSON object that keeps the request's field order.
type refOrderedJSON []resource.Value

// MarshalJSON renders values in order; a reference to an object to be
// created becomes {"ref": "addr"} (see Plan.refJSONValues for the others).
func (o refOrderedJSON) MarshalJSON() ([]byte, error) {
	vals := make([]resource.Value, len(o))
	for i, v := range o {
		vals[i] = refJSONValue(v)
	}
	return resource.EncodeBody(vals, nil)
}

// refJSONValues replaces the references to objects that exist already by
// their ids, as README's format says: only an object still to be created
// is {"ref": "addr"}.
func (p *Plan) refJSONValues(vals []resource.Value) refOrderedJSON {
	out := make(refOrderedJSON, len(vals))
	for i, v := range vals {
		if id, ok := p.knownID(v); ok {
			v = resource.Value{Wire: v.Wire, Type: resource.Reference, Text: id}
		}
		out[i] = v
	}
	return out
}

func refJSONValue(v resource.Value) resource.Value {
	if v.Type == resource.Reference && v.Ref != "" {
		b, _ := json.Marshal(map[string]string{"ref": v.Ref})
		return resource.Value{Wire: v.Wire, Raw: b}
	}
	return v
}

// renderJSONReference is RenderJSON as it was first written: the whole
// document built in memory and encoded by encoding/json. The streaming
// RenderJSON must give the same bytes.
func (p *Plan) renderJSONReference(w io.Writer) error {
	jp := refJSONPlan{FormatVersion: FormatVersion, Summary: p.Counts(), Previews: p.Previews(),
		Steps: make([]refJSONStep, 0, len(p.Steps)), Orphans: []refJSONOrphan{}}
	if jp.Previews == nil {
		jp.Previews = []FilePreview{}
	}
	for _, s := range p.Steps {
		js := refJSONStep{Address: s.Addr, Kind: s.Kind, Action: s.Action, Verify: s.Verify,
			DependsOn: s.Deps, Changes: s.Changes}
		if js.DependsOn == nil {
			js.DependsOn = []string{}
		}
		if s.Existing != nil {
			js.ID = s.Existing.ID
		}
		if s.Action == Create {
			js.Method, js.Path, js.Body = "POST", resource.Get(s.Kind).Path, p.refJSONValues(s.Body)
			if len(s.Query) > 0 {
				js.Query = map[string]json.RawMessage{}
				for _, q := range s.Query {
					b, err := p.refJSONValues([]resource.Value{q}).MarshalJSON()
					if err != nil {
						return err
					}
					var m map[string]json.RawMessage
					if err := json.Unmarshal(b, &m); err != nil {
						return err
					}
					js.Query[q.Wire] = m[q.Wire]
				}
			}
		}
		jp.Steps = append(jp.Steps, js)
	}
	for _, o := range p.Orphans {
		jp.Orphans = append(jp.Orphans, refJSONOrphan{Address: o.Addr, Kind: o.Kind, ID: o.ID})
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(jp)
}
