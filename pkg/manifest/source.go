package manifest

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// MaxFileSize is the largest manifest file Load reads (10 MiB). Larger
// files are refused before they are read.
const MaxFileSize = 10 << 20

// collect expands the arguments into manifest files: a file as given, a
// directory recursively (*.yaml and *.yml, sorted, hidden entries such as
// .git or .github skipped). A file reached twice is read once.
func collect(paths []string) ([]string, error) {
	if len(paths) == 0 {
		return nil, errors.New("no manifest path given")
	}
	var files []string
	seen := map[string]bool{}
	add := func(p string) {
		key := p
		if abs, err := filepath.Abs(p); err == nil {
			key = abs
		}
		if !seen[key] {
			seen[key] = true
			files = append(files, p)
		}
	}
	for _, p := range paths {
		info, err := os.Stat(p)
		if err != nil {
			return nil, fmt.Errorf("reading manifests: %w", err)
		}
		if !info.IsDir() {
			add(p)
			continue
		}
		found, err := walkDir(p)
		if err != nil {
			return nil, err
		}
		if len(found) == 0 {
			return nil, fmt.Errorf("reading manifests: %s: no *.yaml or *.yml files in this directory", p)
		}
		for _, f := range found {
			add(f)
		}
	}
	return files, nil
}

// walkDir lists the manifest files under dir, sorted.
func walkDir(dir string) ([]string, error) {
	var found []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("reading manifests: %w", err)
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		if d.IsDir() || !isManifestName(d.Name()) {
			return nil
		}
		if d.Type()&fs.ModeSymlink != 0 {
			// Follow a link to a file; a link to a directory is not walked.
			if info, err := os.Stat(p); err != nil || info.IsDir() {
				return nil
			}
		}
		found = append(found, p)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(found)
	return found, nil
}

func isManifestName(name string) bool {
	ext := strings.ToLower(filepath.Ext(name))
	return ext == ".yaml" || ext == ".yml"
}

// readFile reads a manifest file, refusing one over MaxFileSize without
// reading it whole: the size is checked first, and the read is limited in
// case the file grows or is not a regular file. A refusal is a diagnostic
// (the set is invalid); failing to read is an error.
func readFile(path string) ([]byte, *Diagnostic, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifests: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifests: %w", err)
	}
	if info.IsDir() {
		return nil, nil, fmt.Errorf("reading manifests: %s is a directory", path)
	}
	if info.Size() > MaxFileSize {
		return nil, tooLarge(path, info.Size()), nil
	}
	// Sized from the file's size: io.ReadAll grows its buffer by doubling,
	// twice the file in garbage for a large set.
	buf := bytes.NewBuffer(make([]byte, 0, info.Size()+bytes.MinRead))
	_, err = buf.ReadFrom(io.LimitReader(f, MaxFileSize+1))
	data := buf.Bytes()
	if err != nil {
		return nil, nil, fmt.Errorf("reading manifests: %w", err)
	}
	if len(data) > MaxFileSize {
		return nil, tooLarge(path, -1), nil
	}
	return data, nil, nil
}

func tooLarge(path string, size int64) *Diagnostic {
	what := "the file is larger than 10 MiB"
	if size >= 0 {
		what = fmt.Sprintf("the file is %.1f MiB", float64(size)/(1<<20))
	}
	return &Diagnostic{
		Pos:     Pos{File: path, Line: 1, Col: 1},
		Message: what + "; manifest files are limited to 10 MiB",
		Hint:    "split it into several files in a directory",
	}
}
