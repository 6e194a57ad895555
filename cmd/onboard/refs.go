package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/refresh"
	"github.com/onboardhq/onboard/pkg/resource"
)

// refAddr is the address under which a referenced object is read with
// the state's objects: never a manifest address (those have no '#').
func refAddr(k resource.Kind, id int64) string {
	return "#ref." + string(k) + "." + strconv.FormatInt(id, 10)
}

// readAPI reads from BlueRockTEL, in one bulk read (refresh.Read: a list
// of a catalog kind when that costs fewer requests than a GET each), the
// objects the state knows (known) and the objects the manifests refer to
// by id (refs), after the client's one-request preflight. It returns the
// live objects by address and the referenced ones as plan.Existing (nil
// when refs is nil: not checked). client is built from cf when nil.
func (a *app) readAPI(ctx context.Context, cf *clientFlags, client *bluerocktel.Client, known []refresh.Known, refs []plan.Reference, parallelism int, o readOptions) (map[string]*refresh.Live, plan.Existing, error) {
	var existing plan.Existing
	if refs != nil {
		existing = plan.Existing{}
	}
	all := known
	// An object the state knows is read once, as the state's: refs then
	// maps to its address.
	byID := make(map[string]string, len(known))
	for _, k := range known {
		byID[refAddr(k.Kind, k.ID)] = k.Addr
	}
	seen := map[string]string{} // refAddr -> address read under
	for _, r := range refs {
		addr := refAddr(r.Kind, r.ID)
		if _, ok := seen[addr]; ok {
			continue
		}
		if st, ok := byID[addr]; ok {
			seen[addr] = st
			continue
		}
		seen[addr] = addr
		all = append(all, refresh.Known{Addr: addr, Kind: r.Kind, ID: r.ID})
	}
	if len(all) == 0 {
		if o.stateKnows > 0 {
			fmt.Fprintf(a.stderr, "Refreshed nothing: no object changed in the manifests; %d unchanged not read (--refresh=all reads them)\n", o.stateKnows)
		}
		return map[string]*refresh.Live{}, existing, nil
	}
	if client == nil {
		c, err := cf.client(a)
		if err != nil {
			if ue, ok := err.(*usageError); ok {
				return nil, nil, usagef("%v (a plan reads from BlueRockTEL what the state knows and the objects the manifests refer to by id; --refresh=false plans from the state alone)", ue.err)
			}
			return nil, nil, err
		}
		defer c.Close()
		client = c
	}
	// One cheap request first: a wrong token or base URL is told once,
	// before a burst of parallel reads.
	if err := client.Preflight(ctx); err != nil {
		return nil, nil, &exitError{code: exitFailure, err: fmt.Errorf("%w%s; nothing was written", err, apiHint(err))}
	}
	start := time.Now()
	var onRead func(int)
	if o.onRead != nil {
		onRead = func(n int) { o.onRead(n, len(all)) }
	}
	read, stats, err := refresh.Read(ctx, client, all, refresh.Options{Parallelism: parallelism, OnRead: onRead})
	if err != nil {
		return nil, nil, err
	}
	live := make(map[string]*refresh.Live, len(known))
	gone := 0
	for _, k := range known {
		if l := read[k.Addr]; l != nil {
			live[k.Addr] = l
			if l.Gone {
				gone++
			}
		}
	}
	for _, addr := range seen {
		l := read[addr]
		if l == nil || l.Gone || l.Record == nil {
			continue
		}
		if existing[l.Kind] == nil {
			existing[l.Kind] = map[int64]map[string]string{}
		}
		existing[l.Kind][l.ID] = fieldsOf(l.Kind, l.Record)
	}
	if o.stats != nil {
		*o.stats = stats
	}
	took := time.Since(start).Round(time.Millisecond)
	of, unread := "", ""
	if o.stateKnows > len(known) {
		of = fmt.Sprintf(" of %d", o.stateKnows)
		unread = fmt.Sprintf("; %d unchanged in the manifests not read (--refresh=all reads them)", o.stateKnows-len(known))
	}
	switch {
	case len(seen) == 0:
		fmt.Fprintf(a.stderr, "Refreshed %d%s objects from BlueRockTEL in %d requests (%.2f per object, %s); %d gone%s\n",
			len(live), of, stats.Requests(), stats.PerObject(), took, gone, unread)
	case len(live) == 0:
		fmt.Fprintf(a.stderr, "Read %s referred to by id from BlueRockTEL in %s (%s)%s\n",
			plural(len(seen), "object"), plural(stats.Requests(), "request"), took, unread)
	default:
		fmt.Fprintf(a.stderr, "Refreshed %d%s objects and read %d referred to by id from BlueRockTEL in %d requests (%.2f per object, %s); %d gone%s\n",
			len(live), of, len(seen), stats.Requests(), stats.PerObject(), took, gone, unread)
	}
	return live, existing, nil
}

// readOptions tune readAPI.
type readOptions struct {
	// stateKnows is how many objects the state knows, when known is only
	// some of them (--refresh=changed): the message says how many were
	// not read.
	stateKnows int
	// onRead follows the read's progress: objects read so far, of total
	// (the state's and those referred to by id).
	onRead func(read, total int)
	// stats, when set, receives the read's figures.
	stats *refresh.Stats
}

// fieldsOf is a record's fields that the table knows, in canonical form.
func fieldsOf(k resource.Kind, rec *bluerocktel.Record) map[string]string {
	spec := resource.Get(k)
	out := make(map[string]string, len(spec.Fields))
	for _, f := range spec.Fields {
		raw, ok := rec.Fields[f.WireName()]
		if !ok {
			continue
		}
		if text, ok := f.CanonicalJSON(raw); ok && text != "" {
			out[f.WireName()] = text
		}
	}
	return out
}

// savedReferences are the references by id of a saved plan's steps, to
// check again before it is applied.
func savedReferences(p *plan.Plan) []plan.Reference {
	refs := []plan.Reference{}
	for _, s := range p.Steps {
		if !s.Sends() {
			continue
		}
		for _, r := range s.Refs {
			name, list := r.Field, false
			if f, ok := resource.Get(s.Kind).WireField(r.Field); ok {
				name, list = f.Name, f.Type == resource.ReferenceList
			}
			refs = append(refs, plan.Reference{Kind: r.Kind, ID: r.ID, Addr: s.Addr, Field: r.Field, Name: name, Wire: r.Field, List: list, Pos: r.Pos})
		}
	}
	return refs
}

// missingRefs prints each reference of a *plan.MissingError at its
// manifest position, as validation does, and says that nothing was sent;
// other errors are returned as they are.
func (a *app) missingRefs(err error) error {
	var me *plan.MissingError
	if !errors.As(err, &me) {
		return err
	}
	for _, r := range me.Missing {
		fmt.Fprintln(a.stderr, r.Missing())
	}
	return &exitError{code: exitFailure, err: fmt.Errorf("%d id(s) in the manifests refer to objects that BlueRockTEL does not hold; nothing was sent", len(me.Missing))}
}
