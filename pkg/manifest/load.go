package manifest

import (
	"cmp"
	"fmt"
	"runtime"
	"slices"
	"sync"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Load reads a manifest set: each path is a file, or a directory searched
// recursively for *.yaml and *.yml files (sorted; hidden entries skipped).
//
// When the set is invalid, the error is an *Error holding every diagnostic
// found, sorted by file (in load order), line and column. Problems that
// are not about manifest content (a path that does not exist, a directory
// without manifest files, an unreadable file) are plain errors.
func Load(paths ...string) (*Set, error) {
	files, err := collect(paths)
	if err != nil {
		return nil, err
	}
	srcs := make([]source, len(files))
	for i, f := range files {
		srcs[i] = source{path: f}
	}
	return load(srcs)
}

// source is one manifest file: read from path, or given as data.
type source struct {
	path string
	data []byte
	read bool // data is given; do not read path
}

// fileResult is what one file yields on its own.
type fileResult struct {
	err   error
	diags []Diagnostic
	// broken files could not be read as YAML: names they declare are
	// unknown, so unresolved references are not reported.
	broken bool
	b      *builder
}

func load(srcs []source) (*Set, error) {
	results := make([]fileResult, len(srcs))
	workers := min(runtime.GOMAXPROCS(0), len(srcs))
	var wg sync.WaitGroup
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = loadFile(srcs[i])
			}
		}()
	}
	for i := range srcs {
		next <- i
	}
	close(next)
	wg.Wait()

	var diags []Diagnostic
	for _, r := range results {
		if r.err != nil {
			return nil, r.err
		}
		diags = append(diags, r.diags...)
	}
	set, more := assemble(results)
	diags = append(diags, more...)
	if len(diags) > 0 {
		return nil, &Error{Diagnostics: sortDiagnostics(diags, srcs)}
	}
	set.Files = make([]string, len(srcs))
	for i, s := range srcs {
		set.Files[i] = s.path
	}
	return set, nil
}

// loadFile reads, parses, converts, validates and builds one file.
func loadFile(src source) fileResult {
	r := fileResult{b: newBuilder(src.path)}
	data := src.data
	if !src.read {
		var tooBig *Diagnostic
		var err error
		data, tooBig, err = readFile(src.path)
		if err != nil {
			return fileResult{err: err}
		}
		if tooBig != nil {
			r.broken = true
			r.diags = append(r.diags, *tooBig)
			return r
		}
	}
	roots, diags := parseTrees(src.path, data)
	r.diags = append(r.diags, diags...)
	if roots == nil && len(diags) > 0 {
		r.broken = true
		return r
	}
	empty := true
	for _, root := range roots {
		if root == nil {
			r.broken = true
			continue
		}
		if root.kind == nScalar && root.sk == sNull {
			continue // an empty document (comments only, or ---)
		}
		empty = false
		sdiags, bad, err := schemaCheck(src.path, root)
		if err != nil {
			return fileResult{err: err}
		}
		r.diags = append(r.diags, sdiags...)
		r.b.document(root, bad)
	}
	if empty && !r.broken {
		r.diags = append(r.diags, Diagnostic{
			Pos:     Pos{File: src.path, Line: 1, Col: 1},
			Message: "the manifest file is empty",
			Hint:    "declare families:, items: or customers:, or remove the file",
		})
	}
	r.diags = append(r.diags, r.b.diags...)
	return r
}

// assemble checks what spans files (unique local names, natural keys of
// top-level objects, references) and lays out the set.
func assemble(results []fileResult) (*Set, []Diagnostic) {
	var diags []Diagnostic
	broken := false
	var top []*Object
	dirty := map[*Object]bool{}
	for _, r := range results {
		broken = broken || r.broken
		top = append(top, r.b.top...)
		for o := range r.b.dirty {
			dirty[o] = true
		}
	}

	// Local names are unique per kind across the set.
	byName := map[resource.Kind]map[string]*Object{}
	for _, o := range top {
		names := byName[o.Kind]
		if names == nil {
			names = map[string]*Object{}
			byName[o.Kind] = names
		}
		if first, dup := names[o.Name]; dup {
			dirty[o] = true
			diags = append(diags, Diagnostic{
				Pos:     o.Pos,
				Message: fmt.Sprintf("%s %q is declared twice (first at %s)", o.Spec().Title, o.Name, first.Pos),
				Hint:    "local names must be unique across the manifest set: rename or remove one",
			})
			continue
		}
		names[o.Name] = o
	}

	// References by local name.
	sg := &suggester{budget: suggestBudget, memo: map[string]string{}}
	for _, r := range results {
		for _, p := range r.b.refs {
			ref := p.obj.Refs[p.field.Name]
			target := byName[p.field.Target][ref.Name]
			if target != nil {
				ref.Target = target
				p.obj.Refs[p.field.Name] = ref
				continue
			}
			dirty[p.obj] = true
			if broken {
				continue // the name may be declared in the file that failed
			}
			diags = append(diags, unresolved(p, ref, byName[p.field.Target], sg))
		}
	}

	diags = append(diags, expandOffers(results, broken, dirty)...)

	// Top-level objects that a lookup by natural key would confuse.
	var clean []*Object
	for _, o := range top {
		if !dirty[o] {
			clean = append(clean, o)
		}
	}
	for _, group := range byKind(clean) {
		diags = append(diags, collide(group)...)
	}

	set := &Set{ByAddr: map[string]*Object{}}
	var walk func(o *Object)
	walk = func(o *Object) {
		set.Objects = append(set.Objects, o)
		set.ByAddr[o.Addr] = o
		for _, c := range o.Children {
			walk(c)
		}
	}
	for _, o := range top {
		walk(o)
	}
	for _, r := range results {
		set.Removed = append(set.Removed, r.b.removed...)
	}
	if !broken {
		diags = append(diags, resolveLists(set.Objects, dirty)...)
		diags = append(diags, checkRemovals(set)...)
	}
	return set, diags
}

// suggestBudget bounds the name comparisons spent on "did you mean"
// hints for unresolved references, so that a large set full of broken
// references is still reported quickly (the hints are then left out).
const suggestBudget = 1_000_000

// suggester finds the nearest declared name for unresolved references,
// remembering answers and spending a bounded number of comparisons.
type suggester struct {
	budget int
	memo   map[string]string
	sorted map[resource.Kind][]string
}

func (s *suggester) nearest(k resource.Kind, name string, declared map[string]*Object) string {
	key := string(k) + "\x00" + name
	if best, ok := s.memo[key]; ok {
		return best
	}
	if s.sorted == nil {
		s.sorted = map[resource.Kind][]string{}
	}
	names, ok := s.sorted[k]
	if !ok {
		names = make([]string, 0, len(declared))
		for n := range declared {
			names = append(names, n)
		}
		slices.Sort(names) // ties go to the first name: deterministic hints
		s.sorted[k] = names
	}
	best := ""
	if s.budget >= len(names) {
		s.budget -= len(names)
		best = nearest(name, names)
	}
	s.memo[key] = best
	return best
}

// unresolved reports a local reference to a name the set does not declare.
func unresolved(p pendingRef, ref Ref, declared map[string]*Object, sg *suggester) Diagnostic {
	target := kindTitle(p.field.Target)
	hint := fmt.Sprintf("declare it under %s:, or use %s: ID for %s that already exists in BlueRockTEL",
		resource.Get(p.field.Target).Collection, p.field.IDName, a(target))
	if best := sg.nearest(p.field.Target, ref.Name, declared); best != "" {
		hint = fmt.Sprintf("did you mean %q?", best)
	}
	of := ""
	if p.obj.Parent == nil && p.obj.Offer != "" {
		of = fmt.Sprintf(" of offer %q", p.obj.Offer)
	}
	return Diagnostic{
		Pos:     ref.Pos,
		Message: fmt.Sprintf("%s %q%s refers to unknown %s %q", p.obj.Spec().Title, p.obj.Name, of, target, ref.Name),
		Hint:    hint,
	}
}

// sortDiagnostics orders diagnostics by file (load order), line and column,
// keeping the order found for ties, and drops exact repeats.
func sortDiagnostics(diags []Diagnostic, srcs []source) []Diagnostic {
	order := make(map[string]int, len(srcs))
	for i, s := range srcs {
		order[s.path] = i
	}
	slices.SortStableFunc(diags, func(a, b Diagnostic) int {
		return cmp.Or(
			cmp.Compare(order[a.Pos.File], order[b.Pos.File]),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Pos.Col, b.Pos.Col),
		)
	})
	return slices.Compact(diags)
}
