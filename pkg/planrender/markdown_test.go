package planrender

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
)

var update = flag.Bool("update", false, "rewrite the golden files")

// TestMarkdownGolden keeps the whole Markdown plan of the money set (go
// test ./pkg/planrender -run MarkdownGolden -update rewrites it).
func TestMarkdownGolden(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, compilePath(t, moneyYAML, nil)); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "money.md")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if b.String() != string(want) {
		t.Errorf("Markdown differs from %s (-update rewrites it):\n%s", golden, b.String())
	}
}

// TestMarkdownEscaping checks the Markdown source: names are escaped (a
// <b> is an entity, emphasis and table characters are backslashed), an
// email address is not left to be autolinked, and the money comes first.
func TestMarkdownEscaping(t *testing.T) {
	var b bytes.Buffer
	if err := Markdown(&b, compilePath(t, moneyYAML, nil)); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, w := range []string{
		`Acme &lt;b&gt;bold&lt;/b&gt; &amp; Co \*star\* \_under\_ \| pipe`,
		`(Main &lt;i&gt;contract&lt;/i&gt; of billing&#64;acme.example)`,
	} {
		if !strings.Contains(md, w) {
			t.Errorf("Markdown lacks %q", w)
		}
	}
	// Outside the fenced request blocks, no raw tag and no bare email.
	var prose strings.Builder
	inFence := false
	for _, l := range strings.Split(md, "\n") {
		if strings.HasPrefix(l, "```") {
			inFence = !inFence
			continue
		}
		if !inFence {
			prose.WriteString(l + "\n")
		}
	}
	for _, n := range []string{"<b>", "<i>", "ops@acme", "billing@acme"} {
		if strings.Contains(prose.String(), n) {
			t.Errorf("Markdown prose has %q", n)
		}
	}
	if i, j := strings.Index(md, "**Money**"), strings.Index(md, "#### "); i < 0 || j < i {
		t.Errorf("the money (%d) does not come before the changes (%d)", i, j)
	}
}

// TestMarkdownMaxBytes renders the generated 300-customer set: whole, it
// is far over a comment's size; with the default limit it is a summary
// that fits, opens with the plan's money, lists the first objects and
// says how to see the rest.
func TestMarkdownMaxBytes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	if err := generate.Write(dir, 300, 1); err != nil {
		t.Fatal(err)
	}
	p := compilePath(t, dir, nil)
	tot := Compute(p)
	var whole, summary bytes.Buffer
	if err := Markdown(&whole, p); err != nil {
		t.Fatal(err)
	}
	o := MarkdownOptions{MaxBytes: DefaultMaxBytes, Rest: "`onboard show plan.onboard`"}
	if err := MarkdownWith(&summary, p, o); err != nil {
		t.Fatal(err)
	}
	t.Logf("300 customers: whole plan %d bytes, summary %d bytes", whole.Len(), summary.Len())
	if whole.Len() <= DefaultMaxBytes {
		t.Fatalf("the whole plan is %d bytes: the case no longer tests the summary", whole.Len())
	}
	md := summary.String()
	if summary.Len() > DefaultMaxBytes {
		t.Fatalf("summary is %d bytes, over %d", summary.Len(), DefaultMaxBytes)
	}
	planRow := moneyRow(tot.Plan, "**Whole plan**")
	lines := strings.Split(md, "\n")
	if !strings.HasPrefix(lines[0], "### onboard plan: 1502 to create") || !strings.HasPrefix(lines[2], "Monthly billing: **") ||
		!strings.HasPrefix(lines[4], "**Money**") {
		t.Errorf("summary does not open with the counts, the money headline and the money:\n%s", strings.Join(lines[:6], "\n"))
	}
	if !strings.Contains(md, planRow) {
		t.Errorf("summary lacks the plan's money row %q", planRow)
	}
	for _, w := range []string{"#### First changes", "| + | `family.voip` |", "See the whole plan with `onboard show plan.onboard`.",
		"1502 to create", "_The first "} {
		if !strings.Contains(md, w) {
			t.Errorf("summary lacks %q", w)
		}
	}
	// Every limit from the summary's floor up is kept.
	for _, limit := range []int{minSummaryBytes, 5_000, 20_000, 59_999} {
		var b bytes.Buffer
		if err := MarkdownWith(&b, p, MarkdownOptions{MaxBytes: limit, Rest: o.Rest}); err != nil {
			t.Fatal(err)
		}
		if b.Len() > limit || !strings.Contains(b.String(), planRow) || !strings.Contains(b.String(), "See the whole plan") {
			t.Errorf("limit %d: %d bytes", limit, b.Len())
		}
	}
	// Limits below the summary's floor still give the summary's floor.
	var small bytes.Buffer
	if err := MarkdownWith(&small, p, MarkdownOptions{MaxBytes: 1}); err != nil {
		t.Fatal(err)
	}
	if small.Len() > minSummaryBytes || !strings.Contains(small.String(), planRow) {
		t.Errorf("a 1-byte limit gives %d bytes:\n%s", small.Len(), small.String())
	}
}

// TestOverviewPastDetailLimit renders a plan past a small DetailLimit:
// the text and Markdown plans count per kind and per customer and show
// the money, without requests; Verbose brings them back.
func TestOverviewPastDetailLimit(t *testing.T) {
	p := compile(t, nil) // acme: 7 objects to create
	var text, verbose, md bytes.Buffer
	if err := TextWith(&text, p, TextOptions{DetailLimit: 3}); err != nil {
		t.Fatal(err)
	}
	if err := TextWith(&verbose, p, TextOptions{DetailLimit: 3, Verbose: true}); err != nil {
		t.Fatal(err)
	}
	if err := MarkdownWith(&md, p, MarkdownOptions{DetailLimit: 3}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"A large plan (7 objects to create or update)", "  whole plan: one-time ",
		"  licence                                   1          0          0\n",
		"  Customer acme (Acme Telecom SAS): 5 to create\n", "  Catalog: 2 to create\n"} {
		if !strings.Contains(text.String(), want) {
			t.Errorf("text overview lacks %q:\n%s", want, text.String())
		}
	}
	for _, want := range []string{"#### By kind", "| initial charge | 1 | 0 | 0 |", "| Customer acme (Acme Telecom SAS) | 5 | 0 |", "**Money**"} {
		if !strings.Contains(md.String(), want) {
			t.Errorf("Markdown overview lacks %q:\n%s", want, md.String())
		}
	}
	if strings.Contains(text.String(), "POST") || strings.Contains(md.String(), "POST") {
		t.Errorf("an overview lists requests:\n%s\n%s", text.String(), md.String())
	}
	var whole bytes.Buffer
	if err := Text(&whole, p); err != nil {
		t.Fatal(err)
	}
	if verbose.String() != whole.String() {
		t.Errorf("verbose text differs from the whole plan")
	}
	if Overview(p, 0) {
		t.Errorf("7 objects are past the default DetailLimit")
	}
}
