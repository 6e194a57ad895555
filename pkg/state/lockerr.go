package state

import (
	"errors"
	"fmt"
	"time"
)

// LockReason says why a state lock could not be taken.
type LockReason string

const (
	// LockHeld: another live process holds the lock.
	LockHeld LockReason = "held"
	// LockHeldStale: the lock is held, but the holder it records is a
	// dead process on this host (the lock file was inherited by another
	// process, or its content is stale). Needs force-unlock.
	LockHeldStale LockReason = "held-stale"
	// LockOtherHost: the lock file names a holder on another host that
	// never released it; file locks may not protect a state shared
	// between hosts, so that run may still be going. Needs force-unlock.
	LockOtherHost LockReason = "other-host"
)

// ErrNotLocked is returned by ForceUnlock when there is no lock file.
var ErrNotLocked = errors.New("state is not locked")

// LockedError says that the state is locked, by whom, and what to do.
type LockedError struct {
	// StatePath is the state file, LockPath its lock file.
	StatePath, LockPath string
	Reason              LockReason
	// Holder is the recorded holder; nil if the lock file says nothing.
	Holder *LockInfo
	// Waited is how long Open polled (LockTimeout) before giving up.
	Waited time.Duration
	// Scope is the locked scope (a customer, a catalog object) of a
	// backend that locks per scope; "" for the whole state.
	Scope string
}

// Error names the holder and says what to do.
func (e *LockedError) Error() string {
	unlock := fmt.Sprintf("onboard force-unlock --state %s", e.StatePath)
	holder := e.Holder
	if holder == nil {
		holder = &LockInfo{Host: "unknown"}
	}
	switch e.Reason {
	case LockHeldStale:
		return fmt.Sprintf("state %s is locked, but its recorded holder %s is no longer running: "+
			"the lock is stale (another process may have inherited its lock file). "+
			"If no onboard run is using this state, clear it with: %s",
			e.StatePath, holder.describe(true), unlock)
	case LockOtherHost:
		return fmt.Sprintf("state %s was locked on another host by %s and never released: "+
			"that run may still be running (file locks do not protect a state shared between hosts). "+
			"Check host %s; if no onboard run is using this state there, clear the lock with: %s",
			e.StatePath, holder.describe(true), holder.Host, unlock)
	}
	who := "another process (it recorded no holder details)"
	if e.Holder != nil {
		who = "another onboard run: " + e.Holder.describe(true)
	}
	msg := fmt.Sprintf("state %s is locked by %s", e.StatePath, who)
	if e.Scope != "" {
		msg = fmt.Sprintf("%s in state %s is locked by %s", e.Scope, e.StatePath, who)
	}
	if e.Waited > 0 {
		return fmt.Sprintf("%s; still locked after waiting %s. Wait for it to finish, or wait longer with --lock-timeout", msg, e.Waited.Round(time.Millisecond))
	}
	return msg + ". Wait for it to finish, or rerun with --lock-timeout DURATION to wait for it"
}
