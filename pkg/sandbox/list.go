package sandbox

import (
	"net/url"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Laravel's paginator defaults; maxPerPage keeps one list response bounded.
const (
	defaultPerPage = 15
	maxPerPage     = 1000
)

// filter is one condition of a list request: field equals one of values
// (exactly, or as a case-insensitive substring when partial).
type filter struct {
	field   string
	values  []string
	partial bool
}

// listQuery is a parsed list request.
type listQuery struct {
	page, perPage int
	filters       []filter
	path          string // absolute URL of the collection, for the paginator's links
}

// parseListQuery reads page, per_page and the filters: filter[field]=value
// (in mode FiltersExact or FiltersSpatie), and for kinds owned through the
// query string (customer files) the parent parameters themselves
// (fileable_type, fileable_id), always exact. Values are trimmed first, as
// by Laravel's middleware.
func (ks *kindStore) parseListQuery(q url.Values, path, mode string) listQuery {
	lq := listQuery{page: 1, perPage: defaultPerPage, path: path}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n >= 1 {
		lq.page = n
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n >= 1 {
		lq.perPage = min(n, maxPerPage)
	}
	for key, vals := range q {
		field, ok := strings.CutPrefix(key, "filter[")
		if ok && strings.HasSuffix(field, "]") && len(vals) > 0 {
			field = strings.TrimSuffix(field, "]")
			v := resource.TrimAPI(vals[0])
			if mode == FiltersSpatie {
				lq.filters = append(lq.filters, ks.spatieFilter(field, v))
				continue
			}
			lq.filters = append(lq.filters, filter{field: field, values: []string{v}})
		}
	}
	if p := ks.spec.Parent; p != nil && p.QueryField != "" {
		for _, f := range ks.scope {
			if f != p.BodyField && q.Has(f) {
				lq.filters = append(lq.filters, filter{field: f, values: []string{resource.TrimAPI(q.Get(f))}})
			}
		}
	}
	return lq
}

// spatieFilter reads filter[field]=v as spatie/laravel-query-builder may:
// see FiltersSpatie.
func (ks *kindStore) spatieFilter(field, v string) filter {
	switch v {
	case "true":
		v = "1"
	case "false":
		v = "0"
	}
	if strings.Contains(v, ",") {
		var vals []string
		for _, part := range strings.Split(v, ",") {
			if part != "" {
				vals = append(vals, part)
			}
		}
		return filter{field: field, values: vals}
	}
	f, ok := ks.spec.WireField(field)
	return filter{field: field, values: []string{v}, partial: ok && f.Type == resource.String}
}

// listPage renders one page of the objects matching every filter, in id order.
// Candidates come from the smallest index among the filtered fields, so a
// natural-key lookup does not scan the kind.
func (s *store) listPage(ks *kindStore, lq listQuery) []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	candidates := ks.order
	for _, f := range lq.filters {
		if idx, ok := ks.index[f.field]; ok && !f.partial && len(f.values) == 1 {
			if ids := idx[f.values[0]]; len(ids) < len(candidates) {
				candidates = ids
			}
		}
	}
	if ks.spec.BareList {
		return ks.bareList(candidates, lq.filters)
	}
	first := (lq.page - 1) * lq.perPage
	var page []*object
	total := 0
	for _, id := range candidates {
		o := ks.objs[id]
		if !matches(o, lq.filters) {
			continue
		}
		if total >= first && len(page) < lq.perPage {
			page = append(page, o)
		}
		total++
	}
	lastPage := max(1, (total+lq.perPage-1)/lq.perPage)

	b := make([]byte, 0, 256+len(page)*256)
	b = append(b, `{"current_page":`...)
	b = strconv.AppendInt(b, int64(lq.page), 10)
	b = append(b, `,"data":[`...)
	for i, o := range page {
		if i > 0 {
			b = append(b, ',')
		}
		b = ks.render(b, o, false)
	}
	b = append(b, `],"first_page_url":`...)
	b = appendString(b, pageURL(lq.path, 1))
	b = append(b, `,"from":`...)
	b = appendPosition(b, len(page) > 0, first+1)
	b = append(b, `,"last_page":`...)
	b = strconv.AppendInt(b, int64(lastPage), 10)
	b = append(b, `,"last_page_url":`...)
	b = appendString(b, pageURL(lq.path, lastPage))
	b = append(b, `,"next_page_url":`...)
	if lq.page < lastPage {
		b = appendString(b, pageURL(lq.path, lq.page+1))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"path":`...)
	b = appendString(b, lq.path)
	b = append(b, `,"per_page":`...)
	b = strconv.AppendInt(b, int64(lq.perPage), 10)
	b = append(b, `,"prev_page_url":`...)
	if lq.page > 1 {
		b = appendString(b, pageURL(lq.path, lq.page-1))
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"to":`...)
	b = appendPosition(b, len(page) > 0, first+len(page))
	b = append(b, `,"total":`...)
	b = strconv.AppendInt(b, int64(total), 10)
	return append(b, '}')
}

func matches(o *object, filters []filter) bool {
	for _, f := range filters {
		t, ok := o.text(f.field)
		if !ok || !f.match(t) {
			return false
		}
	}
	return true
}

// match reports whether a field's text satisfies the filter.
func (f filter) match(text string) bool {
	for _, v := range f.values {
		if f.partial {
			if strings.Contains(strings.ToLower(text), strings.ToLower(v)) {
				return true
			}
		} else if text == v {
			return true
		}
	}
	return false
}

func pageURL(path string, page int) string { return path + "?page=" + strconv.Itoa(page) }

// appendPosition writes a 1-based position, or null on an empty page.
func appendPosition(b []byte, ok bool, n int) []byte {
	if !ok {
		return append(b, "null"...)
	}
	return strconv.AppendInt(b, int64(n), 10)
}

// bareList renders every object matching the filters as a bare JSON
// array, as the API answers the lists of kinds that are not paginated
// (contacts).
func (ks *kindStore) bareList(candidates []int64, filters []filter) []byte {
	b := []byte{'['}
	n := 0
	for _, id := range candidates {
		o := ks.objs[id]
		if !matches(o, filters) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = ks.render(b, o, false)
		n++
	}
	return append(b, ']')
}
