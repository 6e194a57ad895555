package planrender

import (
	"fmt"
	"io"
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
)

// BenchmarkRender renders a fresh plan (everything to create, with a
// billing preview per customer file) in each output format; time and
// allocations per object must be about the same at both sizes.
func BenchmarkRender(b *testing.B) {
	formats := []struct {
		name   string
		render func(io.Writer, *plan.Plan) error
	}{
		{"text", Text},
		{"json", func(w io.Writer, p *plan.Plan) error { return JSON(w, p, "bench") }},
		{"markdown", Markdown},
		{"dot", DOT},
	}
	for _, n := range []int{1_000, 10_000} {
		dir := filepath.Join(b.TempDir(), "set")
		if err := generate.Write(dir, n, 1); err != nil {
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
		for _, f := range formats {
			b.Run(fmt.Sprintf("%s/customers=%d", f.name, n), func(b *testing.B) {
				b.ReportAllocs()
				var w countingWriter
				for b.Loop() {
					w = 0
					if err := f.render(&w, p); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(p.Steps)), "ns/object")
				b.ReportMetric(float64(w)/float64(len(p.Steps)), "bytes/object")
			})
		}
	}
}

// countingWriter discards what it is given and counts it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
