package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/creack/pty"

	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestApplyConfirmationOfALargePlan runs apply on a terminal with a set of
// 450 customers (2,252 objects) and answers "no": the plan shown for
// confirmation is the overview (money, counts per kind and per customer),
// every request with --verbose, and nothing is sent either way.
func TestApplyConfirmationOfALargePlan(t *testing.T) {
	sb := startSandbox(t, sandbox.Options{})
	dir, _ := generateSet(t, 450, 3)
	for _, c := range []struct {
		flags     []string
		want, not string
	}{
		{nil, "A large plan (2,252 objects to create or update)", "POST /v1/"},
		{[]string{"--verbose"}, "      POST /v1/customers", "A large plan"},
	} {
		ptmx, tty, err := pty.Open()
		if err != nil {
			t.Fatalf("open a pseudo-terminal: %v", err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
		args := append([]string{"apply", dir, "--state", filepath.Join(t.TempDir(), "s.state"), "--refresh=false"}, c.flags...)
		cmd := exec.CommandContext(ctx, "onboard", args...)
		var out bytes.Buffer
		cmd.Env, cmd.Stdin, cmd.Stdout, cmd.Stderr = append(sb.env(), "TERM=dumb"), tty, &out, tty
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		tty.Close()
		if _, err := io.WriteString(ptmx, "no\n"); err != nil {
			t.Fatal(err)
		}
		var term bytes.Buffer
		copied := make(chan error, 1)
		go func() {
			_, err := io.Copy(&term, ptmx)
			copied <- err
		}()
		werr := cmd.Wait()
		if err := <-copied; err != nil && !errors.Is(err, syscall.EIO) {
			t.Fatalf("read the terminal: %v", err)
		}
		ptmx.Close()
		cancel()
		if exitCode(werr) != 1 || !strings.Contains(term.String(), "apply cancelled; nothing was sent") {
			t.Fatalf("onboard %s: %v, want a cancelled apply\n%s", strings.Join(args, " "), werr, term.String())
		}
		if !strings.Contains(out.String(), c.want) || strings.Contains(out.String(), c.not) {
			t.Errorf("onboard %s: the plan shown lacks %q or has %q:\n%.2000s", strings.Join(args, " "), c.want, c.not, out.String())
		}
	}
	sb.mu.Lock()
	defer sb.mu.Unlock()
	if len(sb.byMethod) != 0 {
		t.Errorf("requests were sent: %v", sb.byMethod)
	}
}
