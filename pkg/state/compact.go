package state

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// compact rewrites the state file as the header plus one record per object,
// sorted by address, atomically: a temporary file in the same directory,
// fsynced, renamed over the journal, then the directory fsynced. A crash
// at any point leaves either the old journal or the new file, both
// complete.
func (s *Store) compact() (err error) {
	s.mu.RLock()
	objs := make([]*Object, 0, len(s.objects))
	for _, o := range s.objects {
		objs = append(objs, o)
	}
	meta := s.meta
	history := cloneHistory(s.history)
	s.mu.RUnlock()
	slices.SortFunc(objs, func(a, b *Object) int { return strings.Compare(a.Addr, b.Addr) })

	dir, base := filepath.Split(s.path)
	if dir == "" {
		dir = "."
	}
	tmp, err := os.CreateTemp(dir, tmpPrefix(base)+"*") // mode 0600
	if err != nil {
		return fmt.Errorf("compact state: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	w := bufio.NewWriterSize(tmp, 256<<10)
	size := int64(0)
	n, _ := w.Write(headerLine)
	size += int64(n)
	if meta.Lineage != "" {
		line, err := encodeMeta(meta)
		if err != nil {
			return err
		}
		n, _ := w.Write(line)
		size += int64(n)
	}
	for i := range history {
		line, err := encodeLine(record{Op: opEvent, Event: &history[i]})
		if err != nil {
			return err
		}
		n, _ := w.Write(line)
		size += int64(n)
	}
	for _, o := range objs {
		line, err := encodePut(o)
		if err != nil {
			return err
		}
		n, err := w.Write(line)
		size += int64(n)
		if err != nil {
			return fmt.Errorf("compact state: %w", err)
		}
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("compact state: %w", err)
	}
	if err := s.sync(tmp); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("compact state: %w", err)
	}
	if err := os.Rename(tmp.Name(), s.path); err != nil {
		return fmt.Errorf("compact state: %w", err)
	}
	s.compacted.Store(size)
	return s.syncDir()
}

// tmpPrefix starts the name of a compaction's temporary file.
func tmpPrefix(base string) string { return "." + base + ".tmp-" }

// removeCompactionLeftovers deletes temporary files of a compaction that a
// crash interrupted. Only the lock holder compacts, and the caller holds the
// lock, so any such file is abandoned. Best effort: they are only clutter.
func removeCompactionLeftovers(path string) {
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := tmpPrefix(base)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), prefix) && e.Type().IsRegular() {
			_ = os.Remove(filepath.Join(dir, e.Name()))
		}
	}
}
