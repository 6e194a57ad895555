package apply

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// deleteFault is what the fake API does with one DELETE.
type deleteFault int

const (
	delOK       deleteFault = iota
	delLost                 // deleted, the answer lost (the retries too)
	delLostKept             // not deleted, the answer lost
	delGone                 // 404: deleted already
)

// endAPI is fakeAPI with DELETE and GET: a DELETE of an object another
// stored object refers to (a line's customer_file_id) is refused with a
// 422, as the API does.
type endAPI struct {
	*fakeAPI
	faults  map[resource.Kind]deleteFault
	deletes []string
	gets    int
}

func (f *endAPI) Delete(_ context.Context, k resource.Kind, id int64) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deletes = append(f.deletes, string(k))
	for _, objs := range f.stored {
		for _, o := range objs {
			if o.fields["customer_file_id"] == strconv.FormatInt(id, 10) && k == resource.CustomerFile {
				return &bluerocktel.APIError{Method: "DELETE", Path: resource.Get(k).ObjectPath(id), Status: 422, Message: "The file still has lines."}
			}
		}
	}
	fl := f.faults[k]
	if fl == delGone { // deleted already (by someone else, or an earlier retry)
		f.remove(k, id)
		return &bluerocktel.APIError{Method: "DELETE", Status: 404, Message: "Not found."}
	}
	if fl != delLostKept {
		f.remove(k, id)
	}
	if fl == delLost || fl == delLostKept {
		return errors.New("DELETE: connection reset by peer")
	}
	return nil
}

func (f *endAPI) Get(_ context.Context, k resource.Kind, id int64) (*bluerocktel.Record, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.gets++
	for _, o := range f.stored[k] {
		if o.id == id {
			return &bluerocktel.Record{ID: id}, nil
		}
	}
	return nil, &bluerocktel.APIError{Method: "GET", Status: 404, Message: "Not found."}
}

func (f *endAPI) remove(k resource.Kind, id int64) {
	objs := f.stored[k]
	for i, o := range objs {
		if o.id == id {
			f.stored[k] = append(objs[:i:i], objs[i+1:]...)
			return
		}
	}
}

// withoutFile is examples/acme.yaml without its customer file, deleted by
// a removed: entry.
func withoutFile(t *testing.T) *manifest.Set {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "examples", "acme.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text := string(b)
	text = text[:strings.Index(text, "    files:")] + "removed:\n  - address: " + fileAddr + "\n    then: delete\n"
	p := filepath.Join(t.TempDir(), "acme.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := manifest.Load(p)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// TestDeleteFile: deleting a file deletes its lines first, then the file
// (the fake refuses a file with lines, as the API does); a lost answer is
// settled by a GET (404: done), a 404 is done; a DELETE lost and not done
// fails, and the file waiting on it is skipped. Deleted objects leave the
// state, the file's follow-up record with it.
func TestDeleteFile(t *testing.T) {
	for _, tt := range []struct {
		name        string
		faults      map[resource.Kind]deleteFault
		deleted     int
		failed      int
		skipped     int
		gets        int
		stateLeft   int
		fileInState bool
	}{
		{"clean", nil, 4, 0, 0, 0, 3, false},
		{"lost answers and 404s", map[resource.Kind]deleteFault{resource.Licence: delLost, resource.Initial: delGone}, 4, 0, 0, 1, 3, false},
		{"lost and not done", map[resource.Kind]deleteFault{resource.Recurring: delLostKept}, 2, 1, 1, 1, 5, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			api := &endAPI{fakeAPI: newFake(), faults: tt.faults}
			statePath := filepath.Join(t.TempDir(), "onboard.state")
			if res, _ := run(t, api.fakeAPI, statePath, Options{}, plan.Options{}); !res.OK() {
				t.Fatalf("setup apply: %+v", res)
			}
			store := openStore(t, statePath)
			p, err := plan.Compile(withoutFile(t), store.State(), plan.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if c := p.Counts(); c.Delete != 4 {
				t.Fatalf("plan counts %+v, want 4 deletes (three lines, then the file)", c)
			}
			res := Run(context.Background(), p, api, store, Options{Parallelism: 4})
			if err := store.Close(); err != nil {
				t.Fatal(err)
			}
			if res.Deleted != tt.deleted || res.Failed != tt.failed || res.Skipped != tt.skipped || api.gets != tt.gets {
				t.Errorf("result %+v, %d GETs; want %d deleted, %d failed, %d skipped, %d GETs", res, api.gets, tt.deleted, tt.failed, tt.skipped, tt.gets)
			}
			if n := len(api.deletes); n > 0 && api.deletes[n-1] == string(resource.CustomerFile) && tt.failed > 0 {
				t.Errorf("the file's DELETE was sent after a line's failed: %v", api.deletes)
			}
			st, _, err := state.Read(statePath)
			if err != nil {
				t.Fatal(err)
			}
			if st.Len() != tt.stateLeft || (st.Get(fileAddr) != nil) != tt.fileInState {
				t.Errorf("state holds %d objects (file: %v), want %d (file: %v)", st.Len(), st.Get(fileAddr) != nil, tt.stateLeft, tt.fileInState)
			}
		})
	}
}
