package pgstate_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
	"github.com/onboardhq/onboard/pkg/state/pgstate/pgtest"
	"github.com/onboardhq/onboard/pkg/state/statetest"
)

// srv is the one PostgreSQL server of this test binary.
var srv *pgtest.Server

func TestMain(m *testing.M) {
	var err error
	srv, err = pgtest.Start()
	if err != nil {
		fmt.Fprintln(os.Stderr, "start PostgreSQL:", err)
		os.Exit(1)
	}
	code := m.Run()
	srv.Stop()
	os.Exit(code)
}

var states atomic.Int64

// newLoc is a state of its own in the shared server.
func newLoc(t *testing.T) string {
	return srv.StateURL(fmt.Sprintf("t%d", states.Add(1)))
}

func TestConformance(t *testing.T) {
	statetest.Run(t, statetest.Harness{
		New: newLoc,
		Open: func(t *testing.T, loc string, opts state.Options) (state.Backend, error) {
			return pgstate.Open(context.Background(), loc, opts)
		},
		Read: func(t *testing.T, loc string) (*state.State, error) {
			return pgstate.Read(context.Background(), loc)
		},
		Crash:      func(t *testing.T, b state.Backend) { pgstate.Crash(b.(*pgstate.Store)) },
		ScopeLocks: true,
	})
}

// A catalog object several runners need is created exactly once: the
// first to claim it creates it, the others wait and find its id.
func TestClaimCreatesOnce(t *testing.T) {
	loc := newLoc(t)
	const runners = 6
	var creates atomic.Int32
	var wg sync.WaitGroup
	ids := make([]int64, runners)
	for r := range runners {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := pgstate.Open(context.Background(), loc, state.Options{})
			if err != nil {
				t.Error(err)
				return
			}
			defer s.Close()
			existing, release, err := s.Claim(context.Background(), "item.sip")
			if err != nil {
				t.Error(err)
				return
			}
			defer release()
			if existing != nil {
				ids[r] = existing.ID
				return
			}
			creates.Add(1)
			time.Sleep(20 * time.Millisecond) // the create's round trip: the others must wait, not race
			if err := s.Put(state.Object{Addr: "item.sip", Kind: "item", ID: 42}); err != nil {
				t.Error(err)
			}
			ids[r] = 42
		}()
	}
	wg.Wait()
	if creates.Load() != 1 {
		t.Fatalf("%d runners created item.sip, want 1", creates.Load())
	}
	for r, id := range ids {
		if id != 42 {
			t.Fatalf("runner %d got id %d, want 42", r, id)
		}
	}
}

// The password of the connection string appears in no message, not even
// when the server cannot be reached or the URL is wrong.
func TestPasswordNeverShown(t *testing.T) {
	bad := []string{
		strings.Replace(srv.URL, "127.0.0.1:", "127.0.0.1:1", 1) + "&connect_timeout=2", // wrong port
		strings.Replace(srv.URL, "/postgres?", "/no_such_db?", 1),
		"postgres://onboard:" + pgtest.Password + "@127.0.0.1:1/x?sslmode=%zz",
	}
	for _, loc := range bad {
		_, err := pgstate.Open(context.Background(), loc, state.Options{})
		if err == nil {
			t.Fatalf("Open(%s) worked", loc)
		}
		if strings.Contains(err.Error(), pgtest.Password) {
			t.Fatalf("the password is in %q", err)
		}
	}
	s, err := pgstate.Open(context.Background(), newLoc(t), state.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if strings.Contains(s.Location(), pgtest.Password) || !strings.Contains(s.Location(), "xxxxx") {
		t.Fatalf("Location() = %s", s.Location())
	}
}

// The lock error names the scope, the holder and the flag, never the
// password.
func TestLockedErrorNamesHolder(t *testing.T) {
	loc := newLoc(t)
	a, err := pgstate.Open(context.Background(), loc, state.Options{Command: "onboard apply team-a/"})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	if err := a.Lock(context.Background(), []string{"customer.acme"}, 0); err != nil {
		t.Fatal(err)
	}
	b, err := pgstate.Open(context.Background(), loc, state.Options{Command: "onboard apply team-b/"})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	err = b.Lock(context.Background(), []string{"customer.acme"}, 0)
	var le *state.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("Lock = %v", err)
	}
	msg := err.Error()
	for _, want := range []string{"customer.acme in state postgres://onboard:xxxxx@", `"onboard apply team-a/"`, fmt.Sprintf("pid %d", os.Getpid()), "--lock-timeout"} {
		if !strings.Contains(msg, want) {
			t.Errorf("%q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, pgtest.Password) {
		t.Fatalf("the password is in %q", msg)
	}
}
