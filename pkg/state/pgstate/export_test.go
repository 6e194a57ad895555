package pgstate

// Crash abandons s as kill -9 would: its sessions end (the server drops
// their advisory locks) without tidying anything.
func Crash(s *Store) { _ = s.shut(false) }
