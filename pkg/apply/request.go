package apply

import (
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strings"
	"sync"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
)

// request is a step's request with ids substituted.
type request struct {
	query url.Values
	body  []byte
	// want is what a lookup compares: every body field except `extra:`
	// entries, which the API may store or echo differently.
	want map[string]string
}

func (r *runner) request(s *plan.Step) (*request, error) {
	ids := func(addr string) (int64, bool) {
		i, ok := r.index[addr]
		if !ok || r.ids[i] == 0 {
			return 0, false
		}
		return r.ids[i], true
	}
	req := &request{query: url.Values{}, want: make(map[string]string, len(s.Body))}
	for _, v := range s.Query {
		t, err := v.Resolve(ids)
		if err != nil {
			return nil, err
		}
		req.query.Set(v.Wire, t)
	}
	for _, v := range s.Body {
		if v.Raw != nil || v.Null {
			continue
		}
		t, err := v.Resolve(ids)
		if err != nil {
			return nil, err
		}
		req.want[v.Wire] = t
	}
	body, err := resource.EncodeBody(s.Body, ids)
	if err != nil {
		return nil, err
	}
	req.body = body
	return req, nil
}

// describe turns an API error into one that points at the manifest: a 422
// names each rejected field at the position the step says it comes from.
func describe(s *plan.Step, err error) error {
	var apiErr *bluerocktel.APIError
	if !errors.As(err, &apiErr) || len(apiErr.Fields) == 0 {
		return err
	}
	fields := make([]string, 0, len(apiErr.Fields))
	for f := range apiErr.Fields {
		fields = append(fields, f)
	}
	sort.Strings(fields)
	var b strings.Builder
	fmt.Fprintf(&b, "rejected by the API (%d): %s", apiErr.Status, apiErr.Message)
	for _, f := range fields {
		pos := s.Where[f]
		if pos == "" {
			pos = s.Pos // a field the API requires that was left out
		}
		fmt.Fprintf(&b, "\n    %s: %s: %s", pos, f, strings.Join(apiErr.Fields[f], " "))
	}
	return &RejectedError{Msg: b.String(), Err: err}
}

// RejectedError is an API rejection shown against the manifest.
type RejectedError struct {
	Msg string
	Err error
}

func (e *RejectedError) Error() string { return e.Msg }
func (e *RejectedError) Unwrap() error { return e.Err }

// claims are the ids that state or this run already gives to an address,
// per kind: a lookup must not adopt them for another address.
type claims struct {
	mu  sync.Mutex
	ids map[resource.Kind]map[int64]bool
}

func newClaims(p *plan.Plan) *claims {
	c := &claims{ids: map[resource.Kind]map[int64]bool{}}
	for _, s := range p.Steps {
		if s.Existing != nil && s.Existing.ID != 0 {
			c.claim(s.Kind, s.Existing.ID)
		}
	}
	for _, o := range p.Orphans {
		if o.ID != 0 {
			c.claim(resource.Kind(o.Kind), o.ID)
		}
	}
	return c
}

func (c *claims) claim(k resource.Kind, id int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	m := c.ids[k]
	if m == nil {
		m = map[int64]bool{}
		c.ids[k] = m
	}
	m[id] = true
}

func (c *claims) has(k resource.Kind, id int64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.ids[k][id]
}
