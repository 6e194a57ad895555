package apply

import (
	"errors"
	"maps"
	"path/filepath"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

// recordingJournal keeps what is put, and can refuse.
type recordingJournal struct {
	put []state.Object
	err error
}

func (j *recordingJournal) Intent(state.Object) error { return errors.New("unexpected intent") }
func (j *recordingJournal) Remove(string) error       { return errors.New("unexpected remove") }
func (j *recordingJournal) Put(o state.Object) error {
	if j.err != nil {
		return j.err
	}
	j.put = append(j.put, o)
	return nil
}

// An object imported by id (no hash, no spec) gets the manifest's spec
// and hash recorded, and nothing else is written.
func TestRecordImported(t *testing.T) {
	set := acme(t)
	fresh, err := plan.Compile(set, nil, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st := &state.State{Objects: map[string]*state.Object{}}
	imported := map[string]bool{}
	for i, s := range fresh.Steps {
		if s.Of != "" {
			continue
		}
		o := &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(i + 1), Status: state.StatusCreated, Hash: s.Hash, Spec: s.Spec}
		if i%2 == 0 { // as `state import` leaves it
			o.Hash, o.Spec = "", nil
			imported[s.Addr] = true
		}
		st.Objects[s.Addr] = o
	}
	p, err := plan.Compile(set, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	var j recordingJournal
	if err := RecordImported(p, &j); err != nil {
		t.Fatal(err)
	}
	if len(j.put) != len(imported) || len(imported) == 0 {
		t.Fatalf("recorded %d objects, want the %d imported", len(j.put), len(imported))
	}
	for _, o := range j.put {
		s := p.ByAddr[o.Addr]
		if !imported[o.Addr] || !s.Imported {
			t.Errorf("%s recorded, but it was not imported", o.Addr)
			continue
		}
		if o.ID != st.Objects[o.Addr].ID || o.Status != state.StatusCreated || o.Hash != s.Hash || !maps.Equal(o.Spec, s.Spec) || o.Time.Before(start) {
			t.Errorf("%s recorded as %+v, want id %d, the manifest's hash %s and spec %v, now", o.Addr, o, st.Objects[o.Addr].ID, s.Hash, s.Spec)
		}
	}

	// The next plan diffs them: nothing left to import.
	path := filepath.Join(t.TempDir(), "s")
	store := openStore(t, path)
	for _, o := range st.Objects {
		if err := store.Put(*o); err != nil {
			t.Fatal(err)
		}
	}
	if err := RecordImported(p, store); err != nil {
		t.Fatal(err)
	}
	again, err := plan.Compile(set, store.State(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range again.Steps {
		if s.Imported || s.Action != plan.NoOp {
			t.Errorf("after recording, %s is %s (imported %v), want an up-to-date no-op", s.Addr, s.Action, s.Imported)
		}
	}

	j = recordingJournal{err: errors.New("disk full")}
	if err := RecordImported(p, &j); err == nil || err.Error() == "disk full" {
		t.Errorf("a failed write gave %v, want it wrapped with the address", err)
	}
}
