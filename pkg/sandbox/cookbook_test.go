package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/onboardhq/onboard/pkg/resource"
)

// The cookbook's ids, substituted by the ids the sandbox returns.
const (
	cbFamily   = "7"
	cbItem     = "42"
	cbCustomer = "101"
	cbFile     = "500"
)

// cookbookStep is one of the cookbook's seven requests: the body exactly as
// in its curl example, and the documented response (steps 5-7 document
// none: their expectation is the request echoed, prices as strings).
type cookbookStep struct {
	name, path, body, response string
	refs                       map[string]string // response field -> cookbook id it refers to
}

var cookbook = []cookbookStep{
	{
		name: "family", path: "/api/v1/families",
		body:     `{"name": "VoIP Services"}`,
		response: `{"id": 7, "name": "VoIP Services", "created_at": "2026-03-24T10:00:00Z", "updated_at": "2026-03-24T10:00:00Z"}`,
	},
	{
		name: "item", path: "/api/v1/items",
		body: `{
    "description": "SIP Trunk — 2 channels",
    "family_id": 7,
    "selling_price_without_tax": 19.90,
    "billing_frequency": 1,
    "active_for_recurring_billing": true
  }`,
		response: `{
  "id": 42,
  "description": "SIP Trunk — 2 channels",
  "family_id": 7,
  "selling_price_without_tax": "19.90",
  "billing_frequency": 1,
  "active_for_recurring_billing": true,
  "active": true,
  "created_at": "2026-03-24T10:01:00Z",
  "updated_at": "2026-03-24T10:01:00Z"
}`,
		refs: map[string]string{"family_id": cbFamily},
	},
	{
		name: "customer", path: "/api/v1/customers",
		body: `{
    "name": "Acme Telecom SAS",
    "email_address": "contact@acme-telecom.fr",
    "phone": "+33123456789",
    "main_address_line1": "12 rue de la Paix",
    "main_address_postal_code": "75001",
    "main_address_city": "Paris",
    "main_address_country": "France",
    "charge_vat": true
  }`,
		response: `{
  "id": 101,
  "name": "Acme Telecom SAS",
  "customer_account": "CL000101",
  "email_address": "contact@acme-telecom.fr",
  "charge_vat": true,
  "active": true,
  "created_at": "2026-03-24T10:02:00Z",
  "updated_at": "2026-03-24T10:02:00Z"
}`,
	},
	{
		name: "customer file", path: "/api/v1/customer-files?fileable_type=customer&fileable_id=101",
		body: `{
    "name": "Main Contract 2026",
    "billing_frequency": 1,
    "services_start": "2026-04-01",
    "first_invoice": "2026-04-01"
  }`,
		response: `{
  "id": 500,
  "fileable_type": "customer",
  "fileable_id": 101,
  "name": "Main Contract 2026",
  "billing_frequency": 1,
  "services_start": "2026-04-01",
  "first_invoice": "2026-04-01",
  "created_at": "2026-03-24T10:03:00Z",
  "updated_at": "2026-03-24T10:03:00Z"
}`,
		refs: map[string]string{"fileable_id": cbCustomer},
	},
	{
		name: "licence", path: "/api/v1/customer-files/licences",
		body: `{
    "customer_file_id": 500,
    "item_id": 42,
    "quantity": 5,
    "activation_date": "2026-04-01",
    "renewal_date": "2027-04-01",
    "frequency": 12
  }`,
		response: `{"id": 1, "customer_file_id": 500, "item_id": 42, "quantity": 5, "activation_date": "2026-04-01",
  "renewal_date": "2027-04-01", "frequency": 12, "active": true,
  "created_at": "2026-03-24T10:04:00Z", "updated_at": "2026-03-24T10:04:00Z"}`,
		refs: map[string]string{"customer_file_id": cbFile, "item_id": cbItem},
	},
	{
		name: "initial", path: "/api/v1/customer-files/initials",
		body: `{
    "customer_file_id": 500,
    "item_id": 42,
    "quantity": 1,
    "label": "Installation fee — SIP Trunk setup",
    "selling_price_without_tax": 150.00
  }`,
		response: `{"id": 1, "customer_file_id": 500, "item_id": 42, "quantity": 1,
  "label": "Installation fee — SIP Trunk setup", "selling_price_without_tax": "150.00",
  "created_at": "2026-03-24T10:05:00Z", "updated_at": "2026-03-24T10:05:00Z"}`,
		refs: map[string]string{"customer_file_id": cbFile, "item_id": cbItem},
	},
	{
		name: "recurring", path: "/api/v1/customer-files/recurrings",
		body: `{
    "customer_file_id": 500,
    "item_id": 42,
    "quantity": 2,
    "service_start": "2026-04-01",
    "first_invoice": "2026-04-01",
    "billing_frequency": 1,
    "commitment": 24,
    "active": true
  }`,
		response: `{"id": 1, "customer_file_id": 500, "item_id": 42, "quantity": 2, "service_start": "2026-04-01",
  "first_invoice": "2026-04-01", "billing_frequency": 1, "commitment": 24, "active": true,
  "created_at": "2026-03-24T10:06:00Z", "updated_at": "2026-03-24T10:06:00Z"}`,
		refs: map[string]string{"customer_file_id": cbFile, "item_id": cbItem},
	},
}

// TestCookbook sends the cookbook's seven requests in order and checks
// every documented response field (ids substituted; the test clock makes
// the timestamps the cookbook's).
func TestCookbook(t *testing.T) {
	s := newTest(t, Options{})
	ids := map[string]string{} // cookbook id -> sandbox id
	subst := func(s string) string {
		for _, from := range []string{cbFamily, cbItem, cbCustomer, cbFile} {
			if to, ok := ids[from]; ok {
				s = strings.NewReplacer(
					": "+from+",", ": "+to+",",
					": "+from+"\n", ": "+to+"\n",
					"fileable_id="+from, "fileable_id="+to,
				).Replace(s)
			}
		}
		return s
	}
	cookbookIDs := []string{cbFamily, cbItem, cbCustomer, cbFile}
	for i, step := range cookbook {
		r := call(t, s, http.MethodPost, subst(step.path), subst(step.body))
		if r.status != http.StatusCreated {
			t.Fatalf("step %d (%s): status %d: %s", i+1, step.name, r.status, r.raw)
		}
		id := idOf(t, r.obj)
		want := decodeJSON(t, []byte(step.response))
		for field, w := range want {
			got, ok := r.obj[field]
			switch {
			case field == "id":
				continue
			case step.refs[field] != "":
				w = jsonNum(ids[step.refs[field]])
			case field == "customer_account":
				w = fmt.Sprintf("CL%06d", id)
			}
			if !ok || text(got) != text(w) {
				t.Errorf("step %d (%s): %s = %s, want %s", i+1, step.name, field, text(got), text(w))
			}
		}
		// Every stored field is returned, so each field sent comes back.
		sent := decodeJSON(t, []byte(step.body))
		for field := range sent {
			if _, ok := r.obj[field]; !ok {
				t.Errorf("step %d (%s): sent field %s missing from the response", i+1, step.name, field)
			}
		}
		if i < len(cookbookIDs) {
			ids[cookbookIDs[i]] = fmt.Sprint(id)
		}
	}

	// The customer file comes back with its lines.
	r := call(t, s, http.MethodGet, "/api/v1/customer-files/"+ids[cbFile], "")
	if r.status != http.StatusOK {
		t.Fatalf("GET file: %d %s", r.status, r.raw)
	}
	for _, coll := range []string{"licences", "initials", "recurrings"} {
		lines, ok := r.obj[coll].([]any)
		if !ok || len(lines) != 1 {
			t.Fatalf("GET file: %s = %v, want one line", coll, r.obj[coll])
		}
		line := lines[0].(map[string]any)
		if text(line["customer_file_id"]) != ids[cbFile] || text(line["item_id"]) != ids[cbItem] {
			t.Errorf("GET file: %s line = %v", coll, line)
		}
	}
	if got := s.Stats().TotalDuplicates(); got != 0 {
		t.Errorf("duplicates = %d, want 0", got)
	}
	for _, k := range []resource.Kind{resource.Family, resource.Item, resource.Customer, resource.CustomerFile,
		resource.Licence, resource.Initial, resource.Recurring} {
		if n := len(s.Objects(k)); n != 1 {
			t.Errorf("%s: %d objects stored, want 1", k, n)
		}
	}
}

func jsonNum(s string) any { return json.Number(s) }

// TestTimestampsUTC checks created_at/updated_at are RFC 3339 in UTC even
// when the clock is in another zone.
func TestTimestampsUTC(t *testing.T) {
	paris := time.FixedZone("CET", 3600)
	s := newTest(t, Options{Now: func() time.Time { return time.Date(2026, 3, 24, 11, 0, 0, 0, paris) }})
	r := call(t, s, http.MethodPost, "/api/v1/families", `{"name":"x"}`)
	if got := r.obj["created_at"]; got != "2026-03-24T10:00:00Z" {
		t.Errorf("created_at = %v", got)
	}
}
