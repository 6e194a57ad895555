package state

// Crash abandons s as kill -9 would: its writer stops, nothing is
// compacted, and the kernel would drop its flock (done here by hand, as
// this process lives on); the lock file keeps naming it.
func Crash(s *Store) {
	s.sendMu.Lock()
	s.closed = true
	close(s.reqs)
	s.sendMu.Unlock()
	<-s.done
	s.f.Close()
	_ = s.lock.fl.Unlock()
}
