package plan

import (
	"sort"
	"testing"
)

// TestGraphMatchesDeps: the graph built on demand has a vertex per step
// and exactly an edge from each dependency to its dependent.
func TestGraphMatchesDeps(t *testing.T) {
	p, err := Compile(fixture(), nil, Options{})
	if err != nil {
		t.Fatal(err)
	}
	g, err := p.Graph()
	if err != nil {
		t.Fatal(err)
	}
	if n, err := g.Order(); err != nil || n != len(p.Steps) {
		t.Fatalf("graph has %d vertices (%v), want %d", n, err, len(p.Steps))
	}
	preds, err := g.PredecessorMap()
	if err != nil {
		t.Fatal(err)
	}
	edges := 0
	for _, s := range p.Steps {
		var got []string
		for d := range preds[s.Addr] {
			got = append(got, d)
		}
		sort.Strings(got)
		if len(got) != len(s.Deps) {
			t.Fatalf("%s: predecessors %v, want its deps %v", s.Addr, got, s.Deps)
		}
		for i := range got {
			if got[i] != s.Deps[i] {
				t.Fatalf("%s: predecessors %v, want its deps %v", s.Addr, got, s.Deps)
			}
		}
		edges += len(s.Deps)
	}
	if n, err := g.Size(); err != nil || n != edges || edges == 0 {
		t.Fatalf("graph has %d edges (%v), want %d", n, err, edges)
	}
}
