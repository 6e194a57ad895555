package plan

import (
	"runtime"
	"sync"

	"github.com/onboardhq/onboard/pkg/manifest"
)

// parallelMin is the number of objects below which compileSteps works on
// one goroutine: starting others costs more than it saves.
const parallelMin = 2_000

// compileSteps compiles every object's step, on as many goroutines as
// there are processors for a large set; compileStep reads only its
// object and the resource table, and each step lands at its object's
// index, so the plan is the same whatever the schedule.
func compileSteps(objs []*manifest.Object) []*Step {
	steps := make([]*Step, len(objs))
	workers := min(runtime.GOMAXPROCS(0), len(objs)/parallelMin)
	if workers <= 1 {
		for i, o := range objs {
			steps[i] = compileStep(o)
		}
		return steps
	}
	var wg sync.WaitGroup
	chunk := (len(objs) + workers - 1) / workers
	for start := 0; start < len(objs); start += chunk {
		end := min(start+chunk, len(objs))
		wg.Go(func() {
			for i := start; i < end; i++ {
				steps[i] = compileStep(objs[i])
			}
		})
	}
	wg.Wait()
	return steps
}
