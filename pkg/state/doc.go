// Package state records what exists in BlueRockTEL for a manifest set, so
// that a rerun skips work already done and neither a crash nor a lost
// response ever creates an object twice.
//
// The state is one JSON Lines file: a header line
// {"format":"onboard-state","version":1}, then records. A record either sets
// an object (op "put", carrying the whole object) or removes one (op "rm").
// Loading replays the records in order, the last record for an address wins.
//
// Writes are an append-only journal: each record is appended and fsynced
// before the call that wrote it returns, so the caller may act on it (an
// intent is durable before the POST it announces). Appends from many
// goroutines share fsyncs (group commit), so the cost per object stays O(1)
// and concurrency does not serialise on the disk. Close compacts the file to
// the header plus one record per object, atomically (temporary file, fsync,
// rename, fsync of the directory).
//
// A crash can leave only an incomplete last line, which loading ignores with
// a warning; any other damage is an error naming the line.
//
// A Store holds an exclusive lock on "<state file>.lock" (flock, released by
// the kernel when its holder dies) whose content names the holder, so that a
// second run fails fast with a message saying who holds it.
//
// The state holds no secrets: ids, spec hashes, the text that was sent and a
// few returned fields. Files are created with mode 0600.
package state
