package plan

import "strings"

// LinePreview is the billing preview of one line's step on its own, before
// and after the plan, computed as a file's preview is: for figures about
// some lines across files (an offer's changed lines). It returns false
// when s is not a line in the plan.
func (p *Plan) LinePreview(s *Step) (FilePreview, bool) {
	fs := p.ByAddr[parentAddr(s.Addr)]
	if fs == nil || s.Of != "" {
		return FilePreview{}, false
	}
	fp, _ := p.previewFile(fileLines{file: fs, lines: []*Step{s}})
	return fp, true
}

// parentAddr is the address of the object an object is nested in: an
// address is its parent's followed by "kind.name" (manifest.Address).
func parentAddr(addr string) string {
	i := strings.LastIndexByte(addr, '.')
	if i < 0 {
		return ""
	}
	j := strings.LastIndexByte(addr[:i], '.')
	if j < 0 {
		return ""
	}
	return addr[:j]
}
