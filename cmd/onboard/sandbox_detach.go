//go:build unix

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// detachTimeout bounds the wait for a detached sandbox to listen.
const detachTimeout = 15 * time.Second

// detachSandbox runs `onboard sandbox` with the same flags (less
// --detach) in a new session, so that it outlives the shell command and
// its ^C, waits for its address and token, and prints them as export
// lines, with its pid, for `eval "$(onboard sandbox --detach)"`. Its
// stderr goes to a log file, named in the output.
func detachSandbox(a *app, c *cobra.Command) error {
	exe, err := os.Executable()
	if err != nil {
		return fmt.Errorf("sandbox --detach: %w", err)
	}
	args := []string{"sandbox"}
	c.Flags().Visit(func(f *pflag.Flag) {
		if f.Name != "detach" {
			args = append(args, "--"+f.Name+"="+f.Value.String())
		}
	})
	logf, err := os.CreateTemp("", "onboard-sandbox-*.log")
	if err != nil {
		return fmt.Errorf("sandbox --detach: log file: %w", err)
	}
	defer logf.Close()
	r, w, err := os.Pipe()
	if err != nil {
		return fmt.Errorf("sandbox --detach: %w", err)
	}
	defer r.Close()
	// argv[0] as this process got it: the same command, even when exe is
	// a multi-call binary (the tests' is).
	cmd := &exec.Cmd{Path: exe, Args: append([]string{os.Args[0]}, args...),
		Stdout: w, Stderr: logf, SysProcAttr: &syscall.SysProcAttr{Setsid: true}}
	if err := cmd.Start(); err != nil {
		w.Close()
		return fmt.Errorf("sandbox --detach: %w", err)
	}
	w.Close()

	lines := make(chan []string, 1)
	go func() {
		var got []string
		sc := bufio.NewScanner(r)
		for len(got) < 3 && sc.Scan() {
			got = append(got, sc.Text())
		}
		lines <- got
	}()
	var got []string
	select {
	case got = <-lines:
	case <-time.After(detachTimeout):
	}
	if len(got) < 3 || !strings.HasPrefix(got[0], "ONBOARD_BASE_URL=") || !strings.HasPrefix(got[1], "ONBOARD_TOKEN=") {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		msg, _ := os.ReadFile(logf.Name())
		os.Remove(logf.Name())
		return fmt.Errorf("sandbox --detach: the sandbox did not start: %s", strings.TrimSpace(strings.TrimPrefix(string(msg), "Error: ")))
	}
	fmt.Fprintf(a.stdout, "export %s\nexport %s\nexport ONBOARD_SANDBOX_PID=%d\n%s\n# log: %s\n# stop it: kill \"$ONBOARD_SANDBOX_PID\"\n",
		got[0], got[1], cmd.Process.Pid, got[2], logf.Name())
	return cmd.Process.Release()
}
