package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/onboardhq/onboard/pkg/drift"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/state"
)

// driftOptions are onboard drift's inputs.
type driftOptions struct {
	paths       []string
	plan        planFlags
	client      clientFlags
	output      string
	parallelism int
}

// newDriftCmd builds onboard drift; runF runs it (a.runDrift unless a test
// checks the flags alone).
func newDriftCmd(a *app, runF func(context.Context, *driftOptions) error) *cobra.Command {
	opts := &driftOptions{}
	if runF == nil {
		runF = a.runDrift
	}
	c := &cobra.Command{
		Use:   "drift PATH...",
		Short: "Check the whole tenant: what changed in BlueRockTEL, and what is not applied (read-only)",
		Long: `drift reads from BlueRockTEL every object the state knows, in bulk (a customer
file and all its lines in one request), and reports what changed there since
onboard last wrote the state (a field edited in the web interface, an object
deleted), with what the manifests say, and what the manifests declare that
apply has not made yet. It sends nothing but reads and writes nothing; it
keeps under --rate and shows its progress with an estimated time left.

Meant to run on a schedule (see examples/ci): --output markdown for an issue,
json for tools. Exit status: 0 when BlueRockTEL, the state and the manifests
agree, 2 when anything drifted, 1 on error.`,
		Example: `  onboard drift customers/
  onboard drift customers/ --output markdown > drift.md   # exit 2: open an issue
  onboard drift customers/ --rate 20/s --output json`,
		Args: needPaths,
		RunE: func(c *cobra.Command, paths []string) error {
			if err := checkOutput(opts.output, planOutputs); err != nil {
				return err
			}
			if err := checkParallelism(opts.parallelism); err != nil {
				return err
			}
			opts.paths = paths
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.plan.statePath, "state", "", stateFlagHelp)
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "text, json or markdown")
	c.Flags().IntVarP(&opts.parallelism, "parallelism", "p", 8, "requests in flight at most")
	opts.client.register(c.Flags())
	return c
}

// runDrift is onboard drift: a full refresh, compared with the state and
// the manifests.
func (a *app) runDrift(ctx context.Context, opts *driftOptions) error {
	var (
		live  map[string]*refresh.Live
		stats refresh.Stats
		own   *state.State // the part of the state the manifests own
	)
	read := func(st *state.State, _ scope, refs []plan.Reference) (map[string]*refresh.Live, plan.Existing, error) {
		own = st
		known := refresh.KnownFrom(st)
		prog := newETAProgress(a.stderr)
		var (
			existing plan.Existing
			err      error
		)
		live, existing, err = a.readAPI(ctx, &opts.client, nil, known, refs, opts.parallelism, readOptions{onRead: prog.update, stats: &stats})
		prog.done()
		return live, existing, err
	}
	p, _, _, err := a.compileSet(opts.paths, &opts.plan, read)
	if err != nil {
		return err
	}
	rep := drift.Build(own, live, p, stats)
	switch opts.output {
	case "json":
		err = drift.JSON(a.stdout, rep)
	case "markdown":
		err = drift.Markdown(a.stdout, rep)
	default:
		err = drift.Text(a.stdout, rep)
	}
	if err != nil {
		return err
	}
	if !rep.Clean() {
		return &exitError{code: exitChanges}
	}
	return nil
}

// etaProgress shows a long read's progress with the time left: one line
// redrawn on a terminal (at most ten times a second), else a line at each
// tenth, for a job's log. Nothing for a read of nothing.
type etaProgress struct {
	w        io.Writer
	tty      bool
	start    time.Time
	mu       sync.Mutex
	last     time.Time
	lastTnth int
	drawn    bool
}

func newETAProgress(w io.Writer) *etaProgress {
	f, ok := w.(*os.File)
	tty := ok && term.IsTerminal(int(f.Fd())) && os.Getenv("TERM") != "dumb"
	return &etaProgress{w: w, tty: tty, start: time.Now()}
}

// update is called as objects are read: read so far, of total.
func (p *etaProgress) update(read, total int) {
	if total == 0 {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	now := time.Now()
	if p.tty {
		if now.Sub(p.last) < 100*time.Millisecond && read < total {
			return
		}
		p.last, p.drawn = now, true
		fmt.Fprintf(p.w, "\r\x1b[K%s", progressLine(read, total, now.Sub(p.start)))
		return
	}
	if tenth := read * 10 / total; tenth > p.lastTnth {
		p.lastTnth = tenth
		fmt.Fprintln(p.w, progressLine(read, total, now.Sub(p.start)))
	}
}

func (p *etaProgress) done() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drawn {
		fmt.Fprint(p.w, "\r\x1b[K")
		p.drawn = false
	}
}

// progressLine is "Reading BlueRockTEL: 1,200 of 50,000 objects (2%),
// about 4m10s left".
func progressLine(read, total int, elapsed time.Duration) string {
	line := fmt.Sprintf("Reading BlueRockTEL: %s of %s objects (%d%%)", thousands(read), thousands(total), read*100/total)
	if left := eta(read, total, elapsed); left > 0 {
		line += ", about " + left.String() + " left"
	}
	return line
}

// eta is the time left to read total objects at the pace of the first
// read: 0 when done or when nothing was read yet. Rounded to the second.
func eta(read, total int, elapsed time.Duration) time.Duration {
	if read <= 0 || read >= total {
		return 0
	}
	left := time.Duration(float64(elapsed) * float64(total-read) / float64(read))
	return left.Round(time.Second)
}

// thousands writes n with comma separators.
func thousands(n int) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
