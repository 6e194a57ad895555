package state

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"runtime"
	"sync"
)

// Read loads the state file at path without taking the lock, for read-only
// commands (plan, state list, state show). A missing file is an empty state.
// The warnings say what was ignored (an incomplete last line left by a
// crash, or by a run writing at this moment).
func Read(path string) (*State, []string, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return newState(), nil, nil
	}
	if err != nil {
		return nil, nil, fmt.Errorf("read state: %w", err)
	}
	defer f.Close()
	res, err := replay(f, path)
	if err != nil {
		return nil, nil, err
	}
	return &State{Objects: res.objects, Meta: res.meta, History: res.history}, res.warnings, nil
}

// replayed is the outcome of reading a state file.
type replayed struct {
	objects map[string]*Object
	// records counts the valid object records after the header; metas
	// the meta records.
	records, metas int
	meta           Meta
	history        []Event
	// good is the offset just past the last valid line: appends start
	// there (0: no complete header yet).
	good int64
	// warnings for the caller (ignored incomplete last line).
	warnings []string
}

// replay reads the header and replays every record of a state file. An
// incomplete or unreadable LAST line is what a crash mid-append leaves: it
// is ignored with a warning (its write was never acknowledged, so nothing
// was done on its strength). An unreadable line before the last is damage,
// and an error naming the line.
//
// The file is read whole and its lines decoded in parallel (decoding is
// nearly all the cost), then applied in file order.
func replay(f *os.File, name string) (*replayed, error) {
	data, err := readAll(f)
	if err != nil {
		return nil, fmt.Errorf("read state %s: %w", name, err)
	}
	res := &replayed{}
	if len(data) == 0 {
		res.objects = make(map[string]*Object)
		return res, nil
	}
	lines, torn := splitLines(data)

	// Line 1: the header.
	if len(lines) == 0 {
		if !bytes.HasPrefix(headerLine, torn) {
			return nil, fmt.Errorf("state file %s, line 1: %w", name, errNotState)
		}
		res.objects = make(map[string]*Object)
		res.warn("state file %s: ignored its incomplete header (line 1): the run that created it stopped while writing it", name)
		return res, nil
	}
	if err := decodeHeader(lines[0]); err != nil {
		return nil, fmt.Errorf("state file %s, line 1: %w", name, err)
	}
	res.good = int64(len(lines[0]) + 1)
	lines = lines[1:]

	recs, errs := decodeAll(lines)
	res.objects = make(map[string]*Object, len(lines))
	for i := range recs {
		lineNo := i + 2
		if errs[i] != nil {
			if i == len(lines)-1 && len(torn) == 0 {
				res.warn("state file %s: ignored an unreadable last line (line %d: %v): a run stopped while writing it; its outcome is resolved on the next apply", name, lineNo, errs[i])
				return res, nil
			}
			return nil, fmt.Errorf("state file %s is damaged at line %d: %v (only the last line can be incomplete after a crash; restore the file from a backup, or remove the line and rerun with --adopt)", name, lineNo, errs[i])
		}
		if recs[i].apply(res.objects, &res.meta, &res.history) {
			res.records++
		} else if recs[i].Op == opMeta {
			res.metas++
		}
		res.good += int64(len(lines[i]) + 1)
	}
	if len(torn) > 0 {
		res.warn("state file %s: ignored an incomplete last line (line %d, %d bytes): a run stopped while writing it; its outcome is resolved on the next apply", name, len(lines)+2, len(torn))
	}
	return res, nil
}

// readAll reads the rest of f into a buffer sized from its length (a
// growing buffer would copy a large state several times).
func readAll(f *os.File) ([]byte, error) {
	var buf bytes.Buffer
	if fi, err := f.Stat(); err == nil {
		buf.Grow(int(fi.Size()) + 512)
	}
	_, err := buf.ReadFrom(f)
	return buf.Bytes(), err
}

// errNotState says a file is not a state file.
var errNotState = errors.New("not an onboard state file (its first line is not the onboard-state header)")

// splitLines splits data into its newline-terminated lines (without the
// newline) and the trailing bytes after the last newline (torn).
func splitLines(data []byte) (lines [][]byte, torn []byte) {
	lines = make([][]byte, 0, bytes.Count(data, []byte{'\n'}))
	for {
		i := bytes.IndexByte(data, '\n')
		if i < 0 {
			return lines, data
		}
		lines = append(lines, data[:i])
		data = data[i+1:]
	}
}

// decodeAll decodes lines into records, in parallel across the CPUs.
// errs[i] is set where line i does not decode.
func decodeAll(lines [][]byte) ([]record, []error) {
	recs := make([]record, len(lines))
	errs := make([]error, len(lines))
	workers := min(runtime.GOMAXPROCS(0), max(1, len(lines)/1024))
	per := (len(lines) + workers - 1) / max(1, workers)
	var wg sync.WaitGroup
	for w := range workers {
		lo, hi := w*per, min(len(lines), (w+1)*per)
		wg.Add(1)
		go func() {
			defer wg.Done()
			var in interner
			for i := lo; i < hi; i++ {
				errs[i] = decodeRecord(lines[i], &recs[i], &in)
			}
		}()
	}
	wg.Wait()
	return recs, errs
}

func (r *replayed) warn(format string, args ...any) {
	r.warnings = append(r.warnings, fmt.Sprintf(format, args...))
}
