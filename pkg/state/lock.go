package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/gofrs/flock"
)

// Lock timing (variables so that tests can shorten them).
var (
	// lockPoll is how often a held lock is retried under LockTimeout.
	lockPoll = 100 * time.Millisecond
	// holderGrace bounds how long a contender waits for a new holder to
	// record itself before judging the recorded holder: the holder takes
	// the flock first and writes its details just after.
	holderGrace = 300 * time.Millisecond
)

// fileLock is a held state lock.
type fileLock struct {
	path string
	fl   *flock.Flock
	info *LockInfo
}

// lockPathFor is the lock file of a state file.
func lockPathFor(statePath string) string { return statePath + ".lock" }

// acquireLock takes the lock of statePath, polling until timeout (0: fail
// fast). It returns warnings about a stale holder it took over from.
func acquireLock(statePath string, timeout time.Duration, command string) (*fileLock, []string, error) {
	lockPath := lockPathFor(statePath)
	me, err := newLockInfo(command)
	if err != nil {
		return nil, nil, err
	}
	fl := flock.New(lockPath, flock.SetFlag(os.O_CREATE|os.O_RDWR), flock.SetPermissions(0o600))
	start := time.Now()
	for {
		ok, err := fl.TryLock()
		if err != nil {
			return nil, nil, fmt.Errorf("lock state %s: %w", statePath, err)
		}
		if ok {
			// The file may have been removed (force-unlock, or a
			// holder's Close) between our open and our flock: a lock on
			// an unlinked file protects nothing, so start over.
			if same, err := lockedFileIsPath(fl, lockPath); err != nil || !same {
				_ = fl.Unlock()
				if err != nil {
					return nil, nil, fmt.Errorf("lock state %s: %w", statePath, err)
				}
				continue
			}
			warnings, err := takeOver(statePath, lockPath, me)
			if err != nil {
				_ = fl.Unlock()
				return nil, nil, err
			}
			return &fileLock{path: lockPath, fl: fl, info: me}, warnings, nil
		}
		holder := currentHolder(lockPath, me.Host)
		waited := time.Since(start)
		stale := holder != nil && holder.Host == me.Host && !pidAlive(holder.PID)
		if waited >= timeout {
			lerr := &LockedError{StatePath: statePath, LockPath: lockPath, Reason: LockHeld, Holder: holder}
			if stale {
				lerr.Reason = LockHeldStale
			}
			if timeout > 0 {
				lerr.Waited = waited
			}
			return nil, nil, lerr
		}
		time.Sleep(min(lockPoll, timeout-waited))
	}
}

// currentHolder reads the holder of a lock held by someone else. If the
// file names no holder, or a dead one on this host, it re-reads for a short
// grace period: a new holder records itself just after taking the flock.
func currentHolder(lockPath, host string) *LockInfo {
	deadline := time.Now().Add(holderGrace)
	for {
		info, _ := readLockInfo(lockPath)
		plausible := info != nil && (info.Host != host || pidAlive(info.PID))
		if plausible || time.Now().After(deadline) {
			return info
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// takeOver runs with the flock held: it judges what a previous holder left
// in the lock file, then records this process as the holder.
func takeOver(statePath, lockPath string, me *LockInfo) ([]string, error) {
	var warnings []string
	prev, unreadable := readLockInfo(lockPath)
	switch {
	case prev != nil && prev.Host != me.Host:
		// The flock says free, but it may not see across hosts on a
		// shared filesystem: that run may be alive. Refuse.
		return nil, &LockedError{StatePath: statePath, LockPath: lockPath, Reason: LockOtherHost, Holder: prev}
	case prev != nil && prev.PID == me.PID && prev.ID != me.ID && pidAlive(prev.PID):
		// Left by an earlier Store of this very process that was never
		// closed; the flock is free, so it is no longer in use.
		warnings = append(warnings, fmt.Sprintf("an earlier run in this process (started %s) did not release the state lock; its journal is replayed",
			prev.Started.Format(time.RFC3339)))
	case prev != nil:
		// Same host, flock free: the holder is gone (the kernel dropped
		// its flock). If its pid is alive, the pid has been reused.
		note := ""
		if pidAlive(prev.PID) {
			note = " (that pid now belongs to another process)"
		}
		warnings = append(warnings, fmt.Sprintf("previous run pid %d on host %s started %s did not finish%s (%q, user %s); its journal is replayed",
			prev.PID, prev.Host, prev.Started.Format(time.RFC3339), note, prev.Command, prev.User))
	case unreadable:
		warnings = append(warnings, "a previous run left an unreadable lock file (it stopped while recording itself); its journal is replayed")
	}
	if err := writeLockInfo(lockPath, me); err != nil {
		return nil, fmt.Errorf("record lock holder in %s: %w", lockPath, err)
	}
	return warnings, nil
}

// lockedFileIsPath reports whether the file fl has locked is still the
// file at path.
func lockedFileIsPath(fl *flock.Flock, path string) (bool, error) {
	held, err := fl.Stat() // stats the open, locked descriptor
	if err != nil {
		return false, err
	}
	cur, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return os.SameFile(held, cur), nil
}

// release removes the holder record (if the lock file is still ours) and
// drops the flock. Removing before unlocking is safe: a contender that
// opened the old file re-checks the path after locking.
func (l *fileLock) release() error {
	var rmErr error
	if same, err := lockedFileIsPath(l.fl, l.path); err == nil && same {
		if cur, _ := readLockInfo(l.path); cur != nil && cur.ID == l.info.ID {
			if err := os.Remove(l.path); err != nil && !errors.Is(err, fs.ErrNotExist) {
				rmErr = fmt.Errorf("remove lock file: %w", err)
			}
		}
	}
	if err := l.fl.Unlock(); err != nil {
		return fmt.Errorf("release state lock: %w", err)
	}
	return rmErr
}

// ForceUnlock removes the lock file of the state at statePath and returns
// the holder it recorded (nil if it recorded none). It is the user's way
// out of a lock whose holder is gone: a dead process on this host, or a run
// on another host. It refuses (with a *LockedError) while the lock is held
// by a live process on this host, since removing it would let two runs
// write one state. With no lock file it returns ErrNotLocked.
func ForceUnlock(statePath string) (*LockInfo, error) {
	lockPath := lockPathFor(statePath)
	if _, err := os.Stat(lockPath); errors.Is(err, fs.ErrNotExist) {
		return nil, ErrNotLocked
	}
	info, _ := readLockInfo(lockPath)
	// Probe without creating: only a live local flock holder blocks this.
	fl := flock.New(lockPath, flock.SetFlag(os.O_RDWR), flock.SetPermissions(0o600))
	ok, err := fl.TryLock()
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("force-unlock %s: %w", lockPath, err)
	}
	if ok {
		defer fl.Unlock()
	} else if err == nil {
		holder := currentHolder(lockPath, hostname())
		if holder != nil && holder.Host == hostname() && pidAlive(holder.PID) {
			return nil, &LockedError{StatePath: statePath, LockPath: lockPath, Reason: LockHeld, Holder: holder}
		}
		if holder != nil {
			info = holder
		}
	}
	if err := os.Remove(lockPath); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("force-unlock: remove %s: %w", lockPath, err)
	}
	return info, nil
}
