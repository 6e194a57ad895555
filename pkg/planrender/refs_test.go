package planrender

import (
	"bytes"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

func acme(t *testing.T) *manifest.Set {
	t.Helper()
	set, err := manifest.Load(filepath.Join("..", "..", "examples", "acme.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func compile(t *testing.T, st *state.State) *plan.Plan {
	t.Helper()
	p, err := plan.Compile(acme(t), st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// applied is the state after fresh was applied, each object with id 100+i.
func applied(fresh *plan.Plan) *state.State {
	st := &state.State{Objects: map[string]*state.Object{}}
	for i, s := range fresh.Steps {
		st.Objects[s.Addr] = &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(100 + i),
			Status: state.StatusCreated, Hash: s.Hash, Spec: s.Spec}
	}
	return st
}

// TestRenderedReferences checks that every rendering shows the id a
// reference will carry when its target exists already, and the target's
// address only when it is still to be created.
func TestRenderedReferences(t *testing.T) {
	fresh := compile(t, nil)
	// Catalog and customer exist; the file and its lines are to be created.
	partial := applied(fresh)
	for addr := range partial.Objects {
		if strings.Contains(addr, ".file.") {
			delete(partial.Objects, addr)
		}
	}
	render := map[string]func(*plan.Plan, *bytes.Buffer) error{
		"text":     func(p *plan.Plan, b *bytes.Buffer) error { return Text(b, p) },
		"json":     func(p *plan.Plan, b *bytes.Buffer) error { return JSON(b, p, "test") },
		"markdown": func(p *plan.Plan, b *bytes.Buffer) error { return Markdown(b, p) },
	}
	cases := []struct {
		name, format string
		st           *state.State
		want, not    []string
	}{
		{"fresh text", "text", nil,
			[]string{"fileable_id=(id of customer.acme)", "item_id                   = (id of item.sip-trunk-2ch)"},
			[]string{"= 101"}},
		{"existing text", "text", partial,
			[]string{"POST /v1/customer-files?fileable_type=customer&fileable_id=102\n",
				"item_id                   = 101 (item.sip-trunk-2ch)",
				"customer_file_id          = (id of customer.acme.file.main-2026)"},
			[]string{"(id of customer.acme)\n", "(id of item.sip-trunk-2ch)"}},
		{"fresh json", "json", nil,
			[]string{`"fileable_id":{"ref":"customer.acme"}`, `"item_id":{"ref":"item.sip-trunk-2ch"}`, `"selling_price_without_tax":"19.90"`},
			[]string{`"fileable_id":102`}},
		{"existing json", "json", partial,
			[]string{`"fileable_id":102`, `"item_id":101`, `"customer_file_id":{"ref":"customer.acme.file.main-2026"}`},
			[]string{`{"ref":"customer.acme"}`, `"ref":"item.sip-trunk-2ch"`}},
		{"existing markdown", "markdown", partial,
			[]string{"fileable_id=102 ", "item_id=101 (item.sip-trunk-2ch)", "customer_file_id=(id of customer.acme.file.main-2026)"},
			[]string{"(id of customer.acme)", "(id of item.sip-trunk-2ch)"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := compile(t, c.st)
			var b bytes.Buffer
			if err := render[c.format](p, &b); err != nil {
				t.Fatal(err)
			}
			out := b.String()
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %q:\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("output has %q:\n%s", n, out)
				}
			}
		})
	}
}

// TestJSONUpdate checks the JSON of an update: PUT to the object, only the
// changed fields, before/after, a reset as null, and valid JSON overall.
func TestJSONUpdate(t *testing.T) {
	fresh := compile(t, nil)
	st := applied(fresh)
	seats := st.Objects["customer.acme.file.main-2026.licence.sip-trunk"]
	seats.Spec = map[string]string{}
	for k, v := range fresh.ByAddr[seats.Addr].Spec {
		seats.Spec[k] = v
	}
	seats.Spec["quantity"], seats.Spec["active"], seats.Hash = "3", "false", "old"
	p := compile(t, st)
	var b bytes.Buffer
	if err := JSON(&b, p, "test"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		FormatVersion string `json:"format_version"`
		Summary       plan.Counts
		Steps         []struct {
			Address, Action, Method, Path string
			Body                          map[string]any
			Changes                       []struct {
				Field         string
				Before, After *string
				Reset         bool
			}
		}
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v\n%s", err, b.String())
	}
	if doc.FormatVersion != FormatVersion || doc.Summary.Update != 1 || doc.Summary.NoOp != 6 {
		t.Fatalf("version %q summary %+v", doc.FormatVersion, doc.Summary)
	}
	for _, s := range doc.Steps {
		if s.Address != seats.Addr {
			if s.Method != "" || s.Body != nil {
				t.Errorf("no-op %s has a request %s %v", s.Address, s.Method, s.Body)
			}
			continue
		}
		if s.Action != "update" || s.Method != "PUT" || s.Path != "/v1/customer-files/licences/104" {
			t.Errorf("seats: %s %s %s", s.Action, s.Method, s.Path)
		}
		if len(s.Body) != 2 || s.Body["quantity"] != "5" || s.Body["active"] != nil {
			t.Errorf("seats body = %v, want quantity 5 and active null", s.Body)
		}
		if _, ok := s.Body["active"]; !ok {
			t.Errorf("seats body lacks the reset active: %v", s.Body)
		}
		if len(s.Changes) != 2 || *s.Changes[0].Before != "3" || *s.Changes[0].After != "5" ||
			!s.Changes[1].Reset || s.Changes[1].After != nil {
			t.Errorf("seats changes = %+v", s.Changes)
		}
	}
}
