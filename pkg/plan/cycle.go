package plan

import "strings"

// CycleError reports a dependency cycle with the path that forms it.
type CycleError struct {
	Path []string // first element repeated at the end
}

func (e *CycleError) Error() string {
	return "dependency cycle: " + strings.Join(e.Path, " -> ")
}

// checkCycles finds a cycle in one linear depth-first pass over the
// dependencies. dominikbraun/graph's PreventCycles checks every edge as it
// is added, which is quadratic (about 70 s for 50,000 objects); one pass
// over the finished graph is O(V+E) and gives the path for the message.
func checkCycles[T any](nodes []T, key func(T) string, deps func(T) []string) error {
	const (
		white = iota
		grey
		black
	)
	index := make(map[string]int, len(nodes))
	keys := make([]string, len(nodes))
	for i, n := range nodes {
		k := key(n)
		index[k] = i
		keys[i] = k
	}
	color := make([]uint8, len(nodes))
	type frame struct {
		node int
		next int
	}
	for start := range nodes {
		if color[start] != white {
			continue
		}
		stack := []frame{{node: start}}
		color[start] = grey
		for len(stack) > 0 {
			top := &stack[len(stack)-1]
			ds := deps(nodes[top.node])
			if top.next >= len(ds) {
				color[top.node] = black
				stack = stack[:len(stack)-1]
				continue
			}
			d, ok := index[ds[top.next]]
			top.next++
			if !ok {
				continue
			}
			switch color[d] {
			case grey:
				// The stack from d to the top is the cycle.
				var path []string
				for i := len(stack) - 1; i >= 0; i-- {
					path = append(path, keys[stack[i].node])
					if stack[i].node == d {
						break
					}
				}
				// path runs from dependent to dependency; show it as
				// "a depends on b depends on ... a".
				path = append([]string{keys[d]}, path...)
				for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
					path[i], path[j] = path[j], path[i]
				}
				return &CycleError{Path: path}
			case white:
				color[d] = grey
				stack = append(stack, frame{node: d})
			}
		}
	}
	return nil
}
