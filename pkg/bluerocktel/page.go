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

// MaxPerPage is the largest per_page onboard asks for. Neither the cookbook
// nor the API notes document the server's maximum; 100 is the usual cap of
// Laravel APIs and what the vendor's SDK pages with. A server with a lower
// cap answers fewer records per page, which Page reports (PerPage).
const MaxPerPage = 100

// Page is one page of a list, with what the paginator says about the rest.
type Page struct {
	Records []*Record
	// Number is the page asked for (1-based).
	Number int
	// LastPage and Total are the paginator's last_page and total; 0 when
	// the server did not say (a bare array, a simple paginator).
	LastPage int
	Total    int
	// More reports whether pages follow this one.
	More bool
}

// ListPage fetches one page of the objects of kind matching query, with
// per_page (at most MaxPerPage; 0 means MaxPerPage). Unlike List it makes
// exactly one call, so that a caller can decide from the first page's
// total whether listing the rest costs fewer requests than GETs by id.
func (c *Client) ListPage(ctx context.Context, kind resource.Kind, query url.Values, number, perPage int) (*Page, error) {
	spec, err := specOf(kind)
	if err != nil {
		return nil, err
	}
	if number < 1 {
		return nil, fmt.Errorf("GET %s: page %d: pages start at 1", spec.Path, number)
	}
	if perPage <= 0 || perPage > MaxPerPage {
		perPage = MaxPerPage
	}
	q := url.Values{}
	for k, v := range query {
		q[k] = append([]string(nil), v...)
	}
	q.Set("per_page", strconv.Itoa(perPage))
	q.Set("page", strconv.Itoa(number))
	body, err := c.do(ctx, http.MethodGet, spec.Path, q, nil)
	if err != nil {
		return nil, err
	}
	p, err := decodePage(body)
	if err != nil {
		return nil, fmt.Errorf("GET %s page %d: %w", spec.Path, number, err)
	}
	return &Page{Records: p.records, Number: number, LastPage: int(p.last), Total: int(p.total), More: p.more && len(p.records) > 0}, nil
}

// Embedded returns the objects record r carries under key, as a Laravel
// resource embeds its relations (a customer file's GET answers its lines
// under "licences", "initials" and "recurrings": resource.Parent.Embedded).
// ok is false when the record has no such key, or it is null: the server
// did not embed them.
func Embedded(r *Record, key string) (recs []*Record, ok bool, err error) {
	raw := bytes.TrimSpace(r.Fields[key])
	if len(raw) == 0 || string(raw) == "null" {
		return nil, false, nil
	}
	if raw[0] != '[' {
		return nil, false, fmt.Errorf("field %s of #%d is not an array", key, r.ID)
	}
	recs, err = decodeRecords(json.RawMessage(raw))
	if err != nil {
		return nil, false, fmt.Errorf("field %s of #%d: %w", key, r.ID, err)
	}
	return recs, true, nil
}
