package plan

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// The end of an object's life is a reviewed decision: a `removed:` entry
// of the manifests (manifest.Removal) becomes one step per object it
// covers, each a complete operation whose action alone says what it does:
//
//   - deactivate: PUT {ActiveField: false}; Spec is the object after it
//     (active "false"); the state keeps it, recorded as ended.
//   - stop: PUT {StopField: DATE} on a customer file; Spec is the file
//     after it (services_stop DATE). A customer, a file's lines and a
//     file's contacts have no stop date of their own: their stop step
//     sends nothing, depends on the stops of the files that end them, and
//     records them as ended with them.
//   - delete: DELETE the object; Spec is nil (gone). What it contains is
//     deleted first, and what refers to it is updated or deleted first.
//   - forget: nothing is sent; Spec is nil (it leaves the state and
//     onboard's view, and stays in BlueRockTEL as it is).

// Ends reports whether a is one of the end-of-life actions.
func (a Action) Ends() bool {
	switch a {
	case Deactivate, Stop, Delete, Forget:
		return true
	}
	return false
}

// Commitment flags ending a line before the end of its commitment.
type Commitment struct {
	// Ends is the commitment's end (service start + commitment months).
	Ends string `json:"ends"`
	// MonthsLeft are the months from the end (today, or the stop date) to
	// Ends, a started month counting as one.
	MonthsLeft int `json:"months_left"`
}

// Settled is a `removed:` entry already applied: nothing is left to do,
// and the entry can be deleted from the manifest.
type Settled struct {
	Addr string        `json:"address"`
	Then resource.End  `json:"then"`
	Pos  string        `json:"pos"`
	Kind resource.Kind `json:"kind"`
}

// DecisionError lists the `removed:` entries plan cannot carry out.
type DecisionError struct {
	Problems []DecisionProblem
}

// DecisionProblem is one entry plan refuses, at its manifest position.
type DecisionProblem struct {
	Pos, Addr, What, Hint string
}

func (e *DecisionError) Error() string {
	parts := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		parts[i] = fmt.Sprintf("%s: removed %s: %s; %s", p.Pos, p.Addr, p.What, p.Hint)
	}
	return strings.Join(parts, "\n")
}

// baseOf returns the address of the object whose follow-up record addr is
// ("customer.acme.file.main" for "customer.acme.file.main.links"). A
// follow-up record goes with its object: it is never an orphan or a step
// of its own when the object ends.
func baseOf(addr string) (string, bool) {
	i := strings.LastIndexByte(addr, '.')
	if i < 0 || strings.Count(addr, ".")%2 == 1 {
		return "", false
	}
	k, err := manifest.KindOf(addr[:i])
	if err != nil {
		return "", false
	}
	if s := resource.Get(k); s.FollowUp != "" && s.FollowUp == addr[i+1:] {
		return addr[:i], true
	}
	return "", false
}

// endSteps compiles the `removed:` entries against the state.
func endSteps(set *manifest.Set, st *state.State, today string) ([]*Step, []Settled, error) {
	var (
		out      []*Step
		settled  []Settled
		problems []DecisionProblem
	)
	addrs := make([]string, 0, len(st.Objects))
	for a := range st.Objects {
		addrs = append(addrs, a)
	}
	sort.Strings(addrs)
	for i := range set.Removed {
		r := &set.Removed[i]
		// The addresses covered are r.Addr and those after it that start
		// with r.Addr + ".", contiguous in sorted order.
		var covered []*state.Object
		i, _ := slices.BinarySearch(addrs, r.Addr)
		for ; i < len(addrs) && r.Covers(addrs[i]); i++ {
			if _, fu := baseOf(addrs[i]); !fu {
				covered = append(covered, st.Objects[addrs[i]])
			}
		}
		if len(covered) == 0 || covered[0].Addr != r.Addr {
			if r.Then == resource.Delete || r.Then == resource.Forget {
				// What an applied delete or forget leaves: the object
				// left the state.
				settled = append(settled, Settled{Addr: r.Addr, Then: r.Then, Pos: r.Pos.String(), Kind: r.Kind})
				continue
			}
			hint := "check it against `onboard state list` (the state of these manifests); an object onboard never created is not onboard's to end"
			if near := nearestAddr(addrs, r.Addr); near != "" {
				hint = fmt.Sprintf("did you mean %s?", near)
			}
			problems = append(problems, DecisionProblem{Pos: r.Pos.String(), Addr: r.Addr,
				What: "the state does not know this address", Hint: hint})
			continue
		}
		var steps []*Step
		done := true
		for _, o := range covered {
			s, p := endStep(r, o, today)
			if p != nil {
				problems = append(problems, *p)
				continue
			}
			if s == nil {
				continue // already ended so
			}
			done = false
			steps = append(steps, s)
		}
		if done {
			settled = append(settled, Settled{Addr: r.Addr, Then: r.Then, Pos: r.Pos.String(), Kind: r.Kind})
			continue
		}
		out = append(out, steps...)
	}
	if len(problems) > 0 {
		return nil, nil, &DecisionError{Problems: problems}
	}
	return out, settled, nil
}

// endStep is the step of decision r for the state's object o; nil when
// o is already ended so.
func endStep(r *manifest.Removal, o *state.Object, today string) (*Step, *DecisionProblem) {
	kind := resource.Kind(o.Kind)
	spec := resource.Get(kind)
	if spec == nil {
		return nil, &DecisionProblem{Pos: r.Pos.String(), Addr: r.Addr, What: fmt.Sprintf("the state records %s as a %q, which this onboard does not know", o.Addr, o.Kind), Hint: "use the onboard that wrote the state"}
	}
	action := Action(r.Then)
	if o.Status != state.StatusCreated || o.ID == 0 {
		if action != Forget {
			return nil, &DecisionProblem{Pos: r.Pos.String(), Addr: r.Addr,
				What: fmt.Sprintf("whether %s was created is unknown (an interrupted create)", o.Addr),
				Hint: "forget it, or settle it first (onboard state show/import/rm)"}
		}
	}
	switch {
	case o.Ended == "":
	case o.Ended == string(r.Then) && (r.Then != resource.Stop || spec.StopField == "" || o.Spec[spec.StopField] == r.Date):
		return nil, nil
	case o.Ended == string(resource.Deactivate) && r.Then == resource.Stop:
		return nil, nil // a deactivated line bills nothing already
	}
	s := &Step{Addr: o.Addr, Kind: kind, Action: action, Group: resource.OwnerAddr(o.Addr), Pos: r.Pos.String(),
		Existing: o, Deps: []string{}}
	if spec.Label != "" {
		if f, ok := spec.Field(spec.Label); ok {
			s.Label = o.Spec[f.WireName()]
		}
	}
	after := maps.Clone(o.Spec)
	if after == nil {
		after = map[string]string{}
	}
	switch action {
	case Deactivate:
		if !spec.Allows(resource.Deactivate) || spec.ActiveField == "" {
			return nil, notAllowed(r, o, spec)
		}
		put(s, spec, o.ID, resource.Value{Wire: spec.ActiveField, Type: resource.Boolean, Text: "false"}, r.Pos)
		after[spec.ActiveField] = "false"
	case Stop:
		if spec.StopField != "" {
			put(s, spec, o.ID, resource.Value{Wire: spec.StopField, Type: resource.Date, Text: r.Date}, r.DatePos)
			after[spec.StopField] = r.Date
		}
	case Delete:
		if !spec.Allows(resource.Delete) {
			return nil, notAllowed(r, o, spec)
		}
		s.Method, s.Path, s.Where = "DELETE", spec.ObjectPath(o.ID), map[string]string{}
		after = nil
	case Forget:
		after = nil
	}
	if after != nil {
		s.Spec, s.Hash = after, hashSpec(after)
	}
	s.Commitment = commitment(spec, o.Spec, action, r.Date, today)
	return s, nil
}

func notAllowed(r *manifest.Removal, o *state.Object, spec *resource.Spec) *DecisionProblem {
	return &DecisionProblem{Pos: r.Pos.String(), Addr: r.Addr,
		What: fmt.Sprintf("it contains %s, %s, which cannot be ended by %s", o.Addr, a(spec.Title), r.Then),
		Hint: fmt.Sprintf("decide for %s on its own (%s)", o.Addr, spec.EndsText())}
}

// a prefixes a noun with its indefinite article.
func a(noun string) string {
	if noun != "" && strings.ContainsRune("aeiou", rune(noun[0])) {
		return "an " + noun
	}
	return "a " + noun
}

// put makes s a PUT of one field to the object.
func put(s *Step, spec *resource.Spec, id int64, v resource.Value, at manifest.Pos) {
	s.Method, s.Path = "PUT", spec.ObjectPath(id)
	s.Body = []resource.Value{v}
	s.Where = map[string]string{v.Wire: at.String()}
	if at.Line == 0 {
		s.Where[v.Wire] = s.Pos
	}
}

// hashSpec hashes a spec in key order (an ended object's record).
func hashSpec(m map[string]string) string {
	keys := slices.Sorted(maps.Keys(m))
	h := sha256.New()
	for _, k := range keys {
		h.Write([]byte(k))
		h.Write([]byte{0})
		h.Write([]byte(m[k]))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// commitment flags ending a committed line early: deactivated or deleted
// today, or stopped on the stop date, before service start + commitment
// months. nil when the kind has no commitment, the line sets none, or it
// is over.
func commitment(spec *resource.Spec, recorded map[string]string, action Action, stop, today string) *Commitment {
	c := spec.Commitment
	if c == nil || action == Forget {
		return nil
	}
	months, err := strconv.Atoi(recorded[c.Months])
	if err != nil || months <= 0 {
		return nil
	}
	start, err := time.Parse(time.DateOnly, recorded[c.Start])
	if err != nil {
		return nil
	}
	from := today
	if action == Stop {
		from = stop
	}
	at, err := time.Parse(time.DateOnly, from)
	if err != nil {
		return nil
	}
	ends := addMonths(start, months)
	if !at.Before(ends) {
		return nil
	}
	left := 0
	for addMonths(at, left).Before(ends) {
		left++
	}
	return &Commitment{Ends: ends.Format(time.DateOnly), MonthsLeft: left}
}

// addMonths adds n calendar months, a day past the end of the target
// month falling back to its last day (2026-01-31 + 1 = 2026-02-28).
func addMonths(t time.Time, n int) time.Time {
	y, m, d := t.Date()
	first := time.Date(y, m+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	if last := first.AddDate(0, 1, -1).Day(); d > last {
		d = last
	}
	return time.Date(first.Year(), first.Month(), d, 0, 0, 0, 0, time.UTC)
}

// orderEnds sets the dependencies of the end steps and orders them:
//
//   - a delete waits for every step of an object whose recorded spec
//     refers to the deleted one (its lines, a file's links to a contact,
//     lines of a deleted item): links before contacts, lines before their
//     file, a file before its customer;
//   - a stop that sends nothing (a customer, a file's lines) waits for
//     the stops of the files that end it.
//
// The steps are returned in an order that puts dependencies first.
func orderEnds(ends []*Step, all map[string]*Step) []*Step {
	// referrers maps an address to the steps whose recorded spec refers
	// to it ("@addr", alone or in a list), built once for the deletes.
	var referrers map[string][]string
	for _, d := range ends {
		if d.Action != Delete || referrers != nil {
			continue
		}
		referrers = map[string][]string{}
		for addr, s := range all {
			if s.Action == NoOp || s.Action == Forget || s.Action == Create || s.Existing == nil {
				continue
			}
			for _, v := range s.Existing.Spec {
				if !strings.Contains(v, "@") {
					continue
				}
				for _, item := range strings.Split(v, ",") {
					if target, ok := strings.CutPrefix(item, "@"); ok && target != addr {
						referrers[target] = append(referrers[target], addr)
					}
				}
			}
		}
	}
	for _, d := range ends {
		switch {
		case d.Action == Delete:
			d.Deps = append(d.Deps, referrers[d.Addr]...)
		case d.Action == Stop && d.Method == "":
			for _, f := range ends {
				if f.Group == d.Group && f.Action == Stop && f.Method != "" && (strings.HasPrefix(f.Addr, d.Addr+".") || strings.HasPrefix(d.Addr, f.Addr+".")) {
					d.Deps = append(d.Deps, f.Addr)
				}
			}
		}
		sort.Strings(d.Deps)
		d.Deps = slices.Compact(d.Deps)
	}
	// Dependencies first (Kahn's algorithm, stable in address order).
	inEnds := map[string]*Step{}
	for _, s := range ends {
		inEnds[s.Addr] = s
	}
	sorted := slices.Clone(ends)
	sort.SliceStable(sorted, func(i, j int) bool { return sorted[i].Addr < sorted[j].Addr })
	placed := map[string]bool{}
	out := make([]*Step, 0, len(ends))
	for len(out) < len(sorted) {
		progress := false
		for _, s := range sorted {
			if placed[s.Addr] {
				continue
			}
			ready := true
			for _, d := range s.Deps {
				if inEnds[d] != nil && !placed[d] {
					ready = false
					break
				}
			}
			if ready {
				placed[s.Addr] = true
				out = append(out, s)
				progress = true
			}
		}
		if !progress { // a cycle: checkCycles reports it
			for _, s := range sorted {
				if !placed[s.Addr] {
					out = append(out, s)
				}
			}
			break
		}
	}
	return out
}

// orphans lists what the state knows and nothing decides, within scope:
// not declared, not covered by a `removed:` entry, not recorded as ended,
// and declared last (when the state knows where) in one of the files
// planned.
func orphans(set *manifest.Set, st *state.State, p *Plan, files map[string]bool, inScope func(string) bool) []*state.Object {
	removed := make(map[string]bool, len(set.Removed))
	for _, r := range set.Removed {
		removed[r.Addr] = true
	}
	// decided: the address or one of its ancestors has an entry.
	decided := func(addr string) bool {
		for a := addr; ; {
			if removed[a] {
				return true
			}
			i := strings.LastIndexByte(a, '.')
			if i < 0 {
				return false
			}
			a = a[:i]
		}
	}
	var out []*state.Object
	for addr, o := range st.Objects {
		if _, ok := p.ByAddr[addr]; ok {
			continue
		}
		base, fu := baseOf(addr)
		if fu {
			if b := st.Objects[base]; b != nil || p.ByAddr[base] != nil {
				continue // goes with its object
			}
		}
		if o.Ended != "" || !inScope(addr) {
			continue
		}
		if decided(addr) {
			continue
		}
		if o.File != "" && files != nil && !files[o.File] {
			continue // another file's: not this plan's to report
		}
		out = append(out, o)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Addr < out[j].Addr })
	return out
}

// staying marks each delete whose object is still referred to by one that
// stays in BlueRockTEL (a deactivated line, an orphan, an object outside
// --target): the API will refuse the DELETE (422) until that one goes,
// and the plan says so before anything is sent.
func staying(p *Plan, st *state.State) {
	var deletes []*Step
	for _, s := range p.Steps {
		if s.Action == Delete {
			deletes = append(deletes, s)
		}
	}
	if len(deletes) == 0 {
		return
	}
	refs := map[string][]string{}
	for addr, o := range st.Objects {
		if s := p.ByAddr[addr]; s != nil && (!s.Action.Ends() || s.Action == Delete || s.Action == Forget) {
			continue // declared (its update drops the reference first), deleted or forgotten
		}
		if _, fu := baseOf(addr); fu {
			continue
		}
		for _, v := range o.Spec {
			if !strings.Contains(v, "@") {
				continue
			}
			for _, item := range strings.Split(v, ",") {
				if target, ok := strings.CutPrefix(item, "@"); ok {
					refs[target] = append(refs[target], addr)
				}
			}
		}
	}
	for _, d := range deletes {
		if r := refs[d.Addr]; len(r) > 0 {
			sort.Strings(r)
			d.ReferredBy = r
		}
	}
}

// nearestAddr is the state's address nearest to addr by edit distance,
// when one is close enough to be a typo; "" otherwise.
func nearestAddr(addrs []string, addr string) string {
	bound := max(2, len(addr)/10)
	best, bestDist := "", bound+1
	for _, a := range addrs {
		if d := manifest.EditDistance([]rune(addr), []rune(a), bound+1); d < bestDist {
			best, bestDist = a, d
		}
	}
	return best
}
