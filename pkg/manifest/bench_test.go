package manifest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
)

// BenchmarkLoad10k loads and validates a generated set of 10,000 customers
// (50,002 objects in 41 files). Target: under one second per load on the
// project's 2-core machine.
func BenchmarkLoad10k(b *testing.B) {
	dir := b.TempDir()
	if err := generate.Write(dir, 10_000, 1); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		set, err := Load(dir)
		if err != nil {
			b.Fatal(err)
		}
		if len(set.Objects) != 2+5*10_000 {
			b.Fatalf("got %d objects", len(set.Objects))
		}
	}
}

// BenchmarkWideMapping loads a mapping with many unknown keys merged into
// another (each key reported): time must grow linearly with the keys.
func BenchmarkWideMapping(b *testing.B) {
	for _, n := range []int{1_000, 10_000} {
		var sb strings.Builder
		sb.WriteString("families:\n  big: &big\n")
		for i := range n {
			fmt.Fprintf(&sb, "    k%d: v\n", i)
		}
		sb.WriteString("  small: {<<: *big, name: x}\n")
		src := []byte(sb.String())
		b.Run(fmt.Sprintf("keys=%d", n), func(b *testing.B) {
			for b.Loop() {
				load([]source{{path: "m.yaml", data: src, read: true}})
			}
		})
	}
}

// BenchmarkManyProblems loads 10,000 customers that all collide on their
// natural key and all reference unknown items: the checks that compare
// objects must stay linear.
func BenchmarkManyProblems(b *testing.B) {
	var sb strings.Builder
	sb.WriteString("items:\n")
	for i := range 2_000 {
		fmt.Fprintf(&sb, "  item-%d: {description: Item %d}\n", i, i)
	}
	sb.WriteString("customers:\n")
	for i := range 10_000 {
		fmt.Fprintf(&sb, "  c%d: {name: Same, files: {f: {name: F, recurrings: {r: {item: missing-%d, quantity: 1}}}}}\n", i, i)
	}
	src := []byte(sb.String())
	for b.Loop() {
		_, err := load([]source{{path: "m.yaml", data: src, read: true}})
		if me, ok := err.(*Error); !ok || len(me.Diagnostics) != 2*10_000-1 {
			b.Fatalf("unexpected result: %v", err)
		}
	}
}
