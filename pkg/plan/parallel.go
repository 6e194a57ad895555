package plan

import (
	"runtime"
	"sync"

	"github.com/onboardhq/onboard/pkg/manifest"
)

// parallelMin and previewsMin are the numbers of steps and of previews
// each goroutine of eachIndex gets at least: below that, starting another
// costs more than it saves.
const (
	parallelMin = 2_000
	previewsMin = 500
)

// eachIndex calls f(i) for every i below n: on as many goroutines as there
// are processors when n is large (each at least `least` items), each on a
// contiguous chunk. f must only write to what index i owns, so that the
// result is the same whatever the schedule.
func eachIndex(n, least int, f func(i int)) {
	workers := min(runtime.GOMAXPROCS(0), n/least)
	if workers <= 1 {
		for i := range n {
			f(i)
		}
		return
	}
	var wg sync.WaitGroup
	chunk := (n + workers - 1) / workers
	for start := 0; start < n; start += chunk {
		end := min(start+chunk, n)
		wg.Go(func() {
			for i := start; i < end; i++ {
				f(i)
			}
		})
	}
	wg.Wait()
}

// compileSteps compiles every object's step (compileStep reads only its
// object and the resource table), each at its object's index.
func compileSteps(objs []*manifest.Object) []*Step {
	steps := make([]*Step, len(objs))
	eachIndex(len(objs), parallelMin, func(i int) { steps[i] = compileStep(objs[i]) })
	return steps
}

// previewFiles computes the previews of files (previewFile only reads the
// plan), in order, keeping those whose money or lines change.
func previewFiles(p *Plan, files []fileLines) []FilePreview {
	if len(files) == 0 {
		return nil
	}
	all := make([]FilePreview, len(files))
	changed := make([]bool, len(files))
	eachIndex(len(files), previewsMin, func(i int) { all[i], changed[i] = p.previewFile(files[i]) })
	var out []FilePreview
	for i, fp := range all {
		if changed[i] {
			out = append(out, fp)
		}
	}
	return out
}
