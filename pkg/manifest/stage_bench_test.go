package manifest

import (
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
)

// BenchmarkStages measures each stage of loading one generated file of
// generate.PerFile customers, single-threaded, to see where time goes.
func BenchmarkStages(b *testing.B) {
	data := generate.Files(generate.PerFile, 1)[1].Data
	docs, diags := parseYAML("c.yaml", data)
	if len(diags) > 0 {
		b.Fatal(diags)
	}
	root, _ := convertDoc("c.yaml", docs[0])
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			parseYAML("c.yaml", data)
		}
	})
	b.Run("convert", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			convertDoc("c.yaml", docs[0])
		}
	})
	b.Run("instance", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			instance(root)
		}
	})
	b.Run("schema", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := schemaCheck("c.yaml", root); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("build", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			newBuilder("c.yaml").document(root, nil)
		}
	})
}
