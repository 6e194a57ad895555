package generate_test

import (
	"path/filepath"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
)

// TestOffersSetsPlanAlike generates a set with offers and the same lines
// by hand: both load to 2 + 5*N objects whose plans send exactly the same
// requests, and the lines of the first come from its offers.
func TestOffersSetsPlanAlike(t *testing.T) {
	const n = generate.PerFile + 3
	plans := map[bool]*plan.Plan{}
	for _, byHand := range []bool{false, true} {
		dir := filepath.Join(t.TempDir(), "set")
		if err := generate.WriteWithOffers(dir, n, 5, byHand); err != nil {
			t.Fatal(err)
		}
		set, err := manifest.Load(dir)
		if err != nil {
			t.Fatalf("byHand=%t: %v", byHand, err)
		}
		if got := len(set.Objects); got != 2+5*n {
			t.Fatalf("byHand=%t: %d objects, want %d", byHand, got, 2+5*n)
		}
		offers := map[string]bool{}
		for _, o := range set.Objects {
			if o.Offer != "" {
				offers[o.Offer] = true
			}
		}
		if byHand && len(offers) > 0 || !byHand && len(offers) != generate.Offers {
			t.Errorf("byHand=%t: lines from offers %v", byHand, offers)
		}
		p, err := plan.Compile(set, nil, plan.Options{})
		if err != nil {
			t.Fatal(err)
		}
		plans[byHand] = p
	}
	offers, hand := plans[false], plans[true]
	if len(offers.Steps) != len(hand.Steps) {
		t.Fatalf("%d steps with offers, %d by hand", len(offers.Steps), len(hand.Steps))
	}
	for _, s := range hand.Steps {
		o := offers.ByAddr[s.Addr]
		if o == nil || o.Hash != s.Hash {
			t.Errorf("%s: the set with offers plans %v, by hand %v", s.Addr, o, s.Spec)
		}
	}
}
