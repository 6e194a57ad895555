package bluerocktel_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"net/url"
	"testing"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/sandbox"
)

// TestCookbookAgainstSandbox sends the cookbook's seven requests through
// the client to the sandbox and checks every field the cookbook documents
// in its responses (ids and timestamps aside), then finds each object
// again by its natural key.
func TestCookbookAgainstSandbox(t *testing.T) {
	srv, err := sandbox.New(sandbox.Options{Token: "cookbook-token"})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	defer hs.Close()
	c, err := bluerocktel.New(bluerocktel.Config{BaseURL: hs.URL + "/api", Token: "cookbook-token"})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	create := func(k resource.Kind, q url.Values, body string) *bluerocktel.Record {
		t.Helper()
		rec, err := c.Create(ctx, k, q, []byte(body))
		if err != nil {
			t.Fatalf("create %s: %v", k, err)
		}
		if rec.ID <= 0 {
			t.Fatalf("create %s: no id", k)
		}
		return rec
	}
	expect := func(rec *bluerocktel.Record, fields map[string]string) {
		t.Helper()
		for f, want := range fields {
			if got := string(rec.Fields[f]); got != want {
				t.Errorf("%s = %s, want %s", f, got, want)
			}
		}
		for _, f := range []string{"created_at", "updated_at"} {
			if _, ok := rec.Fields[f]; !ok {
				t.Errorf("response lacks %s", f)
			}
		}
	}

	fam := create(resource.Family, nil, `{"name": "VoIP Services"}`)
	expect(fam, map[string]string{"name": `"VoIP Services"`})

	item := create(resource.Item, nil, fmt.Sprintf(`{"description": "SIP Trunk — 2 channels", "family_id": %d,
		"selling_price_without_tax": 19.90, "billing_frequency": 1, "active_for_recurring_billing": true}`, fam.ID))
	expect(item, map[string]string{"description": `"SIP Trunk — 2 channels"`, "family_id": fmt.Sprint(fam.ID),
		"selling_price_without_tax": `"19.90"`, "billing_frequency": "1", "active_for_recurring_billing": "true", "active": "true"})

	cust := create(resource.Customer, nil, `{"name": "Acme Telecom SAS", "email_address": "contact@acme-telecom.fr",
		"phone": "+33123456789", "main_address_line1": "12 rue de la Paix", "main_address_postal_code": "75001",
		"main_address_city": "Paris", "main_address_country": "France", "charge_vat": true}`)
	expect(cust, map[string]string{"name": `"Acme Telecom SAS"`, "customer_account": fmt.Sprintf(`"CL%06d"`, cust.ID),
		"email_address": `"contact@acme-telecom.fr"`, "charge_vat": "true", "active": "true"})

	fileQuery := url.Values{"fileable_type": {"customer"}, "fileable_id": {fmt.Sprint(cust.ID)}}
	file := create(resource.CustomerFile, fileQuery, `{"name": "Main Contract 2026", "billing_frequency": 1,
		"services_start": "2026-04-01", "first_invoice": "2026-04-01"}`)
	expect(file, map[string]string{"fileable_type": `"customer"`, "fileable_id": fmt.Sprint(cust.ID),
		"name": `"Main Contract 2026"`, "billing_frequency": "1", "services_start": `"2026-04-01"`, "first_invoice": `"2026-04-01"`})

	lines := []struct {
		kind resource.Kind
		body string
	}{
		{resource.Licence, `"quantity": 5, "activation_date": "2026-04-01", "renewal_date": "2027-04-01", "frequency": 12`},
		{resource.Initial, `"quantity": 1, "label": "Installation fee — SIP Trunk setup", "selling_price_without_tax": 150.00`},
		{resource.Recurring, `"quantity": 2, "service_start": "2026-04-01", "first_invoice": "2026-04-01", "billing_frequency": 1, "commitment": 24, "active": true`},
	}
	for _, l := range lines {
		rec := create(l.kind, nil, fmt.Sprintf(`{"customer_file_id": %d, "item_id": %d, %s}`, file.ID, item.ID, l.body))
		expect(rec, map[string]string{"customer_file_id": fmt.Sprint(file.ID), "item_id": fmt.Sprint(item.ID)})
	}

	// Natural-key lookups find exactly the objects created.
	lookups := []struct {
		kind  resource.Kind
		query url.Values
		want  map[string]string
		id    int64
	}{
		{resource.Family, nil, map[string]string{"name": "VoIP Services"}, fam.ID},
		{resource.Item, nil, map[string]string{"description": "SIP Trunk — 2 channels", "family_id": fmt.Sprint(fam.ID), "selling_price_without_tax": "19.9"}, item.ID},
		{resource.Customer, nil, map[string]string{"name": "Acme Telecom SAS", "email_address": "contact@acme-telecom.fr"}, cust.ID},
		{resource.CustomerFile, fileQuery, map[string]string{"name": "Main Contract 2026"}, file.ID},
		{resource.Licence, nil, map[string]string{"customer_file_id": fmt.Sprint(file.ID), "item_id": fmt.Sprint(item.ID),
			"quantity": "5", "activation_date": "2026-04-01", "renewal_date": "2027-04-01", "frequency": "12"}, 0},
	}
	for _, l := range lookups {
		recs, err := c.Lookup(ctx, l.kind, l.query, l.want)
		if err != nil {
			t.Fatalf("lookup %s: %v", l.kind, err)
		}
		if len(recs) != 1 || (l.id != 0 && recs[0].ID != l.id) {
			ids := []int64{}
			for _, r := range recs {
				ids = append(ids, r.ID)
			}
			t.Errorf("lookup %s found %v, want exactly [%d]", l.kind, ids, l.id)
		}
	}
	// A line that differs in one field is not the same line.
	recs, err := c.Lookup(ctx, resource.Licence, nil, map[string]string{"customer_file_id": fmt.Sprint(file.ID),
		"item_id": fmt.Sprint(item.ID), "quantity": "6"})
	if err != nil || len(recs) != 0 {
		t.Errorf("lookup of a different licence found %d (err %v), want none", len(recs), err)
	}

	// GET of the file returns its lines.
	got, err := c.Get(ctx, resource.CustomerFile, file.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{"licences", "initials", "recurrings"} {
		var arr []json.RawMessage
		if err := json.Unmarshal(got.Fields[k], &arr); err != nil || len(arr) != 1 {
			t.Errorf("GET file: %s = %s, want one line", k, got.Fields[k])
		}
	}
}
