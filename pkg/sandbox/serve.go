package sandbox

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// DefaultAddr is where Serve listens when addr is "": loopback, any port.
const DefaultAddr = "127.0.0.1:0"

// shutdownGrace bounds how long Serve waits for requests in progress.
const shutdownGrace = 5 * time.Second

// Serve runs a sandbox for `onboard sandbox`: it listens on addr (default
// DefaultAddr), writes the base URL and the token as its first two lines
// to out, in a form a shell can evaluate:
//
//	ONBOARD_BASE_URL=http://127.0.0.1:43211/api
//	ONBOARD_TOKEN=sbx_...
//
// then serves until ctx is done, and closes the sandbox (persisting
// Options.DataFile when set).
func Serve(ctx context.Context, addr string, opts Options, out io.Writer) error {
	if addr == "" {
		addr = DefaultAddr
	}
	s, err := New(opts)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("sandbox: listening on %s: %w", addr, err)
	}
	host := hostForURL(ln.Addr())
	if _, err := fmt.Fprintf(out, "ONBOARD_BASE_URL=http://%s%s\nONBOARD_TOKEN=%s\n# stats: http://%s%s\n",
		host, apiPrefix, shellQuote(s.Token()), host, StatsPath); err != nil {
		ln.Close()
		return fmt.Errorf("sandbox: writing the address: %w", err)
	}

	srv := &http.Server{
		Handler:           s,
		ReadHeaderTimeout: 10 * time.Second,
		// Requests see ctx, so that latency sleeps end at shutdown.
		BaseContext: func(net.Listener) context.Context { return ctx },
	}
	done := make(chan error, 1)
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
		defer cancel()
		err := srv.Shutdown(sctx)
		if errors.Is(err, context.DeadlineExceeded) {
			// A connection still busy after the grace period (a client
			// that keeps one open) must not keep a stopped sandbox
			// alive: close it.
			err = srv.Close()
		}
		done <- err
	}()
	err = srv.Serve(ln)
	if errors.Is(err, http.ErrServerClosed) {
		err = <-done
	}
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("sandbox: %w", err)
	}
	return nil
}

// hostForURL turns a listener address into one a client can dial: an
// unspecified address (":8080", "0.0.0.0") is reached through loopback.
func hostForURL(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// shellQuote quotes a token for a POSIX shell when it needs it.
func shellQuote(s string) string {
	safe := s != ""
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || strings.ContainsRune("_-.:/+=@%,", c)) {
			safe = false
			break
		}
	}
	if safe {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
