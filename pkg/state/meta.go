package state

import (
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"time"
)

// Meta identifies a state: which lineage it is (a random id given when the
// state is created, kept by every copy and migration), how many sessions
// have written it (Serial), and which API its ids belong to.
type Meta struct {
	// Lineage is random per state, given at creation (or at the first
	// writable open of a state written before lineages existed).
	Lineage string `json:"lineage"`
	// Serial grows by one for each session that writes the state.
	Serial int64 `json:"serial"`
	// API is the normalised base URL of the API whose ids the state holds;
	// empty until the first apply binds it.
	API string `json:"api,omitempty"`
}

// NewLineage returns a fresh random lineage.
func NewLineage() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(fmt.Sprintf("state lineage: %v", err)) // crypto/rand does not fail on supported systems
	}
	h := hex.EncodeToString(b[:])
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// APIMismatchError refuses to use a state against an API other than the one
// its ids belong to: they would name other objects, or none, there.
type APIMismatchError struct {
	// Location names the state (a path, or a redacted URL).
	Location string
	Lineage  string
	// StateAPI is the API the state belongs to; RunAPI the one asked for.
	StateAPI, RunAPI string
}

// Error names both APIs.
func (e *APIMismatchError) Error() string {
	return fmt.Sprintf("state %s (lineage %s) belongs to the API %s, not %s: its ids would name other objects there",
		e.Location, e.Lineage, e.StateAPI, e.RunAPI)
}

// CheckAPI decides whether a state bound to m may be used against api: an
// unbound state (new, or written before bindings existed) is bound to it;
// another API is refused unless retarget. It returns the meta to record and
// whether it changed.
func CheckAPI(m Meta, location, api string, retarget bool) (Meta, bool, error) {
	switch {
	case m.API == api:
		return m, false, nil
	case m.API != "" && !retarget:
		return m, false, &APIMismatchError{Location: location, Lineage: m.Lineage, StateAPI: m.API, RunAPI: api}
	}
	m.API = api
	return m, true, nil
}

// metaRecord is the journal line of a meta change.
type metaRecord struct {
	Op   string    `json:"op"`
	Meta Meta      `json:"meta"`
	Time time.Time `json:"time"`
}

// encodeMeta returns the journal line recording m.
func encodeMeta(m Meta) ([]byte, error) {
	return encodeLine(metaRecord{Op: opMeta, Meta: m, Time: now()})
}

// Meta returns the state's lineage, serial and API binding.
func (s *Store) Meta() Meta {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.meta
}

// BindAPI binds the state to api (see CheckAPI), durably, before anything
// is sent to it.
func (s *Store) BindAPI(api string, retarget bool) error {
	m, changed, err := CheckAPI(s.Meta(), s.path, api, retarget)
	if err != nil || !changed {
		return err
	}
	return s.writeMeta(m)
}

// writeMeta journals m and makes it the state's meta once durable.
func (s *Store) writeMeta(m Meta) error {
	line, err := encodeMeta(m)
	if err != nil {
		return err
	}
	return s.append(&appendReq{line: line, rec: &record{Op: opMeta, Meta: &m}})
}

// bumpSerial journals serial+1 before the session's first record.
func (s *Store) bumpSerial() error {
	s.bumpOnce.Do(func() {
		m := s.Meta()
		m.Serial++
		s.bumpErr = s.writeMeta(m)
	})
	return s.bumpErr
}
