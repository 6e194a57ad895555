package sandbox

import (
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// fixture creates one family, item, customer and file and returns their ids.
type fixture struct {
	s                          *Server
	family, item, customer, fl int64
}

func newFixture(t testing.TB, opts Options) fixture {
	t.Helper()
	s := newTest(t, opts)
	f := fixture{s: s}
	f.family = mustCreate(t, s, "/api/v1/families", `{"name":"VoIP Services"}`)
	f.item = mustCreate(t, s, "/api/v1/items", fmt.Sprintf(`{"description":"SIP","family_id":%d}`, f.family))
	f.customer = mustCreate(t, s, "/api/v1/customers", `{"name":"Acme"}`)
	f.fl = mustCreate(t, s, fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", f.customer), `{"name":"Main"}`)
	return f
}

func TestValidationErrors(t *testing.T) {
	f := newFixture(t, Options{})
	line := func(extra string) string {
		return fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d%s}`, f.fl, f.item, extra)
	}
	tests := []struct {
		name, path, body string
		message          string
		errors           map[string][]string
	}{
		{
			name: "missing required", path: "/api/v1/families", body: `{}`,
			message: "The name field is required.",
			errors:  map[string][]string{"name": {"The name field is required."}},
		},
		{
			name: "empty body", path: "/api/v1/customers", body: ``,
			message: "The name field is required.",
			errors:  map[string][]string{"name": {"The name field is required."}},
		},
		{
			name: "null and empty string count as missing", path: "/api/v1/families", body: `{"name":""}`,
			message: "The name field is required.",
			errors:  map[string][]string{"name": {"The name field is required."}},
		},
		{
			name: "a blank string is trimmed to nothing", path: "/api/v1/customers", body: `{"name":" \t "}`,
			message: "The name field is required.",
			errors:  map[string][]string{"name": {"The name field is required."}},
		},
		{
			name: "line requires parent, item and quantity", path: "/api/v1/customer-files/licences", body: `{}`,
			message: "The customer file id field is required. (and 2 more errors)",
			errors: map[string][]string{
				"customer_file_id": {"The customer file id field is required."},
				"item_id":          {"The item id field is required."},
				"quantity":         {"The quantity field is required."},
			},
		},
		{
			name: "wrong types", path: "/api/v1/items",
			body:    `{"description":5,"billing_frequency":"monthly","active_for_recurring_billing":"yes","selling_price_without_tax":"19,90"}`,
			message: "The description field must be a string. (and 3 more errors)",
			errors: map[string][]string{
				"description":                  {"The description field must be a string."},
				"billing_frequency":            {"The billing frequency field must be an integer."},
				"active_for_recurring_billing": {"The active for recurring billing field must be true or false."},
				"selling_price_without_tax":    {"The selling price without tax field must be a number."},
			},
		},
		{
			name: "invalid calendar date", path: "/api/v1/customer-files/licences",
			body:    line(`,"quantity":1,"activation_date":"2026-02-30","renewal_date":"01/04/2027"`),
			message: "The activation date field must be a valid date. (and 1 more error)",
			errors: map[string][]string{
				"activation_date": {"The activation date field must be a valid date."},
				"renewal_date":    {"The renewal date field must be a valid date."},
			},
		},
		{
			name: "quantity zero", path: "/api/v1/customer-files/initials", body: line(`,"quantity":0`),
			message: "The quantity field must be greater than 0.",
			errors:  map[string][]string{"quantity": {"The quantity field must be greater than 0."}},
		},
		{
			name: "quantity negative as string", path: "/api/v1/customer-files/recurrings", body: line(`,"quantity":"-1.5"`),
			message: "The quantity field must be greater than 0.",
			errors:  map[string][]string{"quantity": {"The quantity field must be greater than 0."}},
		},
		{
			name: "discount rate out of range", path: "/api/v1/customer-files/initials", body: line(`,"quantity":1,"discount_rate":1.5`),
			message: "The discount rate field must be between 0 and 1.",
			errors:  map[string][]string{"discount_rate": {"The discount rate field must be between 0 and 1."}},
		},
		{
			name: "unknown family", path: "/api/v1/items", body: `{"description":"x","family_id":999999}`,
			message: "The selected family id is invalid.",
			errors:  map[string][]string{"family_id": {"The selected family id is invalid."}},
		},
		{
			name: "id of another kind is not a family", path: "/api/v1/items", body: fmt.Sprintf(`{"description":"x","family_id":%d}`, f.item),
			message: "The selected family id is invalid.",
			errors:  map[string][]string{"family_id": {"The selected family id is invalid."}},
		},
		{
			name: "unknown file and item, reported in field order", path: "/api/v1/customer-files/licences",
			body:    `{"quantity":"abc","item_id":424242,"customer_file_id":999999}`,
			message: "The selected customer file id is invalid. (and 2 more errors)",
			errors: map[string][]string{
				"customer_file_id": {"The selected customer file id is invalid."},
				"item_id":          {"The selected item id is invalid."},
				"quantity":         {"The quantity field must be a number."},
			},
		},
		{
			name: "file without fileable_id", path: "/api/v1/customer-files?fileable_type=customer", body: `{"name":"x"}`,
			message: "The fileable id field is required.",
			errors:  map[string][]string{"fileable_id": {"The fileable id field is required."}},
		},
		{
			name: "file of unknown customer", path: "/api/v1/customer-files?fileable_type=customer&fileable_id=77", body: `{"name":"x"}`,
			message: "The selected fileable id is invalid.",
			errors:  map[string][]string{"fileable_id": {"The selected fileable id is invalid."}},
		},
		{
			name: "file of another fileable type", path: fmt.Sprintf("/api/v1/customer-files?fileable_type=supplier&fileable_id=%d", f.customer), body: `{"name":"x"}`,
			message: "The selected fileable type is invalid.",
			errors:  map[string][]string{"fileable_type": {"The selected fileable type is invalid."}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := len(f.s.Objects(kindOfPath(t, f.s, tt.path)))
			r := call(t, f.s, http.MethodPost, tt.path, tt.body)
			if r.status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422: %s", r.status, r.raw)
			}
			if r.obj["message"] != tt.message {
				t.Errorf("message = %q, want %q", r.obj["message"], tt.message)
			}
			got := map[string][]string{}
			errs, _ := r.obj["errors"].(map[string]any)
			for k, v := range errs {
				for _, m := range v.([]any) {
					got[k] = append(got[k], m.(string))
				}
			}
			if !reflect.DeepEqual(got, tt.errors) {
				t.Errorf("errors = %v, want %v", got, tt.errors)
			}
			if after := len(f.s.Objects(kindOfPath(t, f.s, tt.path))); after != before {
				t.Errorf("a rejected create was stored (%d -> %d objects)", before, after)
			}
		})
	}
}

func kindOfPath(t testing.TB, s *Server, target string) resource.Kind {
	t.Helper()
	path, _, _ := strings.Cut(target, "?")
	ks, _, _, ok := s.match(path[len(apiPrefix):])
	if !ok {
		t.Fatalf("no kind for %s", target)
	}
	return ks.spec.Kind
}

func TestMalformedBody(t *testing.T) {
	s := newTest(t, Options{})
	for _, body := range []string{`{"name":`, `["name"]`, `{"name":"a"} {}`, `"x"`} {
		r := call(t, s, http.MethodPost, "/api/v1/families", body)
		if r.status != http.StatusBadRequest || r.obj["message"] == nil {
			t.Errorf("%s: status %d %s, want 400 with a message", body, r.status, r.raw)
		}
	}
	if n := len(s.Objects("family")); n != 0 {
		t.Errorf("%d families stored from malformed bodies", n)
	}
}

func TestValuesAsStored(t *testing.T) {
	f := newFixture(t, Options{})
	tests := []struct {
		name, path, body string
		want             map[string]string // field -> JSON text in the response
	}{
		{"price number keeps scale", "/api/v1/items", `{"description":"a","selling_price_without_tax":19.90}`,
			map[string]string{"selling_price_without_tax": `"19.90"`, "active": `true`}},
		{"price padded to two decimals", "/api/v1/items", `{"description":"b","selling_price_without_tax":19.9}`,
			map[string]string{"selling_price_without_tax": `"19.90"`}},
		{"integer price", "/api/v1/items", `{"description":"c","selling_price_without_tax":150}`,
			map[string]string{"selling_price_without_tax": `"150.00"`}},
		{"price rounded to the cent", "/api/v1/items", `{"description":"d","selling_price_without_tax":"0.1234"}`,
			map[string]string{"selling_price_without_tax": `"0.12"`}},
		{"price rounded half away from zero", "/api/v1/items", `{"description":"d2","selling_price_without_tax":19.905}`,
			map[string]string{"selling_price_without_tax": `"19.91"`}},
		{"strings trimmed", "/api/v1/families", "{\"name\":\" VoIP Services \\t\",\"note\":{\"a\":[\" x \"]}}",
			map[string]string{"name": `"VoIP Services"`, "note": `{"a":["x"]}`}},
		{"empty optional string stored as null", "/api/v1/customers", `{"name":"C","email_address":"","phone":"   "}`,
			map[string]string{"email_address": `null`, "phone": `null`}},
		{"huge price never rounded", "/api/v1/items", `{"description":"e","selling_price_without_tax":12345678901234567890.10}`,
			map[string]string{"selling_price_without_tax": `"12345678901234567890.10"`}},
		{"integer as numeric string", "/api/v1/items", `{"description":"f","billing_frequency":"12"}`,
			map[string]string{"billing_frequency": `12`}},
		{"boolean as 1", "/api/v1/items", `{"description":"g","active_for_initial_billing":1,"active":false}`,
			map[string]string{"active_for_initial_billing": `true`, "active": `false`}},
		{"extra fields echoed", "/api/v1/items", `{"description":"h","internal_ref_x":{"a":[1,2.50]},"note":"<b>"}`,
			map[string]string{"internal_ref_x": `{"a":[1,2.50]}`, "note": `"\u003cb\u003e"`}},
		{"explicit customer account kept", "/api/v1/customers", `{"name":"B","customer_account":"ACME01","main_address_country":"Belgium"}`,
			map[string]string{"customer_account": `"ACME01"`, "main_address_country": `"Belgium"`, "active": `true`}},
		{"quantity as sent", "/api/v1/customer-files/licences", fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":"2.50"}`, f.fl, f.item),
			map[string]string{"quantity": `2.50`, "active": `true`}},
		{"quantity leading zeros dropped", "/api/v1/customer-files/initials", fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":"007"}`, f.fl, f.item),
			map[string]string{"quantity": `7`}},
		{"server fields ignored", "/api/v1/families", `{"name":"z","id":5,"created_at":"1999-01-01T00:00:00Z"}`,
			map[string]string{"created_at": `"2026-03-24T10:`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, f.s, http.MethodPost, tt.path, tt.body)
			if r.status != http.StatusCreated {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			for field, want := range tt.want {
				got := text(r.obj[field])
				if field == "created_at" {
					got = got[:len(want)]
				}
				if got != want {
					t.Errorf("%s = %s, want %s", field, got, want)
				}
			}
		})
	}
	// A generated customer_account is CL + the id padded to six digits.
	r := call(t, f.s, http.MethodGet, fmt.Sprintf("/api/v1/customers/%d", f.customer), "")
	if want := fmt.Sprintf("CL%06d", f.customer); r.obj["customer_account"] != want {
		t.Errorf("customer_account = %v, want %s", r.obj["customer_account"], want)
	}
}
