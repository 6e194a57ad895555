package planrender

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

var formatYAML = filepath.Join("testdata", "format.yaml")

// renderAll renders p as text, Markdown and JSON with settings ms.
func renderAll(t *testing.T, p *plan.Plan, ms plan.MoneySettings) (text, md, js string) {
	t.Helper()
	var a, b, c bytes.Buffer
	if err := TextWith(&a, p, TextOptions{Money: ms}); err != nil {
		t.Fatal(err)
	}
	if err := MarkdownWith(&b, p, MarkdownOptions{Money: ms}); err != nil {
		t.Fatal(err)
	}
	if err := JSONWith(&c, p, JSONOptions{Tool: "test", Money: ms}); err != nil {
		t.Fatal(err)
	}
	return a.String(), b.String(), c.String()
}

// TestMoneyFormatDefects: each of issue 18's money defects, on every
// output. Big's per month is 1,300.00 + 0.5 × 0.35 + 17.50 = 1,317.675,
// Small's 39.80: the plan's 1,357.475.
func TestMoneyFormatDefects(t *testing.T) {
	p := compilePath(t, formatYAML, nil)
	var a, b, c bytes.Buffer
	if err := Text(&a, p); err != nil {
		t.Fatal(err)
	}
	if err := Markdown(&b, p); err != nil {
		t.Fatal(err)
	}
	if err := JSON(&c, p, "test"); err != nil {
		t.Fatal(err)
	}
	text, md, js := a.String(), b.String(), c.String()
	cases := []struct {
		name     string
		out      string
		want     []string
		wantNone []string
	}{
		{"text: per month in cents, ≈ where rounded, as the rows", text,
			[]string{"whole plan: one-time 100.00, per month ≈ 1,357.48, per year 16,289.70",
				"money: one-time 0.00, per month ≈ 1,317.68, per year 15,812.10"},
			[]string{"1357.475", "1,357.475", "1317.675"}},
		{"markdown: the same format as the text", md,
			[]string{"| **Whole plan** | 100.00 | ≈ 1,357.48 | 16,289.70 |", "| ≈ 1,317.68 | 15,812.10 |"},
			[]string{"1,357.475", "1357.48"}},
		{"text: a request's price in cents, as the preview", text,
			[]string{"selling_price_without_tax = 17.50", "1 × 1,300.00 + 0.5 × 0.35 + 1 × 17.50 = ≈ 1,317.68 per monthly cycle"}, []string{"= 17.5\n"}},
		{"markdown: a request's price in cents", md,
			[]string{"selling_price_without_tax=17.50"}, []string{"selling_price_without_tax=17.5,", "selling_price_without_tax=17.5\n"}},
		{"json: a request's price in cents, totals in cents with a flag", js,
			[]string{`"selling_price_without_tax":"17.50"`, `"per_month":"1357.48","per_year":"16289.70","per_month_rounded":true`,
				`"total":"1317.68","total_rounded":true`},
			[]string{`"17.5"`, `1357.475`}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			for _, w := range c.want {
				if !strings.Contains(c.out, w) {
					t.Errorf("output lacks %q:\n%s", w, c.out)
				}
			}
			for _, w := range c.wantNone {
				if strings.Contains(c.out, w) {
					t.Errorf("output holds %q:\n%s", w, c.out)
				}
			}
		})
	}
}

// TestHeadline: the text and Markdown plans open with the signed change
// of monthly billing, its percentage of what the affected customers are
// billed now, incl. VAT, and the one-time charges.
func TestHeadline(t *testing.T) {
	fresh := compilePath(t, formatYAML, nil)
	// Small had 3 trunks (59.70 a month), now 2: −19.90 of the 59.70 the
	// one affected customer is billed now: −33.3%.
	st := appliedState(fresh)
	trunk := st.Objects["customer.small.file.main.recurring.trunk"]
	trunk.Spec["quantity"], trunk.Hash = "3", "old"
	less := compilePath(t, formatYAML, st)
	// Big pays one trunk less at 1,300.00 (charge_vat: +20%).
	st2 := appliedState(fresh)
	big := st2.Objects["customer.big.file.main.recurring.trunks"]
	big.Spec["quantity"], big.Hash = "2", "old"
	bigLess := compilePath(t, formatYAML, st2)
	rate, _ := money.Parse("0.077")
	cases := []struct {
		name string
		p    *plan.Plan
		ms   plan.MoneySettings
		want string // the text's first line; the Markdown's third, with ** around the change
		bold string
	}{
		{"new customers", fresh, plan.MoneySettings{},
			// incl. VAT: 1,317.675 × 1.2 + 39.80 = 1,621.01, exact.
			"Monthly billing: ≈ +1,357.48 EUR per month excl. VAT, +1,621.01 incl. VAT (the 2 affected customers are billed nothing per month now); one-time charges: 100.00 EUR excl. VAT, 100.00 incl. VAT.",
			"≈ +1,357.48 EUR per month"},
		{"a decrease, no VAT", less, plan.MoneySettings{},
			"Monthly billing: −19.90 EUR per month excl. VAT, −19.90 incl. VAT (−33.3% of the 59.70 EUR per month the 1 affected customer is billed now); one-time charges: none.",
			"−19.90 EUR per month"},
		{"a decrease with VAT, the project's rate and currency", bigLess, plan.MoneySettings{Currency: "CHF", VATRate: rate},
			"Monthly billing: −1,300.00 CHF per month excl. VAT, −1,400.10 incl. VAT (−49.7% of the ≈ 2,617.68 CHF per month the 1 affected customer is billed now); one-time charges: none.",
			"−1,300.00 CHF per month"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			text, md, _ := renderAll(t, c.p, c.ms)
			if first, _, _ := strings.Cut(text, "\n"); first != c.want {
				t.Errorf("text opens with\n%s\nwant\n%s", first, c.want)
			}
			lines := strings.Split(md, "\n")
			want := strings.Replace(c.want, c.bold, "**"+c.bold+"**", 1)
			if len(lines) < 3 || !strings.HasPrefix(lines[0], "### onboard plan:") || lines[2] != want {
				t.Errorf("Markdown opens with\n%s\nwant the heading, then\n%s", strings.Join(lines[:min(3, len(lines))], "\n"), want)
			}
		})
	}
}

// TestJSONTotalsChange: the JSON totals carry the headline's figures, in
// cents with a flag where rounded, with the project's currency and rate.
func TestJSONTotalsChange(t *testing.T) {
	st := appliedState(compilePath(t, formatYAML, nil))
	big := st.Objects["customer.big.file.main.recurring.trunks"]
	big.Spec["quantity"], big.Hash = "2", "old"
	rate, _ := money.Parse("0.077")
	_, _, js := renderAll(t, compilePath(t, formatYAML, st), plan.MoneySettings{Currency: "CHF", VATRate: rate})
	var doc struct {
		Totals Totals `json:"totals"`
	}
	if err := json.Unmarshal([]byte(js), &doc); err != nil {
		t.Fatal(err)
	}
	got := doc.Totals
	// Only big is affected: 2,617.675 before (≈ 2,617.68), 1,317.675 after.
	want := Change{PerMonth: "-1300.00", PerMonthInclVAT: "-1400.10", Percent: "-49.7", OneTime: "0.00", OneTimeInclVAT: "0.00", Customers: 1}
	if got.Change != want {
		t.Errorf("change %+v, want %+v", got.Change, want)
	}
	if got.Currency != "CHF" || got.VATRate != "0.077" || got.VAT != "excluded" {
		t.Errorf("currency %q, rate %q, vat %q", got.Currency, got.VATRate, got.VAT)
	}
	if b := got.Plan.Before; b == nil || b.PerMonth != "2617.68" || !b.PerMonthRounded || b.PerMonthInclVAT != "2819.24" || !b.PerMonthInclVATRounded {
		t.Errorf("plan before %+v, want 2617.68 ≈, 2819.24 ≈ incl. VAT", b)
	}
	if a := got.Plan.After; a.PerMonth != "1317.68" || a.PerMonthInclVAT != "1419.14" {
		t.Errorf("plan after %+v, want 1317.68, 1419.14 incl. VAT", a)
	}
	if len(got.Customers) != 1 || got.Customers[0].VAT == nil || !*got.Customers[0].VAT {
		t.Errorf("customers %+v, want big, charged VAT", got.Customers)
	}
}

// TestOrphansStillBilled: each orphan shows what it still bills per
// month, in text, Markdown and JSON: a customer everything under it, a
// one-time line nothing.
func TestOrphansStillBilled(t *testing.T) {
	st := appliedState(compilePath(t, formatYAML, nil))
	src, err := os.ReadFile(formatYAML)
	if err != nil {
		t.Fatal(err)
	}
	withoutSmall, _, _ := strings.Cut(string(src), "  small:\n")
	path := filepath.Join(t.TempDir(), "big.yaml")
	if err := os.WriteFile(path, []byte(withoutSmall), 0o644); err != nil {
		t.Fatal(err)
	}
	p := compilePath(t, path, st)
	if len(p.Orphans) != 4 {
		t.Fatalf("%d orphans, want small's 4", len(p.Orphans))
	}
	text, md, js := renderAll(t, p, plan.MoneySettings{})
	for _, c := range []struct{ out, want string }{
		{text, "  - customer.small (customer #"},
		{text, "), still billed: 39.80 EUR per month\n"},
		{text, "  - customer.small.file.main.recurring.trunk (recurring #"},
		{md, "- `customer.small.file.main` (file #"},
		{md, "), still billed: 39.80 EUR per month\n"},
		{js, `"address":"customer.small","kind":"customer","id":`},
		{js, `"still_billed_per_month":"39.80"}`},
		{js, `"address":"customer.small.file.main.initial.setup","kind":"initial","id":`},
		{js, `"still_billed_per_month":"0.00"}`},
	} {
		if !strings.Contains(c.out, c.want) {
			t.Errorf("output lacks %q:\n%s", c.want, c.out)
		}
	}
	for _, l := range strings.Split(text, "\n") {
		if strings.Contains(l, "initial.setup") && strings.Contains(l, "still billed") {
			t.Errorf("a one-time line is shown as still billed: %s", l)
		}
	}
	if !strings.HasPrefix(text, "Monthly billing: no change; one-time charges: none.\n") {
		t.Errorf("text does not open with the headline:\n%s", text)
	}
}

// TestThreshold: --comment-threshold's parse and its comparison with the
// monthly change, by amount and by percentage of what the affected
// customers are billed now.
func TestThreshold(t *testing.T) {
	fresh := compilePath(t, formatYAML, nil)
	st := appliedState(fresh)
	trunk := st.Objects["customer.small.file.main.recurring.trunk"]
	trunk.Spec["quantity"], trunk.Hash = "3", "old"
	less := compilePath(t, formatYAML, st) // −19.90 of 59.70: 33.3%
	none := compilePath(t, formatYAML, appliedState(fresh))
	cases := []struct {
		arg   string
		p     *plan.Plan
		below bool
	}{
		{"20", less, true},
		{"19.90", less, false},
		{"19.89", less, false},
		{"33.4%", less, true},
		{"33.3%", less, false},
		{"0", less, false},
		{"5%", fresh, false}, // new billing: 100%
		{"1000000", fresh, true},
		{"5%", none, true},
		{"0%", none, false},
	}
	for _, c := range cases {
		th, err := ParseThreshold(c.arg)
		if err != nil {
			t.Fatal(err)
		}
		if got := th.Below(c.p.Bill(plan.MoneySettings{})); got != c.below {
			t.Errorf("threshold %s: below %v, want %v", c.arg, got, c.below)
		}
		var b bytes.Buffer
		if err := MarkdownWith(&b, c.p, MarkdownOptions{Threshold: th}); err != nil {
			t.Fatal(err)
		}
		if (b.Len() == 0) != c.below {
			t.Errorf("threshold %s: %d bytes of Markdown, want none only when below", c.arg, b.Len())
		}
	}
	for _, bad := range []string{"", "abc", "-5", "5%%", "%", "1e400000000000"} {
		if _, err := ParseThreshold(bad); err == nil && bad != "1e400000000000" {
			t.Errorf("ParseThreshold(%q) accepted", bad)
		}
	}
}

// TestGoldenUpdate keeps the text and Markdown of a plan that changes
// money and leaves an orphan: the headline with its percentage, before ->
// after, what the orphan still bills (go test ./pkg/planrender -run
// GoldenUpdate -update rewrites them).
func TestGoldenUpdate(t *testing.T) {
	st := appliedState(compilePath(t, moneyYAML, nil))
	monthly := st.Objects["customer.acme.file.main.recurring.monthly"]
	monthly.Spec["quantity"], monthly.Hash = "1", "old"
	// A line the manifests no longer declare: 3 × 49.00 a month.
	st.Objects["customer.beta.file.quarterly.recurring.gone"] = &state.Object{Addr: "customer.beta.file.quarterly.recurring.gone",
		Kind: "recurring", ID: 999, Status: state.StatusCreated, Hash: "h",
		Spec: map[string]string{"customer_file_id": "@customer.beta.file.quarterly", "item_id": "@item.trunk",
			"quantity": "3", "selling_price_without_tax": "49.00", "billing_frequency": "1"}}
	p := compilePath(t, moneyYAML, st)
	rate, _ := money.Parse("0.2")
	text, md, _ := renderAll(t, p, plan.MoneySettings{Currency: "EUR", VATRate: rate})
	for name, got := range map[string]string{"money-update.txt": text, "money-update.md": md} {
		golden := filepath.Join("testdata", name)
		if *update {
			if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		want, err := os.ReadFile(golden)
		if err != nil {
			t.Fatal(err)
		}
		if got != string(want) {
			t.Errorf("%s differs (-update rewrites it):\n%s", golden, got)
		}
	}
}
