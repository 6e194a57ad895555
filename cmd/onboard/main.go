// Command onboard onboards customers into the BlueRockTEL billing platform
// from declarative YAML manifests.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// Exit codes.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
	// exitChanges is --detailed-exitcode's "changes pending".
	exitChanges = 2
)

// exitError carries an exit code; its message (if any) has been printed.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}
func (e *exitError) Unwrap() error { return e.err }

// usageError marks a mistake in the command line or configuration.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// run executes the CLI and returns the exit code. It never panics on user
// input: every error maps to a code and a message on stderr.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRoot(&app{stdin: stdin, stdout: stdout, stderr: stderr})
	root.SetArgs(args)
	root.SetOut(stdout)
	root.SetErr(stderr)
	cmd, err := root.ExecuteC()
	if err == nil {
		return exitOK
	}
	var ee *exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			fmt.Fprintf(stderr, "Error: %v\n", ee.err)
		}
		return ee.code
	}
	fmt.Fprintf(stderr, "Error: %v\n", err)
	var ue *usageError
	typed := errors.As(err, &ue)
	if !typed && !isCobraUsage(err) {
		return exitFailure
	}
	if !typed && cmd != nil && !strings.Contains(err.Error(), "--help") {
		// cobra's own errors (unknown command) say nothing of where to look.
		fmt.Fprintf(stderr, "Run '%s --help' for usage.\n", cmd.CommandPath())
	}
	if detailedExitCode(cmd) {
		// With --detailed-exitcode, 2 means "changes pending": a pipeline
		// must not mistake a usage error for it.
		return exitFailure
	}
	return exitUsage
}

// detailedExitCode reports whether cmd was given --detailed-exitcode.
func detailedExitCode(cmd *cobra.Command) bool {
	if cmd == nil {
		return false
	}
	f := cmd.Flags().Lookup("detailed-exitcode")
	return f != nil && f.Value.String() == "true"
}
