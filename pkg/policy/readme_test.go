package policy

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/plan"
)

// readmeLibrary is the README's library of money rules, as teams copy it.
func readmeLibrary(t *testing.T) *Set {
	t.Helper()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	return libraryOf(t, b)
}

// libraryOf compiles the policy library block of a README.
func libraryOf(t testing.TB, b []byte) *Set {
	t.Helper()
	_, rest, ok := strings.Cut(string(b), "<!-- policy-library:begin -->\n```yaml\n")
	block, _, ok2 := strings.Cut(rest, "```\n<!-- policy-library:end -->")
	if !ok || !ok2 {
		t.Fatal("README.md lacks the policy library between its markers")
	}
	set, err := Parse("README.md", []byte(block))
	if err != nil {
		t.Fatalf("the README's policy library does not compile: %v", err)
	}
	return set
}

// Every rule of the README's library compiles, and does what its comment
// says on a plan that breaks it.
func TestReadmePolicyLibrary(t *testing.T) {
	set := readmeLibrary(t)
	created := compile(t, manifests, nil)
	cut := compile(t, strings.Replace(manifests, "selling_price_without_tax: 150.00", "selling_price_without_tax: 100.00", 1), applied(created))
	// A delete step, as the lifecycle's `removed:` entries make them.
	deleting := &plan.Plan{ByAddr: map[string]*plan.Step{}}
	for _, s := range created.Steps {
		d := *s
		d.Action = plan.Action("delete")
		deleting.Steps = append(deleting.Steps, &d)
		deleting.ByAddr[d.Addr] = &d
	}
	tests := []struct {
		name  string
		p     *plan.Plan
		facts Facts
		want  []string
	}{
		{"a new customer with a 50% setup discount and a line under half the catalog price", created,
			Facts{PerMonthBefore: "0", PerMonthAfter: "16.00", OneTime: "75.00"},
			[]string{"deny discount-cap customer.acme.file.main.initial.setup", "warn below-catalog customer.acme.file.main.recurring.trunk"}},
		{"a price cut on an update", cut, Facts{PerMonthBefore: "16.00", PerMonthAfter: "16.00"},
			[]string{"deny discount-cap customer.acme.file.main.initial.setup", "warn price-cut customer.acme.file.main.initial.setup"}},
		{"large monthly changes, up and down, and one-time charges", created,
			Facts{PerMonthBefore: "9000.00", PerMonthAfter: "3000.00", OneTime: "12000.00"},
			[]string{"deny discount-cap customer.acme.file.main.initial.setup", "warn below-catalog customer.acme.file.main.recurring.trunk",
				"deny large-monthly-change ", "warn large-one-time "}},
		{"deletes", deleting, Facts{}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := set.Evaluate(Input{Plan: tt.p, Facts: tt.facts})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range v.Findings {
				got = append(got, finding(f))
			}
			want := tt.want
			if tt.p == deleting {
				// Only any-delete: nothing is left after a delete for the
				// other rules to judge.
				for _, s := range deleting.Steps {
					want = append(want, "deny any-delete "+s.Addr)
				}
			}
			if !slices.Equal(got, want) {
				t.Errorf("findings = %q, want %q", got, want)
			}
		})
	}
}
