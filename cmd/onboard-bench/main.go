// Command onboard-bench is the end-to-end benchmark of onboard: it
// generates N-customer manifest sets, starts `onboard sandbox` as a separate
// process with a given latency and limits, runs `onboard apply` (and plan)
// as a user would, and reports wall time against the ideal bound, requests,
// 429s, CPU time per object, peak memory and state bytes.
//
//	go run ./cmd/onboard-bench -onboard bin/onboard            # every scenario
//	go run ./cmd/onboard-bench -onboard bin/onboard -run apply-1k
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"time"

	"github.com/onboardhq/onboard/pkg/generate"
)

// scenario is one measured run.
type scenario struct {
	name        string
	customers   int
	latency     time.Duration
	maxInflight int
	serverRate  float64 // sandbox requests/s, 0 = none
	parallelism int
	clientRate  string
	plan        bool // measure `onboard plan` instead of apply
	rerun       bool // also measure a second apply
	target      string
}

var scenarios = []scenario{
	{name: "apply-1k", customers: 1000, latency: 20 * time.Millisecond, maxInflight: 16, parallelism: 16, clientRate: "0", rerun: true,
		target: "wall <= 1.15 x ideal bound; rerun: 0 requests, < 0.5 s"},
	{name: "plan-10k", customers: 10000, plan: true, target: "< 2 s, peak memory < 500 MB"},
	{name: "rate-200", customers: 1000, latency: 5 * time.Millisecond, serverRate: 200, parallelism: 16, clientRate: "0",
		target: ">= 180 requests/s, 429s < 2% of requests"},
	{name: "cpu-1k", customers: 1000, parallelism: 16, clientRate: "0", target: "onboard CPU (user+sys) < 200 µs per object at 0 ms latency"},
	{name: "state-10k", customers: 10000, parallelism: 32, clientRate: "0", target: "state bytes per object within ±20% of apply-1k/cpu-1k"},
}

func main() {
	bin := flag.String("onboard", "bin/onboard", "onboard binary to measure")
	only := flag.String("run", "", "run only the scenarios whose name contains this")
	work := flag.String("work", "", "working directory (default: a temporary one, removed afterwards)")
	flag.Parse()
	abs, err := filepath.Abs(*bin)
	check(err)
	dir := *work
	if dir == "" {
		dir, err = os.MkdirTemp("", "onboard-bench-")
		check(err)
		defer os.RemoveAll(dir)
	}
	fmt.Printf("machine: %s/%s, %d CPUs, %s\n\n", runtime.GOOS, runtime.GOARCH, runtime.NumCPU(), cpuModel())
	for _, s := range scenarios {
		if *only != "" && !strings.Contains(s.name, *only) {
			continue
		}
		r := s.run(abs, filepath.Join(dir, s.name))
		fmt.Println(r)
	}
}

func (s scenario) run(bin, dir string) string {
	check(os.MkdirAll(dir, 0o755))
	manifests := filepath.Join(dir, "manifests")
	check(generate.Write(manifests, s.customers, 1))
	statePath := filepath.Join(dir, "onboard.state")
	objects := 2 + 5*s.customers
	var b strings.Builder
	fmt.Fprintf(&b, "## %s: %d customers (%d objects)\ntarget: %s\n", s.name, s.customers, objects, s.target)
	if s.plan {
		m := measure(exec.Command(bin, "plan", manifests, "--state", statePath, "--output", "json"), io.Discard)
		fmt.Fprintf(&b, "plan: wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n", m.wall.Seconds(), m.cpu.Seconds(), m.maxRSSMB)
		return b.String()
	}
	sb := startSandbox(bin, s)
	defer sb.stop()
	args := []string{"apply", manifests, "--state", statePath, "--parallelism", fmt.Sprint(s.parallelism), "--rate", s.clientRate, "--output", "json"}
	var events strings.Builder
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	m := measure(cmd, &events)
	st := sb.stats()
	sum := summary(events.String())
	requests := st.Requests
	r429 := st.status("429")
	ideal := time.Duration(float64(objects) * float64(s.latency) / float64(min(s.parallelism, nonzero(s.maxInflight, s.parallelism))))
	critical := 3 * s.latency
	fmt.Fprintf(&b, "apply: exit %d, wall %.3f s; %d requests, %d answered 429 (%.2f%%); %.0f requests/s\n",
		m.exit, m.wall.Seconds(), requests, r429, pct(r429, requests), float64(requests)/m.wall.Seconds())
	if s.latency > 0 && s.serverRate == 0 {
		bound := max(ideal, critical)
		fmt.Fprintf(&b, "ideal bound: %d × %s ÷ %d = %.3f s (critical path %s); wall/bound = %.3f\n",
			objects, s.latency, s.parallelism, ideal.Seconds(), critical, m.wall.Seconds()/bound.Seconds())
	}
	fmt.Fprintf(&b, "onboard CPU: %.3f s user+sys = %.1f µs per object; peak RSS %.1f MB\n",
		m.cpu.Seconds(), float64(m.cpu.Microseconds())/float64(objects), m.maxRSSMB)
	fmt.Fprintf(&b, "state: %d bytes journaled = %.1f bytes per object\n", sum.StateBytes, float64(sum.StateBytes)/float64(objects))
	if s.rerun {
		before := sb.stats().Requests
		cmd := exec.Command(bin, args...)
		cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
		m2 := measure(cmd, io.Discard)
		fmt.Fprintf(&b, "rerun: exit %d, wall %.3f s, %d requests\n", m2.exit, m2.wall.Seconds(), sb.stats().Requests-before)
	}
	return b.String()
}

type measurement struct {
	wall     time.Duration
	cpu      time.Duration
	maxRSSMB float64
	exit     int
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

func startSandbox(bin string, s scenario) *sandboxProc {
	args := []string{"sandbox", "--seed", "1", "--latency", s.latency.String(),
		"--max-inflight", fmt.Sprint(s.maxInflight), "--rate", fmt.Sprint(s.serverRate)}
	cmd := exec.Command(bin, args...)
	out, err := cmd.StdoutPipe()
	check(err)
	cmd.Stderr = os.Stderr
	check(cmd.Start())
	sc := bufio.NewScanner(out)
	p := &sandboxProc{cmd: cmd}
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

type applySummary struct {
	StateBytes int64 `json:"state_bytes_written"`
}

// summary finds apply's closing JSON event.
func summary(events string) applySummary {
	var s applySummary
	lines := strings.Split(strings.TrimSpace(events), "\n")
	if len(lines) > 0 {
		_ = json.Unmarshal([]byte(lines[len(lines)-1]), &s)
	}
	return s
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

func pct(a, b int64) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

func nonzero(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "onboard-bench:", err)
		os.Exit(1)
	}
}
