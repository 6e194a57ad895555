package sandbox

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// idBase spaces the ids of each kind apart (kind i of the table starts at
// i*idBase+1), so that an id of one kind sent where another is expected is
// refused as an unknown foreign key instead of silently matching.
const idBase = 100000

// object is one stored object: its fields in the order they were first
// set, and the server-managed id and timestamps.
type object struct {
	id   int64
	keys []string
	vals map[string]any
	// defaulted marks fields the server filled in (not sent by a client);
	// natural keys ignore them.
	defaulted        map[string]bool
	created, updated string
	// dupKey is the object's natural key while hasDup.
	dupKey string
	hasDup bool
}

func (o *object) set(key string, v any) {
	if _, ok := o.vals[key]; !ok {
		o.keys = append(o.keys, key)
	}
	o.vals[key] = v
	delete(o.defaulted, key)
}

// text returns the text a filter compares a field on.
func (o *object) text(field string) (string, bool) {
	switch field {
	case "id":
		return strconv.FormatInt(o.id, 10), true
	case "created_at":
		return o.created, true
	case "updated_at":
		return o.updated, true
	}
	return valueText(o.vals[field])
}

// kindStore holds the objects of one kind with the indexes its lookups use.
type kindStore struct {
	spec  *resource.Spec
	rules []rule
	rank  map[string]int // wire -> rule order, to report errors in order
	next  int64
	first int64 // the kind's first id: its ids are first..first+idBase-1
	objs  map[int64]*object
	order []int64 // ids ascending (creation order)
	// index maps an indexed field's text to the ids having it, ascending.
	// Indexed: the natural-key fields and the parent link.
	index    map[string]map[string][]int64
	scope    []string // parent link fields: natural keys are unique within them
	defaults []defaultVal
	dups     map[string]int
	// children are the kinds embedded in GET Path/{id} (the file's lines),
	// linked by their parent body field.
	children []*kindStore
	reserved map[string]bool // body keys that cannot be stored (children's collection names)
}

func newKindStore(i int, spec *resource.Spec) (*kindStore, error) {
	ks := &kindStore{
		spec:     spec,
		rules:    rulesFor(spec),
		rank:     map[string]int{},
		next:     int64(i)*idBase + 1,
		first:    int64(i)*idBase + 1,
		objs:     map[int64]*object{},
		index:    map[string]map[string][]int64{},
		dups:     map[string]int{},
		reserved: map[string]bool{},
	}
	for j, r := range ks.rules {
		ks.rank[r.wire] = j
	}
	if p := spec.Parent; p != nil {
		ks.scope = append(ks.scope, sortedKeys(p.QueryConst)...)
		for _, f := range []string{p.QueryField, p.BodyField} {
			if f != "" {
				ks.scope = append(ks.scope, f)
			}
		}
	}
	for _, f := range ks.scope {
		ks.index[f] = map[string][]int64{}
	}
	for _, alt := range spec.NaturalKeys {
		for _, f := range alt {
			ks.index[f] = map[string][]int64{}
		}
	}
	for _, d := range spec.Defaults {
		if d.IDFormat != "" {
			ks.defaults = append(ks.defaults, defaultVal{wire: d.Wire, idFormat: d.IDFormat})
			continue
		}
		fields, err := decodeObject([]byte(`{"v":` + d.JSON + `}`))
		if err != nil {
			return nil, fmt.Errorf("default of %s.%s: %q is not a JSON value", spec.Kind, d.Wire, d.JSON)
		}
		ks.defaults = append(ks.defaults, defaultVal{wire: d.Wire, val: fields[0].val})
	}
	return ks, nil
}

// defaultVal is a table Default with its JSON literal decoded.
type defaultVal struct {
	wire     string
	val      any
	idFormat string
}

// store is the sandbox's data: every kind behind one lock.
type store struct {
	mu    sync.RWMutex
	kinds map[resource.Kind]*kindStore
	list  []*kindStore // table order
	now   func() time.Time
	bill  billing // invoices of simulated billing runs (invoices.go)
}

func newStore(now func() time.Time) (*store, error) {
	s := &store{kinds: map[resource.Kind]*kindStore{}, now: now}
	for i, spec := range resource.All() {
		ks, err := newKindStore(i, spec)
		if err != nil {
			return nil, err
		}
		s.kinds[spec.Kind] = ks
		s.list = append(s.list, ks)
	}
	for _, ks := range s.list {
		if p := ks.spec.Parent; p != nil && p.Embedded {
			if parent := s.kinds[p.Kind]; parent != nil {
				parent.children = append(parent.children, ks)
				parent.reserved[ks.spec.Collection] = true
			}
		}
	}
	return s, nil
}

func (s *store) timestamp() string { return s.now().UTC().Format(time.RFC3339) }

// checkFKs adds an error for each reference whose target does not exist.
// The caller holds the lock.
func (s *store) checkFKs(fks []fkCheck, errs *fieldErrors) {
	for _, fk := range fks {
		t := s.kinds[fk.target]
		if t == nil || t.objs[fk.id] == nil {
			errs.add(fk.wire, "The selected "+attribute(fk.wire)+" is invalid.")
		}
	}
}

// create stores a new object from validated fields and returns its JSON.
func (s *store) create(ks *kindStore, fields []kv, fks []fkCheck, errs *fieldErrors) ([]byte, *fieldErrors) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.checkFKs(fks, errs)
	if !errs.empty() {
		return nil, errs
	}
	o := &object{id: ks.next, vals: make(map[string]any, len(fields)+len(ks.defaults))}
	ks.next++
	for _, f := range fields {
		if serverFields[f.key] || ks.reserved[f.key] {
			continue
		}
		o.set(f.key, f.val)
	}
	for _, d := range ks.defaults {
		if v, ok := o.vals[d.wire]; ok && v != nil {
			continue
		}
		v := d.val
		if d.idFormat != "" {
			v = fmt.Sprintf(d.idFormat, o.id)
		}
		o.set(d.wire, v)
		if o.defaulted == nil {
			o.defaulted = map[string]bool{}
		}
		o.defaulted[d.wire] = true
	}
	o.created = s.timestamp()
	o.updated = o.created
	ks.insert(o)
	return ks.render(nil, o, false), nil
}

// update applies a partial update; found is false for an unknown id.
func (s *store) update(ks *kindStore, id int64, fields []kv, fks []fkCheck, errs *fieldErrors) (body []byte, found bool, _ *fieldErrors) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o := ks.objs[id]
	if o == nil {
		return nil, false, nil
	}
	s.checkFKs(fks, errs)
	if !errs.empty() {
		return nil, true, errs
	}
	ks.unindex(o)
	for _, f := range fields {
		if serverFields[f.key] || ks.reserved[f.key] {
			continue
		}
		o.set(f.key, f.val)
	}
	o.updated = s.timestamp()
	ks.reindex(o)
	return ks.render(nil, o, false), true, nil
}

// get returns the JSON of one object, with its children for kinds that
// embed them.
func (s *store) get(ks *kindStore, id int64) ([]byte, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o := ks.objs[id]
	if o == nil {
		return nil, false
	}
	return ks.render(nil, o, true), true
}

// insert adds a new object (whose id is the largest so far) to the kind.
func (ks *kindStore) insert(o *object) {
	ks.objs[o.id] = o
	ks.order = append(ks.order, o.id)
	ks.reindex(o)
}

// unindex removes an object from the indexes and the duplicate counts.
func (ks *kindStore) unindex(o *object) {
	for f, idx := range ks.index {
		t, ok := o.text(f)
		if !ok {
			continue
		}
		ids := idx[t]
		if i, found := slices.BinarySearch(ids, o.id); found {
			ids = slices.Delete(ids, i, i+1)
		}
		if len(ids) == 0 {
			delete(idx, t)
		} else {
			idx[t] = ids
		}
	}
	if o.hasDup {
		if ks.dups[o.dupKey]--; ks.dups[o.dupKey] == 0 {
			delete(ks.dups, o.dupKey)
		}
		o.hasDup = false
	}
}

// reindex adds an object to the indexes and the duplicate counts.
func (ks *kindStore) reindex(o *object) {
	for f, idx := range ks.index {
		t, ok := o.text(f)
		if !ok {
			continue
		}
		ids := idx[t]
		if n := len(ids); n == 0 || ids[n-1] < o.id { // the common case: a new object
			idx[t] = append(ids, o.id)
			continue
		}
		if i, found := slices.BinarySearch(ids, o.id); !found {
			idx[t] = slices.Insert(ids, i, o.id)
		}
	}
	if key, ok := ks.naturalKey(o); ok {
		o.dupKey, o.hasDup = key, true
		ks.dups[key]++
	}
}

// naturalKey is the key two objects share when one duplicates the other:
// the first of the table's NaturalKeys whose fields were all sent (fields
// the server filled in, like a generated customer_account, do not count),
// within the parent; for kinds matched on all fields, every sent field.
func (ks *kindStore) naturalKey(o *object) (string, bool) {
	sentText := func(f string) (string, bool) {
		if o.defaulted[f] {
			return "", false
		}
		return o.text(f)
	}
	var b strings.Builder
	add := func(f, t string) {
		if b.Len() > 0 {
			b.WriteString(", ")
		}
		b.WriteString(f)
		b.WriteByte('=')
		b.WriteString(strconv.Quote(t))
	}
	if ks.spec.MatchAllFields {
		keys := slices.Clone(o.keys)
		sort.Strings(keys)
		for _, f := range keys {
			if t, ok := sentText(f); ok {
				add(f, t)
			}
		}
		return b.String(), b.Len() > 0
	}
	for _, alt := range ks.spec.NaturalKeys {
		texts := make([]string, len(alt))
		all := true
		for i, f := range alt {
			t, ok := sentText(f)
			if !ok || t == "" {
				all = false
				break
			}
			texts[i] = t
		}
		if !all {
			continue
		}
		for _, f := range ks.scope {
			if !slices.Contains(alt, f) {
				t, _ := o.text(f)
				add(f, t)
			}
		}
		for i, f := range alt {
			add(f, texts[i])
		}
		return b.String(), true
	}
	return "", false
}

// render appends an object's JSON: id, fields in the order set, children
// (when asked, for kinds that embed them) and timestamps.
func (ks *kindStore) render(b []byte, o *object, withChildren bool) []byte {
	b = append(b, `{"id":`...)
	b = strconv.AppendInt(b, o.id, 10)
	for _, k := range o.keys {
		b = append(b, ',')
		b = appendString(b, k)
		b = append(b, ':')
		b = appendValue(b, o.vals[k])
	}
	if withChildren {
		idText := strconv.FormatInt(o.id, 10)
		for _, c := range ks.children {
			b = append(b, ',')
			b = appendString(b, c.spec.Collection)
			b = append(b, ":["...)
			for i, cid := range c.index[c.spec.Parent.BodyField][idText] {
				if i > 0 {
					b = append(b, ',')
				}
				b = c.render(b, c.objs[cid], false)
			}
			b = append(b, ']')
		}
	}
	b = append(b, `,"created_at":`...)
	b = appendString(b, o.created)
	b = append(b, `,"updated_at":`...)
	b = appendString(b, o.updated)
	return append(b, '}')
}

// snapshot copies an object as a map: id (int64), timestamps and fields
// as stored (json.Number for numbers, strings for prices and dates).
func (o *object) snapshot() map[string]any {
	m := make(map[string]any, len(o.vals)+3)
	for k, v := range o.vals {
		m[k] = v
	}
	m["id"] = o.id
	m["created_at"] = o.created
	m["updated_at"] = o.updated
	return m
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// jsonNumberID parses a stored id.
func jsonNumberID(v any) (int64, bool) {
	n, ok := v.(json.Number)
	if !ok {
		return 0, false
	}
	id, err := n.Int64()
	return id, err == nil
}
