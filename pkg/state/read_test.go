package state

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// put and rm build journal lines for hand-written files.
func put(addr string, id int64, status string) string {
	idPart := ""
	if id != 0 {
		idPart = `"id":` + strconv.FormatInt(id, 10) + `,`
	}
	return `{"op":"put","addr":"` + addr + `","kind":"family",` + idPart + `"status":"` + status + `","hash":"h-` + addr + `","time":"2025-01-01T00:00:00Z"}` + "\n"
}

func rm(addr string) string {
	return `{"op":"rm","addr":"` + addr + `","time":"2025-01-01T00:00:00Z"}` + "\n"
}

var hdr = string(headerLine)

func TestReadReplay(t *testing.T) {
	tests := []struct {
		name    string
		content string
		want    map[string]int64 // addr -> id (0: pending)
		wantErr string           // substring; "" = no error
		warn    string           // substring of the only warning; "" = none
	}{
		{name: "empty file", content: "", want: map[string]int64{}},
		{name: "header only", content: hdr, want: map[string]int64{}},
		{
			name:    "intent then created, last record wins",
			content: hdr + put("family.a", 0, "pending") + put("family.b", 7, "created") + put("family.a", 5, "created"),
			want:    map[string]int64{"family.a": 5, "family.b": 7},
		},
		{
			name:    "removal",
			content: hdr + put("family.a", 5, "created") + put("family.b", 7, "created") + rm("family.a"),
			want:    map[string]int64{"family.b": 7},
		},
		{
			name:    "removal of unknown addr is harmless",
			content: hdr + rm("family.x") + put("family.a", 5, "created"),
			want:    map[string]int64{"family.a": 5},
		},
		{
			name:    "torn last line ignored",
			content: hdr + put("family.a", 5, "created") + `{"op":"put","addr":"family.b","ki`,
			want:    map[string]int64{"family.a": 5},
			warn:    "incomplete last line (line 3",
		},
		{
			name:    "complete json without newline is still torn",
			content: hdr + put("family.a", 5, "created") + strings.TrimSuffix(put("family.b", 7, "created"), "\n"),
			want:    map[string]int64{"family.a": 5},
			warn:    "incomplete last line (line 3",
		},
		{
			name:    "unreadable last line ignored",
			content: hdr + put("family.a", 5, "created") + "\x00\x00\x00\n",
			want:    map[string]int64{"family.a": 5},
			warn:    "unreadable last line (line 3",
		},
		{
			name:    "torn header",
			content: hdr[:10],
			want:    map[string]int64{},
			warn:    "incomplete header",
		},
		{
			name:    "corrupt middle line",
			content: hdr + put("family.a", 5, "created") + `{"op":"put","addr":` + "\n" + put("family.b", 7, "created"),
			wantErr: "damaged at line 3",
		},
		{
			name:    "blank middle line",
			content: hdr + put("family.a", 5, "created") + "\n" + put("family.b", 7, "created"),
			wantErr: "damaged at line 3",
		},
		{
			name:    "unknown status in the middle",
			content: hdr + put("family.a", 5, "exploded") + put("family.b", 7, "created"),
			wantErr: `line 2: object family.a has unknown status "exploded"`,
		},
		{
			name:    "unknown op in the middle",
			content: hdr + `{"op":"frob","addr":"family.a"}` + "\n" + put("family.b", 7, "created"),
			wantErr: `line 2: unknown record op "frob"`,
		},
		{
			name:    "not a state file",
			content: "families:\n  voip: {name: VoIP}\n",
			wantErr: "line 1: not an onboard state file",
		},
		{
			name:    "one-line non-state file is not taken for a torn header",
			content: "hello",
			wantErr: "line 1: not an onboard state file",
		},
		{
			name:    "newer version",
			content: `{"format":"onboard-state","version":2}` + "\n",
			wantErr: "version 2 is not supported",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "s.state")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			st, warnings, err := Read(path)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkWarnings(t, warnings, tc.warn)
			got := map[string]int64{}
			for addr, o := range st.Objects {
				if o.Addr != addr {
					t.Errorf("object keyed %s has addr %s", addr, o.Addr)
				}
				got[addr] = o.ID
			}
			if len(got) != len(tc.want) {
				t.Fatalf("objects = %v, want %v", got, tc.want)
			}
			for addr, id := range tc.want {
				if gid, ok := got[addr]; !ok || gid != id {
					t.Errorf("%s: id %d (present %v), want %d", addr, gid, ok, id)
				}
			}
		})
	}
}

func checkWarnings(t *testing.T, warnings []string, want string) {
	t.Helper()
	if want == "" {
		if len(warnings) != 0 {
			t.Errorf("unexpected warnings %q", warnings)
		}
		return
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], want) {
		t.Errorf("warnings = %q, want one containing %q", warnings, want)
	}
}

func TestReadMissingFileIsEmpty(t *testing.T) {
	st, warnings, err := Read(filepath.Join(t.TempDir(), "none.state"))
	if err != nil || len(warnings) != 0 || st.Len() != 0 {
		t.Fatalf("Read(missing) = %v objects, %q, %v; want empty state", st.Len(), warnings, err)
	}
}

// A line longer than the read buffer must replay like any other.
func TestReadLongLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.state")
	s, err := Open(path, Options{NoSync: true})
	if err != nil {
		t.Fatal(err)
	}
	o := sampleObject(1, StatusCreated)
	o.Spec["description"] = strings.Repeat("long description ", 40000) // ~680 KB
	if err := s.Put(o); err != nil {
		t.Fatal(err)
	}
	if err := s.Put(sampleObject(2, StatusCreated)); err != nil {
		t.Fatal(err)
	}
	// Read the journal (before Close compacts it).
	st, warnings, err := Read(path)
	if err != nil || len(warnings) != 0 {
		t.Fatalf("Read: %v %q", err, warnings)
	}
	if got := st.Get(o.Addr); got == nil || got.Spec["description"] != o.Spec["description"] {
		t.Fatalf("long record not replayed intact")
	}
	if st.Len() != 2 {
		t.Fatalf("%d objects, want 2", st.Len())
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestSorted(t *testing.T) {
	st := &State{Objects: map[string]*Object{
		"item.b": {Addr: "item.b"}, "customer.a": {Addr: "customer.a"}, "family.z": {Addr: "family.z"},
	}}
	var got []string
	for _, o := range st.Sorted() {
		got = append(got, o.Addr)
	}
	if strings.Join(got, " ") != "customer.a family.z item.b" {
		t.Fatalf("Sorted = %v", got)
	}
	if st.Get("item.b") == nil || st.Get("item.c") != nil {
		t.Fatal("Get wrong")
	}
}
