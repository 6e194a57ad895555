package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"

	"github.com/onboardhq/onboard/pkg/generate"
)

// offersResult holds one run of the offers scenario (issue 20): the same
// customers planned from a set whose lines come from offers, and from the
// same lines written by hand, each plan run alternately so that a busy
// machine sways both alike.
type offersResult struct {
	hand, offers measurement // plan --output json
}

// ratio is the plan's wall time with offers over by hand.
func (r offersResult) ratio() float64 { return r.offers.wall.Seconds() / r.hand.wall.Seconds() }

// cpuRatio is the same for CPU time (user + sys).
func (r offersResult) cpuRatio() float64 { return r.offers.cpu.Seconds() / r.hand.cpu.Seconds() }

// offerSets are the directories of the scenario's two sets.
func offerSets(manifests string) (hand, offers string) {
	return manifests + "-by-hand", manifests + "-offers"
}

// generateOfferSets writes both sets once (runs share them).
func generateOfferSets(manifests string, customers int) error {
	hand, offers := offerSets(manifests)
	for dir, byHand := range map[string]bool{hand: true, offers: false} {
		if _, err := os.Stat(filepath.Join(dir, "catalog.yaml")); err == nil {
			continue
		}
		if err := generate.WriteWithOffers(dir, customers, 1, byHand); err != nil {
			return err
		}
	}
	return nil
}

// runOffers plans both sets against an empty state, by hand first then
// with offers, and the other way round, keeping each set's faster run.
func (s scenario) runOffers(bin, manifests, dir string) runResult {
	check(os.MkdirAll(dir, 0o755))
	statePath := filepath.Join(dir, "onboard.state")
	hand, offers := offerSets(manifests)
	plan := func(set string) measurement {
		return measure(exec.Command(bin, "plan", set, "--state", statePath, "--output", "json"), io.Discard)
	}
	var hs, os_ []measurement
	for _, order := range [][2]bool{{true, false}, {false, true}} {
		for _, byHand := range order {
			if byHand {
				hs = append(hs, plan(hand))
			} else {
				os_ = append(os_, plan(offers))
			}
		}
	}
	fastest := func(ms []measurement) measurement {
		sort.Slice(ms, func(i, j int) bool { return ms[i].wall < ms[j].wall })
		return ms[0]
	}
	r := offersResult{hand: fastest(hs), offers: fastest(os_)}
	fmt.Printf("%s: plan --output json by hand:     wall %.3f s, CPU %.3f s, peak RSS %.1f MB (exit %d)\n",
		s.name, r.hand.wall.Seconds(), r.hand.cpu.Seconds(), r.hand.maxRSSMB, r.hand.exit)
	fmt.Printf("%s: plan --output json with offers: wall %.3f s, CPU %.3f s, peak RSS %.1f MB (exit %d)\n",
		s.name, r.offers.wall.Seconds(), r.offers.cpu.Seconds(), r.offers.maxRSSMB, r.offers.exit)
	fmt.Printf("%s: offers / by hand: wall %.3f, CPU %.3f\n", s.name, r.ratio(), r.cpuRatio())
	return runResult{objects: s.objects(), offers: &r, planJSON: r.offers, planText: r.hand}
}

// offersTargets judges the offers scenario on the median of its runs. The
// cost is CPU time (user + sys): on a shared machine the wall time of one
// process swings with the other load, its CPU time much less. The wall
// ratio is shown beside it.
func (r *report) offersTargets(note string) []target {
	wall := r.median(func(x runResult) float64 { return x.offers.ratio() })
	cpu := r.median(func(x runResult) float64 { return x.offers.cpuRatio() })
	hand := r.median(func(x runResult) float64 { return x.offers.hand.cpu.Seconds() })
	offers := r.median(func(x runResult) float64 { return x.offers.offers.cpu.Seconds() })
	return []target{{name: "plan 10k customers with offers (issue 20): CPU <= 1.1 x the same lines by hand",
		measured: fmt.Sprintf("CPU %.3f s with offers, %.3f s by hand = %.3f x (wall %.3f x)%s", offers, hand, cpu, wall, note),
		met:      cpu <= 1.1}}
}
