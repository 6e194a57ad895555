package importer

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/onboardhq/onboard/pkg/export"
)

// RecordFile is the import's record in the output directory: for each
// file it wrote, the SHA-256 of the bytes it wrote and the objects the
// file declares. A file whose bytes no longer have that hash was changed
// by hand since: the next import does not overwrite it unless forced. An
// object the record knows and the input no longer has is reported, never
// deleted.
const RecordFile = ".onboard-import"

// record is RecordFile's content.
type record struct {
	Comment string                  `json:"comment"`
	Files   map[string]recordedFile `json:"files"`
}

type recordedFile struct {
	SHA256  string   `json:"sha256"`
	Objects []string `json:"objects,omitempty"`
}

const recordComment = "Written by onboard import: the files it wrote and what they declare, so that it does not overwrite a file changed by hand since. Keep it with the manifests."

// Outcome is what publishing an import does to the output directory.
type Outcome struct {
	// Added, Changed and Unchanged are the files of the import, by path
	// relative to the output directory.
	Added, Changed, Unchanged []string
	// Edited are files the import would change that were changed by hand
	// since the last import (or not written by an import at all).
	Edited []string
	// Kept are files of an earlier import that the input no longer makes
	// (a customer whose row is gone): left as they are.
	Kept []string
	// Gone are the addresses of objects an earlier import wrote in a file
	// it writes again, that the input no longer has (the file no longer
	// declares them).
	Gone []string
}

// EditedError is an import that would overwrite files changed by hand.
type EditedError struct{ Files []string }

func (e *EditedError) Error() string {
	return fmt.Sprintf("%d file(s) were changed by hand since the last import: %s", len(e.Files), strings.Join(e.Files, ", "))
}

// Compare says what publishing res into out would do, reading what is
// there and the record of the last import.
func Compare(out string, res *Result) (*Outcome, error) {
	rec, err := readRecord(out)
	if err != nil {
		return nil, err
	}
	oc := &Outcome{}
	made := map[string]bool{}
	for _, f := range res.Files {
		made[f.Path] = true
		old, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(f.Path)))
		switch {
		case errors.Is(err, fs.ErrNotExist):
			oc.Added = append(oc.Added, f.Path)
		case err != nil:
			return nil, fmt.Errorf("import: %w", err)
		case bytes.Equal(old, f.Data):
			oc.Unchanged = append(oc.Unchanged, f.Path)
		case rec.Files[f.Path].SHA256 == hash(old):
			oc.Changed = append(oc.Changed, f.Path)
		default:
			oc.Edited = append(oc.Edited, f.Path)
		}
	}
	gone := map[string]bool{}
	for path, rf := range rec.Files {
		if !made[path] {
			// A file of objects is kept; one without (the schema, when
			// --schema now names another) is forgotten.
			if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(path))); err == nil && len(rf.Objects) > 0 {
				oc.Kept = append(oc.Kept, path)
			}
			continue // the objects of a kept file are still declared
		}
		for _, a := range rf.Objects {
			gone[a] = true
		}
	}
	for _, as := range res.Declares {
		for _, a := range as {
			delete(gone, a)
		}
	}
	for a := range gone {
		oc.Gone = append(oc.Gone, a)
	}
	slices.Sort(oc.Kept)
	slices.Sort(oc.Gone)
	return oc, nil
}

func hash(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:])
}

func readRecord(out string) (*record, error) {
	rec := &record{Files: map[string]recordedFile{}}
	data, err := os.ReadFile(filepath.Join(out, RecordFile))
	if errors.Is(err, fs.ErrNotExist) {
		return rec, nil
	}
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if err := json.Unmarshal(data, rec); err != nil {
		return nil, fmt.Errorf("import: %s is not an import record (%v): move it away, and pass --force if the files it covered were changed by hand", filepath.Join(out, RecordFile), err)
	}
	if rec.Files == nil {
		rec.Files = map[string]recordedFile{}
	}
	return rec, nil
}

// Publish writes res into out as one change: the new and changed files
// and the record are staged in a directory beside out, with everything
// else out holds (the state, files of rows that are gone, anything
// else) linked in, and the staged directory replaces out by a rename
// (export.Stage and export.Publish). Files changed by hand are refused
// (an *EditedError, nothing written) unless force. Nothing is written
// when nothing changes.
func Publish(out string, res *Result, oc *Outcome, force bool) error {
	if len(oc.Edited) > 0 && !force {
		return &EditedError{Files: oc.Edited}
	}
	files, err := toWrite(out, res, oc)
	if err != nil || files == nil {
		return err
	}
	staged, err := export.Stage(out, files)
	if err != nil {
		return err
	}
	return commit(out, staged, files)
}

// Import builds the tables' manifests and publishes them into out, as
// Build then Compare then Publish, but stages the files while the
// manifests are checked (the two largest parts of an import, one mostly
// the file system's, the other the CPU's). The staged directory is
// removed when the check finds problems: nothing is written then.
func Import(out string, tables []*Table, opts Options, force bool) (*Result, *Outcome, error) {
	d, err := prepare(tables, opts)
	if err != nil {
		return nil, nil, err
	}
	if len(d.b.diags) > 0 {
		return nil, nil, d.check() // the tables are wrong: nothing to stage
	}
	oc, err := Compare(out, d.res)
	if err != nil {
		return nil, nil, err
	}
	if len(oc.Edited) > 0 && !force {
		if err := d.check(); err != nil {
			return nil, nil, err // bad cells first
		}
		return nil, nil, &EditedError{Files: oc.Edited}
	}
	files, err := toWrite(out, d.res, oc)
	if err != nil {
		return nil, nil, err
	}
	if files == nil {
		if err := d.check(); err != nil {
			return nil, nil, err
		}
		return d.res, oc, nil
	}
	type staging struct {
		dir string
		err error
	}
	done := make(chan staging, 1)
	go func() {
		dir, err := export.Stage(out, files)
		done <- staging{dir, err}
	}()
	cerr := d.check()
	st := <-done
	switch {
	case cerr != nil:
		if st.err == nil {
			os.RemoveAll(st.dir)
		}
		return nil, nil, cerr
	case st.err != nil:
		return nil, nil, st.err
	}
	if err := commit(out, st.dir, files); err != nil {
		return nil, nil, err
	}
	return d.res, oc, nil
}

// toWrite returns the files to stage (the new and changed ones, and the
// record), or nil when out already holds everything as it would be.
func toWrite(out string, res *Result, oc *Outcome) ([]export.File, error) {
	old, err := readRecord(out)
	if err != nil {
		return nil, err
	}
	rec := &record{Comment: recordComment, Files: map[string]recordedFile{}}
	for path, rf := range old.Files {
		if slices.Contains(oc.Kept, path) {
			rec.Files[path] = rf
		}
	}
	write := map[string]bool{}
	for _, p := range oc.Added {
		write[p] = true
	}
	for _, p := range append(oc.Changed, oc.Edited...) {
		write[p] = true
	}
	var files []export.File
	for _, f := range res.Files {
		objs := slices.Clone(res.Declares[f.Path])
		slices.Sort(objs)
		rec.Files[f.Path] = recordedFile{SHA256: hash(f.Data), Objects: objs}
		if write[f.Path] {
			files = append(files, f)
		}
	}
	data, err := json.MarshalIndent(rec, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	data = append(data, '\n')
	if prev, err := os.ReadFile(filepath.Join(out, RecordFile)); err == nil && bytes.Equal(prev, data) && len(files) == 0 {
		return nil, nil
	}
	if info, err := os.Stat(out); err == nil && !info.IsDir() {
		return nil, fmt.Errorf("import: %s is not a directory", out)
	}
	return append(files, export.File{Path: RecordFile, Data: data}), nil
}

// commit links what out holds besides the staged files into the staged
// directory and makes it out; the staged directory is removed on failure.
func commit(out, staged string, files []export.File) error {
	staging := map[string]bool{}
	for _, f := range files {
		staging[f.Path] = true
	}
	if err := linkRest(out, staged, staging); err != nil {
		os.RemoveAll(staged)
		return err
	}
	if err := export.Publish(staged, out, true); err != nil {
		os.RemoveAll(staged)
		return err
	}
	return nil
}

// linkRest brings into staged everything out holds that is not being
// written: hard links (copies where the file system refuses them),
// symbolic links as they are, directories with their modes.
func linkRest(out, staged string, writing map[string]bool) error {
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == out {
			return fs.SkipAll
		}
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(out, p)
		if err != nil || rel == "." {
			return err
		}
		dst := filepath.Join(staged, rel)
		info, err := d.Info()
		if err != nil {
			return err
		}
		switch {
		case d.IsDir():
			if err := os.MkdirAll(dst, 0o755); err != nil {
				return err
			}
			return os.Chmod(dst, info.Mode().Perm())
		case writing[filepath.ToSlash(rel)]:
			return nil
		case d.Type()&fs.ModeSymlink != 0:
			target, err := os.Readlink(p)
			if err != nil {
				return err
			}
			return os.Symlink(target, dst)
		}
		if err := os.Link(p, dst); err == nil {
			return nil
		}
		return copyFile(p, dst, info.Mode().Perm())
	})
	if err != nil {
		return fmt.Errorf("import: keep what %s holds: %w", out, err)
	}
	return nil
}

func copyFile(src, dst string, mode fs.FileMode) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	o, err := os.OpenFile(dst, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(o, in); err != nil {
		o.Close()
		return err
	}
	if err := o.Sync(); err != nil {
		o.Close()
		return err
	}
	return o.Close()
}
