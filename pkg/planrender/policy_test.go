package planrender

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/policy"
)

func verdict(n int) *policy.Verdict {
	v := &policy.Verdict{Findings: []policy.Finding{
		{Rule: "big", Effect: policy.Deny, Message: "too big", RulePos: "onboard.project:9:5", Overridden: true},
	}}
	for i := range n {
		v.Findings = append(v.Findings, policy.Finding{Rule: "cheap", Effect: policy.Warn, Message: "under | half",
			Address: fmt.Sprintf("customer.c%d.file.f.recurring.r", i), Pos: fmt.Sprintf("c.yaml:%d:7", i+1), RulePos: "onboard.project:2:5"})
	}
	v.Findings = append(v.Findings, policy.Finding{Rule: "cap", Effect: policy.Deny, Message: "discount", Address: "customer.c0.file.f.initial.s",
		Pos: "c.yaml:99:7", RulePos: "onboard.project:5:5"})
	v.Overrides = []policy.Override{{Rule: "big", Reason: "launch", By: "ana", At: time.Date(2026, 12, 8, 4, 1, 0, 0, time.UTC)}}
	return v
}

// Each finding is shown at the object's position (the rule's, for a plan
// rule), overrides with their reason, who and when.
func TestPolicyText(t *testing.T) {
	var b bytes.Buffer
	if err := TextWith(&b, &plan.Plan{}, TextOptions{Policy: verdict(1)}); err != nil {
		t.Fatal(err)
	}
	want := `Policy: 1 denied, 1 warning, 1 overridden.
  onboard.project:9:5: deny (overridden) big: too big (the whole plan)
  c.yaml:1:7: warn cheap: under | half (customer.c0.file.f.recurring.r)
  c.yaml:99:7: deny cap: discount (customer.c0.file.f.initial.s)
  override of big: launch (by ana, 2026-12-08 04:01 UTC)
`
	if !strings.Contains(b.String(), want) {
		t.Errorf("text plan:\n%s\nwant it to contain:\n%s", b.String(), want)
	}
	b.Reset()
	if err := Text(&b, &plan.Plan{}); err != nil || strings.Contains(b.String(), "Policy") {
		t.Errorf("a project without rules shows a policy section: %q, %v", b.String(), err)
	}
}

// The Markdown lists denials first, escapes messages, and a summary lists
// at most maxSummaryFindings.
func TestPolicyMarkdown(t *testing.T) {
	var b bytes.Buffer
	if err := MarkdownWith(&b, &plan.Plan{}, MarkdownOptions{Policy: verdict(2)}); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	deny := strings.Index(md, "| ⛔ **deny** | `cap` | `c.yaml:99:7` |")
	warn := strings.Index(md, "| ⚠️ warn | `cheap` | `c.yaml:1:7` | `customer.c0.file.f.recurring.r` | under \\| half |")
	over := strings.Index(md, "| ✅ deny, overridden | `big` | `onboard.project:9:5` | the whole plan | too big |")
	if deny < 0 || warn < 0 || over < 0 || !(deny < warn && warn < over) {
		t.Errorf("markdown (deny %d, warn %d, overridden %d):\n%s", deny, warn, over, md)
	}
	if !strings.Contains(md, "- **override of big: launch (by ana, 2026-12-08 04:01 UTC)**") {
		t.Errorf("markdown lacks the override:\n%s", md)
	}
	b.Reset()
	var s bytes.Buffer
	writeSummary(&s, &plan.Plan{}, Compute(&plan.Plan{}), MarkdownOptions{MaxBytes: 100, Policy: verdict(50)}, 1000, "")
	if n := strings.Count(s.String(), "| ⚠️ warn |") + strings.Count(s.String(), "deny"); n > maxSummaryFindings+2 ||
		!strings.Contains(s.String(), fmt.Sprintf("_%d more findings are not listed._", 52-maxSummaryFindings)) {
		t.Errorf("summary lists %d findings:\n%s", n, s.String())
	}
}

func TestPolicyJSON(t *testing.T) {
	var b bytes.Buffer
	if err := JSONWith(&b, &plan.Plan{}, JSONOptions{Tool: "t", Policy: verdict(1)}); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Policy struct {
			Findings  []policy.Finding  `json:"findings"`
			Overrides []policy.Override `json:"overrides"`
			Denied    bool              `json:"denied"`
		} `json:"policy"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Policy.Findings) != 3 || len(doc.Policy.Overrides) != 1 || !doc.Policy.Denied || doc.Policy.Findings[1].Pos != "c.yaml:1:7" {
		t.Errorf("policy = %+v", doc.Policy)
	}
	b.Reset()
	if err := JSON(&b, &plan.Plan{}, "t"); err != nil || strings.Contains(b.String(), `"policy"`) {
		t.Errorf("a project without rules has a policy member: %v", err)
	}
}
