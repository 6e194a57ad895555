package state

import (
	"context"
	"fmt"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Backend is an open state, whatever keeps it: the local file (*Store) or a
// database shared by many runners (package pgstate). Every backend passes
// the conformance suite of package statetest.
//
// Writes are durable when they return: an Intent must be, before the
// request it announces is sent. Methods are safe for concurrent use.
type Backend interface {
	// Location names the state in messages; it never holds a password.
	Location() string
	// State returns a copy of every object (pending intents included).
	State() *State
	// Get returns a copy of the object at addr.
	Get(addr string) (Object, bool)
	// Intent journals that o is about to be created (status pending).
	Intent(o Object) error
	// Put journals that o exists, with its id (status created).
	Put(o Object) error
	// Remove forgets addr; ErrNotFound if the state does not know it.
	Remove(addr string) error
	// Meta returns the lineage, serial and API binding.
	Meta() Meta
	// Record appends e to the state's history (State().History),
	// durably.
	Record(e Event) error
	// BindAPI binds the state to api; see CheckAPI.
	BindAPI(api string, retarget bool) error
	// Lock takes, for the rest of the session, the locks of scopes (see
	// ScopeOf), waiting up to timeout (0: fail at once) with a
	// *LockedError naming the holder. A backend that locks the whole
	// state at open has nothing more to take.
	Lock(ctx context.Context, scopes []string, timeout time.Duration) error
	// Warnings says what opening noticed (stale lock, torn last line).
	Warnings() []string
	// BytesWritten is what this session wrote to the state.
	BytesWritten() int64
	// Close makes everything durable and compact, and releases the locks.
	Close() error
}

var _ Backend = (*Store)(nil)

// ScopeOf is the lock scope of an address: its owner's address
// (resource.OwnerAddr: "customer.NAME", "prospect.NAME") for an owner and
// everything in it; the address itself for a catalog object (a family or
// an item), which runners applying different customers share.
func ScopeOf(addr string) string {
	if owner := resource.OwnerAddr(addr); owner != "" {
		return owner
	}
	return addr
}

// Owned reports whether addr is in an owner's scope (a customer's or a
// prospect's), which its lock covers, rather than a catalog object's.
func Owned(addr string) bool { return resource.OwnerAddr(addr) != "" }

// Location is the state file's path.
func (s *Store) Location() string { return s.path }

// Lock has nothing to take: Open locked the whole file.
func (s *Store) Lock(context.Context, []string, time.Duration) error { return nil }

// Restorer is a backend that can be filled with a copy of another state
// (`onboard state migrate`), lineage and serial included.
type Restorer interface {
	Restore(m Meta, objs []*Object, history []Event) error
}

var _ Restorer = (*Store)(nil)

// Restore fills an empty file state with a copy of another.
func (s *Store) Restore(m Meta, objs []*Object, history []Event) error {
	if n := s.State().Len(); n > 0 {
		return fmt.Errorf("state %s already holds %d objects; migrate only into an empty state", s.path, n)
	}
	s.bumpOnce.Do(func() {}) // the copied serial stands for this session
	if err := s.writeMeta(m); err != nil {
		return err
	}
	for _, e := range history {
		if err := s.Record(e); err != nil {
			return err
		}
	}
	for _, o := range objs {
		var err error
		if o.Status == StatusPending {
			err = s.put(o)
		} else {
			err = s.Put(*o)
		}
		if err != nil {
			return err
		}
	}
	return nil
}
