package importer

import (
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

func TestValue(t *testing.T) {
	field := func(k resource.Kind, name string) resource.Field {
		f, ok := resource.Get(k).Field(name)
		if !ok {
			t.Fatalf("%s has no %s", k, name)
		}
		return f
	}
	price := field(resource.Item, "selling_price_without_tax")
	qty := field(resource.Recurring, "quantity")
	freq := field(resource.Item, "billing_frequency")
	start := field(resource.CustomerFile, "services_start")
	vat := field(resource.Customer, "charge_vat")
	postal := field(resource.Customer, "main_address_postal_code")
	item := field(resource.Recurring, "item")
	contacts := field(resource.CustomerFile, "contacts")
	for _, tc := range []struct {
		name string
		f    resource.Field
		key  string
		cell Cell
		want string
	}{
		{"money number", price, "", Cell{Text: "19.9", Number: true}, "19.90"},
		{"money text", price, "", Cell{Text: "19.90"}, "19.90"},
		{"money whole", price, "", Cell{Text: "150", Number: true}, "150.00"},
		{"money binary noise", price, "", Cell{Text: "19.899999999999999", Number: true}, "19.90"},
		{"money exponent", price, "", Cell{Text: "1.5E2", Number: true}, "150.00"},
		{"money finer than cents kept for the check", price, "", Cell{Text: "19.999"}, "19.999"},
		{"money with a comma kept for the check", price, "", Cell{Text: "19,90"}, "19,90"},
		{"quantity number", qty, "", Cell{Text: "2.5", Number: true}, "2.5"},
		{"quantity text trailing zeros", qty, "", Cell{Text: "2.50"}, "2.5"},
		{"quantity whole text", qty, "", Cell{Text: "2.0"}, "2"},
		{"quantity hundred", qty, "", Cell{Text: "100"}, "100"},
		{"quantity not a number", qty, "", Cell{Text: "abc"}, "abc"},
		{"integer", freq, "", Cell{Text: "12", Number: true}, "12"},
		{"integer text with zero fraction", freq, "", Cell{Text: "12.0"}, "12"},
		{"integer with a fraction kept", freq, "", Cell{Text: "1.5"}, "1.5"},
		{"date serial", start, "", Cell{Text: "46113", Pos: Pos{Sheet: "files"}}, "2026-04-01"},
		{"date serial with a time", start, "", Cell{Text: "46113.5", Pos: Pos{Sheet: "files"}}, "2026-04-01"},
		{"a number in a CSV file is no date", start, "", Cell{Text: "46113"}, "46113"},
		{"date text", start, "", Cell{Text: "2026-04-01"}, "2026-04-01"},
		{"date ISO cell", start, "", Cell{Text: "2026-04-01T00:00:00Z"}, "2026-04-01"},
		{"date other text kept", start, "", Cell{Text: "01/04/2026"}, "01/04/2026"},
		{"boolean cell", vat, "", Cell{Text: "1"}, "true"},
		{"boolean text", vat, "", Cell{Text: "FALSE"}, "false"},
		{"string from a number cell", postal, "", Cell{Text: "75001", Number: true}, "75001"},
		{"string text kept", postal, "", Cell{Text: "07501"}, "07501"},
		{"reference by key", item, "item", Cell{Text: " sip-trunk "}, "sip-trunk"},
		{"reference by id", item, "item_id", Cell{Text: "42", Number: true}, "42"},
		{"list of keys", contacts, "contacts", Cell{Text: "tech, billing"}, "billing,tech"},
		{"list of ids", contacts, "contact_ids", Cell{Text: "12;13.0"}, "12,13"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			key := tc.key
			if key == "" {
				key = tc.f.Name
			}
			if got := value(tc.f, key, tc.cell, false); got != tc.want {
				t.Errorf("value(%q) = %q, want %q", tc.cell.Text, got, tc.want)
			}
		})
	}
}
