package state

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"path/filepath"
	"time"
)

// LockInfo describes the holder of a state lock. It is written as JSON into
// the lock file so that another run can say who holds it.
type LockInfo struct {
	// ID is random per holder, so a holder recognises its own lock file.
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	User    string    `json:"user"`
	Command string    `json:"command"`
	Started time.Time `json:"started"`
}

// describe renders the holder for messages: `"cmd" (pid N, user U, host H)
// since T`.
func (i *LockInfo) describe(withHost bool) string {
	cmd := i.Command
	if cmd == "" {
		cmd = "onboard"
	}
	s := fmt.Sprintf("%q (pid %d", cmd, i.PID)
	if i.User != "" {
		s += ", user " + i.User
	}
	if withHost {
		s += ", host " + i.Host
	}
	return s + ") since " + i.Started.Format(time.RFC3339)
}

// newLockInfo describes this process as a lock holder.
func newLockInfo(command string) (*LockInfo, error) {
	var id [16]byte
	if _, err := rand.Read(id[:]); err != nil {
		return nil, fmt.Errorf("lock id: %w", err)
	}
	if command == "" {
		// Only the program name by default: arguments could hold
		// anything, and the lock file must not.
		command = filepath.Base(os.Args[0])
	}
	return &LockInfo{
		ID:      hex.EncodeToString(id[:]),
		Host:    hostname(),
		PID:     os.Getpid(),
		User:    userName(),
		Command: command,
		Started: time.Now().UTC().Truncate(time.Second),
	}, nil
}

// hostname names this host in lock files ("unknown" if it cannot be told).
func hostname() string {
	h, err := os.Hostname()
	if err != nil || h == "" {
		return "unknown"
	}
	return h
}

// userName is the current user's login name, best effort.
func userName() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	return os.Getenv("USER")
}

// readLockInfo returns the holder recorded in the lock file: nil if the file
// is missing or empty; unreadable=true if it holds something that does not
// decode (a holder that died while writing it, or one writing it now).
func readLockInfo(path string) (info *LockInfo, unreadable bool) {
	data, err := os.ReadFile(path)
	if err != nil || len(bytes.TrimSpace(data)) == 0 {
		return nil, false
	}
	// Decode the first JSON value only: a holder rewrites the file in
	// place and then truncates it, so a stale tail may briefly follow.
	var i LockInfo
	if err := json.NewDecoder(bytes.NewReader(data)).Decode(&i); err != nil || i.PID == 0 {
		return nil, true
	}
	return &i, false
}

// writeLockInfo records info in the lock file at path, durably.
func writeLockInfo(path string, info *LockInfo) error {
	data, err := json.Marshal(info)
	if err != nil {
		return err
	}
	data = append(data, '\n')
	f, err := os.OpenFile(path, os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	// Write in place, then cut: a reader never sees an empty file.
	if _, err := f.WriteAt(data, 0); err != nil {
		f.Close()
		return err
	}
	if err := f.Truncate(int64(len(data))); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// NewLockInfo describes this process as a lock holder, for backends other
// than the file (command as in Options.Command).
func NewLockInfo(command string) (*LockInfo, error) { return newLockInfo(command) }

// Describe renders the holder for messages: `"cmd" (pid N, user U, host H)
// since T`.
func (i *LockInfo) Describe() string { return i.describe(true) }
