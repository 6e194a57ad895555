package plan

import (
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// appliedFrom is the state a full apply of set leaves: every object created,
// ids from 1 in plan order, each recorded from file.
func appliedFrom(t *testing.T, set *manifest.Set, file string) *state.State {
	t.Helper()
	p, err := Compile(set, nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := &state.State{Objects: map[string]*state.Object{}}
	for i, s := range p.Steps {
		st.Objects[s.Addr] = &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(i + 1),
			Status: state.StatusCreated, Hash: s.Hash, Spec: s.Spec, File: file}
	}
	return st
}

// catalogOnly is fixture() without the customer (removed from the
// manifests), with the given decisions.
func catalogOnly(removed ...manifest.Removal) *manifest.Set {
	full := fixture()
	set := &manifest.Set{ByAddr: map[string]*manifest.Object{}, Removed: removed}
	for _, o := range full.Objects {
		if o.Customer() == nil {
			set.Objects = append(set.Objects, o)
			set.ByAddr[o.Addr] = o
		}
	}
	return set
}

func removal(addr string, then resource.End, date string) manifest.Removal {
	k, _ := manifest.KindOf(addr)
	return manifest.Removal{Addr: addr, Kind: k, Then: then, Date: date, Pos: manifest.Pos{File: "removed.yaml", Line: 2, Col: 14}}
}

const (
	custAddr = "customer.acme"
	mainAddr = "customer.acme.file.main"
	recAddr  = "customer.acme.file.main.recurring.trunk"
	iniAddr  = "customer.acme.file.main.initial.setup"
	licAddr  = "customer.acme.file.main.licence.seats"
)

// TestEndActions: each decision is a complete operation: its action, its
// request, and the object after it in Spec.
func TestEndActions(t *testing.T) {
	st := appliedFrom(t, fixture(), "acme.yaml")
	tests := []struct {
		name    string
		removed []manifest.Removal
		want    []string // "action addr METHOD path body-or-spec"
		counts  Counts
	}{
		{"orphans only", nil, nil, Counts{NoOp: 2, Orphan: 5}},
		{"deactivate a line", []manifest.Removal{removal(recAddr, resource.Deactivate, "")},
			[]string{"deactivate " + recAddr + " PUT /v1/customer-files/recurrings/7 active=false"},
			Counts{Deactivate: 1, NoOp: 2, Orphan: 4}},
		{"stop the customer", []manifest.Removal{removal(custAddr, resource.Stop, "2026-12-31")},
			[]string{
				"stop " + mainAddr + " PUT /v1/customer-files/4 services_stop=2026-12-31",
				"stop " + iniAddr + "  ",
				"stop " + licAddr + "  ",
				"stop " + recAddr + "  ",
				"stop " + custAddr + "  ", // after its file's stop
			}, Counts{Stop: 5, NoOp: 2}},
		{"delete the file", []manifest.Removal{removal(mainAddr, resource.Delete, ""), removal(custAddr+".x", resource.Forget, "")},
			[]string{
				"delete " + iniAddr + " DELETE /v1/customer-files/initials/6 ",
				"delete " + licAddr + " DELETE /v1/customer-files/licences/5 ",
				"delete " + recAddr + " DELETE /v1/customer-files/recurrings/7 ",
				"delete " + mainAddr + " DELETE /v1/customer-files/4 ",
			}, Counts{Delete: 4, NoOp: 2, Orphan: 1}},
		{"forget the customer", []manifest.Removal{removal(custAddr, resource.Forget, "")},
			[]string{"forget " + custAddr + "  ", "forget " + mainAddr + "  ", "forget " + iniAddr + "  ", "forget " + licAddr + "  ", "forget " + recAddr + "  "},
			Counts{Forget: 5, NoOp: 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := Compile(catalogOnly(tt.removed...), st, Options{Today: "2026-06-01"})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, s := range p.Steps {
				if !s.Action.Ends() {
					continue
				}
				var body []string
				for _, v := range s.Body {
					body = append(body, v.Wire+"="+v.Text)
				}
				got = append(got, string(s.Action)+" "+s.Addr+" "+s.Method+" "+s.Path+" "+strings.Join(body, ","))
				switch s.Action {
				case Deactivate:
					if s.Spec["active"] != "false" {
						t.Errorf("%s: spec after = %v, want active false", s.Addr, s.Spec)
					}
				case Stop:
					if s.Kind == resource.CustomerFile && s.Spec["services_stop"] != "2026-12-31" {
						t.Errorf("%s: spec after = %v, want services_stop", s.Addr, s.Spec)
					}
				case Delete, Forget:
					if s.Spec != nil {
						t.Errorf("%s: %s leaves a spec %v", s.Addr, s.Action, s.Spec)
					}
				}
			}
			for i := range got {
				got[i] = strings.TrimRight(got[i], " ")
			}
			want := slices.Clone(tt.want)
			for i := range want {
				want[i] = strings.TrimRight(want[i], " ")
			}
			if !slices.Equal(got, want) {
				t.Errorf("end steps:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
			if c := p.Counts(); c != tt.counts {
				t.Errorf("counts = %+v, want %+v", c, tt.counts)
			}
		})
	}
}

// TestDeleteOrder: a file's DELETE waits for its lines', and a stop that
// sends nothing waits for the file's PUT.
func TestDeleteOrder(t *testing.T) {
	st := appliedFrom(t, fixture(), "acme.yaml")
	p, err := Compile(catalogOnly(removal(mainAddr, resource.Delete, "")), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.ByAddr[mainAddr].Deps; !slices.Equal(d, []string{iniAddr, licAddr, recAddr}) {
		t.Errorf("file delete depends on %v, want its three lines", d)
	}
	p, err = Compile(catalogOnly(removal(custAddr, resource.Stop, "2026-12-31")), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if d := p.ByAddr[custAddr].Deps; !slices.Equal(d, []string{mainAddr}) {
		t.Errorf("customer stop depends on %v, want its file's stop", d)
	}
}

// TestEndSettled: once applied, a decision is a no-op (Settled), and an
// ended object is no orphan even when its entry is gone.
func TestEndSettled(t *testing.T) {
	st := appliedFrom(t, fixture(), "acme.yaml")
	st.Objects[recAddr].Ended, st.Objects[recAddr].Spec["active"] = "deactivate", "false"
	delete(st.Objects, iniAddr)
	p, err := Compile(catalogOnly(removal(recAddr, resource.Deactivate, ""), removal(iniAddr, resource.Delete, "")), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Settled) != 2 || p.HasChanges() {
		t.Errorf("settled = %+v, changes %v; want both entries settled, nothing to do", p.Settled, p.HasChanges())
	}
	p, err = Compile(catalogOnly(), st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range p.Orphans {
		if o.Addr == recAddr {
			t.Errorf("a deactivated line is reported as an orphan")
		}
	}
}

// TestEndRefused: a deactivate or stop of an address the state does not
// know is refused at the entry; a decision the contained kinds do not
// allow too.
func TestEndRefused(t *testing.T) {
	st := appliedFrom(t, fixture(), "acme.yaml")
	_, err := Compile(catalogOnly(removal("customer.globex", resource.Stop, "2026-12-31")), st, Options{})
	var de *DecisionError
	if !errors.As(err, &de) || !strings.Contains(err.Error(), "removed.yaml:2:14: removed customer.globex: the state does not know this address") {
		t.Errorf("unknown address: %v", err)
	}
}

// TestCommitment: ending a committed line early is flagged with the end
// of the commitment and the months left; today is injected.
func TestCommitment(t *testing.T) {
	spec := resource.Get(resource.Recurring)
	rec := map[string]string{"commitment": "24", "service_start": "2026-01-31"}
	tests := []struct {
		action      Action
		stop, today string
		want        *Commitment
	}{
		{Deactivate, "", "2026-06-01", &Commitment{Ends: "2028-01-31", MonthsLeft: 20}},
		{Delete, "", "2028-01-30", &Commitment{Ends: "2028-01-31", MonthsLeft: 1}},
		{Delete, "", "2028-01-31", nil},
		{Stop, "2027-12-31", "2026-06-01", &Commitment{Ends: "2028-01-31", MonthsLeft: 1}},
		{Stop, "2028-02-15", "2026-06-01", nil},
		{Forget, "", "2026-06-01", nil},
	}
	for _, tt := range tests {
		got := commitment(spec, rec, tt.action, tt.stop, tt.today)
		if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
			t.Errorf("%s stop %s today %s = %+v, want %+v", tt.action, tt.stop, tt.today, got, tt.want)
		}
	}
	if c := commitment(resource.Get(resource.Initial), rec, Delete, "", "2026-06-01"); c != nil {
		t.Errorf("a kind without commitment is flagged: %+v", c)
	}
}

// TestScopeAndFiles: --target plans the object, what it contains and
// what it needs, and reports orphans within it only; a plan of some of
// the files reports the orphans of those files only.
func TestScopeAndFiles(t *testing.T) {
	st := appliedFrom(t, fixture(), "acme.yaml")
	st.Objects["customer.globex"] = &state.Object{Addr: "customer.globex", Kind: "customer", ID: 99, Status: state.StatusCreated, File: "globex.yaml"}
	set := fixture()
	set.Files = []string{"acme.yaml", "catalog.yaml"}
	p, err := Compile(set, st, Options{Targets: []string{recAddr}})
	if err != nil {
		t.Fatal(err)
	}
	var addrs []string
	for _, s := range p.Steps {
		addrs = append(addrs, s.Addr)
	}
	want := []string{"family.voip", "item.sip", custAddr, mainAddr, recAddr}
	if !slices.Equal(addrs, want) || len(p.Orphans) != 0 {
		t.Errorf("target steps %v orphans %d, want %v and none", addrs, len(p.Orphans), want)
	}
	p, err = Compile(set, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Orphans) != 0 {
		t.Errorf("globex.yaml was not planned, but its customer is reported: %v", p.Orphans[0].Addr)
	}
	set.Files = append(set.Files, "globex.yaml")
	if p, err = Compile(set, st, Options{}); err != nil || len(p.Orphans) != 1 {
		t.Errorf("with globex.yaml planned: orphans %v (%v), want customer.globex", p.Orphans, err)
	}
	var te *TargetError
	if _, err := Compile(set, st, Options{Targets: []string{"customer.nobody"}}); !errors.As(err, &te) {
		t.Errorf("unknown target: %v", err)
	}
}

// TestDeleteReferredBy: a delete of an object that lines staying in
// BlueRockTEL still refer to is flagged; lines deleted with it are not
// counted.
func TestDeleteReferredBy(t *testing.T) {
	st := appliedFrom(t, fixture(), "acme.yaml")
	st.Objects[recAddr].Ended = "deactivate"
	set := catalogOnly(removal("item.sip", resource.Delete, ""), removal(iniAddr, resource.Delete, ""), removal(licAddr, resource.Forget, ""))
	// The item is no longer declared either.
	set.Objects = set.Objects[:1]
	delete(set.ByAddr, "item.sip")
	set.Removed = append(set.Removed, removal(recAddr, resource.Deactivate, ""))
	p, err := Compile(set, st, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := p.ByAddr["item.sip"].ReferredBy; !slices.Equal(got, []string{recAddr}) {
		t.Errorf("item delete referred by %v, want only the deactivated line (the initial is deleted, the licence forgotten)", got)
	}
	if d := p.ByAddr["item.sip"].Deps; !slices.Equal(d, []string{iniAddr}) {
		t.Errorf("item delete depends on %v, want the initial's delete", d)
	}
}
