// Package planfile saves a plan for review and reads it back for apply:
// every step as compiled, with what the plan was made from (a digest of
// the manifests, the state's lineage and serial, the API base URL and the
// tool version), so that apply can refuse a plan that no longer holds.
package planfile

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
)

// Format names the file format; Version is bumped when a field is removed
// or changes meaning. Version 2: the format has its own types (format.go),
// no longer plan.Step's JSON names.
const (
	Format  = "onboard-plan"
	Version = 3 // 2: its own types; 3: end actions (deactivate, stop, delete, forget), which older readers would misread
)

// Origin is what a plan was computed from.
type Origin struct {
	// Manifests are the manifest files read, as given; Digest covers their
	// names and contents.
	Manifests []string `json:"manifests"`
	Digest    string   `json:"manifests_digest"`
	// State is where the state is (a path, or a URL without password);
	// apply of the plan uses it unless told otherwise.
	State string `json:"state"`
	// StateLineage and StateSerial identify the state and its version.
	StateLineage string `json:"state_lineage"`
	StateSerial  int64  `json:"state_serial"`
	// API is the base URL the plan is for.
	API string `json:"api"`
	// Tool is the onboard version that made the plan.
	Tool string `json:"onboard_version"`
}

// File is a saved plan: the plan with its origin.
type File struct {
	Origin
	plan *plan.Plan
	// Policy is what the project's rules found when the plan was made,
	// with the overrides it was made with (each naming a rule that denied
	// it, with a reason); nil when the project had no rules. Kept apart
	// from the steps: apply judges the plan again by the rules of the day
	// and applies only these overrides.
	Policy *policy.Verdict
}

// New wraps p with its origin.
func New(p *plan.Plan, o Origin) *File {
	return &File{Origin: o, plan: p}
}

// Plan returns the saved plan.
func (f *File) Plan() *plan.Plan { return f.plan }

// Write saves f to path atomically (a reviewer never sees half a plan).
func (f *File) Write(path string) error {
	sf := toSaved(f.plan, f.Origin)
	sf.Policy = f.Policy
	b, err := json.MarshalIndent(sf, "", " ")
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".plan-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(append(b, '\n')); err != nil {
		tmp.Close()
		return err
	}
	// Durable before the rename: a crash must leave the old plan or the
	// whole new one, never an empty file under the plan's name.
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// ErrNotAPlan is returned by Read for a file that is not a saved plan.
var ErrNotAPlan = errors.New("not a saved onboard plan")

// Read loads a saved plan. It returns ErrNotAPlan (wrapped) when path is
// not one, e.g. a manifest.
func Read(path string) (*File, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var head struct {
		Format  string `json:"format"`
		Version int    `json:"format_version"`
	}
	if json.Unmarshal(b, &head) != nil || head.Format != Format {
		return nil, fmt.Errorf("%s: %w", path, ErrNotAPlan)
	}
	if head.Version != Version {
		return nil, &VersionError{Path: path, Version: head.Version}
	}
	var sf savedFile
	if err := json.Unmarshal(b, &sf); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if err := sf.check(); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &File{Origin: sf.Origin, plan: sf.plan(), Policy: sf.Policy}, nil
}

// VersionError is Read's refusal of a plan saved in another format
// version, older or newer than this onboard's.
type VersionError struct {
	Path    string
	Version int
}

func (e *VersionError) Error() string {
	if e.Version > Version {
		return fmt.Sprintf("%s: saved plan format %d is newer than this onboard reads (format %d): apply it with the onboard that made it, or make the plan again with this version", e.Path, e.Version, Version)
	}
	return fmt.Sprintf("%s: saved plan format %d; this onboard reads format %d: make the plan again with this version", e.Path, e.Version, Version)
}

// IsPlan reports whether path is a saved plan.
func IsPlan(path string) bool {
	fh, err := os.Open(path)
	if err != nil {
		return false
	}
	defer fh.Close()
	buf := make([]byte, 64)
	n, _ := io.ReadFull(fh, buf)
	var head struct {
		Format string `json:"format"`
	}
	// The format key is written first; a prefix decode finds it.
	return json.Unmarshal(completeHead(buf[:n]), &head) == nil && head.Format == Format
}

// completeHead closes the first key-value pair of a JSON object prefix.
func completeHead(b []byte) []byte {
	for i, c := range b {
		if c == ',' {
			return append(slices.Clone(b[:i]), '}')
		}
	}
	return b
}

// Digest hashes manifest files: their names and contents, in order.
func Digest(files []string) (string, error) {
	h := sha256.New()
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", err
		}
		fmt.Fprintf(h, "%s\x00%d\x00", filepath.ToSlash(f), len(b))
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// StaleError says why a saved plan can no longer be applied.
type StaleError struct {
	What       string // "state", "manifests", "api"
	Saved, Now string
}

func (e *StaleError) Error() string {
	switch e.What {
	case "api":
		return fmt.Sprintf("the plan was made for the API %s, not %s", e.Saved, e.Now)
	case "manifests":
		return "the manifests changed since the plan was made"
	}
	return fmt.Sprintf("the state changed since the plan was made (%s, now %s): another apply ran", e.Saved, e.Now)
}

// Check compares the plan's origin with now, the origin as it is at apply
// time (its Digest computed from the same manifest files).
func (f *File) Check(now Origin) error {
	switch {
	case f.API != now.API:
		return &StaleError{What: "api", Saved: f.API, Now: now.API}
	case f.Digest != now.Digest:
		return &StaleError{What: "manifests"}
	case f.StateLineage == "" && f.StateSerial == 0 && now.StateSerial == 0:
		// Planned before the state had a lineage (none yet, or one written
		// by an older onboard): opening it for apply gave it one, and no
		// session has written it since.
	case f.StateLineage != now.StateLineage || f.StateSerial != now.StateSerial:
		return &StaleError{What: "state", Saved: fmt.Sprintf("%s serial %d", f.StateLineage, f.StateSerial),
			Now: fmt.Sprintf("%s serial %d", now.StateLineage, now.StateSerial)}
	}
	return nil
}
