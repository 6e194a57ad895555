package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/onboardhq/onboard/pkg/generate"
)

// generateSet writes the scenario's manifests once (runs share them).
func generateSet(dir string, customers int) error {
	if _, err := os.Stat(filepath.Join(dir, "catalog.yaml")); err == nil {
		return nil
	}
	return generate.Write(dir, customers, 1)
}

// measurement is what the kernel accounts for one process run.
type measurement struct {
	wall     time.Duration
	cpu      time.Duration // user + sys
	maxRSSMB float64
	exit     int
}

// runResult holds the figures of one run of a scenario.
type runResult struct {
	objects int
	// validate and plan scenarios
	validate           measurement
	planJSON, planText measurement
	// apply scenarios
	apply      measurement
	requests   int64
	r429       int64
	stateBytes int64
	rerun      measurement
	rerunReqs  int64
	bare       *bareResult
	refresh    *refreshResult // refresh scenarios
	update     *updateResult  // update scenarios
	export     *exportResult  // export scenarios
	importer   *importResult  // import scenarios
	interrupt  *interruptResult
	offers     *offersResult // offers scenarios
}

func (r runResult) cpuPerObject() time.Duration {
	return r.apply.cpu / time.Duration(r.objects)
}

func (r runResult) bytesPerObject() float64 { return float64(r.stateBytes) / float64(r.objects) }

func (r runResult) requestsPerSecond() float64 { return float64(r.requests) / r.apply.wall.Seconds() }

func (r runResult) pct429() float64 { return pct(r.r429, r.requests) }

func (s scenario) objects() int { return 2 + 5*s.customers }

// ideal is the bound set by latency and allowed concurrency: every request
// takes the latency and the server allows min(parallelism, max-inflight)
// at once; never below the critical path (family, item, line: three
// requests in a row).
func (s scenario) ideal() time.Duration {
	return max(time.Duration(float64(s.objects())*float64(s.latency)/float64(s.concurrency())), 3*s.latency)
}

// concurrency is the requests the server lets be in flight for this client.
func (s scenario) concurrency() int {
	if s.maxInflight > 0 {
		return min(s.parallelism, s.maxInflight)
	}
	return s.parallelism
}

func (s scenario) run(bin, manifests, dir string) runResult {
	check(os.MkdirAll(dir, 0o755))
	statePath := filepath.Join(dir, "onboard.state")
	res := runResult{objects: s.objects()}
	if s.update {
		return s.runUpdate(bin, manifests, dir)
	}
	if s.offers {
		return s.runOffers(bin, manifests, dir)
	}
	if s.validate {
		res.validate = measure(exec.Command(bin, "validate", manifests), io.Discard)
		fmt.Printf("%s: validate: wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n",
			s.name, res.validate.wall.Seconds(), res.validate.cpu.Seconds(), res.validate.maxRSSMB)
		return res
	}
	if s.plan {
		res.planJSON = measure(exec.Command(bin, "plan", manifests, "--state", statePath, "--output", "json"), io.Discard)
		res.planText = measure(exec.Command(bin, "plan", manifests, "--state", statePath), io.Discard)
		fmt.Printf("%s: plan --output json: wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n",
			s.name, res.planJSON.wall.Seconds(), res.planJSON.cpu.Seconds(), res.planJSON.maxRSSMB)
		fmt.Printf("%s: plan (text):        wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n",
			s.name, res.planText.wall.Seconds(), res.planText.cpu.Seconds(), res.planText.maxRSSMB)
		return res
	}
	if s.refresh {
		return s.runRefresh(bin, manifests, dir)
	}
	if s.export {
		return s.runExport(bin, manifests, dir)

	}
	if s.interrupt {
		return s.runInterrupt(bin, manifests, dir)
	}
	if s.importer {
		return s.runImport(bin, dir)
	}
	if s.bare {
		sb := startSandbox(bin, s)
		b := bareRun(sb.base, sb.token, s.objects(), s.concurrency())
		sb.stop()
		res.bare = &b
	}
	sb := startSandbox(bin, s)
	defer sb.stop()
	args := []string{"apply", "--auto-approve", manifests, "--state", statePath, "--parallelism", fmt.Sprint(s.parallelism), "--rate", s.clientRate, "--output", "json"}
	var events strings.Builder
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	res.apply = measure(cmd, &events)
	st := sb.stats()
	res.requests, res.r429 = st.Requests, st.status("429")
	res.stateBytes = applySummary(events.String()).StateBytes
	fmt.Printf("%s: apply exit %d, wall %.3f s; %d requests, %d answered 429 (%.2f%%); %.0f requests/s\n",
		s.name, res.apply.exit, res.apply.wall.Seconds(), res.requests, res.r429, res.pct429(), res.requestsPerSecond())
	if s.latency > 0 && s.serverRate == 0 {
		fmt.Printf("%s: ideal bound %d × %s ÷ %d = %.3f s (critical path %s); wall/bound = %.3f\n",
			s.name, s.objects(), s.latency, s.concurrency(), s.ideal().Seconds(), 3*s.latency,
			res.apply.wall.Seconds()/s.ideal().Seconds())
	}
	if b := res.bare; b != nil {
		fmt.Printf("%s: bare Go client, same sandbox settings: %d POSTs over %d connections in %.3f s (mean round trip %.2f ms); onboard wall / bare = %.3f\n",
			s.name, b.requests, b.concurrency, b.wall.Seconds(), float64(b.meanRTT.Microseconds())/1000, res.apply.wall.Seconds()/b.wall.Seconds())
	}
	fmt.Printf("%s: onboard CPU %.3f s user+sys = %.1f µs per object; peak RSS %.1f MB\n",
		s.name, res.apply.cpu.Seconds(), float64(res.cpuPerObject().Nanoseconds())/1000, res.apply.maxRSSMB)
	fmt.Printf("%s: state %d bytes journaled = %.1f bytes per object\n", s.name, res.stateBytes, res.bytesPerObject())
	if s.rerun {
		before := sb.stats().Requests
		// --refresh=false: the rerun that sends nothing at all (issue 6's
		// target); the refresh has its own scenarios.
		cmd := exec.Command(bin, append(args, "--refresh=false")...)
		cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
		res.rerun = measure(cmd, io.Discard)
		res.rerunReqs = sb.stats().Requests - before
		fmt.Printf("%s: rerun exit %d, wall %.3f s, %d requests\n", s.name, res.rerun.exit, res.rerun.wall.Seconds(), res.rerunReqs)
	}
	return res
}

// measure runs cmd and reads its wall time, CPU time and peak RSS from the
// kernel's accounting of the child.
func measure(cmd *exec.Cmd, stdout io.Writer) measurement {
	cmd.Stdout = stdout
	var stderr strings.Builder
	cmd.Stderr = &stderr
	start := time.Now()
	err := cmd.Run()
	m := measurement{wall: time.Since(start)}
	if cmd.ProcessState == nil {
		check(err)
	}
	m.exit = cmd.ProcessState.ExitCode()
	m.cpu = cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		m.maxRSSMB = float64(ru.Maxrss) / 1024 // KiB on Linux
	}
	if m.exit != 0 {
		tail := stderr.String()
		if len(tail) > 2000 {
			tail = tail[len(tail)-2000:]
		}
		fmt.Fprintf(os.Stderr, "%s exited %d:\n%s\n", strings.Join(cmd.Args, " "), m.exit, tail)
	}
	return m
}

type sandboxProc struct {
	cmd   *exec.Cmd
	base  string
	token string
}

// startSandbox starts `onboard sandbox` with the scenario's latency and
// limits (and extra flags), and reads its address and token.
func startSandbox(bin string, s scenario, extra ...string) *sandboxProc {
	args := []string{"sandbox", "--seed", "1", "--latency", s.latency.String(),
		"--max-inflight", fmt.Sprint(s.maxInflight), "--rate", fmt.Sprint(s.serverRate)}
	args = append(args, extra...)
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	check(err)
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	p := &sandboxProc{cmd: cmd}
	cleanups = append(cleanups, p.stop)
	sc := bufio.NewScanner(out)
	for i := 0; i < 2 && sc.Scan(); i++ {
		k, v, _ := strings.Cut(sc.Text(), "=")
		switch k {
		case "ONBOARD_BASE_URL":
			p.base = v
		case "ONBOARD_TOKEN":
			p.token = v
		}
	}
	if p.base == "" || p.token == "" {
		check(fmt.Errorf("sandbox did not print its base URL and token"))
	}
	go io.Copy(io.Discard, out)
	return p
}

func (p *sandboxProc) stop() {
	if p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(os.Interrupt)
	_ = p.cmd.Wait()
}

type sandboxStats struct {
	Requests int64                       `json:"requests"`
	Routes   map[string]map[string]int64 `json:"routes"`
}

func (st sandboxStats) status(code string) int64 {
	var n int64
	for _, byStatus := range st.Routes {
		n += byStatus[code]
	}
	return n
}

func (p *sandboxProc) stats() sandboxStats {
	resp, err := http.Get(strings.TrimSuffix(p.base, "/api") + "/_sandbox/stats")
	check(err)
	defer resp.Body.Close()
	var st sandboxStats
	check(json.NewDecoder(resp.Body).Decode(&st))
	return st
}

type summaryEvent struct {
	StateBytes int64 `json:"state_bytes_written"`
}

// applySummary finds apply's closing JSON event.
func applySummary(events string) summaryEvent {
	var s summaryEvent
	lines := strings.Split(strings.TrimSpace(events), "\n")
	if len(lines) > 0 {
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
	}
	return s
}

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}
