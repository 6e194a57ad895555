package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// updateResult holds the figures of one measured update (issue 10).
type updateResult struct {
	changed int // recurring lines whose quantity the manifests change
	// apply scenarios: what the sandbox served during the measured apply
	puts, posts, requests int64
	putsOK                int64 // PUTs answered 200
	updated, created      int   // as apply's summary counted them
	// apply scenarios: where the time goes besides onboard's requests
	bare bareResult  // the same number of PUTs by a minimal client: the floor
	noop measurement // `onboard plan` of the applied change: loading and planning, nothing to do
	// plan scenarios: the plan's own counts
	planCreate, planUpdate int
}

// recurringQuantityRE finds the quantity of a generated recurring line
// (generate names it "trunk"; licences and initials are left alone).
var recurringQuantityRE = regexp.MustCompile(`(trunk: \{item: [^,]+, quantity: )(\d+)`)

// changeRecurrings copies the manifests of src into dst with one more on
// the quantity of every recurring line, and returns how many it changed.
func changeRecurrings(src, dst string) int {
	check(os.MkdirAll(dst, 0o755))
	entries, err := os.ReadDir(src)
	check(err)
	n := 0
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		check(err)
		out := recurringQuantityRE.ReplaceAllStringFunc(string(b), func(s string) string {
			m := recurringQuantityRE.FindStringSubmatch(s)
			q, err := strconv.Atoi(m[2])
			check(err)
			n++
			return m[1] + strconv.Itoa(q+1)
		})
		check(os.WriteFile(filepath.Join(dst, e.Name()), []byte(out), 0o644))
	}
	return n
}

// setupApplied applies manifests to a sandbox without latency or limits
// (not measured) that saves its data to dataFile when stopped, and
// returns the apply's measurement and the sandbox's address: the state is
// bound to that API, so the sandbox restarts there.
func (s scenario) setupApplied(bin, manifests, statePath, dataFile string) (measurement, string) {
	setup := s
	setup.latency, setup.maxInflight, setup.serverRate = 0, 0, 0
	sb := startSandbox(bin, setup, "--data", dataFile)
	defer sb.stop() // saves the data
	cmd := exec.Command(bin, "apply", "--auto-approve", manifests, "--state", statePath, "--parallelism", fmt.Sprint(max(s.parallelism, 32)), "--rate", "0")
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	u, err := url.Parse(sb.base)
	check(err)
	return measure(cmd, io.Discard), u.Host
}

// runUpdate measures day two: the set is applied unmeasured, then the
// quantity of every recurring line changes. An apply scenario restarts
// the sandbox on the same data with its latency and limits and measures
// `apply --auto-approve` of the change (one PUT a line); a plan scenario
// measures `onboard plan` of it against the applied state, as plan-10k
// does against an empty one. The applied set of a plan scenario is
// shared by its runs (plan changes nothing).
func (s scenario) runUpdate(bin, manifests, dir string) runResult {
	res := runResult{objects: s.objects()}
	setupDir := dir
	if s.plan {
		setupDir = filepath.Join(filepath.Dir(dir), "setup")
	}
	check(os.MkdirAll(setupDir, 0o755))
	statePath := filepath.Join(setupDir, "onboard.state")
	data := filepath.Join(setupDir, "sandbox.json")
	changed := filepath.Join(setupDir, "changed")
	ur := &updateResult{}
	var addr string
	if _, err := os.Stat(filepath.Join(changed, "catalog.yaml")); err != nil {
		start := time.Now()
		res.apply, addr = s.setupApplied(bin, manifests, statePath, data)
		if res.apply.exit != 0 {
			return res
		}
		var n int
		what := "quantity of %d recurring lines changed"
		if s.deactivate {
			n, what = deactivateRecurrings(manifests, changed), "%d recurring lines removed and decided: deactivate"
		} else {
			n = changeRecurrings(manifests, changed)
		}
		check(os.WriteFile(filepath.Join(setupDir, "changed.count"), []byte(strconv.Itoa(n)), 0o644))
		fmt.Printf("%s: setup: applied %d objects without latency in %.3f s (not measured); "+what+"\n",
			s.name, s.objects(), time.Since(start).Seconds(), n)
	}
	b, err := os.ReadFile(filepath.Join(setupDir, "changed.count"))
	check(err)
	ur.changed, err = strconv.Atoi(string(b))
	check(err)
	res.update = ur

	if s.plan {
		var text strings.Builder
		res.planJSON = measure(exec.Command(bin, "plan", changed, "--state", statePath, "--refresh=false", "--output", "json"), io.Discard)
		res.planText = measure(exec.Command(bin, "plan", changed, "--state", statePath, "--refresh=false"), &text)
		if m := planCountsRE.FindStringSubmatch(text.String()); m != nil {
			ur.planCreate, _ = strconv.Atoi(m[1])
			ur.planUpdate, _ = strconv.Atoi(m[2])
		}
		fmt.Printf("%s: plan --output json: wall %.3f s, CPU %.3f s, peak RSS %.1f MB\n",
			s.name, res.planJSON.wall.Seconds(), res.planJSON.cpu.Seconds(), res.planJSON.maxRSSMB)
		fmt.Printf("%s: plan (text):        wall %.3f s, CPU %.3f s, peak RSS %.1f MB; %d to create, %d to update\n",
			s.name, res.planText.wall.Seconds(), res.planText.cpu.Seconds(), res.planText.maxRSSMB, ur.planCreate, ur.planUpdate)
		return res
	}

	sb := startSandbox(bin, s, "--data", data, "--addr", addr)
	defer sb.stop()
	before := sb.stats()
	var events strings.Builder
	// --refresh=false: the update path alone, as the target's bound counts
	// the PUTs only (the refresh of 5,002 objects is refresh-1k's).
	cmd := exec.Command(bin, "apply", "--auto-approve", changed, "--state", statePath, "--refresh=false",
		"--parallelism", fmt.Sprint(s.parallelism), "--rate", s.clientRate, "--output", "json")
	cmd.Env = append(os.Environ(), "ONBOARD_BASE_URL="+sb.base, "ONBOARD_TOKEN="+sb.token)
	res.apply = measure(cmd, &events)
	after := sb.stats()
	ur.requests = after.Requests - before.Requests
	ur.puts, ur.putsOK = after.method("PUT", "")-before.method("PUT", ""), after.method("PUT", "200")-before.method("PUT", "200")
	ur.posts = after.method("POST", "") - before.method("POST", "")
	var sum struct {
		Result struct {
			Created     int `json:"created"`
			Updated     int `json:"updated"`
			Deactivated int `json:"deactivated"`
		} `json:"result"`
	}
	lines := strings.Split(strings.TrimSpace(events.String()), "\n")
	_ = json.Unmarshal([]byte(lines[len(lines)-1]), &sum) // a missing summary shows as 0 updated
	ur.created, ur.updated = sum.Result.Created, sum.Result.Updated
	if s.deactivate {
		ur.updated = sum.Result.Deactivated // the scenario's one change a line
	}
	fmt.Printf("%s: apply exit %d, wall %.3f s; %d updated, %d created; %d requests: %d PUTs (%d answered 200), %d POSTs\n",
		s.name, res.apply.exit, res.apply.wall.Seconds(), ur.updated, ur.created, ur.requests, ur.puts, ur.putsOK, ur.posts)
	fmt.Printf("%s: ideal bound %d × %s ÷ %d = %.3f s, plus the preflight (%s); wall/bound = %.3f\n",
		s.name, ur.changed, s.latency, s.concurrency(), s.updateBound(ur.changed).Seconds(), s.latency,
		(res.apply.wall-s.latency).Seconds()/s.updateBound(ur.changed).Seconds())
	fmt.Printf("%s: onboard CPU %.3f s user+sys; peak RSS %.1f MB\n", s.name, res.apply.cpu.Seconds(), res.apply.maxRSSMB)

	ur.noop = measure(exec.Command(bin, "plan", changed, "--state", statePath, "--refresh=false"), io.Discard)
	paths := recurringPaths(statePath)
	ur.bare = bareSend(sb.base, sb.token, len(paths), s.concurrency(), http.StatusOK, func(i int) (string, string, string) {
		return http.MethodPut, paths[i], `{"quantity":1}`
	})
	fmt.Printf("%s: fixed cost: `onboard plan` of the applied change (load %d objects, read the state, plan, nothing to do): wall %.3f s\n",
		s.name, s.objects(), ur.noop.wall.Seconds())
	fmt.Printf("%s: bare Go client, the same %d PUTs over %d connections: %.3f s; apply wall = bare + fixed cost + %.3f s\n",
		s.name, ur.bare.requests, ur.bare.concurrency, ur.bare.wall.Seconds(), (res.apply.wall - ur.bare.wall - ur.noop.wall).Seconds())
	return res
}

// recurringPaths are the API paths of the recurring lines the state
// records.
func recurringPaths(statePath string) []string {
	st, _, err := state.Read(statePath)
	check(err)
	spec := resource.Get(resource.Recurring)
	var paths []string
	for _, o := range st.Sorted() {
		if o.Kind == string(spec.Kind) {
			paths = append(paths, fmt.Sprintf("%s/%d", spec.Path, o.ID))
		}
	}
	return paths
}

// planCountsRE reads plan's summary line.
var planCountsRE = regexp.MustCompile(`(?m)^Plan: (\d+) to create, (\d+) to update, `)

// updateBound is the ideal of an update apply: its PUTs at the scenario's
// latency, as many in flight as the server allows. The preflight GET
// comes before them, one round trip more.
func (s scenario) updateBound(puts int) time.Duration {
	return time.Duration(float64(puts) * float64(s.latency) / float64(s.concurrency()))
}

// method sums the served requests of routes of one HTTP method, of one
// status or of any ("").
func (st sandboxStats) method(method, status string) int64 {
	var n int64
	for route, byStatus := range st.Routes {
		if !strings.HasPrefix(route, method+" ") {
			continue
		}
		for code, c := range byStatus {
			if status == "" || code == status {
				n += c
			}
		}
	}
	return n
}

// updateTargets are issue 10's: an update of one field on every recurring
// line within 1.15 × its bound plus the preflight, with exactly one PUT a
// line and nothing created; a plan of 10,000 updates under 2 s and 500 MB.
func (r *report) updateTargets(note string) []target {
	for _, run := range r.runs {
		if run.update == nil {
			return []target{{name: r.name, measured: "the setup apply failed (see above)"}}
		}
	}
	changed := r.runs[0].update.changed
	if r.plan {
		updates := r.median(func(x runResult) float64 { return float64(x.update.planUpdate) })
		creates := r.median(func(x runResult) float64 { return float64(x.update.planCreate) })
		ts := r.planTargets(fmt.Sprintf("plan %d customers with %d updates", r.customers, changed), note)
		ts = append(ts, target{name: fmt.Sprintf("plan %d customers: %d to update, 0 to create", r.customers, changed),
			measured: fmt.Sprintf("%.0f to update, %.0f to create", updates, creates), met: int(updates) == changed && creates == 0})
		return ts
	}
	return r.putTargets(fmt.Sprintf("update one field on %d recurring lines", changed), fmt.Sprintf("update %d recurring lines", changed), "updated", note)
}

// putTargets judges a run that sends one PUT a changed recurring line
// (an update, a deactivation): wall within 1.15 × the bound of its PUTs
// plus the preflight, and exactly one PUT a line, all 200, no POST. timed
// and exact name the runs in the two targets, done what apply counts.
func (r *report) putTargets(timed, exact, done, note string) []target {
	changed := r.runs[0].update.changed
	bound := r.updateBound(changed)
	limit := time.Duration(1.15*float64(bound)) + r.latency
	wall := r.median(func(x runResult) float64 { return x.apply.wall.Seconds() })
	puts := r.median(func(x runResult) float64 { return float64(x.update.puts) })
	ok := r.median(func(x runResult) float64 { return float64(x.update.putsOK) })
	posts := r.median(func(x runResult) float64 { return float64(x.update.posts) })
	n := r.median(func(x runResult) float64 { return float64(x.update.updated) })
	return []target{
		{name: fmt.Sprintf("%s at %s, parallelism %d: wall <= 1.15 x bound (%d x %s / %d) + preflight = %.3f s", timed, r.latency, r.parallelism, changed, r.latency, r.concurrency(), limit.Seconds()),
			measured: fmt.Sprintf("%.3f s = %.3f x %.3f s + %s%s", wall, (wall-r.latency.Seconds())/bound.Seconds(), bound.Seconds(), r.latency, note), met: wall <= limit.Seconds()},
		{name: fmt.Sprintf("%s: exactly %d PUTs, all answered 200, no POST, %d %s", exact, changed, changed, done),
			measured: fmt.Sprintf("%.0f PUTs (%.0f answered 200), %.0f POSTs, %.0f %s%s", puts, ok, posts, n, done, note),
			met:      int(puts) == changed && int(ok) == changed && posts == 0 && int(n) == changed},
	}
}
