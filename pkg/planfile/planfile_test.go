package planfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

var update = flag.Bool("update", false, "rewrite the golden files")

var testOrigin = Origin{Manifests: []string{"../../examples/acme-complete.yaml"}, Digest: "d1g35t",
	State: "onboard.state", StateLineage: "l1n", StateSerial: 7, API: "http://api.test/api", Tool: "onboard test"}

// recorded is when the test state's objects were written.
var recorded = time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)

func compile(t *testing.T, st *state.State) *plan.Plan {
	t.Helper()
	set, err := manifest.Load("../../examples/acme-complete.yaml")
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(set, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// changedPlan is a plan of acme-complete against a state where every
// object exists but the lines' price and quantity changed (updates, with
// a billing preview before and after) and an object the manifest no
// longer declares (an orphan).
func changedPlan(t *testing.T) *plan.Plan {
	t.Helper()
	fresh := compile(t, nil)
	st := &state.State{Objects: map[string]*state.Object{}}
	for i, s := range fresh.Steps {
		if s.Of != "" {
			continue // a follow-up's object is its owner's
		}
		o := &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(100 + i), Status: state.StatusCreated,
			Hash: s.Hash, Spec: s.Spec, Returned: map[string]string{"customer_account": "CL1"}, Time: recorded}
		if resource.Get(s.Kind).Charge != resource.NoCharge {
			o.Spec = map[string]string{}
			for k, v := range s.Spec {
				o.Spec[k] = v
			}
			for _, f := range resource.Get(s.Kind).Fields {
				if f.Billing != resource.NotBilled && o.Spec[f.WireName()] != "" {
					o.Spec[f.WireName()] = "3"
				}
			}
			o.Hash = "before"
		}
		st.Objects[s.Addr] = o
	}
	st.Objects["customer.gone"] = &state.Object{Addr: "customer.gone", Kind: "customer", ID: 9, Status: state.StatusCreated,
		Hash: "h", Spec: map[string]string{"name": "Gone Ltd"}, Time: recorded}
	p := compile(t, st)
	c := p.Counts()
	if c.Update == 0 || c.Orphan != 1 || len(p.Previews) == 0 {
		t.Fatalf("the test plan has %+v and %d previews; want updates, an orphan and previews", c, len(p.Previews))
	}
	return p
}

func roundTrip(t *testing.T, p *plan.Plan) *File {
	t.Helper()
	path := filepath.Join(t.TempDir(), "plan.onboard")
	if err := New(p, testOrigin).Write(path); err != nil {
		t.Fatal(err)
	}
	if !IsPlan(path) {
		t.Fatal("IsPlan: false for a saved plan")
	}
	f, err := Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestRoundTrip(t *testing.T) {
	for _, tt := range []struct {
		name string
		plan func(*testing.T) *plan.Plan
	}{
		{"new", func(t *testing.T) *plan.Plan { return compile(t, nil) }},
		{"changed", changedPlan},
	} {
		t.Run(tt.name, func(t *testing.T) {
			p := tt.plan(t)
			f := roundTrip(t, p)
			if !reflect.DeepEqual(f.Origin, testOrigin) {
				t.Errorf("origin %+v, want %+v", f.Origin, testOrigin)
			}
			got := f.Plan()
			// An empty list is saved as none: the same to every reader.
			normalise(reflect.ValueOf(p))
			if len(got.Steps) != len(p.Steps) {
				t.Fatalf("%d steps, want %d", len(got.Steps), len(p.Steps))
			}
			for i := range p.Steps {
				if !reflect.DeepEqual(got.Steps[i], p.Steps[i]) {
					t.Errorf("step %d:\n got %+v\nwant %+v", i, got.Steps[i], p.Steps[i])
				}
				if got.ByAddr[p.Steps[i].Addr] != got.Steps[i] {
					t.Errorf("ByAddr[%s] is not the step", p.Steps[i].Addr)
				}
			}
			if !reflect.DeepEqual(got.Orphans, p.Orphans) {
				t.Errorf("orphans:\n got %+v\nwant %+v", got.Orphans, p.Orphans)
			}
			if !reflect.DeepEqual(got.Titles, p.Titles) {
				t.Errorf("titles:\n got %v\nwant %v", got.Titles, p.Titles)
			}
			if !reflect.DeepEqual(got.Previews, p.Previews) {
				t.Errorf("previews:\n got %+v\nwant %+v", got.Previews, p.Previews)
			}
			if got.Counts() != p.Counts() {
				t.Errorf("counts %+v, want %+v", got.Counts(), p.Counts())
			}
		})
	}
}

// The file's bytes, so that a format change shows in review (-update
// rewrites it).
func TestGolden(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.onboard")
	if err := New(changedPlan(t), testOrigin).Write(path); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "changed.plan.json")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(golden, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run with -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("the saved plan differs from %s (a format change? bump Version if old files read differently, then -update):\n%s", golden, got)
	}
}

// A plan saved in another format version is refused with what to do;
// nothing of it is read.
func TestReadRefusesOtherVersions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.onboard")
	if err := New(compile(t, nil), testOrigin).Write(path); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		version int
		want    string
	}{
		{Version + 1, "saved plan format 4 is newer than this onboard reads (format 3): apply it with the onboard that made it, or make the plan again with this version"},
		{1, "saved plan format 1; this onboard reads format 3: make the plan again with this version"},
	} {
		other := bytes.Replace(b, []byte(`"format_version": 3,`), fmt.Appendf(nil, `"format_version": %d,`, tt.version), 1)
		if bytes.Equal(other, b) {
			t.Fatal("no format_version in the file")
		}
		p := filepath.Join(t.TempDir(), "other.onboard")
		if err := os.WriteFile(p, other, 0o644); err != nil {
			t.Fatal(err)
		}
		f, err := Read(p)
		var ve *VersionError
		if !errors.As(err, &ve) || ve.Version != tt.version || f != nil {
			t.Fatalf("format %d: Read = %v, %v; want a *VersionError", tt.version, f, err)
		}
		if want := p + ": " + tt.want; err.Error() != want {
			t.Errorf("format %d:\n got %s\nwant %s", tt.version, err, want)
		}
	}
}

func TestReadRefusesUnknownType(t *testing.T) {
	path := filepath.Join(t.TempDir(), "plan.onboard")
	if err := New(compile(t, nil), testOrigin).Write(path); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	b = bytes.Replace(b, []byte(`"type": "string"`), []byte(`"type": "strung"`), 1)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Read(path); err == nil || !strings.Contains(err.Error(), `unknown type "strung"`) {
		t.Fatalf("Read = %v, want an unknown type refused", err)
	}
}

func TestTypeNames(t *testing.T) {
	for ty := resource.String; ty <= resource.ReferenceList; ty++ {
		if typeNames[ty] == "" {
			t.Errorf("resource.Type %d has no saved name", ty)
		}
	}
	if len(typeOf) != len(typeNames) {
		t.Error("two types share a saved name")
	}
}

// TestFormatMapsEveryField fails when a plan type gains a field the
// format does not save: every exported field of every type a saved plan
// holds is given a non-zero value, and must come back from the file.
// Map a new field in format.go (one conversion pair per type).
func TestFormatMapsEveryField(t *testing.T) {
	// The fields of plan.Plan the file saves, or rebuilds (ByAddr).
	planFields := []string{"Steps", "ByAddr", "Orphans", "Titles", "Previews", "Existing", "Settled"}
	slices.Sort(planFields)
	var have []string
	for f := range reflect.TypeFor[plan.Plan]().Fields() {
		have = append(have, f.Name)
	}
	slices.Sort(have)
	if !reflect.DeepEqual(have, planFields) {
		t.Errorf("plan.Plan has fields %v; the format maps %v: map the new one in toSaved and savedFile.plan", have, planFields)
	}

	var s plan.Step
	fill(t, reflect.ValueOf(&s).Elem(), "Step")
	var orphan state.Object
	fill(t, reflect.ValueOf(&orphan).Elem(), "Orphan")
	var fp plan.FilePreview
	fill(t, reflect.ValueOf(&fp).Elem(), "Preview")
	// A Billing's Charge is said by the list it is in.
	fp.OneTime.Charge = resource.OneTime
	for i := range fp.Cycles {
		fp.Cycles[i].Charge = resource.PerCycle
	}
	for i := range fp.Licences {
		fp.Licences[i].Charge = resource.PerRenewal
	}
	p := &plan.Plan{Steps: []*plan.Step{&s}, ByAddr: map[string]*plan.Step{s.Addr: &s}, Orphans: []*state.Object{&orphan},
		Titles: map[string]string{"customer.x": "X"}, Previews: []plan.FilePreview{fp}}

	got := roundTrip(t, p).Plan()
	compareFields(t, "plan.Step", reflect.ValueOf(*got.Steps[0]), reflect.ValueOf(s))
	compareFields(t, "state.Object", reflect.ValueOf(*got.Orphans[0]), reflect.ValueOf(orphan))
	compareFields(t, "plan.FilePreview", reflect.ValueOf(got.Previews[0]), reflect.ValueOf(fp))
	if !reflect.DeepEqual(got.ByAddr, map[string]*plan.Step{s.Addr: got.Steps[0]}) || !reflect.DeepEqual(got.Titles, p.Titles) {
		t.Errorf("plan: ByAddr %v, Titles %v", got.ByAddr, got.Titles)
	}
}

// notSaved are the fields of the plan types a saved plan deliberately
// leaves out (path as compareFields names it -> why), e.g. one the plan
// recomputes. None today: a Billing's Charge is saved by the list it is
// in (fixed up above).
var notSaved = map[string]string{}

// compareFields names each field that did not come back.
func compareFields(t *testing.T, name string, got, want reflect.Value) {
	t.Helper()
	if _, ok := notSaved[name]; ok || reflect.DeepEqual(got.Interface(), want.Interface()) {
		return
	}
	if got.Kind() != reflect.Struct {
		t.Errorf("%s: got %#v, want %#v: not saved, or not read back: map it in format.go, or list it in notSaved", name, got.Interface(), want.Interface())
		return
	}
	for i := range got.NumField() {
		f := got.Type().Field(i)
		if !f.IsExported() {
			continue
		}
		compareFields(t, name+"."+f.Name, got.Field(i), want.Field(i))
	}
}

// fill gives every exported field of v a distinct non-zero value.
func fill(t *testing.T, v reflect.Value, path string) {
	t.Helper()
	switch v.Type() {
	case reflect.TypeFor[time.Time]():
		v.Set(reflect.ValueOf(recorded))
		return
	case reflect.TypeFor[json.RawMessage]():
		v.Set(reflect.ValueOf(json.RawMessage(`{"raw":1}`)))
		return
	case reflect.TypeFor[resource.Type]():
		v.Set(reflect.ValueOf(resource.ReferenceList))
		return
	}
	switch v.Kind() {
	case reflect.String:
		v.SetString(path)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int64:
		v.SetInt(int64(len(path)))
	case reflect.Pointer:
		v.Set(reflect.New(v.Type().Elem()))
		fill(t, v.Elem(), path)
	case reflect.Slice:
		if strings.Count(path, "[0]") > 3 { // a Value's List holds Values
			return
		}
		v.Set(reflect.MakeSlice(v.Type(), 1, 1))
		fill(t, v.Index(0), path+"[0]")
	case reflect.Map:
		if v.Type().Key().Kind() != reflect.String || v.Type().Elem().Kind() != reflect.String {
			t.Fatalf("%s: fill knows maps of strings only, not %s", path, v.Type())
		}
		v.Set(reflect.ValueOf(map[string]string{path + ".key": path + ".value"}).Convert(v.Type()))
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(t, v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		}
	default:
		t.Fatalf("%s: fill does not know %s", path, v.Type())
	}
}

// normalise makes every empty slice and map reachable from v nil.
func normalise(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			normalise(v.Elem())
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				normalise(v.Field(i))
			}
		}
	case reflect.Slice:
		if v.Len() == 0 && !v.IsNil() && v.CanSet() {
			v.Set(reflect.Zero(v.Type()))
		}
		for i := range v.Len() {
			normalise(v.Index(i))
		}
	case reflect.Map:
		if v.Len() == 0 && !v.IsNil() && v.CanSet() {
			v.Set(reflect.Zero(v.Type()))
		}
		if v.Type().Elem().Kind() == reflect.Pointer {
			for _, k := range v.MapKeys() {
				normalise(v.MapIndex(k))
			}
		}
	}
}
