package manifest

import "strings"

// nearest returns the candidate closest to word by edit distance, if it is
// close enough to be what was meant ("did you mean ...?"), else "".
// Ties go to the earlier candidate, so hints are deterministic.
func nearest(word string, candidates []string) string {
	w := []rune(strings.ToLower(word))
	limit := len(w) / 3
	if limit < 1 {
		limit = 1
	}
	best, bestDist := "", limit+1
	for _, c := range candidates {
		if c == word {
			continue
		}
		cr := []rune(strings.ToLower(c))
		if abs(len(cr)-len(w)) >= bestDist {
			continue
		}
		if d := EditDistance(w, cr, bestDist); d < bestDist {
			best, bestDist = c, d
		}
	}
	if best != "" || len(w) < 3 {
		return best
	}
	// A shortened name ("sip-trunk" for "sip-trunk-2ch"): the first
	// candidate that extends it.
	lw := string(w)
	for _, c := range candidates {
		if c != word && strings.HasPrefix(strings.ToLower(c), lw) {
			return c
		}
	}
	return ""
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}

// EditDistance is the optimal string alignment distance (insertions,
// deletions, substitutions and swaps of adjacent runes). It gives up and
// returns bound once every alignment costs bound or more.
func EditDistance(a, b []rune, bound int) int {
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		rowMin := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			rowMin = min(rowMin, v)
		}
		if rowMin >= bound {
			return bound
		}
		prev2, prev, cur = prev, cur, prev2
	}
	return prev[len(b)]
}

// Nearest returns the candidate closest to word, if it is close enough to
// be what was meant, else "": the manifests' "did you mean" rule, for
// other inputs (the project file's keys, an import's column names).
func Nearest(word string, candidates []string) string { return nearest(word, candidates) }
