package policy

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
)

// A bad rule is an error at its position in onboard.project.
func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string // "line:col: message part", one per diagnostic
	}{
		{"syntax", `
policy:
  - name: cap
    deny: fields.discount_rate >> 0.3
`, []string{"4:33: policy rule \"cap\": Syntax error"}},
		{"syntax in a quoted expression", `
policy:
  - name: cap
    deny: "fields.discount_rate >> 0.3"
`, []string{"4:34: policy rule \"cap\": Syntax error"}},
		{"syntax in a block expression", `
policy:
  - name: cap
    deny: |
      has(fields.discount_rate) &&
        fields.discount_rate >> 0.3
`, []string{"6:31: policy rule \"cap\": Syntax error"}},
		{"unknown variable", `
policy:
  - name: cap
    deny: field.discount_rate > 0.3
`, []string{"4:11: policy rule \"cap\": undeclared reference to 'field'"}},
		{"plan variable in a step rule", `
policy:
  - name: big
    deny: plan.per_month_after > 10.0
`, []string{"4:11: policy rule \"big\": undeclared reference to 'plan'"}},
		{"unknown plan field", `
policy:
  - name: big
    scope: plan
    deny: plan.per_month_afer > 10.0
`, []string{"5:15: policy rule \"big\": undefined field 'per_month_afer'"}},
		{"type error", `
policy:
  - name: big
    scope: plan
    warn: plan.per_month_after - 1 > 0.0
`, []string{"5:32: policy rule \"big\": found no matching overload for '_-_'"}},
		{"not boolean", `
policy:
  - name: big
    scope: plan
    warn: plan.per_month_after - plan.per_month_before
`, []string{"5:11: policy rule \"big\": `warn:` is of type double, not a boolean"}},
		{"dyn is not boolean either", `
policy:
  - name: inactive
    warn: fields.active
`, []string{"4:11: policy rule \"inactive\": `warn:` is of type dyn, not a boolean"}},
		{"both deny and warn", `
policy:
  - name: cap
    deny: true
    warn: false
`, []string{"5:5: a policy rule has both `deny:` and `warn:`"}},
		{"neither", `
policy:
  - name: cap
    message: nothing to judge
`, []string{"3:5: policy rule \"cap\" has neither `deny:` nor `warn:`"}},
		{"unknown key with did-you-mean", `
policy:
  - name: cap
    dney: true
`, []string{`4:5: unknown key "dney" in a policy rule; did you mean "deny"?`}},
		{"unknown kind", `
policy:
  - name: cap
    kinds: [recurrings]
    deny: true
`, []string{`4:13: unknown kind "recurrings"; did you mean "recurring"?`}},
		{"duplicate name", `
policy:
  - name: cap
    deny: true
  - name: cap
    warn: true
`, []string{`5:5: a second policy rule named "cap"; rule names are unique (overrides name them); the first is at onboard.project:3:5`}},
		{"no name", `
policy:
  - deny: true
`, []string{"3:5: a policy rule without `name:`"}},
		{"kinds on a plan rule", `
policy:
  - name: big
    scope: plan
    kinds: [initial]
    deny: true
`, []string{"5:12: policy rule \"big\" has `kinds:` and `scope: plan`"}},
		{"unknown scope", `
policy:
  - name: big
    scope: plans
    deny: true
`, []string{`4:12: unknown scope "plans"`}},
		{"not a list", `
policy:
  name: cap
`, []string{"3:3: `policy:` must be a list of rules"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("onboard.project", []byte(tt.src))
			var pe *Error
			if !errors.As(err, &pe) {
				t.Fatalf("Parse = %v, want *Error", err)
			}
			if len(pe.Diagnostics) != len(tt.want) {
				t.Fatalf("%d diagnostics, want %d: %v", len(pe.Diagnostics), len(tt.want), pe.Diagnostics)
			}
			for i, d := range pe.Diagnostics {
				if got := d.String(); !strings.HasPrefix(got, "onboard.project:"+tt.want[i]) {
					t.Errorf("diagnostic %d = %q, want prefix %q", i, got, "onboard.project:"+tt.want[i])
				}
			}
		})
	}
}

func TestParseValid(t *testing.T) {
	set, err := Parse("onboard.project", []byte(`
state: onboard.state
policy:
  - name: discount-cap
    kinds: [initial, recurring]
    deny: has(fields.discount_rate) && fields.discount_rate > 0.3
    message: discounts above 30% need finance approval
  - name: big-change
    scope: plan
    warn: plan.per_month_after - plan.per_month_before > 5000
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := set.Names(); !slices.Equal(got, []string{"discount-cap", "big-change"}) {
		t.Fatalf("rules = %v", got)
	}
	r := set.Rules[0]
	if r.Effect != Deny || r.Scope != StepScope || len(r.Kinds) != 2 || r.Pos.String() != "onboard.project:4:5" || r.Message == "" {
		t.Errorf("rule 0 = %+v", r)
	}
	if r := set.Rules[1]; r.Effect != Warn || r.Scope != PlanScope {
		t.Errorf("rule 1 = %+v", r)
	}
	none, err := Parse("onboard.project", []byte("state: x.state\n"))
	if err != nil || len(none.Rules) != 0 {
		t.Errorf("no policy: %v, %v", none, err)
	}
}

// project writes manifests into a directory and compiles them against st.
func compile(t *testing.T, yaml string, st *state.State) *plan.Plan {
	t.Helper()
	dir := t.TempDir()
	path := filepath.Join(dir, "m.yaml")
	if err := os.WriteFile(path, []byte(yaml), 0o644); err != nil {
		t.Fatal(err)
	}
	set, err := manifest.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	p, err := plan.Compile(set, st, plan.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// applied is the state after every step of p succeeded.
func applied(p *plan.Plan) *state.State {
	st := &state.State{Objects: map[string]*state.Object{}}
	for i, s := range p.Steps {
		st.Objects[s.Addr] = &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(100 + i), Status: state.StatusCreated,
			Hash: s.Hash, Spec: s.Spec}
	}
	return st
}

const manifests = `
families:
  voip: {name: VoIP}
items:
  sip:
    description: SIP trunk
    family: voip
    selling_price_without_tax: 20.00
customers:
  acme:
    name: Acme
    files:
      main:
        name: Main
        billing_frequency: 1
        initials:
          setup: {item: sip, quantity: 1, selling_price_without_tax: 150.00, discount_rate: 0.5}
        recurrings:
          trunk: {item: sip, quantity: 2, selling_price_without_tax: 8.00}
          idline: {item_id: 42, quantity: 1}
`

func rules(t *testing.T, src string) *Set {
	t.Helper()
	set, err := Parse("onboard.project", []byte("policy:\n"+src))
	if err != nil {
		t.Fatal(err)
	}
	return set
}

// finding renders a finding for comparison.
func finding(f Finding) string {
	s := string(f.Effect) + " " + f.Rule + " " + f.Address
	if f.Overridden {
		s += " (overridden)"
	}
	return s
}

func TestEvaluate(t *testing.T) {
	created := compile(t, manifests, nil)
	updated := compile(t, strings.Replace(manifests, "quantity: 2, selling_price_without_tax: 8.00", "quantity: 9, selling_price_without_tax: 8.00", 1), applied(created))
	tests := []struct {
		name  string
		p     *plan.Plan
		rules string
		items map[string]map[string]string
		facts Facts
		want  []string
	}{
		{"deny with the kinds filter", created, `
  - name: discount-cap
    kinds: [initial, recurring]
    deny: has(fields.discount_rate) && fields.discount_rate > 0.3
`, nil, Facts{}, []string{"deny discount-cap customer.acme.file.main.initial.setup"}},
		{"the kinds filter leaves other kinds out", created, `
  - name: discount-cap
    kinds: [recurring]
    deny: has(fields.discount_rate) && fields.discount_rate > 0.3
`, nil, Facts{}, nil},
		{"warn on every kind, with address and action", created, `
  - name: new-customer
    warn: kind == "customer" && action == "create" && address.startsWith("customer.")
`, nil, Facts{}, []string{"warn new-customer customer.acme"}},
		{"item declared in the manifests", created, `
  - name: below-catalog
    kinds: [recurring, licence, initial]
    warn: has(fields.selling_price_without_tax) && has(item.selling_price_without_tax) && fields.selling_price_without_tax < 0.5 * item.selling_price_without_tax
`, nil, Facts{}, []string{"warn below-catalog customer.acme.file.main.recurring.trunk"}},
		{"item known by id when it was read", created, `
  - name: catalog-item
    kinds: [recurring]
    warn: has(item.description) && item.description == "Read item"
`, map[string]map[string]string{"42": {"description": "Read item", "selling_price_without_tax": "9.90"}}, Facts{},
			[]string{"warn catalog-item customer.acme.file.main.recurring.idline"}},
		{"item unknown: empty", created, `
  - name: no-item
    kinds: [recurring]
    warn: item.size() == 0 && has(fields.item_id) && fields.item_id == 42
`, nil, Facts{}, []string{"warn no-item customer.acme.file.main.recurring.idline"}},
		{"before and after on an update", updated, `
  - name: quantity-jump
    kinds: [recurring]
    deny: action == "update" && has(before.quantity) && fields.quantity > 3.0 * before.quantity
`, nil, Facts{}, []string{"deny quantity-jump customer.acme.file.main.recurring.trunk"}},
		{"unchanged objects are not judged", updated, `
  - name: any
    warn: true
`, nil, Facts{}, []string{"warn any customer.acme.file.main.recurring.trunk"}},
		{"before is empty on a create", created, `
  - name: before-empty
    kinds: [customer]
    warn: before.size() == 0 && fields.name == "Acme"
`, nil, Facts{}, []string{"warn before-empty customer.acme"}},
		{"plan scope: money and counts", updated, `
  - name: big-change
    scope: plan
    deny: plan.per_month_after - plan.per_month_before > 50.0
  - name: small-change
    scope: plan
    warn: plan.per_month_after - plan.per_month_before <= 50.0
  - name: counts
    scope: plan
    warn: plan.counts["update"] == 1 && plan.counts["no-op"] == 6 && plan.one_time == 0.0
`, nil, Facts{PerMonthBefore: "16.00", PerMonthAfter: "72.00", OneTime: "0.00"}, []string{"deny big-change ", "warn counts "}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := rules(t, tt.rules).Evaluate(Input{Plan: tt.p, Facts: tt.facts, Items: tt.items})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range v.Findings {
				got = append(got, finding(f))
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
		})
	}
}

// A finding names the object's position and the rule's.
func TestFindingPositions(t *testing.T) {
	p := compile(t, manifests, nil)
	v, err := rules(t, `
  - name: cap
    kinds: [initial]
    deny: fields.discount_rate > 0.3
    message: discounts above 30% need finance approval
`).Evaluate(Input{Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Findings) != 1 {
		t.Fatalf("findings = %+v", v.Findings)
	}
	f := v.Findings[0]
	if !strings.HasSuffix(f.Pos, "m.yaml:17:11") || f.RulePos != "onboard.project:3:5" || f.Message != "discounts above 30% need finance approval" {
		t.Errorf("finding = %+v", f)
	}
}

// A rule that reads a field the object does not set, without has(), is an
// error naming the rule and the object, not a silent pass.
func TestEvaluateError(t *testing.T) {
	p := compile(t, manifests, nil)
	_, err := rules(t, `
  - name: cap
    kinds: [recurring]
    deny: fields.discount_rate > 0.3
`).Evaluate(Input{Plan: p})
	var ee EvalErrors
	if !errors.As(err, &ee) || len(ee) != 2 {
		t.Fatalf("err = %v, want two EvalErrors", err)
	}
	msg := ee[0].Error()
	for _, want := range []string{"onboard.project:3:5", `"cap"`, "customer.acme.file.main.recurring.trunk", "no such key", "has(fields.discount_rate)"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestOverride(t *testing.T) {
	p := compile(t, manifests, nil)
	set := rules(t, `
  - name: discount-cap
    kinds: [initial]
    deny: fields.discount_rate > 0.3
  - name: big
    scope: plan
    deny: plan.per_month_after > 1000.0
  - name: note
    kinds: [customer]
    warn: true
`)
	eval := func() *Verdict {
		v, err := set.Evaluate(Input{Plan: p})
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	v := eval()
	var de *DeniedError
	if !errors.As(v.Check(), &de) || len(de.Denied) != 1 {
		t.Fatalf("Check = %v, want one denial", v.Check())
	}
	var oe *OverrideError
	if err := eval().Override(set, []Override{{Rule: "big", Reason: "r"}}); !errors.As(err, &oe) || !oe.Known {
		t.Errorf("override of a rule that did not deny: %v", err)
	}
	if err := eval().Override(set, []Override{{Rule: "note", Reason: "r"}}); !errors.As(err, &oe) || !oe.Known {
		t.Errorf("override of a warning: %v", err)
	}
	if err := eval().Override(set, []Override{{Rule: "discount-cpa", Reason: "r"}}); !errors.As(err, &oe) || oe.Known || oe.Suggest != "discount-cap" {
		t.Errorf("override of an unknown rule: %v", err)
	} else if !strings.Contains(err.Error(), `did you mean "discount-cap"`) {
		t.Errorf("message %q", err)
	}
	if err := eval().Override(set, []Override{{Rule: "discount-cap"}}); !errors.Is(err, ErrNoReason) {
		t.Errorf("override without a reason: %v", err)
	}
	if err := v.Override(set, []Override{{Rule: "discount-cap", Reason: "agreed with finance", By: "ana"}}); err != nil {
		t.Fatal(err)
	}
	if err := v.Check(); err != nil {
		t.Errorf("overridden plan: %v", err)
	}
	var got []string
	for _, f := range v.Findings {
		got = append(got, finding(f))
	}
	want := []string{"warn note customer.acme", "deny discount-cap customer.acme.file.main.initial.setup (overridden)"}
	if !slices.Equal(got, want) || len(v.Overrides) != 1 || v.Overrides[0].Reason != "agreed with finance" {
		t.Errorf("findings = %q, overrides = %+v", got, v.Overrides)
	}
}

// A rule's view of an object: manifest names, typed values, references
// by local name or id, `extra:` entries as JSON values.
func TestFields(t *testing.T) {
	got := Fields(resource.Get(resource.Recurring), map[string]string{
		"customer_file_id": "@customer.acme.file.main", "item_id": "@item.sip-trunk", "quantity": "2.50",
		"billing_frequency": "3", "active": "true", "label": "Trunk", "po_number": `"PO-7"`, "tags": `[1,2]`,
	})
	want := map[string]any{"item": "sip-trunk", "quantity": 2.5, "billing_frequency": int64(3), "active": true, "label": "Trunk",
		"extra": map[string]any{"po_number": "PO-7", "tags": []any{1.0, 2.0}}}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("Fields = %v, want %v", got, want)
	}
	byID := Fields(resource.Get(resource.Recurring), map[string]string{"item_id": "42"})
	if byID["item_id"] != int64(42) || byID["item"] != nil {
		t.Errorf("by id: %v", byID)
	}
}

// A file's follow-up step (its contacts, PUT once it exists) is judged
// with the file's whole fields, so a rule on files sees the same object
// on both of its steps.
func TestFollowUpSeesTheObject(t *testing.T) {
	p := compile(t, `
customers:
  acme:
    name: Acme
    contacts:
      billing: {last_name: Doe, email_address: billing@acme.example}
    files:
      main:
        name: Main
        contacts: [billing]
`, nil)
	v, err := rules(t, `
  - name: named-files
    kinds: [file]
    warn: fields.name == "Main"
`).Evaluate(Input{Plan: p})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, f := range v.Findings {
		got = append(got, f.Address)
	}
	if want := []string{"customer.acme.file.main", "customer.acme.file.main.links"}; !slices.Equal(got, want) {
		t.Errorf("findings on %q, want %q", got, want)
	}
}
