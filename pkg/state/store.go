package state

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"
)

// Options configure Open.
type Options struct {
	// LockTimeout is how long to wait for a lock held by another run;
	// 0 fails at once.
	LockTimeout time.Duration
	// Command describes this run in the lock file (e.g. "onboard apply
	// acme.yaml"), shown to a run that finds the state locked.
	Command string
	// OnWait, if set, is told once per lock that a backend locking per
	// scope has to wait for (under LockTimeout), with who holds it.
	OnWait func(*LockedError)
	// NoSync skips every fsync. For tests and benchmarks only: a crash
	// may then lose acknowledged records.
	NoSync bool
	// DiscardEmpty: a state this session created is removed when the
	// session ends holding no object, so that a run that recorded nothing
	// (an apply cancelled or refused before its first request) leaves no
	// state behind. Only the file backend creates on open.
	DiscardEmpty bool
}

// ErrClosed is returned by writes to a closed Store.
var ErrClosed = errors.New("state store is closed")

// ErrNotFound is returned by Remove for an address the state does not know.
var ErrNotFound = errors.New("no such address in state")

// Store is an open, locked state file. Its methods are safe for concurrent
// use. Writes are durable (fsynced) when they return.
type Store struct {
	path string
	opts Options
	lock *fileLock
	f    *os.File
	// created: Open made the file (see Options.DiscardEmpty).
	created bool

	// sendMu orders sends on reqs against Close closing it.
	sendMu sync.RWMutex
	closed bool
	reqs   chan *appendReq
	done   chan struct{} // closed when the writer goroutine has exited

	mu      sync.RWMutex
	objects map[string]*Object // durable view; stored objects are never mutated
	records int                // object records in the file after the header
	metas   int                // meta records in the file
	meta    Meta
	history []Event
	err     error // sticky: the journal can no longer be trusted

	written   atomic.Int64
	fsyncs    atomic.Int64 // journal commits (write+fsync), for benchmarks
	compacted atomic.Int64
	warnings  []string

	closeOnce sync.Once
	closeErr  error

	// bumpOnce journals the serial of this session before its first record.
	bumpOnce sync.Once
	bumpErr  error
}

// Open locks the state file at path and loads it (creating it, mode 0600,
// if missing). If the lock is held it fails with *LockedError, after
// polling for opts.LockTimeout. An incomplete last line left by a crash is
// cut off; Warnings says so, and names a dead previous holder taken over.
func Open(path string, opts Options) (*Store, error) {
	lock, warnings, err := acquireLock(path, opts.LockTimeout, opts.Command)
	if err != nil {
		return nil, err
	}
	s, err := openLocked(path, opts, lock, warnings)
	if err != nil {
		_ = lock.release()
		return nil, err
	}
	return s, nil
}

// openLocked loads the state once the lock is held, and starts the writer.
func openLocked(path string, opts Options, lock *fileLock, warnings []string) (*Store, error) {
	_, statErr := os.Stat(path)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("open state: %w", err)
	}
	s := &Store{path: path, opts: opts, lock: lock, f: f, warnings: warnings, created: errors.Is(statErr, fs.ErrNotExist)}
	// load first: a file that is not a state (a mistaken --state) is
	// refused before anything about it is changed.
	if err := s.load(); err != nil {
		f.Close()
		return nil, err
	}
	removeCompactionLeftovers(path)
	if fi, err := f.Stat(); err == nil && fi.Mode().Perm()&0o077 != 0 {
		// Files this package creates are 0600; one made otherwise (by
		// hand, or copied) is narrowed rather than left readable.
		if err := f.Chmod(0o600); err == nil {
			s.warnings = append(s.warnings, fmt.Sprintf("state file %s was accessible to other users (mode %04o); its mode is now 0600", path, fi.Mode().Perm()))
		}
	}
	s.reqs = make(chan *appendReq, 1024)
	s.done = make(chan struct{})
	go s.writer()
	if s.meta.Lineage == "" {
		// A new state, or one written before lineages existed: give it
		// its identity now, transparently.
		m := s.meta
		m.Lineage = NewLineage()
		if err := s.writeMeta(m); err != nil {
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// load replays the file, cuts an incomplete tail so that appends start on a
// line boundary, and writes the header of a new file.
func (s *Store) load() error {
	res, err := replay(s.f, s.path)
	if err != nil {
		return err
	}
	s.objects, s.records, s.metas, s.meta, s.history = res.objects, res.records, res.metas, res.meta, res.history
	s.warnings = append(s.warnings, res.warnings...)
	size, err := s.f.Seek(0, io.SeekEnd)
	if err != nil {
		return fmt.Errorf("state %s: %w", s.path, err)
	}
	if size != res.good {
		if err := s.f.Truncate(res.good); err != nil {
			return fmt.Errorf("state %s: cut incomplete last line: %w", s.path, err)
		}
		if err := s.sync(s.f); err != nil {
			return err
		}
	}
	if _, err := s.f.Seek(res.good, io.SeekStart); err != nil {
		return fmt.Errorf("state %s: %w", s.path, err)
	}
	if res.good == 0 {
		n, err := s.f.Write(headerLine)
		s.written.Add(int64(n))
		if err != nil {
			return fmt.Errorf("state %s: write header: %w", s.path, err)
		}
		// A new file: its directory entry must be durable too.
		if err := s.sync(s.f); err != nil {
			return err
		}
		if err := s.syncDir(); err != nil {
			return err
		}
	}
	return nil
}

// Warnings returns what Open noticed and the user should know: a stale lock
// taken over, an incomplete last line ignored.
func (s *Store) Warnings() []string {
	return append([]string(nil), s.warnings...)
}

// Path is the state file's path.
func (s *Store) Path() string { return s.path }

// State returns a deep copy of the current state: durable records only,
// pending intents included (with StatusPending). It costs O(objects): call
// it once per phase, use Get for single lookups.
func (s *Store) State() *State {
	s.mu.RLock()
	defer s.mu.RUnlock()
	st := &State{Objects: make(map[string]*Object, len(s.objects)), Meta: s.meta, History: cloneHistory(s.history)}
	for addr, o := range s.objects {
		st.Objects[addr] = o.clone()
	}
	return st
}

// Get returns a copy of the object at addr.
func (s *Store) Get(addr string) (Object, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.objects[addr]
	if !ok {
		return Object{}, false
	}
	return *o.clone(), true
}

// Intent journals that o is about to be created (its status becomes
// pending), replacing what the state held at its address. It returns once
// the record is durable: only then may the caller send the POST.
func (s *Store) Intent(o Object) error {
	if o.Status == "" {
		o.Status = StatusPending
	}
	if o.Status != StatusPending {
		return fmt.Errorf("state intent for %s: status %q, want %q", o.Addr, o.Status, StatusPending)
	}
	return s.put(&o)
}

// Put journals that o exists (created, adopted after a lookup, or imported);
// its status defaults to created and it needs its id. Durable on return.
func (s *Store) Put(o Object) error {
	if o.Status == "" {
		o.Status = StatusCreated
	}
	if o.Status != StatusCreated {
		return fmt.Errorf("state put of %s: status %q, want %q (journal a pending create with Intent)", o.Addr, o.Status, StatusCreated)
	}
	if o.ID <= 0 {
		return fmt.Errorf("state put of %s: no id", o.Addr)
	}
	return s.put(&o)
}

// put checks and journals a put record for (a copy of) o.
func (s *Store) put(o *Object) error {
	if o.Addr == "" || o.Kind == "" {
		return fmt.Errorf("state record needs an address and a kind (addr %q, kind %q)", o.Addr, o.Kind)
	}
	o = o.clone() // the caller keeps its maps
	if o.Time.IsZero() {
		o.Time = now()
	}
	line, err := encodePut(o)
	if err != nil {
		return err
	}
	if err := s.bumpSerial(); err != nil {
		return err
	}
	return s.append(&appendReq{line: line, rec: &record{Op: opPut, Object: *o}})
}

// Remove journals that addr is no longer tracked: `state rm`, or an intent
// whose create certainly failed. Unknown addresses give ErrNotFound.
func (s *Store) Remove(addr string) error {
	s.mu.RLock()
	_, ok := s.objects[addr]
	s.mu.RUnlock()
	if !ok {
		return fmt.Errorf("state rm %s: %w", addr, ErrNotFound)
	}
	t := now()
	line, err := encodeRm(addr, t)
	if err != nil {
		return err
	}
	if err := s.bumpSerial(); err != nil {
		return err
	}
	return s.append(&appendReq{line: line, rec: &record{Op: opRm, Object: Object{Addr: addr}}})
}

// BytesWritten is the number of bytes appended to the journal this session
// (header included). It grows by a constant per record, never with the
// size of the state.
func (s *Store) BytesWritten() int64 { return s.written.Load() }

// Close waits for pending writes, compacts the file to one record per
// object, and releases the lock. It is idempotent; later calls return the
// first call's result. If the journal failed, it is kept as it is (it holds
// every acknowledged record) and the failure is returned.
func (s *Store) Close() error {
	s.closeOnce.Do(func() { s.closeErr = s.close() })
	return s.closeErr
}

func (s *Store) close() error {
	s.sendMu.Lock()
	s.closed = true
	close(s.reqs)
	s.sendMu.Unlock()
	<-s.done

	s.mu.RLock()
	jerr := s.err
	needCompact := s.records != len(s.objects) || s.metas > 1
	discard := s.opts.DiscardEmpty && s.created && len(s.objects) == 0 && len(s.history) == 0 // an override recorded is kept
	s.mu.RUnlock()

	var errs []error
	if jerr != nil {
		errs = append(errs, jerr)
	}
	if err := s.f.Close(); err != nil && jerr == nil {
		errs = append(errs, fmt.Errorf("close state: %w", err))
	}
	switch {
	case jerr == nil && discard:
		if err := os.Remove(s.path); err != nil {
			errs = append(errs, fmt.Errorf("remove the empty state %s: %w", s.path, err))
		}
	case jerr == nil && needCompact:
		if err := s.compact(); err != nil {
			errs = append(errs, err)
		}
	}
	if err := s.lock.release(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// sync fsyncs f unless NoSync.
func (s *Store) sync(f *os.File) error {
	if s.opts.NoSync {
		return nil
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("state %s: fsync: %w", s.path, err)
	}
	return nil
}

// syncDir fsyncs the state file's directory, making a create or rename in
// it durable.
func (s *Store) syncDir() error {
	if s.opts.NoSync {
		return nil
	}
	d, err := os.Open(filepath.Dir(s.path))
	if err != nil {
		return fmt.Errorf("state %s: open directory: %w", s.path, err)
	}
	defer d.Close()
	if err := d.Sync(); err != nil {
		return fmt.Errorf("state %s: fsync directory: %w", s.path, err)
	}
	return nil
}

// now is the record time: UTC, millisecond precision (shorter lines).
func now() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }
