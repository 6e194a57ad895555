package resource

import (
	"encoding/json"
	"testing"
)

func field(t *testing.T, k Kind, name string) Field {
	t.Helper()
	f, ok := Get(k).Field(name)
	if !ok {
		t.Fatalf("%s has no field %s", k, name)
	}
	return f
}

func TestCanonical(t *testing.T) {
	money := field(t, Licence, "selling_price_without_tax")
	qty := field(t, Licence, "quantity")
	freq := field(t, Licence, "frequency")
	active := field(t, Licence, "active")
	date := field(t, Licence, "activation_date")
	item := field(t, Licence, "item")
	name := field(t, Family, "name")
	tests := []struct {
		f    Field
		in   string
		want string
	}{
		{money, "19.9", "19.90"},
		{money, "150", "150.00"},
		{money, "19.90", "19.90"},
		{money, "19.905", "19.91"}, // half away from zero, as a DECIMAL(_,2) column
		{money, "19.904", "19.90"},
		{money, "19.9050", "19.91"},
		{money, "-0.005", "-0.01"},
		{money, "-0.001", "0.00"},
		{money, "0", "0.00"},
		{money, "007.5", "7.50"},
		{money, "", ""},
		{qty, "5.0", "5"},
		{qty, "0.10", "0.1"},
		{qty, "2.5", "2.5"},
		{qty, "100", "100"},
		{qty, "1e2", "100"},
		{qty, "0.000", "0"},
		{qty, "1.23456789", "1.23456789"},
		{freq, "12", "12"},
		{freq, "012", "12"},
		{freq, "12.0", "12"},
		{item, "42", "42"},
		{active, "true", "true"},
		{active, "1", "true"},
		{active, "false", "false"},
		{active, "0", "false"},
		{date, "2026-04-01", "2026-04-01"},
		{date, "2026-04-01T00:00:00.000000Z", "2026-04-01"},
		{name, "VoIP Services ", "VoIP Services"},
		{name, "  Dupont, Fils\t", "Dupont, Fils"},
		{name, "\u00a0Café\u200b", "Café"},
		{name, "   ", ""},
		{name, "", ""},
		{name, "l'Hôtel", "l'Hôtel"},
	}
	for _, tt := range tests {
		if got := tt.f.Canonical(tt.in); got != tt.want {
			t.Errorf("%s(%s).Canonical(%q) = %q, want %q", tt.f.Name, tt.f.Type, tt.in, got, tt.want)
		}
	}
}

func TestCanonicalJSON(t *testing.T) {
	money := field(t, Item, "selling_price_without_tax")
	qty := field(t, Initial, "quantity")
	freq := field(t, Item, "billing_frequency")
	active := field(t, Item, "active_for_recurring_billing")
	date := field(t, CustomerFile, "services_start")
	fam := field(t, Item, "family")
	name := field(t, Customer, "name")
	tests := []struct {
		f    Field
		raw  string
		want string
		ok   bool
	}{
		{money, `"19.90"`, "19.90", true},
		{money, `19.9`, "19.90", true},
		{money, `"19.91"`, "19.91", true},
		{money, `null`, "", true},
		{money, `""`, "", true},
		{money, `"abc"`, "", false},
		{money, `true`, "", false},
		{qty, `"5.00"`, "5", true},
		{qty, `5`, "5", true},
		{qty, ` 2.50 `, "2.5", true},
		{freq, `"12"`, "12", true},
		{freq, `12`, "12", true},
		{freq, `12.5`, "", false},
		{fam, `7`, "7", true},
		{fam, `"7"`, "7", true},
		{active, `true`, "true", true},
		{active, `1`, "true", true},
		{active, `0`, "false", true},
		{active, `"1"`, "true", true},
		{active, `"0"`, "false", true},
		{active, `2`, "", false},
		{active, `"yes"`, "", false},
		{date, `"2026-04-01"`, "2026-04-01", true},
		{date, `"2026-04-01 00:00:00"`, "2026-04-01", true},
		{date, `"01/04/2026"`, "", false},
		{date, `20260401`, "", false},
		{name, `"Acme "`, "Acme", true},
		{name, `"Caf\u00e9"`, "Café", true},
		{name, `""`, "", true},
		{name, `{"a":1}`, "", false},
		{name, `[1]`, "", false},
		{name, ``, "", false},
		{name, `"unterminated`, "", false},
	}
	for _, tt := range tests {
		got, ok := tt.f.CanonicalJSON(json.RawMessage(tt.raw))
		if got != tt.want || ok != tt.ok {
			t.Errorf("%s(%s).CanonicalJSON(%s) = %q, %v; want %q, %v", tt.f.Name, tt.f.Type, tt.raw, got, ok, tt.want, tt.ok)
		}
	}
}

// What onboard sends and what the server answers for it meet in one
// canonical form, for every field of the table: the expected one, not
// merely the same on both sides.
func TestCanonicalSentEqualsAnswered(t *testing.T) {
	samples := map[Type]struct{ sent, answered, want string }{
		String:    {"Acme ", `"Acme"`, "Acme"},
		Integer:   {"12", `"12"`, "12"},
		Decimal:   {"2.50", `"2.5000"`, "2.5"},
		Boolean:   {"true", `1`, "true"},
		Date:      {"2026-04-01", `"2026-04-01"`, "2026-04-01"},
		Reference: {"42", `42`, "42"},
		// A set: order does not matter, ids as numbers or strings.
		ReferenceList: {"13,12", `[12,"13"]`, "12,13"},
	}
	n := 0
	for _, s := range All() {
		for _, f := range s.Fields {
			in, ok := samples[f.Type]
			if !ok {
				t.Fatalf("%s.%s: no sample of type %s", s.Kind, f.Name, f.Type)
			}
			want := in.want
			if f.Money {
				want = "2.50" // kept to the cent
			}
			sent := f.Canonical(in.sent)
			got, ok := f.CanonicalJSON(json.RawMessage(in.answered))
			if !ok || got != want || sent != want {
				t.Errorf("%s.%s: sent %q canonical %q, answered %s canonical %q (ok %v); want %q", s.Kind, f.Name, in.sent, sent, in.answered, got, ok, want)
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no field compared")
	}
}

func TestMoneyFieldsKeepTwoDecimals(t *testing.T) {
	n := 0
	for _, s := range All() {
		for _, f := range s.Fields {
			if f.Money {
				n++
				if f.Scale != 2 {
					t.Errorf("%s.%s: Scale %d, the API keeps money to 2 decimals", s.Kind, f.Name, f.Scale)
				}
			} else if f.Scale != 0 {
				t.Errorf("%s.%s: Scale %d on a field that is not money", s.Kind, f.Name, f.Scale)
			}
		}
	}
	if n != 4 {
		t.Errorf("%d money fields, want 4 (item and three lines)", n)
	}
}

// Every type of the table says how the API stores it (the README's field
// reference shows it).
func TestEveryTypeSaysHowItIsStored(t *testing.T) {
	for _, s := range All() {
		for _, f := range s.Fields {
			if f.Type.Stored() == "" {
				t.Errorf("%s.%s: type %s does not say how the API stores it", s.Kind, f.Name, f.Type)
			}
		}
	}
}
