package sandbox

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// ControlPrefix is where tests and demos change the sandbox's data behind
// onboard's back, as someone working in BlueRockTEL's web interface would:
//
//	PUT    /_sandbox/objects/{kind}/{id}  {"quantity": 8}  200, the object as GET answers it
//	DELETE /_sandbox/objects/{kind}/{id}                   200, {"deleted": N}
//
// {kind} is a resource kind ("customer", "file", "licence"). An edit is
// validated and stored like an API PUT; a delete takes the object's
// children with it (a file's lines, a customer's files). The control
// routes need the API token but see no faults, no latency and no rate
// limit, and are not counted in Stats: they are not onboard's requests.
const ControlPrefix = "/_sandbox/objects/"

// ErrNoObject is returned by Edit and Delete for an unknown kind or id.
var ErrNoObject = errors.New("sandbox: no such object")

// ValidationError is an edit the API's validation would refuse.
type ValidationError struct {
	// Body is the Laravel-style 422 body.
	Body []byte
}

func (e *ValidationError) Error() string { return "sandbox: edit refused: " + string(e.Body) }

// Edit changes fields of one stored object, given as a JSON object, as an
// edit in BlueRockTEL's web interface would (validated like a PUT). It
// returns the object as the API's GET renders it.
func (s *Server) Edit(kind resource.Kind, id int64, fields []byte) ([]byte, error) {
	kvs, err := decodeBody(bytes.NewReader(fields))
	if err != nil {
		return nil, fmt.Errorf("sandbox: edit of %s #%d: the fields must be a JSON object: %w", kind, id, err)
	}
	return s.editFields(kind, id, kvs)
}

// Delete removes one stored object and, recursively, the objects nested in
// it (a customer's files, a file's lines). It returns how many objects were
// removed.
func (s *Server) Delete(kind resource.Kind, id int64) (int, error) {
	ks := s.store.kinds[kind]
	if ks == nil {
		return 0, fmt.Errorf("%w: unknown kind %q", ErrNoObject, kind)
	}
	s.store.mu.Lock()
	defer s.store.mu.Unlock()
	o := ks.objs[id]
	if o == nil {
		return 0, fmt.Errorf("%w: %s #%d", ErrNoObject, kind, id)
	}
	return s.store.remove(ks, o), nil
}

// remove deletes o and its children; the caller holds the lock.
func (s *store) remove(ks *kindStore, o *object) int {
	n := 1
	idText := strconv.FormatInt(o.id, 10)
	for _, c := range s.list {
		p := c.spec.Parent
		if p == nil || p.Kind != ks.spec.Kind {
			continue
		}
		link := p.BodyField
		if link == "" {
			link = p.QueryField
		}
		for _, cid := range slices.Clone(c.index[link][idText]) {
			co := c.objs[cid]
			if co == nil || !hasConsts(co, p.QueryConst) {
				continue
			}
			n += s.remove(c, co)
		}
	}
	ks.unindex(o)
	delete(ks.objs, o.id)
	if i, ok := slices.BinarySearch(ks.order, o.id); ok {
		ks.order = slices.Delete(ks.order, i, i+1)
	}
	return n
}

// hasConsts reports whether o carries the parent's constant query fields
// (fileable_type=customer): a file of a prospect with the same id is not a
// customer's.
func hasConsts(o *object, consts map[string]string) bool {
	for k, v := range consts {
		if t, ok := o.text(k); !ok || t != v {
			return false
		}
	}
	return true
}

// serveControl serves ControlPrefix.
func (s *Server) serveControl(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r.Header.Get("Authorization")) {
		write(w, unauthenticated)
		return
	}
	kindText, idText, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, ControlPrefix), "/")
	id, err := strconv.ParseInt(idText, 10, 64)
	if err != nil || id <= 0 {
		write(w, message(http.StatusNotFound, "Use "+ControlPrefix+"{kind}/{id}."))
		return
	}
	kind := resource.Kind(kindText)
	switch r.Method {
	case http.MethodPut:
		fields, rep, ok := readBody(w, r)
		if !ok {
			write(w, rep)
			return
		}
		body, err := s.editFields(kind, id, fields)
		write(w, controlReply(body, err))
	case http.MethodDelete:
		n, err := s.Delete(kind, id)
		write(w, controlReply(fmt.Appendf(nil, `{"deleted":%d}`, n), err))
	default:
		write(w, methodNotAllowed(r.Method, "PUT, DELETE"))
	}
}

// editFields is Edit for fields already decoded.
func (s *Server) editFields(kind resource.Kind, id int64, fields []kv) ([]byte, error) {
	ks := s.store.kinds[kind]
	if ks == nil {
		return nil, fmt.Errorf("%w: unknown kind %q", ErrNoObject, kind)
	}
	kvs, fks, errs := ks.validate(fields, false)
	body, found, errs := s.store.update(ks, id, kvs, fks, errs)
	switch {
	case !found:
		return nil, fmt.Errorf("%w: %s #%d", ErrNoObject, kind, id)
	case errs != nil:
		return nil, &ValidationError{Body: errs.body()}
	}
	return body, nil
}

func controlReply(body []byte, err error) reply {
	var ve *ValidationError
	switch {
	case errors.As(err, &ve):
		return reply{status: http.StatusUnprocessableEntity, body: ve.Body}
	case errors.Is(err, ErrNoObject):
		return message(http.StatusNotFound, err.Error())
	case err != nil:
		return message(http.StatusBadRequest, err.Error())
	}
	return reply{status: http.StatusOK, body: body}
}
