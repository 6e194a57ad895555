package apply

import (
	"context"
	"fmt"
	"net/url"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// instantAPI creates everything at once, in memory.
type instantAPI struct{ next atomic.Int64 }

func (a *instantAPI) Create(context.Context, resource.Kind, url.Values, []byte) (*bluerocktel.Record, error) {
	return &bluerocktel.Record{ID: a.next.Add(1)}, nil
}

func (a *instantAPI) Lookup(context.Context, resource.Kind, url.Values, map[string]string) ([]*bluerocktel.Record, error) {
	return nil, nil
}

func (a *instantAPI) Update(_ context.Context, _ resource.Kind, id int64, _ []byte) (*bluerocktel.Record, error) {
	return &bluerocktel.Record{ID: id}, nil
}

// nullJournal records nothing.
type nullJournal struct{}

func (nullJournal) Intent(state.Object) error { return nil }
func (nullJournal) Put(state.Object) error    { return nil }
func (nullJournal) Remove(string) error       { return nil }

// BenchmarkApply runs whole applies of generated sets against an
// in-memory API at parallelism 16: the executor's own cost per object
// (scheduling, hand-offs, request building, events), with no journal and
// with the state journal (without fsync, which the end-to-end benchmark
// measures). ns/object must be about the same at 1,000 and 10,000
// customers.
func BenchmarkApply(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		dir := filepath.Join(b.TempDir(), "set")
		if err := generate.Write(dir, n, 1); err != nil {
			b.Fatal(err)
		}
		set, err := manifest.Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		objects := len(set.Objects)
		for _, journal := range []string{"none", "state"} {
			b.Run(fmt.Sprintf("journal=%s/customers=%d", journal, n), func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					b.StopTimer()
					p, err := plan.Compile(set, nil, plan.Options{})
					if err != nil {
						b.Fatal(err)
					}
					var j Journal = nullJournal{}
					var store *state.Store
					if journal == "state" {
						store, err = state.Open(filepath.Join(b.TempDir(), "s"), state.Options{NoSync: true})
						if err != nil {
							b.Fatal(err)
						}
						j = store
					}
					events := 0
					b.StartTimer()
					res := Run(context.Background(), p, &instantAPI{}, j, Options{Parallelism: 16,
						OnEvent: func(Event) { events++ }})
					b.StopTimer()
					if !res.OK() || res.Created != objects || events != 2*objects {
						b.Fatalf("result %+v, %d events", res, events)
					}
					if store != nil {
						if err := store.Close(); err != nil {
							b.Fatal(err)
						}
					}
					b.StartTimer()
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(objects), "ns/object")
			})
		}
	}
}
