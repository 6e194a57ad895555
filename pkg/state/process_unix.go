//go:build unix

package state

import (
	"errors"
	"syscall"
)

// pidAlive reports whether a process with this pid exists on this host.
// EPERM means it exists but belongs to someone else.
func pidAlive(pid int) bool {
	if pid <= 0 {
		return false // 0 and negatives address process groups, not a pid
	}
	err := syscall.Kill(pid, 0)
	return err == nil || errors.Is(err, syscall.EPERM)
}
