package main

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/onboardhq/onboard/pkg/state/pgstate/pgtest"
)

// pgScenarioName is the scenario of issue 13: apply-1k with the state on
// PostgreSQL (a throwaway server started from the machine's binaries)
// against the same apply with the state file.
const pgScenarioName = "apply-1k-pg"

// pgTarget is the bound on median wall(PostgreSQL) / median wall(file).
const pgTarget = 1.1

// runPGScenario runs apply-1k alternately with the file state and with the
// PostgreSQL state, runs times each, and reports both medians, the ratio and
// whether it meets the target.
func runPGScenario(bin, dir string, runs int) string {
	s := scenarios[0] // apply-1k: same customers, latency, limits, parallelism
	s.name = pgScenarioName
	manifests := filepath.Join(dir, pgScenarioName, "manifests")
	check(generateSet(manifests, s.customers))
	srv, err := pgtest.Start()
	check(err)
	cleanups = append(cleanups, srv.Stop)
	defer srv.Stop()
	fmt.Printf("== %s: %d customers (%d objects), latency %s, max-inflight %d, parallelism %d; file state vs PostgreSQL state, %d runs each, alternating\n",
		s.name, s.customers, s.objects(), s.latency, s.maxInflight, s.parallelism, runs)
	var file, pg []time.Duration
	for i := range runs {
		for _, onPG := range []bool{false, true} {
			loc := filepath.Join(dir, pgScenarioName, fmt.Sprintf("run-%d.state", i))
			kind := "file"
			if onPG {
				loc, kind = srv.StateURL(fmt.Sprintf("bench%d", i)), "postgres"
			}
			sb := startSandbox(bin, s)
			cmd := exec.Command(bin, "apply", "--auto-approve", manifests, "--state", loc, "--parallelism", fmt.Sprint(s.parallelism), "--rate", s.clientRate)
			cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
			m := measure(cmd, io.Discard)
			reqs := sb.stats().Requests
			sb.stop()
			if m.exit != 0 {
				check(fmt.Errorf("%s: apply with the %s state exited %d", s.name, kind, m.exit))
			}
			fmt.Printf("%s: run %d, %-8s state: wall %.3f s, CPU %.3f s, %d requests\n", s.name, i+1, kind, m.wall.Seconds(), m.cpu.Seconds(), reqs)
			if onPG {
				pg = append(pg, m.wall)
			} else {
				file = append(file, m.wall)
			}
		}
	}
	mf, mp := median(file), median(pg)
	ratio := mp.Seconds() / mf.Seconds()
	verdict := "met"
	if ratio > pgTarget {
		verdict = "NOT met"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s: median wall: file %.3f s, PostgreSQL %.3f s; ratio %.3f\n", s.name, mf.Seconds(), mp.Seconds(), ratio)
	fmt.Fprintf(&b, "target %s: apply of 1,000 customers at 20 ms with the PostgreSQL state within %.1fx the file state: %.3fx, %s\n\n",
		s.name, pgTarget, ratio, verdict)
	return b.String()
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
