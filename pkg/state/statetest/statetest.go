// Package statetest is the conformance suite of state backends, in the
// spirit of Terraform's statemgr tests and restic's backend tests: every
// backend (the local file, PostgreSQL) runs Run and so keeps the same
// promises to apply: intents durable before sends, outcomes recorded,
// nothing acknowledged lost in a crash, a compact state after many
// rewrites, locks that exclude and die with their holder, and a lineage,
// serial and API binding that persist.
package statetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/state"
)

// Harness opens states of one backend for the suite.
type Harness struct {
	// New returns the location of a new, empty state.
	New func(t *testing.T) string
	// Open opens the state at loc as a runner would; a second Open of the
	// same loc is another runner (another process, or machine).
	Open func(t *testing.T, loc string, opts state.Options) (state.Backend, error)
	// Read reads the state at loc as a third party would, without
	// locking: what a crash right now would leave.
	Read func(t *testing.T, loc string) (*state.State, error)
	// Crash abandons b as kill -9 would: no Close, no compaction, its
	// locks released only by the system (kernel, database session).
	Crash func(t *testing.T, b state.Backend)
	// ScopeLocks: the backend locks per scope (customer, catalog
	// object), so runners on different scopes proceed together; false
	// for one that locks the whole state at Open.
	ScopeLocks bool
}

// Run runs the suite against h.
func Run(t *testing.T, h Harness) {
	tests := []struct {
		name string
		fn   func(*testing.T, Harness)
	}{
		{"IntentDurableBeforeSend", testIntent},
		{"Outcomes", testOutcomes},
		{"CrashKeepsAcknowledged", testCrash},
		{"CompactAfterRewrites", testCompact},
		{"ConcurrentWriters", testConcurrent},
		{"LocksExclude", testLocks},
		{"LockDiesWithHolder", testLockCrash},
		{"LineageSerialAPI", testMeta},
		{"History", testHistory},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, h) })
	}
}

// Object returns a sample object at customer.cNNN (created with id 1000+n,
// or pending without an id).
func Object(n int, status state.Status) state.Object {
	o := state.Object{Addr: fmt.Sprintf("customer.c%03d", n), Kind: "customer", Status: status,
		Hash: fmt.Sprintf("sha256:%064d", n), Spec: map[string]string{"name": fmt.Sprintf("Customer %d", n)},
		Time: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)}
	if status == state.StatusCreated {
		o.ID = int64(1000 + n)
		o.Returned = map[string]string{"customer_account": fmt.Sprintf("CL%06d", 1000+n)}
		o.File = fmt.Sprintf("customers/c%03d.yaml", n)
		if n%3 == 0 {
			o.Ended = "deactivate" // recorded as ended: kept, and must read back so
		}
	}
	return o
}

func open(t *testing.T, h Harness, loc string) state.Backend {
	t.Helper()
	b, err := h.Open(t, loc, state.Options{Command: "statetest"})
	if err != nil {
		t.Fatalf("open %s: %v", loc, err)
	}
	return b
}

func closeB(t *testing.T, b state.Backend) {
	t.Helper()
	if err := b.Close(); err != nil {
		t.Fatalf("close: %v", err)
	}
}

func read(t *testing.T, h Harness, loc string) *state.State {
	t.Helper()
	st, err := h.Read(t, loc)
	if err != nil {
		t.Fatalf("read %s: %v", loc, err)
	}
	return st
}

// same reports how got differs from want, "" if it does not.
func same(got *state.Object, want state.Object) string {
	switch {
	case got == nil:
		return "missing"
	case got.Addr != want.Addr:
		return fmt.Sprintf("got address %s, want %s", got.Addr, want.Addr)
	case !got.Time.Equal(want.Time):
		return fmt.Sprintf("%s: got time %s, want %s", want.Addr, got.Time.Format(time.RFC3339Nano), want.Time.Format(time.RFC3339Nano))
	case got.Status != want.Status || got.ID != want.ID || got.Hash != want.Hash || got.Kind != want.Kind:
		return fmt.Sprintf("got %s %s #%d %s, want %s %s #%d %s", got.Kind, got.Status, got.ID, got.Hash, want.Kind, want.Status, want.ID, want.Hash)
	case got.File != want.File || got.Ended != want.Ended:
		return fmt.Sprintf("got file %q ended %q, want %q %q", got.File, got.Ended, want.File, want.Ended)
	case fmt.Sprint(got.Spec) != fmt.Sprint(want.Spec) || fmt.Sprint(got.Returned) != fmt.Sprint(want.Returned):
		return fmt.Sprintf("got spec %v returned %v, want %v %v", got.Spec, got.Returned, want.Spec, want.Returned)
	}
	return ""
}

// An intent is visible to a reader once Intent returns: a request may
// then be sent, and a crash right after leaves the intent to resolve.
func testIntent(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	defer closeB(t, b)
	steps := []struct {
		do   func() error
		want state.Object
	}{
		{func() error { return b.Intent(Object(1, state.StatusPending)) }, Object(1, state.StatusPending)},
		{func() error { return b.Put(Object(1, state.StatusCreated)) }, Object(1, state.StatusCreated)},
	}
	for i, s := range steps {
		if err := s.do(); err != nil {
			t.Fatalf("step %d: %v", i, err)
		}
		if d := same(read(t, h, loc).Get(s.want.Addr), s.want); d != "" {
			t.Fatalf("step %d: a reader sees %s", i, d)
		}
		got, ok := b.Get(s.want.Addr)
		if d := same(&got, s.want); !ok || d != "" {
			t.Fatalf("step %d: Get: %s", i, d)
		}
	}
}

// Outcomes: created needs an id, pending has none, removal of an unknown
// address is ErrNotFound, and a removed intent is gone for readers.
func testOutcomes(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	defer closeB(t, b)
	noID := Object(2, state.StatusCreated)
	noID.ID = 0
	pendingPut := Object(3, state.StatusPending)
	bad := []struct {
		name string
		do   func() error
	}{
		{"put without id", func() error { return b.Put(noID) }},
		{"put of a pending object", func() error { return b.Put(pendingPut) }},
		{"intent of a created object", func() error { return b.Intent(Object(4, state.StatusCreated)) }},
		{"put without address", func() error { return b.Put(state.Object{Kind: "customer", ID: 1}) }},
	}
	for _, c := range bad {
		if err := c.do(); err == nil {
			t.Errorf("%s: accepted", c.name)
		}
	}
	if err := b.Remove("customer.nobody"); !errors.Is(err, state.ErrNotFound) {
		t.Errorf("Remove unknown = %v, want ErrNotFound", err)
	}
	if err := b.Intent(Object(5, state.StatusPending)); err != nil {
		t.Fatal(err)
	}
	if err := b.Remove(Object(5, "").Addr); err != nil {
		t.Fatal(err)
	}
	if st := read(t, h, loc); st.Len() != 0 {
		t.Fatalf("after the rejected writes and a removed intent, a reader sees %d objects", st.Len())
	}
}

// A crash keeps every acknowledged record: the next runner sees created
// objects with their ids and pending intents as pending.
func testCrash(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	var want []state.Object
	for i := range 10 {
		o := Object(i, state.StatusCreated)
		if err := b.Put(o); err != nil {
			t.Fatal(err)
		}
		want = append(want, o)
	}
	p := Object(10, state.StatusPending)
	if err := b.Intent(p); err != nil {
		t.Fatal(err)
	}
	want = append(want, p)
	h.Crash(t, b)

	b2 := open(t, h, loc)
	defer closeB(t, b2)
	st := b2.State()
	if st.Len() != len(want) {
		t.Fatalf("after a crash: %d objects, want %d", st.Len(), len(want))
	}
	for _, w := range want {
		if d := same(st.Get(w.Addr), w); d != "" {
			t.Errorf("after a crash, %s: %s", w.Addr, d)
		}
	}
}

// Many rewrites of few objects end in one record per object, the last.
func testCompact(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	for round := range 10 {
		for i := range 20 {
			if err := b.Intent(Object(i, state.StatusPending)); err != nil {
				t.Fatal(err)
			}
			o := Object(i, state.StatusCreated)
			o.ID += int64(round)
			if err := b.Put(o); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := b.Remove(Object(19, "").Addr); err != nil {
		t.Fatal(err)
	}
	closeB(t, b)
	st := read(t, h, loc)
	if st.Len() != 19 {
		t.Fatalf("after rewrites: %d objects, want 19", st.Len())
	}
	for i := range 19 {
		w := Object(i, state.StatusCreated)
		w.ID += 9
		if d := same(st.Get(w.Addr), w); d != "" {
			t.Errorf("%s: %s", w.Addr, d)
		}
	}
}

// Writers in parallel, as apply's workers: every record lands.
func testConcurrent(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				n := g*25 + i
				if err := b.Intent(Object(n, state.StatusPending)); err != nil {
					errs <- err
					return
				}
				if err := b.Put(Object(n, state.StatusCreated)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	closeB(t, b)
	st := read(t, h, loc)
	for n := range 400 {
		if d := same(st.Get(Object(n, "").Addr), Object(n, state.StatusCreated)); d != "" {
			t.Fatalf("%s: %s", Object(n, "").Addr, d)
		}
	}
}

// lockScopes opens a runner and takes scopes; the error of either step.
func lockScopes(t *testing.T, h Harness, loc string, scopes []string, timeout time.Duration) (state.Backend, error) {
	t.Helper()
	b, err := h.Open(t, loc, state.Options{Command: "statetest runner", LockTimeout: timeout})
	if err != nil {
		return nil, err
	}
	if err := b.Lock(context.Background(), scopes, timeout); err != nil {
		b.Close()
		return nil, err
	}
	return b, nil
}

// wantLocked checks that err is a *LockedError naming a holder.
func wantLocked(t *testing.T, what string, err error) {
	t.Helper()
	var le *state.LockedError
	if !errors.As(err, &le) {
		t.Fatalf("%s: %v, want a *LockedError", what, err)
	}
	if le.Holder == nil || le.Holder.PID == 0 {
		t.Fatalf("%s: %v: the holder is not named", what, err)
	}
}

// Two runners on one scope: the second fails at once naming the holder,
// or waits for it with a timeout; on other scopes, a per-scope backend
// lets them proceed together.
func testLocks(t *testing.T, h Harness) {
	loc := h.New(t)
	a, err := lockScopes(t, h, loc, []string{"customer.a", "item.x"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	_, err = lockScopes(t, h, loc, []string{"customer.a"}, 0)
	wantLocked(t, "same scope", err)
	start := time.Now()
	_, err = lockScopes(t, h, loc, []string{"customer.a"}, 300*time.Millisecond)
	wantLocked(t, "same scope with a timeout", err)
	if waited := time.Since(start); waited < 300*time.Millisecond {
		t.Fatalf("gave up after %s, want the 300ms timeout", waited)
	}
	if h.ScopeLocks {
		b, err := lockScopes(t, h, loc, []string{"customer.b"}, 0)
		if err != nil {
			t.Fatalf("another scope: %v", err)
		}
		// Both write at once.
		if err := a.Put(Object(1, state.StatusCreated)); err != nil {
			t.Fatal(err)
		}
		if err := b.Put(Object(2, state.StatusCreated)); err != nil {
			t.Fatal(err)
		}
		closeB(t, b)
	}
	// The waiter gets the scope once the holder is done.
	done := make(chan error, 1)
	go func() {
		w, err := lockScopes(t, h, loc, []string{"customer.a"}, 30*time.Second)
		if err == nil {
			err = w.Close()
		}
		done <- err
	}()
	closeB(t, a)
	if err := <-done; err != nil {
		t.Fatalf("waiting for the holder to finish: %v", err)
	}
}

// A holder killed with kill -9 holds nothing.
func testLockCrash(t *testing.T, h Harness) {
	loc := h.New(t)
	a, err := lockScopes(t, h, loc, []string{"customer.a"}, 0)
	if err != nil {
		t.Fatal(err)
	}
	h.Crash(t, a)
	b, err := lockScopes(t, h, loc, []string{"customer.a"}, 5*time.Second)
	if err != nil {
		t.Fatalf("after the holder crashed: %v", err)
	}
	closeB(t, b)
}

// A state keeps its lineage; its serial grows once per writing session;
// it stays bound to its API unless re-targeted.
func testMeta(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	m := b.Meta()
	if len(m.Lineage) < 16 || m.API != "" {
		t.Fatalf("new state: %+v", m)
	}
	lineage := m.Lineage
	if err := b.BindAPI("https://a.example/api", false); err != nil {
		t.Fatal(err)
	}
	closeB(t, b)
	sessions := []struct {
		writes   int
		api      string
		retarget bool
		mismatch bool
		serial   int64
		bound    string
	}{
		{2, "https://a.example/api", false, false, 1, "https://a.example/api"},
		{0, "https://a.example/api", false, false, 1, "https://a.example/api"},
		{1, "https://b.example/api", false, true, 2, "https://a.example/api"},
		{1, "https://b.example/api", true, false, 3, "https://b.example/api"},
	}
	for i, s := range sessions {
		b := open(t, h, loc)
		err := b.BindAPI(s.api, s.retarget)
		var me *state.APIMismatchError
		if errors.As(err, &me) != s.mismatch {
			t.Fatalf("session %d: BindAPI = %v, want mismatch %v", i, err, s.mismatch)
		}
		for j := range s.writes {
			if err := b.Put(Object(i*10+j, state.StatusCreated)); err != nil {
				t.Fatal(err)
			}
		}
		closeB(t, b)
		got := read(t, h, loc).Meta
		if got.Lineage != lineage || got.Serial != s.serial || got.API != s.bound {
			t.Fatalf("session %d: meta %+v, want lineage %s serial %d api %s", i, got, lineage, s.serial, s.bound)
		}
	}
}

// event is a sample history event.
func event(n int) state.Event {
	return state.Event{Kind: state.EventPolicyOverride, Time: time.Date(2026, 1, 2, 3, 4, n, 0, time.UTC), By: "ana@ci",
		Command: "onboard apply plan.onboard", Details: map[string]string{"rule": fmt.Sprintf("rule-%d", n), "reason": "agreed with finance & legal"}}
}

// The history keeps every event, in order, durable when Record returns
// (a crash keeps it), across sessions and compaction; it counts as a
// session's write; an event without a kind is refused.
func testHistory(t *testing.T, h Harness) {
	loc := h.New(t)
	b := open(t, h, loc)
	serial := b.Meta().Serial
	for n := range 2 {
		if err := b.Record(event(n)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Record(state.Event{}); err == nil {
		t.Error("an event without a kind was recorded")
	}
	if got := read(t, h, loc).History; len(got) != 2 {
		t.Fatalf("a reader sees %d events before the session ends, want 2", len(got))
	}
	h.Crash(t, b)
	b = open(t, h, loc)
	if err := b.Put(Object(1, state.StatusCreated)); err != nil {
		t.Fatal(err)
	}
	for i := range 3 { // rewrites: the file backend compacts at Close
		o := Object(1, state.StatusCreated)
		o.Hash = fmt.Sprintf("sha256:%064d", 100+i)
		if err := b.Put(o); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Record(event(2)); err != nil {
		t.Fatal(err)
	}
	mine := b.State().History
	closeB(t, b)
	st := read(t, h, loc)
	if st.Meta.Serial != serial+2 {
		t.Errorf("serial %d, want %d: recording an event is a session's write", st.Meta.Serial, serial+2)
	}
	for _, got := range [][]state.Event{mine, st.History} {
		if len(got) != 3 {
			t.Fatalf("history has %d events, want 3: %+v", len(got), got)
		}
		for n, e := range got {
			want := event(n)
			if e.Kind != want.Kind || !e.Time.Equal(want.Time) || e.By != want.By || e.Command != want.Command ||
				fmt.Sprint(e.Details) != fmt.Sprint(want.Details) {
				t.Errorf("event %d = %+v, want %+v", n, e, want)
			}
		}
	}
	mine[0].Details["rule"] = "changed by the caller"
	b = open(t, h, loc)
	defer closeB(t, b)
	if got := b.State().History[0].Details["rule"]; got != "rule-0" {
		t.Errorf("a caller's copy changed the state's history: %q", got)
	}
}
