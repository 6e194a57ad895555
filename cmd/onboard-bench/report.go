package main

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"
)

// report is a scenario with its runs.
type report struct {
	scenario
	runs []runResult
}

// target is one figure of issue 6 against its bound.
type target struct {
	name, measured string
	met            bool
}

func (t target) String() string {
	verdict := "MET"
	if !t.met {
		verdict = "MISSED"
	}
	return fmt.Sprintf("TARGET %s: %s -> %s", t.name, t.measured, verdict)
}

// median of the runs' values of f.
func (r *report) median(f func(runResult) float64) float64 {
	v := make([]float64, len(r.runs))
	for i, run := range r.runs {
		v[i] = f(run)
	}
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func (r *report) runsNote() string {
	if len(r.runs) == 1 {
		return ""
	}
	return fmt.Sprintf(" (median of %d runs)", len(r.runs))
}

func (r *report) failed() bool {
	for _, run := range r.runs {
		if run.apply.exit != 0 || run.rerun.exit != 0 || run.planJSON.exit != 0 || run.planText.exit != 0 || run.validate.exit != 0 {
			return true
		}
	}
	return false
}

// targets are the scenario's own targets (state-10k's needs a 1k run:
// see summary).
func (r *report) targets() []target {
	note := r.runsNote()
	var ts []target
	if r.failed() {
		return []target{{name: r.name, measured: "onboard exited with an error (see above)"}}
	}
	switch r.name {
	case "validate-10k":
		wall := r.median(func(x runResult) float64 { return x.validate.wall.Seconds() })
		rss := r.median(func(x runResult) float64 { return x.validate.maxRSSMB })
		ts = append(ts, target{name: "validate 10k (issue 2): under 1 s",
			measured: fmt.Sprintf("%.3f s, peak memory %.1f MB%s", wall, rss, note), met: wall < 1})
	case "apply-1k":
		ratio := r.median(func(x runResult) float64 { return x.apply.wall.Seconds() / r.ideal().Seconds() })
		wall := r.median(func(x runResult) float64 { return x.apply.wall.Seconds() })
		ts = append(ts, target{name: "apply 1k at 20 ms, parallelism 16: wall <= 1.15 x ideal bound",
			measured: fmt.Sprintf("%.3f s = %.3f x %.3f s%s", wall, ratio, r.ideal().Seconds(), note), met: ratio <= 1.15})
		reqs := r.median(func(x runResult) float64 { return float64(x.rerunReqs) })
		rwall := r.median(func(x runResult) float64 { return x.rerun.wall.Seconds() })
		ts = append(ts, target{name: "rerun: zero requests, under 0.5 s",
			measured: fmt.Sprintf("%.0f requests, %.3f s%s", reqs, rwall, note), met: reqs == 0 && rwall < 0.5})
	case "plan-10k":
		ts = append(ts, r.planTargets("plan 10k", note)...)
	case "plan-offers-10k":
		ts = append(ts, r.offersTargets(note)...)
	case "rate-200":
		rps := r.median(runResult.requestsPerSecond)
		p := r.median(runResult.pct429)
		ts = append(ts, target{name: "server limited to 200/s: >= 180 requests/s, 429s < 2%",
			measured: fmt.Sprintf("%.0f requests/s, %.2f%% 429%s", rps, p, note), met: rps >= 180 && p < 2})
	case "refresh-500", "refresh-1k":
		ts = append(ts, r.refreshTargets(note)...)
	case "update-1k", "plan-updates-10k":
		ts = append(ts, r.updateTargets(note)...)
	case "deactivate-1k":
		ts = append(ts, r.deactivateTargets(note)...)
	case "export-1k":
		ts = append(ts, r.exportTargets(note)...)
	case "interrupt-300":
		ts = append(ts, r.interruptTargets(note)...)
	case "import-10k", "import-10k-xlsx":
		ts = append(ts, r.importTargets(note)...)
	case "cpu-1k":
		us := r.median(func(x runResult) float64 { return float64(x.cpuPerObject().Nanoseconds()) / 1000 })
		ts = append(ts, target{name: "onboard CPU per object at 0 ms latency < 200 µs",
			measured: fmt.Sprintf("%.1f µs%s", us, note), met: us < 200})
	}
	return ts
}

// planTargets are the targets of a plan, with --output json and as text:
// under 2 s, peak memory under 500 MB. what names the plan.
func (r *report) planTargets(what, note string) []target {
	var ts []target
	for _, f := range []struct {
		name string
		m    func(runResult) measurement
	}{{"json", func(x runResult) measurement { return x.planJSON }}, {"text", func(x runResult) measurement { return x.planText }}} {
		wall := r.median(func(x runResult) float64 { return f.m(x).wall.Seconds() })
		rss := r.median(func(x runResult) float64 { return f.m(x).maxRSSMB })
		ts = append(ts, target{name: what + " (" + f.name + "): under 2 s, peak memory under 500 MB",
			measured: fmt.Sprintf("%.3f s, %.1f MB%s", wall, rss, note), met: wall < 2 && rss < 500})
	}
	return ts
}

// header describes the scenario's setting.
func (s scenario) header() string {
	h := fmt.Sprintf("## %s: %d customers (%d objects)", s.name, s.customers, s.objects())
	switch {
	case s.offers:
		h += "; planned (--output json, empty state) from offers and from the same lines by hand, alternately"
	case s.update && s.plan:
		h += "; applied without latency, then the quantity of every recurring line changed and planned"
	case s.update && s.deactivate:
		h += fmt.Sprintf("; applied without latency, then every recurring line removed from the manifests, deactivated by removed: entries and applied to sandbox --latency %s --max-inflight %d, parallelism %d, no client rate limit",
			s.latency, s.maxInflight, s.parallelism)
	case s.update:
		h += fmt.Sprintf("; applied without latency, then the quantity of every recurring line changed and applied to sandbox --latency %s --max-inflight %d, parallelism %d, no client rate limit",
			s.latency, s.maxInflight, s.parallelism)
	case s.importer && s.workbook:
		h += "; onboard import of a generated workbook (one sheet per kind) into a new directory, against onboard validate of what it wrote"
	case s.importer:
		h += "; onboard import of generated CSV files (one per kind) into a new directory, against onboard validate of what it wrote"
	case s.export:
		h += fmt.Sprintf("; applied without latency, then exported from sandbox --latency %s --max-inflight %d, export --parallelism %d --rate %s",
			s.latency, s.maxInflight, s.parallelism, s.clientRate)
	case s.refresh:
		h += fmt.Sprintf("; applied without latency, then refreshed from sandbox --latency %s --max-inflight %d, parallelism %d, no client rate limit",
			s.latency, s.maxInflight, s.parallelism)
	case !s.plan && !s.validate:
		h += fmt.Sprintf("; sandbox --latency %s --max-inflight %d --rate %g; apply --parallelism %d --rate %s",
			s.latency, s.maxInflight, s.serverRate, s.parallelism, s.clientRate)
	}
	return h
}

// String lists the scenario's targets with their figures.
func (r *report) String() string {
	var b strings.Builder
	for _, t := range r.targets() {
		fmt.Fprintln(&b, t)
	}
	b.WriteString("\n")
	return b.String()
}

// summary lists every target measured, with the cross-scenario one: state
// bytes per object at 10,000 customers against 1,000.
func summary(reports []*report) string {
	var ts []target
	var small, large *report
	for _, r := range reports {
		ts = append(ts, r.targets()...)
		switch r.name {
		case "cpu-1k":
			small = r
		case "apply-1k":
			if small == nil {
				small = r
			}
		case "state-10k":
			large = r
		}
	}
	if large != nil && !large.failed() {
		l := large.median(runResult.bytesPerObject)
		t := target{name: "state bytes per object at 10k within ±20% of 1k"}
		if small == nil || small.failed() {
			t.measured = fmt.Sprintf("%.1f bytes/object at 10k; no 1k run to compare", l)
		} else {
			s := small.median(runResult.bytesPerObject)
			ratio := l / s
			t.measured = fmt.Sprintf("%.1f vs %.1f (%s): ratio %.3f", l, s, small.name, ratio)
			t.met = math.Abs(ratio-1) <= 0.2
		}
		ts = append(ts, t)
	}
	var b strings.Builder
	fmt.Fprintf(&b, "## targets (%s)\n", time.Now().UTC().Format("2006-01-02"))
	for _, t := range ts {
		fmt.Fprintln(&b, t)
	}
	return b.String()
}
