package resource_test

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

func record(t *testing.T, js string) *resource.Record {
	t.Helper()
	var f map[string]json.RawMessage
	if err := json.Unmarshal([]byte(js), &f); err != nil {
		t.Fatal(err)
	}
	return &resource.Record{ID: 1, Fields: f}
}

func TestCompare(t *testing.T) {
	ids := func(addr string) (int64, bool) {
		id, ok := map[string]int64{"item.trunk": 100001, "customer.acme.file.main": 300001, "customer.acme": 200001,
			"customer.acme.contact.billing": 700001, "customer.acme.contact.tech": 700002}[addr]
		return id, ok
	}
	line := map[string]string{"customer_file_id": "@customer.acme.file.main", "item_id": "@item.trunk", "quantity": "5"}
	tests := []struct {
		name     string
		kind     resource.Kind
		recorded map[string]string
		live     string
		want     []resource.Drift
	}{
		{name: "API defaults and server fields are never drift", kind: resource.Recurring, recorded: line,
			live: `{"id":1,"customer_file_id":300001,"item_id":100001,"quantity":5,"label":"SIP Trunk","selling_price_without_tax":"19.90",
				"active":true,"lineKey":"abc","created_at":"2026-03-24T10:00:00Z"}`},
		{name: "changed quantity", kind: resource.Recurring, recorded: line,
			live: `{"customer_file_id":300001,"item_id":100001,"quantity":"8"}`,
			want: []resource.Drift{{Wire: "quantity", Recorded: "5", Live: "8"}}},
		{name: "quantity answered as a string with decimals", kind: resource.Recurring, recorded: line,
			live: `{"customer_file_id":"300001","item_id":100001,"quantity":"5.00"}`},
		{name: "price 19.9 sent, 19.90 answered", kind: resource.Item,
			recorded: map[string]string{"description": "Trunk", "selling_price_without_tax": "19.9", "active_for_recurring_billing": "true", "billing_frequency": "1"},
			live:     `{"description":"Trunk","selling_price_without_tax":"19.90","active_for_recurring_billing":1,"billing_frequency":"1","active":1}`},
		{name: "price changed", kind: resource.Item,
			recorded: map[string]string{"description": "Trunk", "selling_price_without_tax": "19.90"},
			live:     `{"description":"Trunk","selling_price_without_tax":"21.00"}`,
			want:     []resource.Drift{{Wire: "selling_price_without_tax", Recorded: "19.90", Live: "21.00"}}},
		{name: "booleans 0 and false", kind: resource.Customer,
			recorded: map[string]string{"name": "Acme", "charge_vat": "false"}, live: `{"name":" Acme ","charge_vat":0}`},
		{name: "boolean flipped", kind: resource.Customer,
			recorded: map[string]string{"name": "Acme", "charge_vat": "true"}, live: `{"name":"Acme","charge_vat":"0"}`,
			want: []resource.Drift{{Wire: "charge_vat", Recorded: "true", Live: "false"}}},
		{name: "reference moved to another item, in field order", kind: resource.Licence,
			recorded: map[string]string{"customer_file_id": "@customer.acme.file.main", "item_id": "@item.trunk", "quantity": "5", "activation_date": "2026-04-01"},
			live:     `{"customer_file_id":300002,"item_id":100002,"quantity":5,"activation_date":null}`,
			want: []resource.Drift{{Wire: "customer_file_id", Recorded: "@customer.acme.file.main", Live: "300002"},
				{Wire: "item_id", Recorded: "@item.trunk", Live: "100002"}, {Wire: "activation_date", Recorded: "2026-04-01", Live: ""}}},
		{name: "reference by existing id; unknown target skipped", kind: resource.Item,
			recorded: map[string]string{"description": "Trunk", "family_id": "7"}, live: `{"description":"Trunk","family_id":7}`},
		{name: "reference to an object whose id is not known", kind: resource.Item,
			recorded: map[string]string{"description": "Trunk", "family_id": "@family.new"}, live: `{"description":"Trunk","family_id":9}`},
		{name: "query parameters of a file", kind: resource.CustomerFile,
			recorded: map[string]string{"?fileable_type": "customer", "?fileable_id": "@customer.acme", "name": "Main"},
			live:     `{"fileable_type":"customer","fileable_id":200001,"name":"Main","licences":[]}`},
		{name: "file moved to another customer", kind: resource.CustomerFile,
			recorded: map[string]string{"?fileable_type": "customer", "?fileable_id": "@customer.acme", "name": "Main"},
			live:     `{"fileable_type":"customer","fileable_id":200002,"name":"Main"}`,
			want:     []resource.Drift{{Wire: "?fileable_id", Recorded: "@customer.acme", Live: "200002"}}},
		{name: "a file's contacts: the same set in another order", kind: resource.CustomerFile,
			recorded: map[string]string{"contact_ids": "@customer.acme.contact.billing,@customer.acme.contact.tech,42", "billing_next": "2026-05-01"},
			live:     `{"contact_ids":[42,"700002",700001],"billing_next":"2026-05-01"}`},
		{name: "a file's contacts changed", kind: resource.CustomerFile,
			recorded: map[string]string{"contact_ids": "@customer.acme.contact.billing,@customer.acme.contact.tech"},
			live:     `{"contact_ids":[700002]}`,
			want:     []resource.Drift{{Wire: "contact_ids", Recorded: "@customer.acme.contact.billing,@customer.acme.contact.tech", Live: "700002"}}},
		{name: "a listed contact whose id is not known", kind: resource.CustomerFile,
			recorded: map[string]string{"contact_ids": "@customer.acme.contact.new"}, live: `{"contact_ids":[]}`},
		{name: "a field the API does not answer is not compared", kind: resource.Customer,
			recorded: map[string]string{"name": "Acme", "phone": "+33123"}, live: `{"name":"Acme"}`},
		{name: "value of the wrong type", kind: resource.Recurring, recorded: line,
			live: `{"customer_file_id":300001,"item_id":100001,"quantity":"five"}`,
			want: []resource.Drift{{Wire: "quantity", Recorded: "5", Live: `"five"`}}},
		{name: "extra fields by meaning", kind: resource.Customer,
			recorded: map[string]string{"name": "Acme", "siret": `"123"`, "tags": `{"a":1.0,"b":[true]}`, "note": `"x"`},
			live:     `{"name":"Acme","siret":"123","tags":{"b":[true],"a":1},"note":"y"}`,
			want:     []resource.Drift{{Wire: "note", Recorded: `"x"`, Live: `"y"`}}},
		{name: "dates", kind: resource.CustomerFile,
			recorded: map[string]string{"name": "Main", "services_start": "2026-04-01", "first_invoice": "2026-05-01"},
			live:     `{"name":"Main","services_start":"2026-04-01","first_invoice":"2026-06-01"}`,
			want:     []resource.Drift{{Wire: "first_invoice", Recorded: "2026-05-01", Live: "2026-06-01"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resource.Compare(resource.Get(tt.kind), tt.recorded, record(t, tt.live), ids)
			if fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("Compare = %+v\nwant      %+v", got, tt.want)
			}
		})
	}
	if got := resource.Compare(resource.Get(resource.Family), map[string]string{"name": "x"}, nil, ids); got != nil {
		t.Errorf("Compare with no live record = %v, want nothing", got)
	}
}

func TestLiveSpec(t *testing.T) {
	ids := func(addr string) (int64, bool) {
		return map[string]int64{"item.trunk": 100001}[addr], addr == "item.trunk"
	}
	recorded := map[string]string{"customer_file_id": "300001", "item_id": "@item.trunk", "quantity": "5", "label": "Setup", "discount_rate": "0.1"}
	live := record(t, `{"customer_file_id":300001,"item_id":100001,"quantity":"8.00","label":null,"discount_rate":"0.10"}`)
	got := resource.LiveSpec(resource.Get(resource.Initial), recorded, live, ids)
	want := map[string]string{"customer_file_id": "300001", "item_id": "@item.trunk", "quantity": "8", "label": "", "discount_rate": "0.1"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("LiveSpec = %v\nwant     %v", got, want)
	}
	if recorded["quantity"] != "5" {
		t.Error("LiveSpec changed its argument")
	}
	moved := record(t, `{"customer_file_id":300001,"item_id":100002,"quantity":5,"label":"Setup","discount_rate":0.1}`)
	if got := resource.LiveSpec(resource.Get(resource.Initial), recorded, moved, ids)["item_id"]; got != "100002" {
		t.Errorf("moved reference = %q, want the live id 100002", got)
	}
}
