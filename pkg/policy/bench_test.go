package policy

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
)

// BenchmarkEvaluate judges a fresh plan of 10,000 generated customers
// (50,002 steps to create) with the README's library of money rules: the
// cost policy adds to `plan` (figures in BENCHMARKS.md).
func BenchmarkEvaluate(b *testing.B) {
	dir := filepath.Join(b.TempDir(), "set")
	if err := generate.Write(dir, 10_000, 1); err != nil {
		b.Fatal(err)
	}
	set, err := manifest.Load(dir)
	if err != nil {
		b.Fatal(err)
	}
	p, err := plan.Compile(set, nil, plan.Options{})
	if err != nil {
		b.Fatal(err)
	}
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		b.Fatal(err)
	}
	rules := libraryOf(b, readme)
	b.ResetTimer()
	for b.Loop() {
		if _, err := rules.Evaluate(Input{Plan: p, Facts: Facts{PerMonthBefore: "0", PerMonthAfter: "100.00", OneTime: "0"}}); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p.Steps)), "ns/step")
}
