package plan

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/state"
)

// benchSizes are the customer counts of the plan benchmarks: time and
// allocations per object must be about the same at both (no quadratic
// step in graph building, the cycle check, previews or rendering).
var benchSizes = []int{1_000, 10_000}

var (
	benchSetsMu sync.Mutex
	benchSets   = map[int]*manifest.Set{}
)

// benchSet loads (once per process) a generated set of n customers:
// 2 + 5n objects.
func benchSet(b *testing.B, n int) *manifest.Set {
	b.Helper()
	benchSetsMu.Lock()
	defer benchSetsMu.Unlock()
	if set := benchSets[n]; set != nil {
		return set
	}
	dir := filepath.Join(b.TempDir(), "set")
	if err := generate.Write(dir, n, 1); err != nil {
		b.Fatal(err)
	}
	set, err := manifest.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	if len(set.Objects) != 2+5*n {
		b.Fatalf("generated %d objects, want %d", len(set.Objects), 2+5*n)
	}
	benchSets[n] = set
	return set
}

// appliedState is the state after applying p: every object created, so
// that a plan against it is all no-ops.
func appliedState(p *Plan) *state.State {
	st := &state.State{Objects: make(map[string]*state.Object, len(p.Steps))}
	for i, s := range p.Steps {
		st.Objects[s.Addr] = &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(i + 1),
			Status: state.StatusCreated, Hash: s.Hash, Spec: s.Spec}
	}
	return st
}

func reportPerObject(b *testing.B, objects int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(objects), "ns/object")
}

// BenchmarkCompile compiles a fresh plan (every object to create) and a
// plan against the state of a finished apply (every object a no-op), at
// 1,000 and 10,000 customers. ns/object must stay flat.
func BenchmarkCompile(b *testing.B) {
	for _, n := range benchSizes {
		set := benchSet(b, n)
		objects := len(set.Objects)
		b.Run(fmt.Sprintf("fresh/customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Compile(set, nil, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			reportPerObject(b, objects)
		})
		p, err := Compile(set, nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		st := appliedState(p)
		b.Run(fmt.Sprintf("applied/customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				p, err := Compile(set, st, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if p.HasChanges() {
					b.Fatal("a plan against the applied state has changes")
				}
			}
			reportPerObject(b, objects)
		})
	}
}

// BenchmarkCycleCheck runs the cycle check alone over a compiled plan's
// dependencies.
func BenchmarkCycleCheck(b *testing.B) {
	for _, n := range benchSizes {
		set := benchSet(b, n)
		p, err := Compile(set, nil, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("customers=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := checkCycles(p.Steps, func(s *Step) string { return s.Addr }, func(s *Step) []string { return s.Deps }); err != nil {
					b.Fatal(err)
				}
			}
			reportPerObject(b, len(p.Steps))
		})
	}
}
