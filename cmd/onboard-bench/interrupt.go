package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

// interruptAt is the share of the objects created when the interrupted
// run is sent SIGINT.
const interruptAt = 0.30

// interruptResult is one run of the interruption scenario: an
// uninterrupted apply, then an apply interrupted (SIGINT, as Ctrl-C) once
// interruptAt of the objects are created, judged from its state.
type interruptResult struct {
	full, cut watched
	// touched customers have an object in the state; complete ones have
	// every object created.
	touched, complete int
	// createdInState is what the interrupted run's state records created.
	createdInState int
}

func (r interruptResult) completePct() float64 { return pct(int64(r.complete), int64(r.touched)) }

// throughputRatio is the interrupted run's creates per second up to the
// interruption over the uninterrupted run's up to the same count: the
// first creates of a run are slower (customers fan out from the catalog),
// so the same window is compared.
func (r interruptResult) throughputRatio() float64 { return r.cut.rate() / r.full.markRate() }

// watched is an apply whose JSON events were read as they came.
type watched struct {
	exit int
	wall time.Duration
	// created counts the created events; first and last are when the
	// first and the last were read.
	created     int
	first, last time.Time
	// mark is when the created event number markAt was read; SIGINT was
	// sent then when signalled.
	markAt    int
	mark      time.Time
	signalled bool
}

// rate is creates per second from the first created event to the
// interruption, or to the last one: start-up (loading, the catalog's
// short critical path) is the same for both runs and left out.
func (w watched) rate() float64 {
	if w.signalled {
		return w.markRate()
	}
	return between(w.created, w.first, w.last)
}

// markRate is creates per second from the first created event to the mark.
func (w watched) markRate() float64 { return between(w.markAt, w.first, w.mark) }

func between(n int, from, to time.Time) float64 {
	if n < 2 || !to.After(from) {
		return 0
	}
	return float64(n-1) / to.Sub(from).Seconds()
}

func (s scenario) runInterrupt(bin, manifests, dir string) runResult {
	res := runResult{objects: s.objects()}
	set, err := manifest.Load(manifests)
	check(err)
	p, err := plan.Compile(set, nil, plan.Options{})
	check(err)
	perCustomer := map[string]int{}
	for _, st := range p.Steps {
		if st.Group != "" {
			perCustomer[st.Group]++
		}
	}
	var r interruptResult
	stopAt := int(interruptAt * float64(s.objects()))
	r.full = s.applyWatched(bin, manifests, filepath.Join(dir, "full.state"), stopAt, false)
	fmt.Printf("%s: uninterrupted apply exit %d, wall %.3f s (ideal bound %.3f s), %d created; from the first create, %.1f objects/s to the last, %.1f to the %dth\n",
		s.name, r.full.exit, r.full.wall.Seconds(), s.ideal().Seconds(), r.full.created, r.full.rate(), r.full.markRate(), stopAt)
	cutState := filepath.Join(dir, "interrupted.state")
	r.cut = s.applyWatched(bin, manifests, cutState, stopAt, true)
	st, _, err := state.Read(cutState)
	check(err)
	touched, created := map[string]bool{}, map[string]int{}
	for addr, o := range st.Objects {
		step := p.ByAddr[addr]
		if o.Status == state.StatusCreated {
			r.createdInState++
		}
		if step == nil || step.Group == "" {
			continue
		}
		touched[step.Group] = true
		if o.Status == state.StatusCreated {
			created[step.Group]++
		}
	}
	r.touched = len(touched)
	for g := range touched {
		if created[g] == perCustomer[g] {
			r.complete++
		}
	}
	fmt.Printf("%s: interrupted apply: SIGINT after %d of %d created (%.0f%%), exit %d, wall %.3f s; %.1f objects/s up to the signal\n",
		s.name, r.cut.markAt, s.objects(), 100*interruptAt, r.cut.exit, r.cut.wall.Seconds(), r.cut.rate())
	fmt.Printf("%s: its state: %d objects created; %d customers touched, %d of them complete (%.1f%%)\n",
		s.name, r.createdInState, r.touched, r.complete, r.completePct())
	res.interrupt = &r
	return res
}

// applyWatched applies the set against a fresh sandbox with --output json,
// reading the events as they come and marking when markAt objects are
// created; with interrupt it sends SIGINT then, and lets apply finish
// what is in flight.
func (s scenario) applyWatched(bin, manifests, statePath string, markAt int, interrupt bool) watched {
	sb := startSandbox(bin, s)
	defer sb.stop()
	cmd := exec.Command(bin, "apply", "--auto-approve", manifests, "--state", statePath,
		"--parallelism", fmt.Sprint(s.parallelism), "--rate", s.clientRate, "--output", "json")
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	out, err := cmd.StdoutPipe()
	check(err)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	w := watched{markAt: markAt}
	start := time.Now()
	check(cmd.Start())
	sc := bufio.NewScanner(out)
	sc.Buffer(make([]byte, 0, 64<<10), 4<<20)
	for sc.Scan() {
		var e struct {
			Event string `json:"event"`
		}
		if json.Unmarshal(sc.Bytes(), &e) != nil || e.Event != "created" {
			continue
		}
		now := time.Now()
		w.created++
		if w.created == 1 {
			w.first = now
		}
		w.last = now
		if w.created == markAt {
			w.mark = now
			if interrupt {
				check(cmd.Process.Signal(os.Interrupt))
				w.signalled = true
			}
		}
	}
	err = cmd.Wait()
	w.wall = time.Since(start)
	if cmd.ProcessState == nil {
		check(err)
	}
	w.exit = cmd.ProcessState.ExitCode()
	if interrupt == (w.exit == 0) {
		tail := stderr.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		fmt.Fprintf(os.Stderr, "%s exited %d:\n%s\n", strings.Join(cmd.Args, " "), w.exit, tail)
	}
	return w
}

// interruptTargets: the customers an interrupted run touched are mostly
// complete, and preferring begun customers costs little throughput.
func (r *report) interruptTargets(note string) []target {
	for _, run := range r.runs {
		if run.interrupt == nil || run.interrupt.full.exit != 0 || !run.interrupt.cut.signalled {
			return []target{{name: r.name, measured: "an apply failed, or the run ended before the interruption (see above)"}}
		}
	}
	done := r.median(func(x runResult) float64 { return x.interrupt.completePct() })
	cut := r.median(func(x runResult) float64 { return x.interrupt.cut.rate() })
	full := r.median(func(x runResult) float64 { return x.interrupt.full.markRate() })
	whole := r.median(func(x runResult) float64 { return x.interrupt.full.rate() })
	ratio := r.median(func(x runResult) float64 { return x.interrupt.throughputRatio() })
	last := r.runs[len(r.runs)-1].interrupt
	return []target{
		{name: fmt.Sprintf("apply %d customers at %s interrupted at %.0f%% created: >= 80%% of touched customers complete", r.customers, r.latency, 100*interruptAt),
			measured: fmt.Sprintf("%.1f%% (last run: %d of %d)%s", done, last.complete, last.touched, note), met: done >= 80},
		{name: fmt.Sprintf("throughput up to the interruption >= 0.9 x an uninterrupted run's over its first %.0f%%", 100*interruptAt),
			measured: fmt.Sprintf("%.1f vs %.1f objects/s = %.3f x (the uninterrupted run: %.1f objects/s over all of it)%s", cut, full, ratio, whole, note),
			met:      ratio >= 0.9},
	}
}
