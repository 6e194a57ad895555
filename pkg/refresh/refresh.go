// Package refresh reads what exists in BlueRockTEL for the objects a state
// knows, in as few requests as the API allows, and compares it with what
// was recorded, so that drift (an object changed or deleted behind
// onboard's back) is seen before anything is sent.
//
// Requests are bulk wherever the API has a bulk read: a customer file's GET
// returns its lines, so one request covers the file and all its lines, and
// a top-level kind (families, items, customers) is listed page by page
// when that takes fewer requests than a GET per object, and fetched by id
// when it does not (a few customers of a tenant with 50,000 are not worth
// listing all of them). Reads go through the client: the same rate limit,
// retries and parallelism as writes.
//
// An object is Gone only when BlueRockTEL answers 404 for it (or for the
// file it is a line of). An object missing from a list or from its file's
// lines is fetched by id to be sure, because being Gone leads to creating
// it again, and a list may leave out what a GET still finds.
package refresh

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"sort"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/resource"
)

// Reader is what Read needs of a *bluerocktel.Client.
type Reader interface {
	Get(ctx context.Context, kind resource.Kind, id int64) (*bluerocktel.Record, error)
	ListPage(ctx context.Context, kind resource.Kind, query url.Values, number, perPage int) (*bluerocktel.Page, error)
}

// Live is what BlueRockTEL holds for one known object: the table's
// resource.Live, which plan reads as data.
type Live = resource.Live

// Options tune Read.
type Options struct {
	// Parallelism is the number of requests in flight at once (default 1).
	Parallelism int
	// PerPage is asked for when listing (default and maximum
	// bluerocktel.MaxPerPage).
	PerPage int
	// OnRead, when set, is called as objects are read with how many
	// have been so far, for progress; calls may come from several
	// goroutines, one at a time.
	OnRead func(read int)
}

// KindStats counts the requests of one kind.
type KindStats struct {
	// Gets are GETs by id (a file's GET also reads its lines).
	Gets int
	// Pages are list pages.
	Pages int
}

// Stats counts what a Read did.
type Stats struct {
	// Objects is the number of known objects read.
	Objects int
	// Kinds counts requests by kind.
	Kinds map[resource.Kind]KindStats
	// Gone is the number of objects found gone.
	Gone int
}

// Requests is the total of requests made (retries of one request, which
// the client makes by itself, not counted).
func (s Stats) Requests() int {
	n := 0
	for _, k := range s.Kinds {
		n += k.Gets + k.Pages
	}
	return n
}

// PerObject is requests per object read (0 for none).
func (s Stats) PerObject() float64 {
	if s.Objects == 0 {
		return 0
	}
	return float64(s.Requests()) / float64(s.Objects)
}

// Error is a read that failed (anything but a 404, which means Gone).
type Error struct {
	// What was being read: an address, or "the customer list".
	What string
	Err  error
}

func (e *Error) Error() string { return "reading " + e.What + " from BlueRockTEL: " + e.Err.Error() }

// Unwrap returns the client's error.
func (e *Error) Unwrap() error { return e.Err }

// Read fetches the live objects of known and returns them by address,
// every known object with an id present (Gone or not), with the requests
// it made. Objects without an id are skipped. The first error other than a
// 404 stops the read.
func Read(ctx context.Context, c Reader, known []Known, opts Options) (map[string]*Live, Stats, error) {
	r := newRun(c, opts)
	plan, err := r.group(known)
	if err != nil {
		return nil, Stats{}, err
	}
	g, gctx := errgroup.WithContext(ctx)
	r.g, r.ctx = g, gctx
	// Lists first: their later pages wait for the first.
	for _, l := range plan.lists {
		r.spawn(l.first)
	}
	for _, f := range plan.files {
		r.spawn(f.read)
	}
	for _, k := range plan.gets {
		r.spawn(r.getTask(k))
	}
	if err := g.Wait(); err != nil {
		return nil, Stats{}, err
	}
	if err := ctx.Err(); err != nil {
		// Tasks not started when ctx ended return nothing: the result
		// would be incomplete.
		return nil, Stats{}, err
	}
	st := r.stats()
	st.Objects = len(r.live)
	for _, l := range r.live {
		if l.Gone {
			st.Gone++
		}
	}
	return r.live, st, nil
}

// run is one Read.
type run struct {
	c       Reader
	perPage int
	sem     chan struct{}
	g       *errgroup.Group
	ctx     context.Context

	mu     sync.Mutex
	live   map[string]*Live
	kinds  map[resource.Kind]KindStats
	onRead func(int)
}

func newRun(c Reader, opts Options) *run {
	p := max(1, opts.Parallelism)
	per := opts.PerPage
	if per <= 0 || per > bluerocktel.MaxPerPage {
		per = bluerocktel.MaxPerPage
	}
	return &run{c: c, perPage: per, sem: make(chan struct{}, p), live: map[string]*Live{}, kinds: map[resource.Kind]KindStats{}, onRead: opts.OnRead}
}

// task makes one request and returns the tasks that follow from its answer.
type task func(ctx context.Context) ([]task, error)

// spawn runs t once a request slot is free. The slot is held for t's
// request only: follow-up tasks wait for slots of their own, so that no
// task holds a slot while waiting for another.
func (r *run) spawn(t task) {
	select {
	case r.sem <- struct{}{}:
	case <-r.ctx.Done():
		return
	}
	r.g.Go(func() error {
		next, err := t(r.ctx)
		<-r.sem
		if err != nil {
			return err
		}
		for _, n := range next {
			r.spawn(n)
		}
		return nil
	})
}

func (r *run) count(kind resource.Kind, gets, pages int) {
	r.mu.Lock()
	ks := r.kinds[kind]
	ks.Gets += gets
	ks.Pages += pages
	r.kinds[kind] = ks
	r.mu.Unlock()
}

func (r *run) set(k Known, rec *bluerocktel.Record) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.live[k.Addr] = &Live{Addr: k.Addr, Kind: k.Kind, ID: k.ID, Gone: rec == nil, Record: rec}
	if r.onRead != nil {
		r.onRead(len(r.live))
	}
}

func (r *run) stats() Stats {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := Stats{Kinds: make(map[resource.Kind]KindStats, len(r.kinds))}
	for k, v := range r.kinds {
		st.Kinds[k] = v
	}
	return st
}

// readPlan is how each known object is read.
type readPlan struct {
	lists []*listRead
	files []*fileRead
	gets  []Known
}

// group assigns each known object to the read that covers it: its file's
// GET for a line whose file is known, a list or GETs for a top-level kind,
// a GET by id otherwise.
func (r *run) group(known []Known) (readPlan, error) {
	var p readPlan
	seen := map[string]bool{}
	files := map[string]*fileRead{}
	var lines []Known
	top := map[resource.Kind][]Known{}
	for _, k := range known {
		if k.ID <= 0 || seen[k.Addr] {
			continue
		}
		seen[k.Addr] = true
		spec := resource.Get(k.Kind)
		if spec == nil {
			return p, fmt.Errorf("refresh: %s has an unknown kind %q", k.Addr, k.Kind)
		}
		switch {
		case len(spec.Embeds()) > 0:
			f := &fileRead{r: r, file: k, spec: spec}
			files[k.Addr] = f
			p.files = append(p.files, f)
		case spec.Parent != nil && spec.Parent.Embedded:
			lines = append(lines, k)
		case spec.Parent == nil:
			top[k.Kind] = append(top[k.Kind], k)
		default:
			p.gets = append(p.gets, k)
		}
	}
	for _, l := range lines {
		if f := files[l.Parent]; f != nil && f.spec.Kind == resource.Get(l.Kind).Parent.Kind {
			f.lines = append(f.lines, l)
			continue
		}
		p.gets = append(p.gets, l)
	}
	kinds := make([]resource.Kind, 0, len(top))
	for k := range top {
		kinds = append(kinds, k)
	}
	sort.Slice(kinds, func(i, j int) bool { return kinds[i] < kinds[j] })
	for _, kind := range kinds {
		objs := top[kind]
		if len(objs) < 2 {
			// One object: a GET costs one request, a list at least one.
			p.gets = append(p.gets, objs...)
			continue
		}
		l := &listRead{r: r, kind: kind, byID: map[int64][]Known{}, found: map[string]bool{}}
		for _, k := range objs {
			l.byID[k.ID] = append(l.byID[k.ID], k)
		}
		l.objs = objs
		p.lists = append(p.lists, l)
	}
	return p, nil
}

// getTask reads one object by id: a 404 means Gone.
func (r *run) getTask(k Known) task {
	return func(ctx context.Context) ([]task, error) {
		r.count(k.Kind, 1, 0)
		rec, err := r.c.Get(ctx, k.Kind, k.ID)
		switch {
		case errors.Is(err, bluerocktel.ErrNotFound):
			r.set(k, nil)
		case err != nil:
			return nil, &Error{What: fmt.Sprintf("%s (%s #%d)", k.Addr, k.Kind, k.ID), Err: err}
		default:
			r.set(k, rec)
		}
		return nil, nil
	}
}

// fileRead is one customer file with its known lines.
type fileRead struct {
	r     *run
	file  Known
	spec  *resource.Spec
	lines []Known
}

// read GETs the file, and resolves its lines from the answer: a 404 means
// the file and its lines are Gone; a line the answer lacks is fetched by id
// to be sure; lines of a kind the answer does not embed are fetched by id.
func (f *fileRead) read(ctx context.Context) ([]task, error) {
	r := f.r
	r.count(f.file.Kind, 1, 0)
	rec, err := r.c.Get(ctx, f.file.Kind, f.file.ID)
	switch {
	case errors.Is(err, bluerocktel.ErrNotFound):
		r.set(f.file, nil)
		for _, l := range f.lines {
			r.set(l, nil)
		}
		return nil, nil
	case err != nil:
		return nil, &Error{What: fmt.Sprintf("%s (%s #%d)", f.file.Addr, f.file.Kind, f.file.ID), Err: err}
	}
	r.set(f.file, rec)
	var next []task
	embeds := map[resource.Kind]map[int64]*bluerocktel.Record{}
	for _, c := range f.spec.Embeds() {
		recs, ok, err := bluerocktel.Embedded(rec, c.Collection)
		if err != nil || !ok {
			continue // not embedded (or not readable): by id below
		}
		m := make(map[int64]*bluerocktel.Record, len(recs))
		for _, lr := range recs {
			m[lr.ID] = lr
		}
		embeds[c.Kind] = m
	}
	for _, l := range f.lines {
		if lr := embeds[l.Kind][l.ID]; lr != nil {
			r.set(l, lr)
			continue
		}
		next = append(next, r.getTask(l))
	}
	return next, nil
}

// listRead is one top-level kind read by list or by id, decided on the
// first page.
type listRead struct {
	r    *run
	kind resource.Kind
	objs []Known
	byID map[int64][]Known

	mu      sync.Mutex
	found   map[string]bool
	pending int // pages still to read
}

// first reads page 1 and decides: when the pages left cost fewer requests
// than GETs of the objects not found yet, list them; else GET those by id.
func (l *listRead) first(ctx context.Context) ([]task, error) {
	p, err := l.page(ctx, 1)
	if err != nil {
		return nil, err
	}
	missing := l.missing()
	switch {
	case len(missing) == 0 || !p.More:
		return l.confirm(missing), nil
	case p.LastPage > 1 && p.LastPage-1 < len(missing):
		l.mu.Lock()
		l.pending = p.LastPage - 1
		l.mu.Unlock()
		next := make([]task, 0, p.LastPage-1)
		for n := 2; n <= p.LastPage; n++ {
			next = append(next, l.pageTask(n))
		}
		return next, nil
	}
	return l.confirm(missing), nil
}

// pageTask reads page n; the last page to arrive confirms what no page
// had.
func (l *listRead) pageTask(n int) task {
	return func(ctx context.Context) ([]task, error) {
		if _, err := l.page(ctx, n); err != nil {
			return nil, err
		}
		l.mu.Lock()
		l.pending--
		done := l.pending == 0
		l.mu.Unlock()
		if !done {
			return nil, nil
		}
		return l.confirm(l.missing()), nil
	}
}

func (l *listRead) page(ctx context.Context, n int) (*bluerocktel.Page, error) {
	r := l.r
	r.count(l.kind, 0, 1)
	p, err := r.c.ListPage(ctx, l.kind, nil, n, r.perPage)
	if err != nil {
		return nil, &Error{What: fmt.Sprintf("page %d of the %s list", n, resource.Get(l.kind).Title), Err: err}
	}
	for _, rec := range p.Records {
		for _, k := range l.byID[rec.ID] {
			l.mu.Lock()
			dup := l.found[k.Addr]
			l.found[k.Addr] = true
			l.mu.Unlock()
			if !dup {
				r.set(k, rec)
			}
		}
	}
	return p, nil
}

// missing lists the objects no page has had so far.
func (l *listRead) missing() []Known {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []Known
	for _, k := range l.objs {
		if !l.found[k.Addr] {
			out = append(out, k)
		}
	}
	return out
}

// confirm GETs objects by id: the ones a complete list lacks, or all the
// ones left when listing would cost more.
func (l *listRead) confirm(objs []Known) []task {
	out := make([]task, len(objs))
	for i, k := range objs {
		out[i] = l.r.getTask(k)
	}
	return out
}
