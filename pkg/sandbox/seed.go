package sandbox

import (
	"embed"
	"fmt"
	"os"
	"sort"
	"strings"
)

// seeds are the built-in preloads, in the data file format: what an
// account already holds that the examples refer to by id.
//
//go:embed seeds/*.json
var seeds embed.FS

// SeedNames lists the built-in seeds that Options.Preload accepts by name.
func SeedNames() []string {
	entries, _ := seeds.ReadDir("seeds")
	names := make([]string, 0, len(entries))
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".json"))
	}
	sort.Strings(names)
	return names
}

// preloadData returns the objects Options.Preload names: a built-in seed
// ("examples": family 7 and item 42, which examples/gitops uses by id), or
// a data file, read and never written.
func preloadData(name string) ([]byte, error) {
	if b, err := seeds.ReadFile("seeds/" + name + ".json"); err == nil && !strings.ContainsAny(name, "/.") {
		return b, nil
	}
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, fmt.Errorf("preload %q: not a built-in seed (%s) nor a readable data file: %w",
			name, strings.Join(SeedNames(), ", "), err)
	}
	return b, nil
}

// preload fills an empty store with Options.Preload. A store that a data
// file filled already holds what an earlier run preloaded, and more.
func (s *store) preload(name string) error {
	if !s.empty() {
		return nil
	}
	data, err := preloadData(name)
	if err != nil {
		return err
	}
	if err := s.loadData(data); err != nil {
		return fmt.Errorf("preload %s: %w", name, err)
	}
	return nil
}

// empty reports whether the store holds no object.
func (s *store) empty() bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, ks := range s.list {
		if len(ks.order) > 0 {
			return false
		}
	}
	return true
}
