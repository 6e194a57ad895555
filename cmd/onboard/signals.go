package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
)

// interruptible returns a context cancelled by the first SIGINT or
// SIGTERM; a second one exits at once (the journal is consistent after
// every record, so no state is lost).
//
// A closed stdout (apply | head) ends the run the same way: with SIGPIPE
// handled here, a write to it fails instead of killing the process, so
// requests in flight finish, the state is written and its lock released,
// and the next run finds no journal of a run that "did not finish".
func interruptible(a *app) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sig := make(chan os.Signal, 2)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM, syscall.SIGPIPE)
	go func() {
		n, piped := 0, false
		for s := range sig {
			if s == syscall.SIGPIPE {
				// Every later write to the pipe signals again: once is enough.
				if !piped {
					piped = true
					a.note("stdout closed: starting nothing new, waiting for requests in flight")
					cancel()
				}
				continue
			}
			n++
			if n == 1 {
				a.note("interrupted: starting nothing new, waiting for requests in flight (signal again to exit now)")
				cancel()
				continue
			}
			a.note("interrupted again: exiting now; the state journal is consistent, run apply again to complete")
			os.Exit(130)
		}
	}()
	return ctx, func() { signal.Stop(sig); cancel() }
}

// note prints a message on stderr on a line of its own: above the live
// progress line when there is one, never glued to it.
func (a *app) note(msg string) {
	if p := a.status; p != nil {
		p.note(msg)
		return
	}
	fmt.Fprintln(a.stderr, msg)
}
