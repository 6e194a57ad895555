package plan

import "github.com/onboardhq/onboard/pkg/resource"

// LinePreview is the billing preview of one line's step on its own, before
// and after the plan, computed as a file's preview is: for figures about
// some lines across files (an offer's changed lines). It returns false
// when s is not a line in the plan.
func (p *Plan) LinePreview(s *Step) (FilePreview, bool) {
	fs := p.ByAddr[resource.ParentAddr(s.Addr)]
	if fs == nil || s.Of != "" {
		return FilePreview{}, false
	}
	fp, _ := p.previewFile(fileLines{file: fs, lines: []*Step{s}})
	return fp, true
}
