package sandbox

import (
	"sort"
	"strconv"
	"sync"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Stats is a snapshot of what the sandbox has served and holds, as served
// by GET /_sandbox/stats.
type Stats struct {
	// Requests counts every request except those to the stats endpoint.
	Requests int64 `json:"requests"`
	// Routes counts requests by route ("POST /v1/families",
	// "GET /v1/families/{id}", "GET /version", "unmatched", "other" for
	// unsupported methods) and status ("201", "429"; "dropped" for a
	// drop-after-commit or drop-after-update, "canceled" when the client
	// left during latency).
	Routes map[string]map[string]int64 `json:"routes"`
	// Objects counts stored objects by kind.
	Objects map[resource.Kind]int `json:"objects"`
	// Duplicates counts, by kind, objects that share a natural key with an
	// earlier one (two objects with one key count 1).
	Duplicates map[resource.Kind]int `json:"duplicates"`
	// DuplicateKeys lists, by kind, the natural keys held by more than one
	// object (at most maxDuplicateKeys per kind), for diagnosis.
	DuplicateKeys map[resource.Kind][]string `json:"duplicate_keys,omitempty"`
	// Faults counts injected faults by type (the Fault* constants).
	Faults map[string]int64 `json:"faults"`
	// Seed is the seed of the fault draws (the generated one when
	// Options.Seed was 0), to replay a run.
	Seed int64 `json:"seed"`
}

// TotalDuplicates sums Duplicates over all kinds.
func (st Stats) TotalDuplicates() int {
	n := 0
	for _, d := range st.Duplicates {
		n += d
	}
	return n
}

const maxDuplicateKeys = 50

type routeStatus struct {
	route  string
	status string
}

// counters records requests and faults.
type counters struct {
	mu     sync.Mutex
	total  int64
	routes map[routeStatus]int64
	faults map[string]int64
}

func newCounters() *counters {
	return &counters{routes: map[routeStatus]int64{}, faults: map[string]int64{}}
}

func (c *counters) request(route, status string) {
	c.mu.Lock()
	c.total++
	c.routes[routeStatus{route, status}]++
	c.mu.Unlock()
}

func (c *counters) fault(kind string) {
	c.mu.Lock()
	c.faults[kind]++
	c.mu.Unlock()
}

// statusText is the stats key of an HTTP status.
func statusText(code int) string { return strconv.Itoa(code) }

// Stats returns a snapshot of the request, fault and object counters.
func (s *Server) Stats() Stats {
	st := Stats{
		Routes:     map[string]map[string]int64{},
		Objects:    map[resource.Kind]int{},
		Duplicates: map[resource.Kind]int{},
		Faults:     map[string]int64{},
		Seed:       s.faults.seed,
	}
	s.counters.mu.Lock()
	st.Requests = s.counters.total
	for k, n := range s.counters.routes {
		if st.Routes[k.route] == nil {
			st.Routes[k.route] = map[string]int64{}
		}
		st.Routes[k.route][k.status] = n
	}
	for k, n := range s.counters.faults {
		st.Faults[k] = n
	}
	s.counters.mu.Unlock()

	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	for _, ks := range s.store.list {
		kind := ks.spec.Kind
		st.Objects[kind] = len(ks.order)
		st.Duplicates[kind] = 0 // every kind appears
		var keys []string
		for key, n := range ks.dups {
			if n > 1 {
				st.Duplicates[kind] += n - 1
				keys = append(keys, key)
			}
		}
		if len(keys) > 0 {
			sort.Strings(keys)
			if st.DuplicateKeys == nil {
				st.DuplicateKeys = map[resource.Kind][]string{}
			}
			st.DuplicateKeys[kind] = keys[:min(len(keys), maxDuplicateKeys)]
		}
	}
	return st
}
