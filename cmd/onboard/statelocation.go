package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/onboardhq/onboard/pkg/project"
)

// Where a project's state lives when --state is not given.
//
// The state belongs to the project, not to an argument: whatever order the
// manifests are given in, and from whatever directory onboard runs, the
// same manifests find the same state. The search starts in the deepest
// directory holding every manifest given (their common root) for plan,
// apply and graph, and in the current directory for the state commands,
// then walks up to the repository root (the first directory with a .git)
// or the filesystem root. The first directory with a project file
// (onboard.project) or an existing onboard.state wins; with neither, the
// state is onboard.state in the common root. A project file may name the
// state elsewhere with `state: LOCATION` (a path relative to the project
// file, or a postgres:// URL without its password); pkg/project reads it.
const (
	stateFileName   = "onboard.state"
	projectFileName = project.FileName
	stateEnv        = "ONBOARD_STATE"
)

// stateLocation resolves the state of a command: --state, else
// $ONBOARD_STATE, else the project's (see above). paths are the manifests
// (none for the state commands, which search from the current directory).
func stateLocation(flag string, paths []string) (string, error) {
	if flag != "" {
		return flag, nil
	}
	if env := strings.TrimSpace(os.Getenv(stateEnv)); env != "" {
		return env, nil
	}
	start, err := commonRoot(paths)
	if err != nil {
		return "", err
	}
	loc, err := findProjectState(start)
	if err != nil {
		return "", err
	}
	if loc == "" {
		loc = filepath.Join(start, stateFileName)
	}
	return relToCwd(loc), nil
}

// commonRoot is the deepest directory holding every path (a file counts by
// its directory), as an absolute path; the current directory for none.
func commonRoot(paths []string) (string, error) {
	if len(paths) == 0 {
		return os.Getwd()
	}
	var root []string
	for i, p := range paths {
		abs, err := filepath.Abs(p)
		if err != nil {
			return "", fmt.Errorf("state location: %w", err)
		}
		if fi, err := os.Stat(abs); err != nil || !fi.IsDir() {
			abs = filepath.Dir(abs)
		}
		parts := strings.Split(abs, string(filepath.Separator))
		if i == 0 {
			root = parts
			continue
		}
		n := 0
		for n < len(root) && n < len(parts) && root[n] == parts[n] {
			n++
		}
		root = root[:n]
	}
	dir := strings.Join(root, string(filepath.Separator))
	if dir == "" {
		dir = string(filepath.Separator)
	}
	return dir, nil
}

// findProjectState walks up from dir and returns the state named by the
// first project file or the first existing state file, or "" for none.
func findProjectState(dir string) (string, error) {
	for {
		proj := filepath.Join(dir, projectFileName)
		if _, err := os.Stat(proj); err == nil {
			loc, err := readProjectFile(proj)
			if err != nil || loc != "" {
				return loc, err
			}
			return filepath.Join(dir, stateFileName), nil
		}
		if fi, err := os.Stat(filepath.Join(dir, stateFileName)); err == nil && !fi.IsDir() {
			return filepath.Join(dir, stateFileName), nil
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil // the repository root: a state above belongs to something else
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// readProjectFile reads the state a project file names: "" when it names
// none. Every key is checked (pkg/project): a misspelt one is an error at
// its position, not a setting left out.
func readProjectFile(path string) (string, error) {
	f, err := project.Read(path, relToCwd(path))
	if err != nil {
		return "", err
	}
	if f.State == "" || isURL(f.State) || filepath.IsAbs(f.State) {
		return f.State, nil
	}
	return filepath.Join(filepath.Dir(path), f.State), nil
}

// isURL tells a backend URL (postgres://...) from a file path.
func isURL(loc string) bool { return strings.Contains(loc, "://") }

// relToCwd shortens a path below the current directory for messages.
func relToCwd(p string) string {
	if isURL(p) || !filepath.IsAbs(p) {
		return p
	}
	wd, err := os.Getwd()
	if err != nil {
		return p
	}
	if rel, err := filepath.Rel(wd, p); err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return rel
	}
	return p
}

// projectFile returns the project file that governs the manifests at paths
// (found as stateLocation finds it), or "" for none.
func projectFile(paths []string) (string, error) {
	dir, err := commonRoot(paths)
	if err != nil {
		return "", err
	}
	for {
		proj := filepath.Join(dir, projectFileName)
		if _, err := os.Stat(proj); err == nil {
			return proj, nil
		}
		if _, err := os.Stat(filepath.Join(dir, ".git")); err == nil {
			return "", nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", nil
		}
		dir = parent
	}
}

// projectRefreshMode is the `refresh:` of the project file of the
// manifests at paths: "" when there is none.
func projectRefreshMode(paths []string) (refreshMode, error) {
	proj, err := projectFile(paths)
	if err != nil || proj == "" {
		return "", err
	}
	f, err := project.Read(proj, relToCwd(proj))
	if err != nil || f.Refresh == "" {
		return "", err
	}
	return parseRefreshMode(f.Refresh)
}
