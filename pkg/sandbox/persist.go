package sandbox

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/onboardhq/onboard/pkg/resource"
)

// dataVersion is the format version of a data file.
const dataVersion = 1

// dataFile is the JSON form of the store.
type dataFile struct {
	Version int                             `json:"version"`
	Kinds   map[resource.Kind]*dataKindFile `json:"kinds"`
}

type dataKindFile struct {
	NextID  int64            `json:"next_id"`
	Objects []dataObjectFile `json:"objects"`
}

type dataObjectFile struct {
	// Object is the object as the API renders it (id, fields, timestamps).
	Object json.RawMessage `json:"object"`
	// Defaulted lists the fields the server filled in.
	Defaulted []string `json:"defaulted,omitempty"`
}

// save writes the store to path atomically (temporary file, then rename).
func (s *store) save(path string) error {
	s.mu.RLock()
	df := dataFile{Version: dataVersion, Kinds: map[resource.Kind]*dataKindFile{}}
	for _, ks := range s.list {
		kf := &dataKindFile{NextID: ks.next, Objects: make([]dataObjectFile, 0, len(ks.order))}
		for _, id := range ks.order {
			o := ks.objs[id]
			of := dataObjectFile{Object: ks.render(nil, o, false)}
			for _, k := range o.keys {
				if o.defaulted[k] {
					of.Defaulted = append(of.Defaulted, k)
				}
			}
			kf.Objects = append(kf.Objects, of)
		}
		df.Kinds[ks.spec.Kind] = kf
	}
	s.mu.RUnlock()

	data, err := json.MarshalIndent(df, "", " ")
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".tmp*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // a no-op once renamed
	if _, err := tmp.Write(append(data, '\n')); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// load reads a data file written by save; a missing file is an empty store.
func (s *store) load(path string) error {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return s.loadData(data)
}

// loadData adds the objects of a data file's contents to the store.
func (s *store) loadData(data []byte) error {
	var df dataFile
	if err := json.Unmarshal(data, &df); err != nil {
		return fmt.Errorf("not a sandbox data file: %w", err)
	}
	if df.Version != dataVersion {
		return fmt.Errorf("data file version %d, want %d", df.Version, dataVersion)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for kind, kf := range df.Kinds {
		ks := s.kinds[kind]
		if ks == nil {
			return fmt.Errorf("unknown kind %q", kind)
		}
		for i, of := range kf.Objects {
			o, err := decodeStored(of)
			if err != nil {
				return fmt.Errorf("%s object %d: %w", kind, i, err)
			}
			if n := len(ks.order); n > 0 && ks.order[n-1] >= o.id {
				return fmt.Errorf("%s object %d: ids out of order", kind, i)
			}
			ks.insert(o)
		}
		ks.next = max(ks.next, kf.NextID)
		if n := len(ks.order); n > 0 {
			ks.next = max(ks.next, ks.order[n-1]+1)
		}
	}
	return nil
}

// decodeStored rebuilds an object from its rendered JSON.
func decodeStored(of dataObjectFile) (*object, error) {
	fields, err := decodeObject(of.Object)
	if err != nil {
		return nil, err
	}
	o := &object{vals: make(map[string]any, len(fields))}
	for _, f := range fields {
		switch f.key {
		case "id":
			id, ok := jsonNumberID(f.val)
			if !ok || id <= 0 {
				return nil, fmt.Errorf("bad id %v", f.val)
			}
			o.id = id
		case "created_at", "updated_at":
			t, ok := f.val.(string)
			if !ok {
				return nil, fmt.Errorf("bad %s %v", f.key, f.val)
			}
			if f.key == "created_at" {
				o.created = t
			} else {
				o.updated = t
			}
		default:
			o.set(f.key, f.val)
		}
	}
	if o.id == 0 {
		return nil, errors.New("no id")
	}
	for _, k := range of.Defaulted {
		if o.defaulted == nil {
			o.defaulted = map[string]bool{}
		}
		o.defaulted[k] = true
	}
	return o, nil
}
