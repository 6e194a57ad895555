// Package sandbox is an in-memory BlueRockTEL API, faithful to the
// onboarding cookbook: the routes of every kind of the resource table,
// bearer auth, Laravel-style validation errors and paginated lists with
// filters, plus injectable faults (latency, 429s, 5xx, connections dropped
// after a create or an update was stored) for tests, demos and benchmarks.
//
// Everything it knows about kinds (paths, fields, types, required fields,
// parents, natural keys, server defaults) comes from package resource.
package sandbox

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Options configure a sandbox.
type Options struct {
	// Token is the bearer token required on /api/v1/*; "" generates a
	// random one (see Server.Token).
	Token string
	// Latency is added to every API request, with a uniform jitter in
	// [-Jitter, +Jitter] (never below zero).
	Latency, Jitter time.Duration
	// MaxInflight answers 429 to requests beyond this many concurrent ones
	// (0 = unlimited).
	MaxInflight int
	// Rate limits API requests per second (token bucket with a second of
	// burst); over it the answer is 429 with Retry-After (0 = unlimited).
	Rate float64
	// Fail5xx is the probability of a 500 or 503 answered before any
	// processing (nothing is stored).
	Fail5xx float64
	// Fail429 is the probability of a 429 (Retry-After: 1) answered before
	// any processing, as a throttling proxy would.
	Fail429 float64
	// DropAfterCommit is the probability that a successful create is
	// stored and then its connection closed without a response.
	DropAfterCommit float64
	// DropUpdate is the probability that a successful update (PUT) or
	// delete (DELETE) is
	// stored and then its connection closed without a response: the
	// client cannot know the PUT took effect and sends it again.
	DropUpdate float64
	// DropFirst lists kinds whose first successful create is stored and
	// then its connection closed without a response, whatever
	// DropAfterCommit draws: a lost response on a chosen request.
	DropFirst []resource.Kind
	// Filters is how list filters match: FiltersExact (the default, "")
	// or FiltersSpatie.
	Filters string
	// Seed makes fault draws reproducible (0 = a random seed, reported in
	// Stats).
	Seed int64
	// DataFile, if set, is loaded by New when it exists and written by
	// Close (JSON).
	DataFile string
	// Preload fills a sandbox that starts empty (no DataFile, or none yet)
	// with objects that already exist: a built-in seed by name (see
	// SeedNames) or a data file, read only.
	Preload string
	// Now is the clock for timestamps (default time.Now).
	Now func() time.Time
}

// Filter modes (Options.Filters).
const (
	// FiltersExact: filter[field]=value matches objects whose field is
	// exactly value.
	FiltersExact = "exact"
	// FiltersSpatie behaves like spatie/laravel-query-builder filters at
	// their most treacherous, as the real API may: "true" and "false" are
	// read as 1 and 0; a value with a comma is split into several values,
	// each matched exactly (an exact filter's IN); a value without one
	// matches string fields as a case-insensitive substring (a partial
	// filter's LIKE %value%) and other fields exactly.
	FiltersSpatie = "spatie"
)

// Server is the sandbox API. It implements http.Handler; mount it at the
// root: the API lives under /api, the stats under /_sandbox/stats.
type Server struct {
	opts     Options
	token    string
	store    *store
	faults   *faults
	counters *counters
	// paths maps a kind's collection path ("/v1/families") to its store.
	paths map[string]*kindStore
	// shared lists the other kinds served at a collection path (a
	// prospect's files beside a customer's, see pick).
	shared map[string][]*kindStore
	labels map[*kindStore]routeLabels

	closeOnce sync.Once
	closeErr  error
}

// routeLabels are the stats names of a kind's routes, built once.
type routeLabels struct {
	list, create, get, put, del string
}

// New builds a sandbox, loading Options.DataFile when it exists.
func New(opts Options) (*Server, error) {
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Filters == "" {
		opts.Filters = FiltersExact
	}
	for _, p := range []struct {
		name string
		v    float64
	}{{"fail-5xx", opts.Fail5xx}, {"fail-429", opts.Fail429}, {"drop-after-commit", opts.DropAfterCommit}, {"drop-after-update", opts.DropUpdate}} {
		if p.v < 0 || p.v > 1 {
			return nil, fmt.Errorf("sandbox: %s probability %v is not between 0 and 1", p.name, p.v)
		}
	}
	switch opts.Filters {
	case FiltersExact, FiltersSpatie:
	default:
		return nil, fmt.Errorf("sandbox: filters %q must be %q or %q", opts.Filters, FiltersExact, FiltersSpatie)
	}
	if opts.Rate < 0 || opts.MaxInflight < 0 || opts.Latency < 0 || opts.Jitter < 0 {
		return nil, fmt.Errorf("sandbox: rate, max-inflight, latency and jitter must not be negative")
	}
	st, err := newStore(opts.Now)
	if err != nil {
		return nil, fmt.Errorf("sandbox: %w", err)
	}
	s := &Server{
		opts:     opts,
		token:    opts.Token,
		store:    st,
		faults:   newFaults(opts),
		counters: newCounters(),
		paths:    map[string]*kindStore{},
		shared:   map[string][]*kindStore{},
		labels:   map[*kindStore]routeLabels{},
	}
	if s.token == "" {
		if s.token, err = randomToken(); err != nil {
			return nil, fmt.Errorf("sandbox: generating a token: %w", err)
		}
	}
	for _, ks := range st.list {
		p := ks.spec.Path
		if first := s.paths[p]; first != nil {
			s.shared[p] = append(s.shared[p], ks)
		} else {
			s.paths[p] = ks
		}
		s.labels[ks] = routeLabels{list: "GET " + p, create: "POST " + p, get: "GET " + p + "/{id}", put: "PUT " + p + "/{id}", del: "DELETE " + p + "/{id}"}
	}
	if opts.DataFile != "" {
		if err := st.load(opts.DataFile); err != nil {
			return nil, fmt.Errorf("sandbox: loading %s: %w", opts.DataFile, err)
		}
	}
	if opts.Preload != "" {
		if err := st.preload(opts.Preload); err != nil {
			return nil, fmt.Errorf("sandbox: %w", err)
		}
	}
	return s, nil
}

func randomToken() (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return "sbx_" + hex.EncodeToString(b), nil
}

// Token returns the bearer token the API accepts.
func (s *Server) Token() string { return s.token }

// Objects returns a snapshot of the stored objects of a kind, in id order:
// fields as stored (numbers as json.Number, prices and dates as strings),
// "id" as int64 and the timestamps.
func (s *Server) Objects(kind resource.Kind) []map[string]any {
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	ks := s.store.kinds[kind]
	if ks == nil {
		return nil
	}
	out := make([]map[string]any, 0, len(ks.order))
	for _, id := range ks.order {
		out = append(out, ks.objs[id].snapshot())
	}
	return out
}

// Close persists the data to Options.DataFile when set. It is safe to call
// more than once; later calls return the first result.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		if s.opts.DataFile != "" {
			if err := s.store.save(s.opts.DataFile); err != nil {
				s.closeErr = fmt.Errorf("sandbox: saving %s: %w", s.opts.DataFile, err)
			}
		}
	})
	return s.closeErr
}

// authorized checks the bearer token in constant time.
func (s *Server) authorized(header string) bool {
	const scheme = "bearer "
	if len(header) <= len(scheme) || !strings.EqualFold(header[:len(scheme)], scheme) {
		return false
	}
	got := strings.TrimSpace(header[len(scheme):])
	return subtle.ConstantTimeCompare([]byte(got), []byte(s.token)) == 1
}
