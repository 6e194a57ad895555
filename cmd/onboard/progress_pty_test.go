package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// ptyRun runs `onboard ARGS...` with stderr on a pseudo-terminal of the
// given width, as a person's shell would, and returns what the terminal
// received and stdout.
func ptyRun(t *testing.T, env []string, cols uint16, args ...string) (term, stdout string) {
	t.Helper()
	return ptyRunCode(t, env, cols, 0, args...)
}

// ptyRunCode is ptyRun for a run that exits with code.
func ptyRunCode(t *testing.T, env []string, cols uint16, code int, args ...string) (term, stdout string) {
	t.Helper()
	ptmx, tty, err := pty.Open()
	if err != nil {
		t.Fatalf("open a pseudo-terminal: %v", err)
	}
	defer ptmx.Close()
	if err := pty.Setsize(ptmx, &pty.Winsize{Rows: 40, Cols: cols}); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "onboard", args...)
	var out bytes.Buffer
	cmd.Env, cmd.Stdout, cmd.Stderr = env, &out, tty
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	tty.Close() // the child holds it now: reading ends when the child exits
	var got bytes.Buffer
	copied := make(chan error, 1)
	go func() {
		_, err := io.Copy(&got, ptmx)
		copied <- err
	}()
	werr := cmd.Wait()
	if err := <-copied; err != nil && !errors.Is(err, syscall.EIO) {
		t.Fatalf("read the terminal: %v", err)
	}
	if exitCode(werr) != code {
		t.Fatalf("onboard %s: %v, want exit %d\n%s\n%s", strings.Join(args, " "), werr, code, got.String(), out.String())
	}
	// The terminal turns \n into \r\n.
	return strings.ReplaceAll(got.String(), "\r\n", "\n"), out.String()
}

// frameRE is the live line: bar, done/total, percentage, rate, elapsed
// time and ETA (or, at the end, the total time), counts, in flight.
var frameRE = regexp.MustCompile(`^\[[#-]{10,30}\] (\d+)/(\d+) +(\d+)%  ([0-9.]+)/s  (?:(\d+):(\d\d) elapsed  ETA (?:(\d+):(\d\d)|--:--)|in (\d+):(\d\d))`)

// TestProgressOnTerminal drives apply on a pseudo-terminal against a
// sandbox where the client's own --rate is what limits the speed: the bar
// moves, its ETA matches the time actually left, it names --rate as the
// limit, the last frame says what the summary says, and with NO_COLOR or
// TERM=dumb no escape sequence is written.
func TestProgressOnTerminal(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dir, set := generateSet(t, 12, 3)
	total := len(set.Objects)
	const perSecond = 30 // --rate: total/30 s, about 2 s
	args := func(state, rate string) []string {
		return []string{"apply", "--auto-approve", dir, "--state", filepath.Join(t.TempDir(), state), "--rate", rate}
	}
	env := append(sb.env(), "TERM=xterm-256color")

	term, stdout := ptyRun(t, env, 200, args("a.state", strconv.Itoa(perSecond)+"/s")...)
	if strings.Contains(term, "\x1b") {
		t.Errorf("NO_COLOR=1: the terminal got an escape sequence:\n%q", term)
	}
	summary := regexp.MustCompile(`Apply complete: (\d+) created, 0 updated, 0 adopted, 0 failed, 0 skipped`).FindStringSubmatch(stdout)
	if summary == nil || summary[1] != strconv.Itoa(total) {
		t.Fatalf("summary: want %d created:\n%s", total, stdout)
	}
	var frames []string
	for _, line := range strings.Split(term, "\n") {
		for _, f := range strings.Split(line, "\r") {
			if f = strings.TrimRight(f, " "); frameRE.MatchString(f) {
				frames = append(frames, f)
			}
		}
	}
	if len(frames) < 5 {
		t.Fatalf("%d frames of the progress bar, want several:\n%q", len(frames), term)
	}
	checked, limited := 0, false
	for _, f := range frames[:len(frames)-1] {
		m := frameRE.FindStringSubmatch(f)
		done, _ := strconv.Atoi(m[1])
		if m[2] != strconv.Itoa(total) {
			t.Fatalf("frame %q: total %s, want %d", f, m[2], total)
		}
		limited = limited || strings.Contains(f, "limited by --rate 30/s")
		if m[7] == "" || done < total/4 || done == total {
			continue
		}
		// Paced at 30 creates a second, the time left is (total-done)/30.
		eta := atoi(m[7])*60 + atoi(m[8])
		left := float64(total-done) / perSecond
		if math.Abs(float64(eta)-left) > 1.5 {
			t.Errorf("frame %q: ETA %ds, but %.1fs were left", f, eta, left)
		}
		checked++
	}
	if checked == 0 {
		t.Errorf("no frame between a quarter and the end had an ETA:\n%s", strings.Join(frames, "\n"))
	}
	if !limited {
		t.Errorf("no frame said the speed is limited by --rate 30/s:\n%s", strings.Join(frames, "\n"))
	}
	last := frames[len(frames)-1]
	if m := frameRE.FindStringSubmatch(last); m[1] != m[2] || m[3] != "100" || m[9] == "" ||
		!strings.HasSuffix(last, "·  "+summary[1]+" created") {
		t.Errorf("last frame %q does not agree with the summary %q", last, summary[0])
	}

	// Colour on a terminal without NO_COLOR: created is green. Each run
	// below gets a sandbox of its own, so that it creates everything (on
	// the first one, the family would be found and adopted).
	fresh := func() []string {
		return append(startSandbox(t, sandbox.Options{}).env(), "TERM=xterm-256color", "NO_COLOR=1")
	}
	var colour []string
	for _, kv := range fresh() {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			colour = append(colour, kv)
		}
	}
	term, _ = ptyRun(t, colour, 200, args("b.state", "0")...)
	if !strings.Contains(term, "\x1b[32m  "+strconv.Itoa(total)+" created\x1b[0m") {
		t.Errorf("without NO_COLOR, the count of created objects is not green:\n%q", term)
	}

	// A failure is printed on a line of its own above the bar, which comes
	// back after it; the last frame counts it, as the summary does. The
	// failure: the ghost item's family was created, then deleted behind
	// onboard's back, and --refresh=false trusts the state, so the API
	// refuses the item (an id written in the manifest would be checked
	// before the first write).
	gdir, gstate := t.TempDir(), filepath.Join(t.TempDir(), "g.state")
	ghost := filepath.Join(gdir, "ghost.yaml")
	if err := os.WriteFile(ghost, []byte("families:\n  gone: {name: Gone}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := runOnboard(t, env, "apply", "--auto-approve", ghost, "--state", gstate); r.code != 0 {
		t.Fatalf("apply of the family:\n%s", r)
	}
	for _, so := range sb.srv.Objects(resource.Family) {
		if so["name"] == "Gone" {
			if _, err := sb.srv.Delete(resource.Family, storedID(so)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := os.WriteFile(ghost, []byte("families:\n  gone: {name: Gone}\nitems:\n  ghost: {family: gone, description: Ghost}\n"+
		"  real: {description: Real}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	term, stdout = ptyRunCode(t, env, 200, 1, "apply", "--auto-approve", ghost, "--state", gstate, "--refresh=false")
	lines := strings.Split(strings.TrimRight(term, "\n"), "\n")
	failureShown := false
	for _, l := range lines {
		// What stays on screen of a line is what follows its last \r.
		visible := l[strings.LastIndex(l, "\r")+1:]
		failureShown = failureShown || strings.HasPrefix(visible, "failed   item.ghost: rejected by the API (422): The selected family id is invalid.")
	}
	if !failureShown {
		t.Errorf("the failure is not on a line of its own:\n%q", term)
	}
	var lastFrame string
	for _, l := range lines {
		if i := strings.LastIndex(l, "\r["); i >= 0 {
			lastFrame = strings.TrimRight(l[i+1:], " ")
		}
	}
	if !strings.Contains(lastFrame, "2/2 100%") || !strings.HasSuffix(lastFrame, "·  1 created  1 failed") ||
		!strings.Contains(stdout, "Apply failed: 1 created, 0 updated, 0 adopted, 1 failed") {
		t.Errorf("last frame %q, summary %q: they should agree on 1 created, 1 failed", lastFrame, stdout)
	}

	// TERM=dumb: no live line, no escape sequence: one line per object.
	var dumb []string
	for _, kv := range fresh() {
		if !strings.HasPrefix(kv, "NO_COLOR=") {
			dumb = append(dumb, kv)
		}
	}
	term, _ = ptyRun(t, append(dumb, "TERM=dumb"), 200, args("c.state", "0")...)
	if strings.ContainsAny(term, "\x1b\r") {
		t.Errorf("TERM=dumb: the terminal got an escape sequence or a carriage return:\n%q", term)
	}
	if n := strings.Count(term, " created  "); n != total {
		t.Errorf("TERM=dumb: %d lines of created objects, want %d:\n%s", n, total, term)
	}
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}
