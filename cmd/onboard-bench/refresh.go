package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// refreshResult holds the figures of one measured refresh.
type refreshResult struct {
	objects  int
	requests int // as refresh counted them
	served   int64
	r429     int64
	wall     time.Duration
	drifted  int // objects whose fields differ from the state (0 on a fresh apply)
	gone     int
	bare     bareResult // the same GETs by a minimal client: the machine's floor
	// drift is `onboard drift` of the same set, as a scheduled job runs
	// it: its requests as the sandbox served them (preflight included).
	drift       measurement
	driftServed int64
}

// bound is the refresh's own ideal: its requests at the scenario's
// latency, as many in flight as the server allows.
func (s scenario) refreshBound(requests int) time.Duration {
	return time.Duration(float64(requests) * float64(s.latency) / float64(s.concurrency()))
}

// runRefresh applies the set to a sandbox without latency (unmeasured),
// restarts the sandbox on the same data with the scenario's latency and
// limits, and measures one refresh of everything the state knows, through
// pkg/refresh and the API client as plan and apply use them.
func (s scenario) runRefresh(bin, manifests, dir string) runResult {
	data := filepath.Join(dir, "sandbox.json")
	statePath := filepath.Join(dir, "onboard.state")
	setup := s
	setup.latency, setup.maxInflight, setup.serverRate = 0, 0, 0
	sb := startSandbox(bin, setup, "--data", data)
	cmd := exec.Command(bin, "apply", "--auto-approve", manifests, "--state", statePath, "--parallelism", fmt.Sprint(s.parallelism), "--rate", "0")
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	res := runResult{objects: s.objects(), apply: measure(cmd, io.Discard)}
	sb.stop() // saves the data
	if res.apply.exit != 0 {
		return res
	}

	sb = startSandbox(bin, s, "--data", data)
	defer sb.stop()
	st, _, err := state.Read(statePath)
	check(err)
	known := refresh.KnownFrom(st)
	c, err := bluerocktel.New(bluerocktel.Config{BaseURL: sb.base, Token: sb.token, Rate: 0})
	check(err)
	defer c.Close()
	before := sb.stats()
	start := time.Now()
	live, rs, err := refresh.Read(context.Background(), c, known, refresh.Options{Parallelism: s.parallelism})
	wall := time.Since(start)
	check(err)
	after := sb.stats()
	rr := &refreshResult{objects: len(known), requests: rs.Requests(), served: after.Requests - before.Requests,
		r429: after.status("429") - before.status("429"), wall: wall, gone: rs.Gone}
	ids := st.IDOf
	for _, k := range known {
		l := live[k.Addr]
		if l != nil && !l.Gone && len(resource.Compare(resource.Get(k.Kind), st.Get(k.Addr).Spec, l.Record, ids)) > 0 {
			rr.drifted++
		}
	}
	res.refresh = rr
	rr.bare = bareGets(sb.base, sb.token, refreshPaths(known), s.concurrency())
	bound := s.refreshBound(rr.requests)
	fmt.Printf("%s: refresh of %d objects: %d requests (%d served, %d answered 429) = %.3f per object, wall %.3f s; own bound %d × %s ÷ %d = %.3f s; wall/bound = %.3f\n",
		s.name, rr.objects, rr.requests, rr.served, rr.r429, float64(rr.requests)/float64(rr.objects), wall.Seconds(),
		rr.requests, s.latency, s.concurrency(), bound.Seconds(), wall.Seconds()/bound.Seconds())
	fmt.Printf("%s: bare Go client, the same %d GETs over %d connections: %.3f s; refresh wall / bare = %.3f\n",
		s.name, rr.bare.requests, rr.bare.concurrency, rr.bare.wall.Seconds(), wall.Seconds()/rr.bare.wall.Seconds())
	fmt.Printf("%s: by kind: %s; %d objects drifted, %d gone (a fresh apply: both must be 0)\n", s.name, kindCounts(rs), rr.drifted, rr.gone)
	fmt.Printf("%s: one GET per object (Terraform's refresh) would be %d requests, bound %.3f s at the same latency and parallelism\n",
		s.name, rr.objects, s.refreshBound(rr.objects).Seconds())

	// The same read as `onboard drift` runs it: the binary, with its
	// preflight and progress, against the same sandbox.
	before = sb.stats()
	cmd = exec.Command(bin, "drift", manifests, "--state", statePath, "--parallelism", fmt.Sprint(s.parallelism), "--rate", "0", "--output", "json")
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	rr.drift = measure(cmd, io.Discard)
	rr.driftServed = sb.stats().Requests - before.Requests
	fmt.Printf("%s: onboard drift: exit %d, %d requests served = %.3f per object, wall %.3f s, peak RSS %.0f MB\n",
		s.name, rr.drift.exit, rr.driftServed, float64(rr.driftServed)/float64(rr.objects), rr.drift.wall.Seconds(), rr.drift.maxRSSMB)
	return res
}

func kindCounts(rs refresh.Stats) string {
	out := ""
	for _, spec := range resource.All() {
		k, ok := rs.Kinds[spec.Kind]
		if !ok {
			continue
		}
		if out != "" {
			out += ", "
		}
		out += fmt.Sprintf("%s %d GET + %d pages", spec.Kind, k.Gets, k.Pages)
	}
	return out
}

// refreshTargets are issue 11's: at most 0.25 requests per object, and a
// wall time within 1.2 × the refresh's own bound; a fresh apply shows no
// drift.
func (r *report) refreshTargets(note string) []target {
	for _, run := range r.runs {
		if run.refresh == nil {
			return []target{{name: r.name, measured: "the setup apply failed (see above)"}}
		}
	}
	per := r.median(func(x runResult) float64 { return float64(x.refresh.requests) / float64(x.refresh.objects) })
	reqs := r.median(func(x runResult) float64 { return float64(x.refresh.requests) })
	ratio := r.median(func(x runResult) float64 {
		return x.refresh.wall.Seconds() / r.refreshBound(x.refresh.requests).Seconds()
	})
	wall := r.median(func(x runResult) float64 { return x.refresh.wall.Seconds() })
	drift := r.median(func(x runResult) float64 { return float64(x.refresh.drifted + x.refresh.gone) })
	objects := r.runs[0].refresh.objects
	driftPer := r.median(func(x runResult) float64 { return float64(x.refresh.driftServed) / float64(x.refresh.objects) })
	return []target{
		{name: fmt.Sprintf("%s (%d customers, %d objects): requests per object <= 0.25 (Terraform: 1.0)", r.name, r.customers, objects),
			measured: fmt.Sprintf("%.0f requests = %.3f per object%s", reqs, per, note), met: per <= 0.25},
		{name: fmt.Sprintf("%s at %s, parallelism %d: wall <= 1.2 x own bound (requests x %s / %d)", r.name, r.latency, r.parallelism, r.latency, r.concurrency()),
			measured: fmt.Sprintf("%.3f s = %.3f x %.3f s%s", wall, ratio, r.refreshBound(int(reqs)).Seconds(), note), met: ratio <= 1.2},
		{name: r.name + ": no false drift after a fresh apply", measured: fmt.Sprintf("%.0f objects drifted or gone", drift), met: drift == 0},
		{name: fmt.Sprintf("%s: onboard drift (the binary, preflight included) <= 0.25 requests per object, exit 0 after a fresh apply", r.name),
			measured: fmt.Sprintf("%.3f per object, exit %d%s", driftPer, r.runs[0].refresh.drift.exit, note),
			met:      driftPer <= 0.25 && r.runs[0].refresh.drift.exit == 0},
	}
}

// refreshPaths are the requests refresh makes for a freshly applied set:
// a GET of each lone catalog object, the pages of each listed kind, a GET
// of each file (its lines come with it).
func refreshPaths(known []refresh.Known) []string {
	byKind := map[resource.Kind][]refresh.Known{}
	for _, k := range known {
		byKind[k.Kind] = append(byKind[k.Kind], k)
	}
	var paths []string
	for _, spec := range resource.All() {
		objs := byKind[spec.Kind]
		switch {
		case spec.Parent == nil && len(objs) > 1:
			for p := 1; p <= (len(objs)+bluerocktel.MaxPerPage-1)/bluerocktel.MaxPerPage; p++ {
				paths = append(paths, fmt.Sprintf("%s?per_page=%d&page=%d", spec.Path, bluerocktel.MaxPerPage, p))
			}
		case spec.Parent == nil || len(spec.Embeds()) > 0:
			for _, k := range objs {
				paths = append(paths, fmt.Sprintf("%s/%d", spec.Path, k.ID))
			}
		}
	}
	return paths
}
