package bluerocktel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/onboardhq/onboard/pkg/resource"
)

// listPageSize is asked for with per_page unless the caller set it.
const listPageSize = MaxPerPage

// maxPages stops a server that never reaches its last page.
const maxPages = 100_000

// List returns every object of kind matching query, following Laravel
// pagination (data, current_page, last_page; or next_page_url for a simple
// paginator). A bare JSON array is accepted as a complete list.
func (c *Client) List(ctx context.Context, kind resource.Kind, query url.Values) ([]*Record, error) {
	spec, err := specOf(kind)
	if err != nil {
		return nil, err
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = append([]string(nil), v...)
	}
	if q.Get("per_page") == "" {
		q.Set("per_page", strconv.Itoa(listPageSize))
	}
	var out []*Record
	for page := 1; ; page++ {
		if page > maxPages {
			return nil, fmt.Errorf("GET %s: more than %d pages", spec.Path, maxPages)
		}
		q.Set("page", strconv.Itoa(page))
		body, err := c.do(ctx, http.MethodGet, spec.Path, q, nil)
		if err != nil {
			return nil, err
		}
		p, err := decodePage(body)
		if err != nil {
			return nil, fmt.Errorf("GET %s page %d: %w", spec.Path, page, err)
		}
		out = append(out, p.records...)
		if !p.more || len(p.records) == 0 {
			return out, nil
		}
	}
}

type page struct {
	records []*Record
	more    bool
	// last and total are the paginator's last_page and total, 0 when
	// absent (a bare array, or a simple paginator).
	last, total int64
}

// decodePage reads a paginator object or a bare array.
func decodePage(body []byte) (page, error) {
	body = bytes.TrimSpace(body)
	if len(body) > 0 && body[0] == '[' {
		recs, err := decodeRecords(body)
		return page{records: recs}, err
	}
	var p struct {
		Data        json.RawMessage `json:"data"`
		CurrentPage json.Number     `json:"current_page"`
		LastPage    json.Number     `json:"last_page"`
		NextPageURL *string         `json:"next_page_url"`
		Total       json.Number     `json:"total"`
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return page{}, fmt.Errorf("decoding list: %w", err)
	}
	if len(p.Data) == 0 {
		return page{}, fmt.Errorf("list response has neither a data array nor is an array")
	}
	recs, err := decodeRecords(p.Data)
	if err != nil {
		return page{}, err
	}
	cur, errC := strconv.ParseInt(string(p.CurrentPage), 10, 64)
	last, errL := strconv.ParseInt(string(p.LastPage), 10, 64)
	more := false
	switch {
	case errC == nil && errL == nil:
		more = cur < last
	default:
		more = p.NextPageURL != nil && *p.NextPageURL != ""
	}
	total, _ := strconv.ParseInt(string(p.Total), 10, 64)
	if errL != nil {
		last = 0
	}
	return page{records: recs, more: more, last: last, total: total}, nil
}

func decodeRecords(raw json.RawMessage) ([]*Record, error) {
	var items []map[string]json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, fmt.Errorf("decoding list data: %w", err)
	}
	out := make([]*Record, 0, len(items))
	for i, it := range items {
		r, err := recordFrom(it)
		if err != nil {
			return nil, fmt.Errorf("list item %d: %w", i, err)
		}
		out = append(out, r)
	}
	return out, nil
}
