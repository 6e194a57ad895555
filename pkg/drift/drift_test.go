package drift

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/state"
)

func rec(id int64, fields map[string]string) *bluerocktel.Record {
	r := &bluerocktel.Record{ID: id, Fields: map[string]json.RawMessage{}}
	for k, v := range fields {
		r.Fields[k] = json.RawMessage(v)
	}
	return r
}

func TestBuild(t *testing.T) {
	const (
		line  = "customer.acme.file.main.recurring.trunk"
		cust  = "customer.acme"
		gone  = "customer.acme.file.old"
		extra = "customer.gone"
	)
	st := &state.State{Objects: map[string]*state.Object{
		line:  {Addr: line, Kind: "recurring", ID: 6, Status: state.StatusCreated, Hash: "h1", Spec: map[string]string{"quantity": "2", "label": "Trunk"}},
		cust:  {Addr: cust, Kind: "customer", ID: 1, Status: state.StatusCreated, Hash: "h2", Spec: map[string]string{"name": "Acme", "email_address": "a@acme.fr"}},
		gone:  {Addr: gone, Kind: "file", ID: 3, Status: state.StatusCreated, Hash: "h3", Spec: map[string]string{"name": "Old"}},
		extra: {Addr: extra, Kind: "customer", ID: 9, Status: state.StatusCreated, Hash: "h4", Spec: map[string]string{"name": "Gone Ltd"}},
	}}
	live := map[string]*refresh.Live{
		line:  {Addr: line, Kind: "recurring", ID: 6, Record: rec(6, map[string]string{"quantity": `"5.00"`, "label": `"Trunk"`})},
		cust:  {Addr: cust, Kind: "customer", ID: 1, Record: rec(1, map[string]string{"name": `"Acme"`, "email_address": `"b@acme.fr"`})},
		gone:  {Addr: gone, Kind: "file", ID: 3, Gone: true},
		extra: {Addr: extra, Kind: "customer", ID: 9, Record: rec(9, map[string]string{"name": `"Gone Ltd"`})},
	}
	steps := []*plan.Step{
		// The manifest still says 2: apply would restore it.
		{Addr: line, Kind: "recurring", Action: plan.Update, Spec: map[string]string{"quantity": "2", "label": "Trunk"},
			Changes: []plan.FieldChange{{Field: "quantity", Old: "5", New: "2", Drifted: true}}},
		// The manifest took BlueRockTEL's email already; it also renames.
		{Addr: cust, Kind: "customer", Action: plan.Update, Method: "PUT", Spec: map[string]string{"name": "Acme SAS", "email_address": "b@acme.fr"},
			Changes: []plan.FieldChange{{Field: "name", Old: "Acme", New: "Acme SAS"}}},
		{Addr: gone, Kind: "file", Action: plan.Create, Gone: true, Spec: map[string]string{"name": "Old"}},
		{Addr: "customer.new", Kind: "customer", Action: plan.Create, Method: "POST", Spec: map[string]string{"name": "New"}},
		{Addr: "family.voip", Kind: "family", Action: plan.NoOp},
	}
	p := &plan.Plan{Steps: steps, ByAddr: map[string]*plan.Step{}}
	for _, s := range steps {
		p.ByAddr[s.Addr] = s
	}
	r := Build(st, live, p, refresh.Stats{Objects: 4})

	if r.Clean() {
		t.Fatal("Clean with drift")
	}
	var addrs []string
	for _, o := range r.Drifted {
		addrs = append(addrs, o.Addr)
	}
	if got := strings.Join(addrs, " "); got != cust+" "+line+" "+gone {
		t.Fatalf("drifted %s", got)
	}
	c, l, g := r.Drifted[0], r.Drifted[1], r.Drifted[2]
	if len(c.Fields) != 1 || c.Fields[0] != (Field{Field: "email_address", State: "a@acme.fr", Live: "b@acme.fr", Manifest: "b@acme.fr", InManifests: true, Accepted: true}) {
		t.Errorf("customer fields %+v", c.Fields)
	}
	if !g.Gone || !g.Declared || len(g.Fields) != 0 {
		t.Errorf("gone file %+v", g)
	}
	if len(l.Fields) != 1 || l.Fields[0] != (Field{Field: "quantity", State: "2", Live: "5", Manifest: "2", InManifests: true}) {
		t.Errorf("line fields %+v", l.Fields)
	}
	// Pending: the rename and the new customer; not the drift repair of
	// the line, the re-create of the gone file, nor the no-op.
	if len(r.Pending) != 2 || r.Pending[0].Addr != cust || r.Pending[0].Fields[0] != "name" || r.Pending[1].Addr != "customer.new" || r.Pending[1].Action != plan.Create {
		t.Errorf("pending %+v", r.Pending)
	}

	var text, md bytes.Buffer
	if err := Text(&text, r); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"      email_address: a@acme.fr (state) -> b@acme.fr (in BlueRockTEL); the manifests say the same\n",
		"      quantity: 2 (state) -> 5 (in BlueRockTEL); manifests: 2\n",
		"  - customer file customer.acme.file.old #3: gone from BlueRockTEL (apply creates it again)\n",
		"  + customer customer.new\n",
		"Drift: 3 object(s) changed in BlueRockTEL, 2 change(s) not applied; 4 objects read in 0 requests.\n",
	} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text lacks %q:\n%s", want, text.String())
		}
	}
	if err := Markdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(md.String(), "### onboard drift: 3 changed in BlueRockTEL, 2 not applied\n") {
		t.Errorf("markdown:\n%s", md.String())
	}
}

func TestBuildClean(t *testing.T) {
	st := &state.State{Objects: map[string]*state.Object{
		"family.voip": {Addr: "family.voip", Kind: "family", ID: 1, Status: state.StatusCreated, Hash: "h", Spec: map[string]string{"name": "VoIP"}},
	}}
	live := map[string]*refresh.Live{"family.voip": {Addr: "family.voip", Kind: "family", ID: 1, Record: rec(1, map[string]string{"name": `"VoIP"`})}}
	s := &plan.Step{Addr: "family.voip", Kind: "family", Action: plan.NoOp, Spec: map[string]string{"name": "VoIP"}}
	r := Build(st, live, &plan.Plan{Steps: []*plan.Step{s}, ByAddr: map[string]*plan.Step{s.Addr: s}}, refresh.Stats{Objects: 1})
	if !r.Clean() {
		t.Fatalf("not clean: %+v", r)
	}
	var b bytes.Buffer
	if err := JSON(&b, r); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), `"clean": true`) || !strings.Contains(b.String(), `"drifted": []`) {
		t.Errorf("json:\n%s", b.String())
	}
}
