// Command onboard-bench is the end-to-end benchmark of onboard: it
// generates N-customer manifest sets, starts `onboard sandbox` as a separate
// process with a given latency and limits, runs `onboard apply` (and plan)
// as a user would, and reports wall time against the ideal bound, requests,
// 429s, CPU time per object, peak memory and state bytes, then each target
// of issue 6 with its measured figure and whether it is met.
//
//	go run ./cmd/onboard-bench -onboard bin/onboard            # every scenario
//	go run ./cmd/onboard-bench -onboard bin/onboard -run apply-1k
//	go run ./cmd/onboard-bench -onboard bin/onboard -count 3   # median of 3 runs
//	go run ./cmd/onboard-bench -onboard bin/onboard -run apply-1k-pg  # state on PostgreSQL
//	go run ./cmd/onboard-bench -onboard bin/onboard -baseline bin/onboard-base -run scale  # issue 21
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"
)

// scenario is one measured setting.
type scenario struct {
	name        string
	customers   int
	latency     time.Duration
	maxInflight int
	serverRate  float64 // sandbox requests/s, 0 = none
	parallelism int
	clientRate  string
	plan        bool // measure `onboard plan` instead of apply
	validate    bool // measure `onboard validate` instead of apply
	rerun       bool // also measure a second apply
	bare        bool // also measure a bare HTTP client against the same sandbox settings
	refresh     bool // measure a refresh of an applied set (issue 11) instead of apply
	update      bool // measure an update of every recurring line of an applied set (issue 10): apply, or plan with plan
	deactivate  bool // with update: the lines are removed and deactivated by removed: entries instead (issue 19)
	export      bool // measure an export of an applied set (issue 14) instead of apply
	interrupt   bool // apply interrupted by SIGINT, then the state's complete customers (issue 15)
	offers      bool // plan a set whose lines come from offers against the same lines by hand (issue 20)
	importer    bool // measure an import of a generated pack against validate of what it writes (issue 22)
	workbook    bool // the import's pack is a workbook, not CSV files
	// runs is how many times the scenario runs by default (-count
	// overrides): the cheap ones whose figure a busy machine sways run
	// three times, and their targets are judged on the median.
	runs int
}

var scenarios = []scenario{
	{name: "apply-1k", customers: 1000, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", rerun: true, bare: true},
	{name: "validate-10k", customers: 10000, validate: true, runs: 3},
	{name: "plan-10k", customers: 10000, plan: true, runs: 3},
	{name: "rate-200", customers: 1000, latency: 5 * time.Millisecond, serverRate: 200, parallelism: 16, clientRate: "0"},
	{name: "cpu-1k", customers: 1000, parallelism: 16, clientRate: "0", runs: 3},
	{name: "state-10k", customers: 10000, parallelism: 32, clientRate: "0"},
	{name: "refresh-500", customers: 500, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", refresh: true, runs: 3},
	{name: "interrupt-300", customers: 300, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", interrupt: true, runs: 3},
	{name: "refresh-1k", customers: 1000, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", refresh: true, runs: 3},
	{name: "update-1k", customers: 1000, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", update: true, runs: 3},
	{name: "deactivate-1k", customers: 1000, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", update: true, deactivate: true, runs: 3},
	{name: "plan-updates-10k", customers: 10000, parallelism: 32, update: true, plan: true, runs: 3},
	{name: "import-10k", customers: 10000, importer: true, runs: 3},
	{name: "import-10k-xlsx", customers: 10000, importer: true, workbook: true, runs: 3},
	{name: "export-1k", customers: 1000, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", export: true},
	{name: "plan-offers-10k", customers: 10000, plan: true, offers: true, runs: 3},
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "-child" {
		child(os.Args[2:])
		return
	}
	bin := flag.String("onboard", "bin/onboard", "onboard binary to measure")
	only := flag.String("run", "", "run only the scenarios whose name contains this")
	work := flag.String("work", "", "working directory (default: a temporary one, removed afterwards)")
	baseline := flag.String("baseline", "", "the baseline onboard binary (issue 21: e.g. built from 880b467), measured side by side with -onboard in the scale scenarios")
	scaleN := flag.Int("scale", 100000, "customers of the scale scenario (issue 21); 0 leaves it out")
	scaleRuns := flag.Int("scale-runs", 3, "runs of each binary in the scale scenarios, alternating; each is judged on its best run")
	count := flag.Int("count", 0, "runs of each scenario (default: 3 for validate-10k, plan-10k, cpu-1k, refresh and interrupt-300, 1 for the others); targets are judged on the median")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	check(err)
	if _, err := os.Stat(abs); err != nil {
		check(fmt.Errorf("no onboard binary at %s: run `make build` first (%v)", abs, err))
	}
	dir := *work
	if dir == "" {
		dir, err = os.MkdirTemp("", "onboard-bench-")
		check(err)
		defer os.RemoveAll(dir)
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s; %s; load average at start: %s\n",
		runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel(), runtime.Version(), loadAverage())
	fmt.Printf("date: %s; onboard: %s\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), abs)
	var all []*report
	for _, s := range scenarios {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		sdir := filepath.Join(dir, s.name)
		check(os.MkdirAll(sdir, 0o755))
		manifests := filepath.Join(sdir, "manifests")
		switch {
		case s.offers:
			check(generateOfferSets(manifests, s.customers))
		case !s.importer:
			check(generateSet(manifests, s.customers))
		}
		r := &report{scenario: s}
		fmt.Println(s.header())
		n := max(1, s.runs)
		if *count > 0 {
			n = *count
		}
		for i := range n {
			if n > 1 {
				fmt.Printf("run %d of %d\n", i+1, n)
			}
			r.runs = append(r.runs, s.run(abs, manifests, filepath.Join(sdir, fmt.Sprintf("run-%d", i))))
		}
		fmt.Print(r)
		all = append(all, r)
	}
	fmt.Print(summary(all))
	if *only == "" || strings.Contains(pgScenarioName, *only) {
		fmt.Print(runPGScenario(abs, dir, max(3, *count)))
	}
	if *scaleN > 0 && (*only == "" || strings.Contains("scale", *only)) {
		base := *baseline
		if base != "" {
			base, err = filepath.Abs(base)
			check(err)
		}
		ts := runScale(abs, base, dir, *scaleN, *scaleRuns, true)
		fmt.Printf("\n## scale targets (issue 21, %s)\n", time.Now().UTC().Format("2006-01-02"))
		for _, t := range ts {
			fmt.Println(t)
		}
	}
}

func cpuModel() string {
	b, err := os.ReadFile("/proc/cpuinfo")
	if err != nil {
		return "unknown CPU"
	}
	for _, l := range strings.Split(string(b), "\n") {
		if strings.HasPrefix(l, "model name") {
			_, v, _ := strings.Cut(l, ":")
			return strings.TrimSpace(v)
		}
	}
	return "unknown CPU"
}

// loadAverage is the 1-, 5- and 15-minute load: other work on the machine
// makes wall times longer.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// cleanups run before a fatal exit, so that no sandbox outlives the
// benchmark.
var cleanups []func()

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "onboard-bench:", err)
		for _, c := range cleanups {
			c()
		}
		os.Exit(1)
	}
}
