package apply

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// failingPuts fails the first n PUTs as a server that is down would.
type failingPuts struct {
	*fakeAPI
	n int
}

func (f *failingPuts) Update(ctx context.Context, k resource.Kind, id int64, body []byte) (*bluerocktel.Record, error) {
	if f.n > 0 {
		f.n--
		return nil, &bluerocktel.APIError{Method: "PUT", Path: resource.Get(k).ObjectPath(id), Status: 503, Message: "Service Unavailable"}
	}
	return f.fakeAPI.Update(ctx, k, id, body)
}

func runComplete(t *testing.T, api Client, path string) (*Result, *state.State) {
	t.Helper()
	set, err := manifest.Load(filepath.Join("..", "..", "examples", "acme-complete.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	store := openStore(t, path)
	p, err := plan.Compile(set, store.State(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res := Run(context.Background(), p, api, store, Options{Parallelism: 4})
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	return res, st
}

// TestFollowUpPut: once the file and its contacts exist, one PUT to the
// file's id carries contact_ids and billing_next; state records it under
// the follow-up's address with the file's id. A PUT that fails leaves no
// record, and the next run sends it again.
func TestFollowUpPut(t *testing.T) {
	const links = fileAddr + ".links"
	tests := []struct {
		name     string
		failPuts int
		first    Result // counts of the first run
	}{
		{"applied", 0, Result{Created: 12, Updated: 2}},
		{"a PUT fails, the next run sends it", 1, Result{Created: 12, Updated: 1, Failed: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fake := newFake()
			api := &failingPuts{fakeAPI: fake, n: tt.failPuts}
			path := filepath.Join(t.TempDir(), "state")
			res, st := runComplete(t, api, path)
			if res.Created != tt.first.Created || res.Updated != tt.first.Updated || res.Failed != tt.first.Failed {
				t.Fatalf("first run: %+v, want %+v", res, tt.first)
			}
			if tt.failPuts > 0 {
				res, st = runComplete(t, api, path)
				if res.Created != 0 || res.Updated != 1 || !res.OK() {
					t.Fatalf("second run: %+v, want the one PUT left", res)
				}
			}
			file, rec := st.Get(fileAddr), st.Get(links)
			if rec == nil || rec.ID != file.ID || rec.Kind != string(resource.CustomerFile) {
				t.Fatalf("state has %s as %+v, want the file's id %d", links, rec, file.ID)
			}
			want := fmt.Sprintf("[%d,%d]", st.Get("customer.acme.contact.billing").ID, st.Get("customer.acme.contact.tech").ID)
			for _, o := range fake.stored[resource.CustomerFile] {
				if o.id == file.ID && (o.fields["contact_ids"] != want || o.fields["billing_next"] != "2026-05-01") {
					t.Errorf("file stored %v, want contact_ids %s and billing_next", o.fields, want)
				}
			}
			if res, _ := runComplete(t, api, path); res.Created+res.Updated+res.Failed != 0 {
				t.Errorf("rerun did something: %+v", res)
			}
		})
	}
}

// TestPlanAndApplyCountAlike: the plan's counts are what apply reports
// (the files' follow-up PUTs are updates in both), and a rerun counts
// every step up to date.
func TestPlanAndApplyCountAlike(t *testing.T) {
	set, err := manifest.Load(filepath.Join("..", "..", "examples", "acme-complete.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "state")
	store := openStore(t, path)
	p, err := plan.Compile(set, store.State(), plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Counts()
	res := Run(context.Background(), p, newFake(), store, Options{Parallelism: 4})
	if err := store.Close(); err != nil {
		t.Fatal(err)
	}
	if res.Created != c.Create || res.Updated != c.Update || res.Unchanged != c.NoOp || c.Update == 0 {
		t.Errorf("plan counts %+v, apply reports %+v", c, res)
	}
	st, _, err := state.Read(path)
	if err != nil {
		t.Fatal(err)
	}
	again, err := plan.Compile(set, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// (the two files' links: follow-up updates with nothing to send)
	if got := again.Counts(); got != (plan.Counts{NoOp: c.Create + c.Update, FollowUpNoOp: c.Update}) {
		t.Errorf("rerun counts %+v, want %d up to date, %d of them follow-ups", got, c.Create+c.Update, c.Update)
	}
}
