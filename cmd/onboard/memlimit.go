package main

import (
	"os"
	"runtime/debug"
)

// validateMemoryLimit is the soft memory limit of `onboard validate`.
const validateMemoryLimit = 1440 << 20

// limitValidateMemory bounds validate's heap: readOnlyGC's GOGC=200 lets
// the heap grow to three times what is live, and 100,000 customers keep
// enough live for that to pass 2 GB; with the limit the collector runs
// more often near it instead, for some more CPU (BENCHMARKS.md, issue 21).
// Sets far below it never reach it. plan keeps no limit: at that size what
// it holds live (the set and the plan) is above the limit, and the
// collector would run without pause. An explicit GOMEMLIMIT wins.
func limitValidateMemory() {
	if os.Getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(validateMemoryLimit)
	}
}
