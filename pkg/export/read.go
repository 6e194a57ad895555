package export

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"strconv"
	"sync"
	"sync/atomic"

	"golang.org/x/sync/errgroup"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
)

// CatalogMode says which catalog objects (top-level kinds other than
// customers) are exported.
type CatalogMode int

// Catalog modes.
const (
	// CatalogUsed exports the catalog objects the exported customers refer
	// to (and what those refer to: an item's family).
	CatalogUsed CatalogMode = iota
	// CatalogAll exports the whole catalog.
	CatalogAll
	// CatalogNone exports no catalog object: references to them are by id.
	CatalogNone
)

// Selection is what to export.
type Selection struct {
	// Customers are ids (all digits) or customer accounts.
	Customers []string
	// AllCustomers exports every customer.
	AllCustomers bool
	Catalog      CatalogMode
}

// ReadOptions tune Read.
type ReadOptions struct {
	// Parallelism is the number of requests in flight (default 1).
	Parallelism int
	// OnRequest is called after each request with the number made so far
	// and the objects read so far (from several goroutines).
	OnRequest func(requests, objects int)
}

// Stats counts what Read did.
type Stats struct {
	// Objects is the number of objects read (catalog and customers' trees).
	Objects int
	// Pages and Gets count requests by kind.
	Pages, Gets map[resource.Kind]int
	// FallbackLists counts lists made per parent rather than whole: per
	// selected customer (--customer), per customer when the server refuses
	// the list without its parent, per file when its GET does not embed
	// its lines.
	FallbackLists int
}

// Requests is the total of requests made.
func (s Stats) Requests() int {
	n := 0
	for _, v := range s.Pages {
		n += v
	}
	for _, v := range s.Gets {
		n += v
	}
	return n
}

// PerObject is requests per object read.
func (s Stats) PerObject() float64 {
	if s.Objects == 0 {
		return 0
	}
	return float64(s.Requests()) / float64(s.Objects)
}

// Node is one object read from BlueRockTEL.
type Node struct {
	Spec   *resource.Spec
	ID     int64
	Record *bluerocktel.Record
	// Parent is the object it is nested in (nil for top-level kinds).
	Parent *Node
}

// Estate is what Read found: every object by kind, ids ascending.
type Estate struct {
	Objects map[resource.Kind][]*Node
	// Missing are catalog objects referred to that BlueRockTEL does not
	// hold (404): kept as references by id.
	Missing map[resource.Kind]map[int64]bool
}

// NotFoundError is a selected customer that does not exist.
type NotFoundError struct{ Selector string }

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no customer %s in BlueRockTEL", e.Selector)
}

// AmbiguousError is a customer account that several customers hold.
type AmbiguousError struct {
	Selector string
	IDs      []int64
}

func (e *AmbiguousError) Error() string {
	return fmt.Sprintf("customer account %s is held by %d customers (ids %v): select them by id", e.Selector, len(e.IDs), e.IDs)
}

// maxPages stops a paginator that never ends.
const maxPages = 100_000

// Read fetches what sel selects in bulk: every list with per_page =
// bluerocktel.MaxPerPage and its pages in parallel, a kind nested in
// customers through the query string (customer files, and kinds like it)
// listed whole once and attributed to its customers by the parent field
// its records carry (per customer when the server refuses that list), and
// one GET per object of a kind whose GET embeds its children (a file's
// lines). Catalog objects referred to are read as pkg/refresh reads known
// objects: listed when that is cheaper than GETs by id.
func Read(ctx context.Context, c refresh.Reader, sel Selection, opts ReadOptions) (*Estate, Stats, error) {
	r := &reader{c: c, sem: make(chan struct{}, max(1, opts.Parallelism)), par: max(1, opts.Parallelism), onReq: opts.OnRequest,
		st: Stats{Pages: map[resource.Kind]int{}, Gets: map[resource.Kind]int{}}}
	est := &Estate{Objects: map[resource.Kind][]*Node{}, Missing: map[resource.Kind]map[int64]bool{}}
	if err := r.readCustomers(ctx, est, sel); err != nil {
		return nil, Stats{}, err
	}
	if err := r.readCatalog(ctx, est, sel.Catalog); err != nil {
		return nil, Stats{}, err
	}
	st := r.stats()
	for _, nodes := range est.Objects {
		st.Objects += len(nodes)
	}
	return est, st, nil
}

type reader struct {
	c     refresh.Reader
	sem   chan struct{}
	par   int
	onReq func(requests, objects int)

	objects atomic.Int64
	mu      sync.Mutex
	st      Stats
}

func (r *reader) count(kind resource.Kind, page bool) {
	r.mu.Lock()
	if page {
		r.st.Pages[kind]++
	} else {
		r.st.Gets[kind]++
	}
	n := r.st.Requests()
	r.mu.Unlock()
	if r.onReq != nil {
		r.onReq(n, int(r.objects.Load()))
	}
}

func (r *reader) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Stats{Pages: map[resource.Kind]int{}, Gets: map[resource.Kind]int{}, FallbackLists: r.st.FallbackLists}
	for k, v := range r.st.Pages {
		st.Pages[k] = v
	}
	for k, v := range r.st.Gets {
		st.Gets[k] = v
	}
	return st
}

func (r *reader) acquire(ctx context.Context) error {
	select {
	case r.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (r *reader) page(ctx context.Context, kind resource.Kind, q url.Values, n int) (*bluerocktel.Page, error) {
	if err := r.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-r.sem }()
	p, err := r.c.ListPage(ctx, kind, q, n, bluerocktel.MaxPerPage)
	r.count(kind, true)
	if err != nil {
		return nil, &ReadError{What: fmt.Sprintf("page %d of the %s list", n, resource.Get(kind).Title), Err: err}
	}
	return p, nil
}

func (r *reader) get(ctx context.Context, kind resource.Kind, id int64) (*bluerocktel.Record, error) {
	if err := r.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-r.sem }()
	rec, err := r.c.Get(ctx, kind, id)
	r.count(kind, false)
	return rec, err
}

// ReadError is a read that failed.
type ReadError struct {
	What string
	Err  error
}

func (e *ReadError) Error() string {
	return "reading " + e.What + " from BlueRockTEL: " + e.Err.Error()
}

// Unwrap returns the client's error.
func (e *ReadError) Unwrap() error { return e.Err }

// listAll reads every page of a list: the first, then the others in
// parallel when the paginator says how many there are. Records are
// returned once each, ids ascending.
func (r *reader) listAll(ctx context.Context, kind resource.Kind, q url.Values) ([]*bluerocktel.Record, error) {
	first, err := r.page(ctx, kind, q, 1)
	if err != nil {
		return nil, err
	}
	recs := first.Records
	switch {
	case !first.More:
	case first.LastPage > 1:
		pages := make([][]*bluerocktel.Record, first.LastPage+1)
		g, gctx := errgroup.WithContext(ctx)
		for n := 2; n <= first.LastPage; n++ {
			g.Go(func() error {
				p, err := r.page(gctx, kind, q, n)
				if err != nil {
					return err
				}
				pages[n] = p.Records
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for _, p := range pages {
			recs = append(recs, p...)
		}
	default: // a simple paginator: one page after another
		for n, p := 2, first; p.More; n++ {
			if n > maxPages {
				return nil, fmt.Errorf("the %s list has more than %d pages", resource.Get(kind).Title, maxPages)
			}
			if p, err = r.page(ctx, kind, q, n); err != nil {
				return nil, err
			}
			recs = append(recs, p.Records...)
		}
	}
	return uniqueSorted(recs), nil
}

func uniqueSorted(recs []*bluerocktel.Record) []*bluerocktel.Record {
	seen := make(map[int64]bool, len(recs))
	out := recs[:0:0]
	for _, rec := range recs {
		if !seen[rec.ID] {
			seen[rec.ID] = true
			out = append(out, rec)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// underCustomer reports whether kind s is nested (at any depth) in
// customers.
func underCustomer(s *resource.Spec) bool {
	for p := s.Parent; p != nil; {
		if p.Kind == resource.Customer {
			return true
		}
		ps := resource.Get(p.Kind)
		if ps == nil {
			return false
		}
		p = ps.Parent
	}
	return false
}

// readCustomers reads the selected customers, then each kind nested in
// them, in table order (parents first).
func (r *reader) readCustomers(ctx context.Context, est *Estate, sel Selection) error {
	if !sel.AllCustomers && len(sel.Customers) == 0 {
		return nil
	}
	custSpec := resource.Get(resource.Customer)
	// Kinds owned through the query string are listed whole, at the same
	// time as the customers, when every customer is exported.
	whole := map[resource.Kind][]*bluerocktel.Record{}
	wholeErr := map[resource.Kind]error{}
	var wmu sync.Mutex
	g, gctx := errgroup.WithContext(ctx)
	var customers []*bluerocktel.Record
	g.Go(func() error {
		var err error
		customers, err = r.selectCustomers(gctx, sel)
		return err
	})
	if sel.AllCustomers {
		for _, s := range resource.All() {
			if s.Parent == nil || s.Parent.QueryField == "" || !underCustomer(s) {
				continue
			}
			g.Go(func() error {
				recs, err := r.listAll(gctx, s.Kind, nil)
				wmu.Lock()
				defer wmu.Unlock()
				if err != nil {
					if gctx.Err() != nil {
						return gctx.Err()
					}
					wholeErr[s.Kind] = err
					return nil
				}
				whole[s.Kind] = recs
				return nil
			})
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, rec := range customers {
		est.Objects[resource.Customer] = append(est.Objects[resource.Customer], &Node{Spec: custSpec, ID: rec.ID, Record: rec})
	}
	r.objects.Add(int64(len(customers)))
	fetched := map[resource.Kind]bool{} // parent kinds re-read by GET for their embedded children
	for _, s := range resource.All() {
		if s.Parent == nil || !underCustomer(s) {
			continue
		}
		parents := est.Objects[s.Parent.Kind]
		var nodes []*Node
		var err error
		switch {
		case s.Parent.QueryField != "":
			recs, ok := whole[s.Kind]
			if ok && !attributable(s, recs) {
				ok = false
			}
			if wholeErr[s.Kind] != nil && !refusedList(wholeErr[s.Kind]) {
				return wholeErr[s.Kind]
			}
			if ok {
				nodes = attribute(s, parents, recs)
			} else {
				nodes, err = r.perParent(ctx, s, parents)
			}
		case s.Parent.Embedded:
			if !fetched[s.Parent.Kind] {
				if err := r.getAll(ctx, parents); err != nil {
					return err
				}
				fetched[s.Parent.Kind] = true
			}
			nodes, err = r.embedded(ctx, s, parents)
		}
		if err != nil {
			return err
		}
		est.Objects[s.Kind] = nodes
		r.objects.Add(int64(len(nodes)))
	}
	return nil
}

// refusedList reports an error that means the server does not list the
// kind without its parent (a 4xx other than auth and rate limits), not a
// failure to read.
func refusedList(err error) bool {
	var ae *bluerocktel.APIError
	if !errors.As(err, &ae) {
		return false
	}
	return ae.Status >= 400 && ae.Status < 500 && ae.Status != 401 && ae.Status != 403 && ae.Status != 429
}

// selectCustomers reads every customer, or the selected ones: by id with a
// GET, by account with a filtered list compared exactly.
func (r *reader) selectCustomers(ctx context.Context, sel Selection) ([]*bluerocktel.Record, error) {
	if sel.AllCustomers {
		return r.listAll(ctx, resource.Customer, nil)
	}
	recs := make([]*bluerocktel.Record, len(sel.Customers))
	g, gctx := errgroup.WithContext(ctx)
	for i, s := range sel.Customers {
		g.Go(func() error {
			if id, err := strconv.ParseInt(s, 10, 64); err == nil && id > 0 && isDigits(s) {
				rec, err := r.get(gctx, resource.Customer, id)
				switch {
				case errors.Is(err, bluerocktel.ErrNotFound):
					return &NotFoundError{Selector: "#" + s}
				case err != nil:
					return &ReadError{What: "customer #" + s, Err: err}
				}
				recs[i] = rec
				return nil
			}
			q := url.Values{"filter[customer_account]": {s}}
			cands, err := r.listAll(gctx, resource.Customer, q)
			if err != nil {
				return err
			}
			f, _ := resource.Get(resource.Customer).WireField("customer_account")
			var match []*bluerocktel.Record
			for _, c := range cands {
				if v, ok := f.CanonicalJSON(c.Raw("customer_account")); ok && v == resource.TrimAPI(s) {
					match = append(match, c)
				}
			}
			switch len(match) {
			case 0:
				return &NotFoundError{Selector: "with account " + s}
			case 1:
				recs[i] = match[0]
				return nil
			}
			ids := make([]int64, len(match))
			for j, m := range match {
				ids[j] = m.ID
			}
			return &AmbiguousError{Selector: s, IDs: ids}
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return uniqueSorted(recs), nil
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// attributable reports whether every record of a list of s says which
// parent it has (its query field), so that the list can be split.
func attributable(s *resource.Spec, recs []*bluerocktel.Record) bool {
	for _, rec := range recs {
		if !rec.Has(s.Parent.QueryField) {
			return false
		}
	}
	return true
}

// attribute keeps the records of a whole list whose parent is one of
// parents (and whose query constants match: a file of a prospect is not a
// customer's).
func attribute(s *resource.Spec, parents []*Node, recs []*bluerocktel.Record) []*Node {
	byID := make(map[int64]*Node, len(parents))
	for _, p := range parents {
		byID[p.ID] = p
	}
	var out []*Node
	for _, rec := range recs {
		if !constsMatch(s, rec) {
			continue
		}
		pid, ok := idText(rec.Text(s.Parent.QueryField))
		if p := byID[pid]; ok && p != nil {
			out = append(out, &Node{Spec: s, ID: rec.ID, Record: rec, Parent: p})
		}
	}
	return out
}

func constsMatch(s *resource.Spec, rec *bluerocktel.Record) bool {
	for k, v := range s.Parent.QueryConst {
		if rec.Has(k) && rec.Text(k) != v {
			return false
		}
	}
	return true
}

func idText(t string) (int64, bool) {
	f := resource.Field{Type: resource.Reference}
	c := f.Canonical(t)
	id, err := strconv.ParseInt(c, 10, 64)
	return id, err == nil && id > 0
}

// perParent lists s under each parent, with the parent in the query
// string, as the API documents.
func (r *reader) perParent(ctx context.Context, s *resource.Spec, parents []*Node) ([]*Node, error) {
	lists := make([][]*Node, len(parents))
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range parents {
		g.Go(func() error {
			q := url.Values{s.Parent.QueryField: {strconv.FormatInt(p.ID, 10)}}
			for k, v := range s.Parent.QueryConst {
				q.Set(k, v)
			}
			r.mu.Lock()
			r.st.FallbackLists++
			r.mu.Unlock()
			recs, err := r.listAll(gctx, s.Kind, q)
			if err != nil {
				return err
			}
			for _, rec := range recs {
				// A server that ignored the query would answer others' objects.
				if pid, ok := idText(rec.Text(s.Parent.QueryField)); rec.Has(s.Parent.QueryField) && (!ok || pid != p.ID) {
					continue
				}
				if !constsMatch(s, rec) {
					continue
				}
				lists[i] = append(lists[i], &Node{Spec: s, ID: rec.ID, Record: rec, Parent: p})
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return flatten(lists), nil
}

// getAll replaces each node's record by its GET, which embeds its
// children (a customer file's lines).
func (r *reader) getAll(ctx context.Context, nodes []*Node) error {
	g, gctx := errgroup.WithContext(ctx)
	for _, n := range nodes {
		g.Go(func() error {
			rec, err := r.get(gctx, n.Spec.Kind, n.ID)
			if err != nil {
				return &ReadError{What: fmt.Sprintf("%s #%d", n.Spec.Title, n.ID), Err: err}
			}
			n.Record = rec
			return nil
		})
	}
	return g.Wait()
}

// embedded takes the objects of s from their parents' records, or lists
// them per parent (filter[body field]=id, compared exactly) when the
// parent's GET does not embed them.
func (r *reader) embedded(ctx context.Context, s *resource.Spec, parents []*Node) ([]*Node, error) {
	lists := make([][]*Node, len(parents))
	g, gctx := errgroup.WithContext(ctx)
	for i, p := range parents {
		recs, ok, err := bluerocktel.Embedded(p.Record, s.Collection)
		if err != nil {
			return nil, &ReadError{What: fmt.Sprintf("%s #%d", p.Spec.Title, p.ID), Err: err}
		}
		if ok {
			lists[i] = childNodes(s, p, uniqueSorted(recs))
			continue
		}
		g.Go(func() error {
			q := url.Values{"filter[" + s.Parent.BodyField + "]": {strconv.FormatInt(p.ID, 10)}}
			r.mu.Lock()
			r.st.FallbackLists++
			r.mu.Unlock()
			recs, err := r.listAll(gctx, s.Kind, q)
			if err != nil {
				return err
			}
			lists[i] = childNodes(s, p, recs)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return flatten(lists), nil
}

func childNodes(s *resource.Spec, p *Node, recs []*bluerocktel.Record) []*Node {
	var out []*Node
	for _, rec := range recs {
		if rec.Has(s.Parent.BodyField) {
			if pid, ok := idText(rec.Text(s.Parent.BodyField)); !ok || pid != p.ID {
				continue
			}
		}
		out = append(out, &Node{Spec: s, ID: rec.ID, Record: rec, Parent: p})
	}
	return out
}

func flatten(lists [][]*Node) []*Node {
	var out []*Node
	for _, l := range lists {
		out = append(out, l...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// catalogKinds are the catalog kinds (Spec.Catalog), in reverse table
// order: a kind is read after the kinds that refer to it (items before
// families).
func catalogKinds() []*resource.Spec {
	var out []*resource.Spec
	all := resource.All()
	for i := len(all) - 1; i >= 0; i-- {
		if s := all[i]; s.Catalog {
			out = append(out, s)
		}
	}
	return out
}

// readCatalog reads the whole catalog, or the objects referred to.
func (r *reader) readCatalog(ctx context.Context, est *Estate, mode CatalogMode) error {
	switch mode {
	case CatalogNone:
		return nil
	case CatalogAll:
		kinds := catalogKinds()
		lists := make([][]*bluerocktel.Record, len(kinds))
		g, gctx := errgroup.WithContext(ctx)
		for i, s := range kinds {
			g.Go(func() error {
				recs, err := r.listAll(gctx, s.Kind, nil)
				lists[i] = recs
				return err
			})
		}
		if err := g.Wait(); err != nil {
			return err
		}
		for i, s := range kinds {
			for _, rec := range lists[i] {
				est.Objects[s.Kind] = append(est.Objects[s.Kind], &Node{Spec: s, ID: rec.ID, Record: rec})
			}
			r.objects.Add(int64(len(lists[i])))
		}
		// References to catalog objects the lists lack (deleted) stay by id.
		for _, s := range kinds {
			have := map[int64]bool{}
			for _, n := range est.Objects[s.Kind] {
				have[n.ID] = true
			}
			for id := range referenced(est, s.Kind) {
				if !have[id] {
					markMissing(est, s.Kind, id)
				}
			}
		}
		return nil
	}
	for _, s := range catalogKinds() {
		ids := referenced(est, s.Kind)
		if len(ids) == 0 {
			continue
		}
		known := make([]refresh.Known, 0, len(ids))
		for _, id := range sortedIDs(ids) {
			known = append(known, refresh.Known{Addr: fmt.Sprintf("%s#%d", s.Kind, id), Kind: s.Kind, ID: id})
		}
		live, _, err := refresh.Read(ctx, &countingReader{r: r}, known, refresh.Options{Parallelism: r.par})
		if err != nil {
			return err
		}
		for _, k := range known {
			l := live[k.Addr]
			if l == nil || l.Gone {
				markMissing(est, s.Kind, k.ID)
				continue
			}
			est.Objects[s.Kind] = append(est.Objects[s.Kind], &Node{Spec: s, ID: k.ID, Record: l.Record})
			r.objects.Add(1)
		}
	}
	return nil
}

func markMissing(est *Estate, k resource.Kind, id int64) {
	if est.Missing[k] == nil {
		est.Missing[k] = map[int64]bool{}
	}
	est.Missing[k][id] = true
}

// referenced collects the ids of kind k that the objects read refer to.
func referenced(est *Estate, k resource.Kind) map[int64]bool {
	ids := map[int64]bool{}
	for _, nodes := range est.Objects {
		for _, n := range nodes {
			for _, f := range n.Spec.Fields {
				if f.Type != resource.Reference || f.Target != k {
					continue
				}
				if id, ok := idText(n.Record.Text(f.WireName())); ok {
					ids[id] = true
				}
			}
		}
	}
	return ids
}

func sortedIDs(m map[int64]bool) []int64 {
	out := make([]int64, 0, len(m))
	for id := range m {
		out = append(out, id)
	}
	sort.Slice(out, func(i, j int) bool { return out[i] < out[j] })
	return out
}

// countingReader counts refresh's requests as the export's own.
type countingReader struct{ r *reader }

func (c *countingReader) Get(ctx context.Context, kind resource.Kind, id int64) (*bluerocktel.Record, error) {
	rec, err := c.r.c.Get(ctx, kind, id)
	c.r.count(kind, false)
	return rec, err
}

func (c *countingReader) ListPage(ctx context.Context, kind resource.Kind, q url.Values, n, per int) (*bluerocktel.Page, error) {
	p, err := c.r.c.ListPage(ctx, kind, q, n, per)
	c.r.count(kind, true)
	return p, err
}
