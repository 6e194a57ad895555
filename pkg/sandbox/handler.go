package sandbox

import (
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Paths outside the resource table.
const (
	apiPrefix   = "/api"
	versionPath = "/api/version"
	// StatsPath serves Stats as JSON, without auth and uncounted.
	StatsPath = "/_sandbox/stats"
)

// maxBody bounds a request body.
const maxBody = 1 << 20

// reply is a response to write.
type reply struct {
	status     int
	body       []byte
	retryAfter int    // seconds, 0 = no header
	allow      string // Allow header of a 405
}

func message(status int, msg string) reply {
	b := append([]byte(`{"message":`), appendString(nil, msg)...)
	return reply{status: status, body: append(b, '}')}
}

var (
	versionBody     = []byte(`{"version":"sandbox","status":"ok"}`)
	unauthenticated = message(http.StatusUnauthorized, "Unauthenticated.")
	notFound        = message(http.StatusNotFound, "Not found.")
	tooMany         = message(http.StatusTooManyRequests, "Too Many Attempts.")
)

// ServeHTTP serves the API under /api, GET /api/version and the stats.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch p := r.URL.Path; {
	case p == StatsPath:
		s.serveStats(w, r)
	case strings.HasPrefix(p, ControlPrefix):
		s.serveControl(w, r)
	case p == BillingRunPath:
		s.serveBillingRun(w, r)
	case p == apiPrefix+invoicesPath || strings.HasPrefix(p, apiPrefix+invoicesPath+"/"):
		s.serveInvoices(w, r, p[len(apiPrefix):])
	case p == versionPath:
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			s.finish(w, "other", methodNotAllowed(r.Method, "GET, HEAD"))
			return
		}
		s.finish(w, "GET /version", reply{status: http.StatusOK, body: versionBody})
	case strings.HasPrefix(p, apiPrefix+"/"):
		s.serveAPI(w, r, p[len(apiPrefix):])
	default:
		s.finish(w, "unmatched", routeNotFound(p))
	}
}

func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet {
		write(w, methodNotAllowed(r.Method, "GET"))
		return
	}
	b, err := json.Marshal(s.Stats())
	if err != nil {
		write(w, message(http.StatusInternalServerError, "encoding stats: "+err.Error()))
		return
	}
	write(w, reply{status: http.StatusOK, body: b})
}

// serveAPI runs an /api request through the faults, then auth, then its
// route. path is the part after /api ("/v1/families/7").
func (s *Server) serveAPI(w http.ResponseWriter, r *http.Request, path string) {
	ks, id, hasID, isRoute := s.match(path)
	if isRoute {
		ks = s.pick(ks, r.URL.Query(), id, hasID)
	}
	label := "unmatched"
	if isRoute {
		label = s.label(ks, r.Method, hasID)
	}

	d := s.faults.next()
	ok := s.faults.acquire()
	defer s.faults.release()
	if !ok {
		s.counters.fault(FaultMaxInflight)
		rep := tooMany
		rep.retryAfter = 1
		s.finish(w, label, rep)
		return
	}
	if d.delay > 0 {
		s.counters.fault(FaultLatency)
		t := time.NewTimer(d.delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			s.counters.request(label, "canceled")
			return
		}
	}
	if wait, ok := s.faults.allow(time.Now()); !ok {
		s.counters.fault(FaultRateLimit)
		rep := tooMany
		rep.retryAfter = wait
		s.finish(w, label, rep)
		return
	}
	if d.throttle {
		s.counters.fault(FaultFail429)
		rep := tooMany
		rep.retryAfter = 1
		s.finish(w, label, rep)
		return
	}
	if d.fail {
		s.counters.fault(FaultFail5xx)
		if d.failStatus == http.StatusServiceUnavailable {
			s.finish(w, label, message(http.StatusServiceUnavailable, "Service Unavailable"))
		} else {
			s.finish(w, label, message(http.StatusInternalServerError, "Server Error"))
		}
		return
	}
	if !isRoute {
		s.finish(w, label, routeNotFound(apiPrefix+path))
		return
	}
	if label == "other" {
		allow := "GET, POST"
		if hasID {
			allow = "GET, PUT, DELETE"
		}
		s.finish(w, label, methodNotAllowed(r.Method, allow))
		return
	}
	if !s.authorized(r.Header.Get("Authorization")) {
		s.finish(w, label, unauthenticated)
		return
	}

	var rep reply
	switch {
	case !hasID && r.Method == http.MethodPost:
		rep = s.create(w, r, ks)
		if rep.status == http.StatusCreated && s.faults.dropCreate(ks.spec.Kind, d) {
			s.counters.fault(FaultDrop)
			s.counters.request(label, "dropped")
			dropConnection(w)
			return
		}
	case !hasID:
		rep = reply{status: http.StatusOK, body: s.store.listPage(ks, ks.parseListQuery(r.URL.Query(), absURL(r), s.opts.Filters))}
	case r.Method == http.MethodPut:
		rep = s.update(w, r, ks, id)
		if rep.status == http.StatusOK && d.dropUpdate {
			s.counters.fault(FaultDropUpdate)
			s.counters.request(label, "dropped")
			dropConnection(w)
			return
		}
	case r.Method == http.MethodDelete:
		rep = s.remove(ks, id)
		if rep.status == http.StatusNoContent && d.dropUpdate {
			s.counters.fault(FaultDropUpdate)
			s.counters.request(label, "dropped")
			dropConnection(w)
			return
		}
	default:
		if body, found := s.store.get(ks, id); found {
			rep = reply{status: http.StatusOK, body: body}
		} else {
			rep = notFound
		}
	}
	s.finish(w, label, rep)
}

// match finds the kind of a path: its collection ("/v1/customer-files") or
// one object ("/v1/customer-files/500"). Collection paths are matched
// first, so "/v1/customer-files/licences" is the licences collection.
func (s *Server) match(path string) (ks *kindStore, id int64, hasID, ok bool) {
	if ks := s.paths[path]; ks != nil {
		return ks, 0, false, true
	}
	i := strings.LastIndexByte(path, '/')
	if i < 0 {
		return nil, 0, false, false
	}
	ks = s.paths[path[:i]]
	if ks == nil {
		return nil, 0, false, false
	}
	id, err := strconv.ParseInt(path[i+1:], 10, 64)
	if err != nil || id <= 0 {
		return nil, 0, false, false
	}
	return ks, id, true, true
}

// pick chooses among the kinds that share a collection path (customer
// files of customers and of prospects): an object by the kind whose id
// range holds its id, a collection by the parent query constants the
// request carries (fileable_type=prospect). The first kind otherwise.
func (s *Server) pick(ks *kindStore, q url.Values, id int64, hasID bool) *kindStore {
	alts := s.shared[ks.spec.Path]
	if len(alts) == 0 {
		return ks
	}
	for _, k := range append([]*kindStore{ks}, alts...) {
		if hasID {
			if id >= k.first && id < k.first+idBase {
				return k
			}
			continue
		}
		if p := k.spec.Parent; p != nil && len(p.QueryConst) > 0 && constsIn(p.QueryConst, q) {
			return k
		}
	}
	return ks
}

func constsIn(consts map[string]string, q url.Values) bool {
	for k, v := range consts {
		if resource.TrimAPI(q.Get(k)) != v {
			return false
		}
	}
	return true
}

// label names a route in the stats; "other" for an unsupported method.
func (s *Server) label(ks *kindStore, method string, hasID bool) string {
	l := s.labels[ks]
	switch {
	case !hasID && method == http.MethodGet:
		return l.list
	case !hasID && method == http.MethodPost:
		return l.create
	case hasID && method == http.MethodGet:
		return l.get
	case hasID && method == http.MethodPut:
		return l.put
	case hasID && method == http.MethodDelete:
		return l.del
	}
	return "other"
}

// create handles POST Path. For kinds owned through the query string
// (customer files), the parent parameters are taken from the query when
// the body does not carry them.
func (s *Server) create(w http.ResponseWriter, r *http.Request, ks *kindStore) reply {
	fields, rep, ok := readBody(w, r)
	if !ok {
		return rep
	}
	if p := ks.spec.Parent; p != nil && p.QueryField != "" {
		q := r.URL.Query()
		var fromQuery []kv
		for _, f := range ks.scope {
			if q.Has(f) && !hasKey(fields, f) {
				fromQuery = append(fromQuery, kv{f, trimInput(q.Get(f))})
			}
		}
		fields = append(fromQuery, fields...)
	}
	fields, fks, errs := ks.validate(fields, true)
	body, errs := s.store.create(ks, fields, fks, errs)
	if errs != nil {
		return reply{status: http.StatusUnprocessableEntity, body: errs.body()}
	}
	return reply{status: http.StatusCreated, body: body}
}

// update handles PUT Path/{id}: a partial update, validated like a create
// but only for the fields sent.
func (s *Server) update(w http.ResponseWriter, r *http.Request, ks *kindStore, id int64) reply {
	fields, rep, ok := readBody(w, r)
	if !ok {
		return rep
	}
	fields, fks, errs := ks.validate(fields, false)
	body, found, errs := s.store.update(ks, id, fields, fks, errs)
	switch {
	case !found:
		return notFound
	case errs != nil:
		return reply{status: http.StatusUnprocessableEntity, body: errs.body()}
	}
	return reply{status: http.StatusOK, body: body}
}

// readBody decodes a request body and trims its strings as Laravel's
// middleware does before any validation (see trimInput).
func readBody(w http.ResponseWriter, r *http.Request) ([]kv, reply, bool) {
	fields, err := decodeBody(http.MaxBytesReader(w, r.Body, maxBody))
	for i := range fields {
		fields[i].val = trimInput(fields[i].val)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		return nil, message(http.StatusRequestEntityTooLarge, "The request body is too large."), false
	case err != nil:
		return nil, message(http.StatusBadRequest, "The request body must be a JSON object."), false
	}
	return fields, reply{}, true
}

func hasKey(fields []kv, key string) bool {
	for _, f := range fields {
		if f.key == key {
			return true
		}
	}
	return false
}

// finish writes a reply and counts it.
func (s *Server) finish(w http.ResponseWriter, label string, rep reply) {
	write(w, rep)
	s.counters.request(label, statusText(rep.status))
}

func write(w http.ResponseWriter, rep reply) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	if rep.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(rep.retryAfter))
	}
	if rep.allow != "" {
		h.Set("Allow", rep.allow)
	}
	w.WriteHeader(rep.status)
	_, _ = w.Write(rep.body) // a client gone mid-write is not the server's error
}

// dropConnection closes the client's connection without a response: the
// create or update was stored, the client cannot know it.
func dropConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// No connection to hijack (HTTP/2, or a recorder): abort the
		// response the way net/http provides for it.
		panic(http.ErrAbortHandler)
	}
	_ = conn.Close() // the point is to close it; an error changes nothing
}

func routeNotFound(path string) reply {
	return message(http.StatusNotFound, "The route "+strings.TrimPrefix(path, "/")+" could not be found.")
}

func methodNotAllowed(method, allow string) reply {
	rep := message(http.StatusMethodNotAllowed,
		"The "+method+" method is not supported for this route. Supported methods: "+allow+".")
	rep.allow = allow
	return rep
}

// absURL is the request's URL without its query, for paginator links.
func absURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + r.URL.Path
}
