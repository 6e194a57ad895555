package state

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// helperEnv makes the test binary act as a helper process (see runHelper).
const helperEnv = "ONBOARD_STATE_TEST_HELPER"

func TestMain(m *testing.M) {
	if mode := os.Getenv(helperEnv); mode != "" {
		os.Exit(runHelper(mode, os.Getenv("ONBOARD_STATE_TEST_PATH")))
	}
	// Faster lock polling keeps contention tests short; the logic is the
	// same.
	lockPoll = 5 * time.Millisecond
	holderGrace = 60 * time.Millisecond
	os.Exit(m.Run())
}

// runHelper is another process using a state: "hold" opens the store,
// journals 10 created objects and one pending intent, prints "ready", and
// holds the lock until stdin closes (or until it is killed).
func runHelper(mode, path string) int {
	if mode != "hold" {
		fmt.Fprintln(os.Stderr, "unknown helper mode", mode)
		return 2
	}
	s, err := Open(path, Options{Command: "helper hold"})
	if err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	for i := range 10 {
		if err := s.Put(sampleObject(i, StatusCreated)); err != nil {
			fmt.Fprintln(os.Stderr, "helper:", err)
			return 1
		}
	}
	if err := s.Intent(sampleObject(10, StatusPending)); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	if err := s.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	return 0
}

// helper is a running helper process holding the state lock.
type helper struct {
	cmd   *exec.Cmd
	stdin interface{ Close() error }
}

// startHelper starts a helper holding path's lock and waits until it is
// ready.
func startHelper(t *testing.T, path string) *helper {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), helperEnv+"=hold", "ONBOARD_STATE_TEST_PATH="+path)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	h := &helper{cmd: cmd, stdin: stdin}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || strings.TrimSpace(line) != "ready" {
		t.Fatalf("helper not ready: %q %v; stderr: %s", line, err, stderr.String())
	}
	return h
}

// kill stops the helper with SIGKILL (no cleanup of any kind) and reaps it,
// so that its pid is really gone.
func (h *helper) kill(t *testing.T) {
	t.Helper()
	if err := h.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = h.cmd.Wait()
}

// sampleObject is a representative object: a recurring line of customer i
// with the fields a real one sends; unless pending, with an id and a
// returned field.
func sampleObject(i int, status Status) Object {
	o := Object{
		Addr:   fmt.Sprintf("customer.c%06d.file.main.recurring.sip", i),
		Kind:   "recurring",
		Status: status,
		Hash:   fmt.Sprintf("sha256:%064x", i),
		Spec: map[string]string{
			"customer_file_id":  fmt.Sprintf("@customer.c%06d.file.main", i),
			"item_id":           "@item.sip-trunk-2ch",
			"description":       "SIP Trunk — 2 channels",
			"quantity":          "2",
			"unit_price":        "19.90",
			"start_date":        "2025-01-01",
			"billing_frequency": "1",
		},
	}
	if status != StatusPending {
		o.ID = int64(100000 + i)
		o.Returned = map[string]string{"customer_account": fmt.Sprintf("CL%06d", i)}
	}
	return o
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	for range 5 {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), helperEnv+"=none")
		_ = cmd.Run() // exits 2 at once
		if pid := cmd.Process.Pid; !pidAlive(pid) {
			return pid
		}
	}
	t.Fatal("could not find a dead pid")
	return 0
}
