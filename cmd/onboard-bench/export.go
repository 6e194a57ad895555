package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// exportResult holds the figures of one measured export (issue 14).
type exportResult struct {
	m        measurement
	objects  int   // exported, as export reports it
	served   int64 // requests the sandbox served during the export
	r429     int64
	planExit int // `plan --detailed-exitcode` of the export: 0 = no changes
	// read is the time export took to read (as it reports it); the rest
	// of its wall time writes, validates and compiles the manifests and
	// writes the state.
	read time.Duration
}

var (
	exportedLine = regexp.MustCompile(`Exported (\d+) objects`)
	readLine     = regexp.MustCompile(`Read \d+ objects with \d+ requests \([0-9.]+ per object\) in ([0-9.]+) s`)
)

// runExport applies the set to a sandbox without latency (unmeasured),
// restarts the sandbox on the same data with the scenario's latency and
// limits, and measures `onboard export --all-customers --catalog` of the
// real binary; then checks that a plan of the export has nothing to do.
func (s scenario) runExport(bin, manifests, dir string) runResult {
	data := filepath.Join(dir, "sandbox.json")
	setup := s
	setup.latency, setup.maxInflight, setup.serverRate = 0, 0, 0
	sb := startSandbox(bin, setup, "--data", data)
	cmd := exec.Command(bin, "apply", "--auto-approve", manifests, "--state", filepath.Join(dir, "apply.state"),
		"--parallelism", fmt.Sprint(s.parallelism), "--rate", "0")
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	res := runResult{objects: s.objects(), apply: measure(cmd, io.Discard)}
	sb.stop() // saves the data
	if res.apply.exit != 0 {
		return res
	}

	sb = startSandbox(bin, s, "--data", data)
	defer sb.stop()
	out := filepath.Join(dir, "export")
	before := sb.stats()
	var stdout strings.Builder
	// --debug is off: export's stderr ends with its read time. measure
	// keeps stderr to itself, so export runs through a shell that copies
	// it to a file.
	errPath := filepath.Join(dir, "export.stderr")
	cmd = exec.Command("sh", "-c", `"$0" "$@" 2>"$ERRFILE"`, bin, "export", "--all-customers", "--catalog", "--out", out,
		"--parallelism", fmt.Sprint(s.parallelism), "--rate", s.clientRate)
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token, "ERRFILE="+errPath)
	er := &exportResult{m: measure(cmd, &stdout)}
	if b, err := os.ReadFile(errPath); err == nil {
		if m := readLine.FindSubmatch(b); m != nil {
			secs, _ := strconv.ParseFloat(string(m[1]), 64)
			er.read = time.Duration(secs * float64(time.Second))
		}
	}
	after := sb.stats()
	res.export = er
	if er.m.exit != 0 {
		res.apply.exit = er.m.exit // the run failed
		return res
	}
	er.served, er.r429 = after.Requests-before.Requests, after.status("429")-before.status("429")
	if m := exportedLine.FindStringSubmatch(stdout.String()); m != nil {
		er.objects, _ = strconv.Atoi(m[1])
	}
	// The plan refreshes what the exported state knows: no drift either.
	plan := exec.Command(bin, "plan", out, "--detailed-exitcode", "--parallelism", fmt.Sprint(s.parallelism))
	plan.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	er.planExit = measure(plan, io.Discard).exit
	bound := s.exportBound(int(er.served))
	fmt.Printf("%s: export of %d objects: %d requests served (%d answered 429) = %.3f per object; wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n",
		s.name, er.objects, er.served, er.r429, er.perObject(), er.m.wall.Seconds(), er.m.cpu.Seconds(), er.m.maxRSSMB)
	fmt.Printf("%s: reading took %.3f s; own bound %d × %s ÷ %d = %.3f s; read/bound = %.3f; the rest (write, validate, compile, state) %.3f s\n",
		s.name, er.read.Seconds(), er.served, s.latency, s.concurrency(), bound.Seconds(), er.read.Seconds()/bound.Seconds(), (er.m.wall - er.read).Seconds())
	fmt.Printf("%s: plan of the export exits %d (0: no changes)\n", s.name, er.planExit)
	fmt.Printf("%s: one GET per object would be %d requests, bound %.3f s at the same latency and parallelism\n",
		s.name, er.objects, s.exportBound(er.objects).Seconds())
	return res
}

func (e *exportResult) perObject() float64 {
	if e.objects == 0 {
		return 0
	}
	return float64(e.served) / float64(e.objects)
}

// exportBound is the export's own ideal: its requests at the scenario's
// latency, as many in flight as the server allows.
func (s scenario) exportBound(requests int) time.Duration {
	return time.Duration(float64(requests) * float64(s.latency) / float64(s.concurrency()))
}

// exportTargets are issue 14's: at most 0.3 requests per object, reading
// within 1.5 × the export's own bound (its requests at the latency; the
// local work after it, writing, validating and compiling the manifests and
// fsyncing the state, is reported beside it), and a plan of the export
// with nothing to do.
func (r *report) exportTargets(note string) []target {
	for _, run := range r.runs {
		if run.export == nil {
			return []target{{name: r.name, measured: "the setup apply failed (see above)"}}
		}
	}
	per := r.median(func(x runResult) float64 { return x.export.perObject() })
	reqs := r.median(func(x runResult) float64 { return float64(x.export.served) })
	wall := r.median(func(x runResult) float64 { return x.export.m.wall.Seconds() })
	read := r.median(func(x runResult) float64 { return x.export.read.Seconds() })
	ratio := r.median(func(x runResult) float64 {
		return x.export.read.Seconds() / r.exportBound(int(x.export.served)).Seconds()
	})
	plans := r.median(func(x runResult) float64 { return float64(x.export.planExit) })
	objects := r.runs[0].export.objects
	return []target{
		{name: fmt.Sprintf("%s (%d customers, %d objects): requests per object <= 0.3", r.name, r.customers, objects),
			measured: fmt.Sprintf("%.0f requests = %.3f per object%s", reqs, per, note), met: per <= 0.3},
		{name: fmt.Sprintf("%s at %s, parallelism %d: reading <= 1.5 x own bound (requests x %s / %d)", r.name, r.latency, r.parallelism, r.latency, r.concurrency()),
			measured: fmt.Sprintf("%.3f s = %.3f x %.3f s; whole export %.3f s%s", read, ratio, r.exportBound(int(reqs)).Seconds(), wall, note), met: ratio > 0 && ratio <= 1.5},
		{name: r.name + ": plan of the export reports no changes", measured: fmt.Sprintf("plan --detailed-exitcode exits %.0f", plans), met: plans == 0},
	}
}
