package plan

import (
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
)

// BenchmarkPlanOffers loads and plans 10,000 customers whose lines come
// from offers, and the same lines written by hand (issue 20: with offers
// at most 1.1 × by hand). Both sets plan the same requests
// (generate.TestOffersSetsPlanAlike).
//
//	go test ./pkg/plan -run '^$' -bench PlanOffers -benchmem -count 6
func BenchmarkPlanOffers(b *testing.B) {
	const n = 10_000
	for _, c := range []struct {
		name   string
		byHand bool
	}{{"by-hand", true}, {"offers", false}} {
		dir := filepath.Join(b.TempDir(), c.name)
		if err := generate.WriteWithOffers(dir, n, 1, c.byHand); err != nil {
			b.Fatal(err)
		}
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				set, err := manifest.Load(dir)
				if err != nil {
					b.Fatal(err)
				}
				if _, err := Compile(set, nil, Options{}); err != nil {
					b.Fatal(err)
				}
			}
			reportPerObject(b, 2+5*n)
		})
	}
}
