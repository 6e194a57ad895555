package planrender

import (
	"bytes"
	"encoding/json"
	"math/big"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/generate"
	"github.com/onboardhq/onboard/pkg/manifest"
	"github.com/onboardhq/onboard/pkg/plan"
	"github.com/onboardhq/onboard/pkg/state"
)

func compilePath(t testing.TB, path string, st *state.State) *plan.Plan {
	t.Helper()
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

var moneyYAML = filepath.Join("testdata", "money.yaml")

// TestTotals checks the figures by hand on a set with every kind of line
// and period: one-time lines (one discounted, one priced by its item),
// recurring lines of 1, 3 and 12 months, licences of 12 and 24 months.
//
// acme per month: 39.80 + 10.00/3 + 100.00/12 + 99.50/12 + 240.00/24 =
// 1674.20/24 = 69.7583… (≈ 69.76); per year 1674.20/2 = 837.10 exact.
// beta: 7.00/3 + 12.00/12 = 40.00/12 = 3.333… (≈ 3.33); per year 40.00.
// Plan: 1754.20/24 = 73.0916… (≈ 73.09), per year 877.10.
func TestTotals(t *testing.T) {
	fresh := compilePath(t, moneyYAML, nil)
	// The same set applied, then acme's monthly line from 1 to 2 seats.
	st := appliedState(fresh)
	monthly := st.Objects["customer.acme.file.main.recurring.monthly"]
	monthly.Spec["quantity"], monthly.Hash = "1", "old"
	cases := []struct {
		name string
		p    *plan.Plan
		want map[string]Money // customer ("" the plan) -> after
		// before: customer -> before (absent: nil)
		before map[string]Money
	}{
		{"fresh", fresh, map[string]Money{
			"customer.acme": {OneTime: "174.80", PerMonth: "69.76", PerMonthRounded: true, PerYear: "837.10"},
			"customer.beta": {OneTime: "0.00", PerMonth: "3.33", PerMonthRounded: true, PerYear: "40.00"},
			"":              {OneTime: "174.80", PerMonth: "73.09", PerMonthRounded: true, PerYear: "877.10"},
		}, nil},
		{"update", compilePath(t, moneyYAML, st), map[string]Money{
			"customer.acme": {OneTime: "174.80", PerMonth: "69.76", PerMonthRounded: true, PerYear: "837.10"},
			"":              {OneTime: "174.80", PerMonth: "69.76", PerMonthRounded: true, PerYear: "837.10"},
		}, map[string]Money{
			// 19.90 a month less: 1196.60/24 = 49.8583… ≈ 49.86, 598.30 a year.
			"customer.acme": {OneTime: "174.80", PerMonth: "49.86", PerMonthRounded: true, PerYear: "598.30"},
			"":              {OneTime: "174.80", PerMonth: "49.86", PerMonthRounded: true, PerYear: "598.30"},
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tot := Compute(c.p)
			got := map[string]CustomerTotals{"": tot.Plan}
			for _, ct := range tot.Customers {
				got[ct.Customer] = ct
			}
			if len(got) != len(c.want) {
				t.Fatalf("customers %v, want %v", got, c.want)
			}
			for cust, w := range c.want {
				g := got[cust]
				checkMoney(t, cust+" after", g.After, w)
				if b, ok := c.before[cust]; ok {
					if g.Before == nil {
						t.Fatalf("%s: no before, want %+v", cust, b)
					}
					checkMoney(t, cust+" before", *g.Before, b)
				} else if g.Before != nil {
					t.Errorf("%s: before %+v, want none", cust, *g.Before)
				}
			}
			if tot.Currency != "EUR" || tot.VAT != "excluded" {
				t.Errorf("currency %q vat %q", tot.Currency, tot.VAT)
			}
		})
	}
}

func checkMoney(t *testing.T, what string, got, want Money) {
	t.Helper()
	if got.OneTime != want.OneTime || got.PerMonth != want.PerMonth || got.PerYear != want.PerYear ||
		got.PerMonthRounded != want.PerMonthRounded || got.PerYearRounded != want.PerYearRounded {
		t.Errorf("%s = one-time %s, month %s (rounded %v), year %s (rounded %v); want %s, %s (%v), %s (%v)", what,
			got.OneTime, got.PerMonth, got.PerMonthRounded, got.PerYear, got.PerYearRounded,
			want.OneTime, want.PerMonth, want.PerMonthRounded, want.PerYear, want.PerYearRounded)
	}
}

// appliedState is the state after p was applied, each object with id
// 100+i and its spec copied.
func appliedState(p *plan.Plan) *state.State {
	st := &state.State{Objects: map[string]*state.Object{}}
	for i, s := range p.Steps {
		spec := make(map[string]string, len(s.Spec))
		for k, v := range s.Spec {
			spec[k] = v
		}
		st.Objects[s.Addr] = &state.Object{Addr: s.Addr, Kind: string(s.Kind), ID: int64(100 + i),
			Status: state.StatusCreated, Hash: s.Hash, Spec: spec}
	}
	return st
}

// TestTotalsAreSumOfPreviews recomputes every customer's and the plan's
// figures from the per-file previews with math/big rationals, a second
// and independent way, and compares: equal when exact, equal once
// rounded half up to the cent when marked rounded.
func TestTotalsAreSumOfPreviews(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "set")
	if err := generate.Write(dir, 300, 1); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{moneyYAML, dir} {
		t.Run(filepath.Base(path), func(t *testing.T) {
			p := compilePath(t, path, nil)
			tot := Compute(p)
			type sums struct{ once, month *big.Rat }
			per := map[string]*sums{}
			all := &sums{new(big.Rat), new(big.Rat)}
			for _, fp := range p.Previews {
				s := per[fp.Customer]
				if s == nil {
					s = &sums{new(big.Rat), new(big.Rat)}
					per[fp.Customer] = s
				}
				for _, acc := range []*sums{s, all} {
					if fp.OneTime != nil && fp.OneTime.After != nil {
						acc.once.Add(acc.once, rat(t, fp.OneTime.After.Total))
					}
					for _, b := range append(append([]plan.Billing{}, fp.Cycles...), fp.Licences...) {
						if b.After == nil || b.Months == 0 {
							continue
						}
						r := rat(t, b.After.Total)
						acc.month.Add(acc.month, r.Quo(r, big.NewRat(int64(b.Months), 1)))
					}
				}
			}
			if len(tot.Customers) != len(per) || len(per) == 0 {
				t.Fatalf("%d customers in the totals, %d in the previews", len(tot.Customers), len(per))
			}
			check := func(who string, m Money, s *sums) {
				year := new(big.Rat).Mul(s.month, big.NewRat(12, 1))
				for _, f := range []struct {
					name, got string
					rounded   bool
					want      *big.Rat
				}{{"one-time", m.OneTime, false, s.once}, {"per month", m.PerMonth, m.PerMonthRounded, s.month},
					{"per year", m.PerYear, m.PerYearRounded, year}} {
					want := f.want
					if f.rounded {
						want = roundCents(want)
					}
					if rat(t, f.got).Cmp(want) != 0 {
						t.Errorf("%s %s = %s (rounded %v), the previews sum to %s", who, f.name, f.got, f.rounded, f.want.FloatString(6))
					}
				}
			}
			for _, ct := range tot.Customers {
				check(ct.Customer, ct.After, per[ct.Customer])
			}
			check("plan", tot.Plan.After, all)
		})
	}
}

func rat(t *testing.T, s string) *big.Rat {
	t.Helper()
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		t.Fatalf("not a decimal: %q", s)
	}
	return r
}

// roundCents rounds a non-negative r to the cent, half up.
func roundCents(r *big.Rat) *big.Rat {
	n := new(big.Int).Mul(r.Num(), big.NewInt(200))
	n.Add(n, r.Denom())
	d := new(big.Int).Mul(r.Denom(), big.NewInt(2))
	n.Quo(n, d) // floor((100r + 1/2))
	return new(big.Rat).SetFrac(n, big.NewInt(100))
}

// TestJSONTotals checks that the JSON plan carries the totals, prices as
// strings, equal to Compute's.
func TestJSONTotals(t *testing.T) {
	p := compilePath(t, moneyYAML, nil)
	var b bytes.Buffer
	if err := JSON(&b, p, "test"); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Totals json.RawMessage `json:"totals"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("invalid JSON: %v", err)
	}
	var got Totals
	if err := json.Unmarshal(doc.Totals, &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, Compute(p)) {
		t.Errorf("JSON totals %+v, want %+v", got, Compute(p))
	}
	for _, w := range []string{`"per_month":"73.09"`, `"per_month_rounded":true`, `"per_year":"877.10"`,
		`"currency":"EUR"`, `"vat":"excluded"`, `"charge":"licences",`} {
		if !strings.Contains(string(doc.Totals), w) {
			t.Errorf("JSON totals lack %s:\n%s", w, doc.Totals)
		}
	}
}
