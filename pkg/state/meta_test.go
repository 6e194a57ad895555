package state

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A state written before lineages existed opens transparently: its objects
// are kept and it is given a lineage, which then stays.
func TestLegacyStateGetsLineage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	o := sampleObject(1, StatusCreated)
	line, err := encodePut(&o)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(append([]byte(nil), headerLine...), line...), 0o600); err != nil {
		t.Fatal(err)
	}
	st, _, err := Read(path)
	if err != nil || st.Len() != 1 || st.Meta.Lineage != "" {
		t.Fatalf("Read legacy: %v, %d objects, lineage %q", err, st.Len(), st.Meta.Lineage)
	}
	s := openT(t, path, Options{})
	lineage := s.Meta().Lineage
	if len(lineage) != 36 || s.State().Len() != 1 {
		t.Fatalf("after open: lineage %q, %d objects", lineage, s.State().Len())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	st, _, err = Read(path)
	if err != nil || st.Meta.Lineage != lineage || st.Len() != 1 {
		t.Fatalf("reread: %v, lineage %q want %q, %d objects", err, st.Meta.Lineage, lineage, st.Len())
	}
}

// The serial grows by one per session that writes, and only then.
func TestSerialPerWritingSession(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	sessions := []struct {
		writes int
		want   int64
	}{{3, 1}, {0, 1}, {1, 2}, {5, 3}}
	for i, sess := range sessions {
		s := openT(t, path, Options{})
		for j := range sess.writes {
			if err := s.Put(sampleObject(i*10+j+1, StatusCreated)); err != nil {
				t.Fatal(err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		st, _, err := Read(path)
		if err != nil || st.Meta.Serial != sess.want {
			t.Fatalf("session %d: %v, serial %d, want %d", i, err, st.Meta.Serial, sess.want)
		}
	}
}

func TestBindAPI(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	steps := []struct {
		api      string
		retarget bool
		wantErr  bool
		want     string
	}{
		{"https://a.example/api", false, false, "https://a.example/api"},
		{"https://a.example/api", false, false, "https://a.example/api"},
		{"https://b.example/api", false, true, "https://a.example/api"},
		{"https://b.example/api", true, false, "https://b.example/api"},
	}
	for i, st := range steps {
		s := openT(t, path, Options{})
		err := s.BindAPI(st.api, st.retarget)
		var me *APIMismatchError
		if st.wantErr != errors.As(err, &me) {
			t.Fatalf("step %d: BindAPI = %v, want mismatch %v", i, err, st.wantErr)
		}
		if me != nil && (!strings.Contains(me.Error(), "https://a.example/api") || !strings.Contains(me.Error(), "https://b.example/api")) {
			t.Fatalf("step %d: %q does not name both APIs", i, me)
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
		got, _, _ := Read(path)
		if got.Meta.API != st.want {
			t.Fatalf("step %d: bound to %q, want %q", i, got.Meta.API, st.want)
		}
	}
}
