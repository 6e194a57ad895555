package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// owners creates a customer, a prospect and a file of each; it returns
// their ids.
func owners(t *testing.T, s *Server) (customer, prospect, cfile, pfile int64) {
	t.Helper()
	id := func(r resp) int64 {
		t.Helper()
		if r.status != http.StatusCreated {
			t.Fatalf("create: %d %s", r.status, r.raw)
		}
		n, _ := r.obj["id"].(json.Number).Int64()
		return n
	}
	customer = id(call(t, s, http.MethodPost, "/api/v1/customers", `{"name":"Acme"}`))
	prospect = id(call(t, s, http.MethodPost, "/api/v1/prospects", `{"name":"Globex"}`))
	cfile = id(call(t, s, http.MethodPost, fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", customer), `{"name":"Main"}`))
	pfile = id(call(t, s, http.MethodPost, fmt.Sprintf("/api/v1/customer-files?fileable_type=prospect&fileable_id=%d", prospect), `{"name":"Pilot"}`))
	return
}

func TestContactsAndLinks(t *testing.T) {
	s := newTest(t, Options{})
	customer, prospect, cfile, pfile := owners(t, s)
	contacts := fmt.Sprintf("/api/v1/contacts?contactable_type=App%%5CCustomer&contactable_id=%d", customer)
	c1 := call(t, s, http.MethodPost, contacts, `{"last_name":"Martin","email_address":"claire@acme.example"}`)
	c2 := call(t, s, http.MethodPost, contacts, `{"last_name":"Durand","email_address":"paul@acme.example"}`)
	if c1.status != http.StatusCreated || c2.status != http.StatusCreated {
		t.Fatalf("contacts: %s / %s", c1.raw, c2.raw)
	}
	if c1.obj["contactable_type"] != `App\Customer` || c1.obj["active"] != true {
		t.Errorf("contact = %s, want the owner's class and active by default", c1.raw)
	}
	pc := call(t, s, http.MethodPost, fmt.Sprintf("/api/v1/contacts?contactable_type=App%%5CProspect&contactable_id=%d", prospect), `{"last_name":"Nguyen","email_address":"an@globex.example"}`)
	if pc.status != http.StatusCreated {
		t.Fatalf("prospect contact: %s", pc.raw)
	}
	// The list of a customer's contacts is a bare array of its own.
	req := httptest.NewRequest(http.MethodGet, contacts, nil)
	req.Header.Set("Authorization", "Bearer "+testToken)
	w := httptest.NewRecorder()
	s.ServeHTTP(w, req)
	if l := w.Body.String(); w.Code != 200 || !strings.HasPrefix(l, "[") || strings.Count(l, `"email_address"`) != 2 {
		t.Errorf("contacts list = %s, want a bare array of the customer's two", l)
	}
	// Files of customers and prospects share the path, not their rules.
	if g := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", pfile), ""); g.obj["fileable_type"] != "prospect" {
		t.Errorf("GET prospect file = %s", g.raw)
	}
	if l := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files?fileable_type=prospect&fileable_id=%d", prospect), ""); !strings.Contains(l.raw, `"Pilot"`) || strings.Contains(l.raw, `"Main"`) {
		t.Errorf("prospect's files = %s", l.raw)
	}
	if p := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/prospects/%d", prospect), ""); p.obj["customer_account"] != fmt.Sprintf("PR%06d", prospect) {
		t.Errorf("prospect = %s, want its account PR + id", p.raw)
	}
	id1, id2 := c1.obj["id"], c2.obj["id"]
	tests := []struct {
		name, body string
		status     int
		stored     string
	}{
		{"link both", fmt.Sprintf(`{"contact_ids":[%s,"%s"],"billing_next":"2026-05-01"}`, id1, id2), 200, fmt.Sprintf(`"contact_ids":[%s,%s]`, id1, id2)},
		{"a set: each once", fmt.Sprintf(`{"contact_ids":[%s,%s]}`, id1, id1), 200, fmt.Sprintf(`"contact_ids":[%s]`, id1)},
		{"null empties it", `{"contact_ids":null}`, 200, `"contact_ids":[]`},
		{"unknown contact", `{"contact_ids":[12]}`, 422, `The selected contact ids is invalid.`},
		{"not a list", `{"contact_ids":7}`, 422, `The contact ids field must be an array.`},
		{"impossible date", `{"services_stop":"2026-02-30"}`, 422, `The services stop field must be a valid date.`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := call(t, s, http.MethodPut, fmt.Sprintf("/api/v1/customer-files/%d", cfile), tt.body)
			if r.status != tt.status || !strings.Contains(r.raw, tt.stored) {
				t.Errorf("PUT %s: %d %s, want %d with %s", tt.body, r.status, r.raw, tt.status, tt.stored)
			}
		})
	}
	if r := call(t, s, http.MethodPost, "/api/v1/prospects", `{"name":"A"}`); r.status != 422 || !strings.Contains(r.raw, "at least 2 characters") {
		t.Errorf("prospect named A: %d %s", r.status, r.raw)
	}
	if r := call(t, s, http.MethodPost, contacts, `{"last_name":"X","email_address":"not-an-email"}`); r.status != 422 || !strings.Contains(r.raw, "valid email") {
		t.Errorf("contact with a bad email: %d %s", r.status, r.raw)
	}
}

func TestBillingRun(t *testing.T) {
	s := newTest(t, Options{})
	customer, _, file, _ := owners(t, s)
	call(t, s, http.MethodPut, fmt.Sprintf("/api/v1/customers/%d", customer), `{"charge_vat":true}`)
	item := call(t, s, http.MethodPost, "/api/v1/items", `{"description":"SIP","selling_price_without_tax":19.90}`).obj["id"]
	lines := []struct{ path, body string }{
		{"licences", `"quantity":5,"activation_date":"2026-04-01","frequency":12`},
		{"initials", `"quantity":1,"selling_price_without_tax":150,"discount_rate":0.1`},
		{"recurrings", `"quantity":2,"service_start":"2026-04-01"`},
		{"recurrings", `"quantity":3,"active":false`},
	}
	for _, l := range lines {
		if r := call(t, s, http.MethodPost, "/api/v1/customer-files/"+l.path, fmt.Sprintf(`{"customer_file_id":%d,"item_id":%s,%s}`, file, item, l.body)); r.status != 201 {
			t.Fatalf("line: %s", r.raw)
		}
	}
	tests := []struct {
		date           string
		net, tax, paid string // "" = nothing due
	}{
		{"2026-03-01", "135.00", "27.00", "162.00"}, // the setup only (150 less 10%)
		{"2026-04-01", "139.30", "27.86", "167.16"}, // licences 99.50 + one cycle 39.80
		{"2026-04-01", "", "", ""},                  // billed already
		{"2026-05-01", "39.80", "7.96", "47.76"},    // the cycle; licences not due for a year
		{"2027-04-01", "139.30", "27.86", "167.16"}, // the licences again
		{"2027-02-30", "", "", ""},                  // not a date
	}
	for i, tt := range tests {
		body, err := s.BillingRun(file, tt.date)
		if tt.net == "" {
			if err == nil {
				t.Errorf("run %d at %s billed %s, want nothing", i, tt.date, body)
			}
			continue
		}
		want := fmt.Sprintf(`"total_without_tax":"%s","tax":"%s","total_with_tax":"%s","net_to_pay":"%s"`, tt.net, tt.tax, tt.paid, tt.paid)
		if err != nil || !strings.Contains(string(body), want) {
			t.Errorf("run %d at %s = %s (%v), want %s", i, tt.date, body, err, want)
		}
	}
	l := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/invoices?customer_id=%d&per_page=2&page=2", customer), "")
	if l.status != 200 || l.obj["total"] != json.Number("4") || l.obj["last_page"] != json.Number("2") || strings.Count(l.raw, `"number"`) != 2 {
		t.Errorf("invoices page 2 = %s", l.raw)
	}
	if l := call(t, s, http.MethodGet, "/api/v1/invoices?customer_id=999", ""); l.obj["total"] != json.Number("0") {
		t.Errorf("another customer's invoices = %s", l.raw)
	}
	if r := callAuth(t, s, http.MethodGet, "/api/v1/invoices", "", ""); r.status != 401 {
		t.Errorf("invoices without a token: %d", r.status)
	}
	if r := call(t, s, http.MethodGet, "/api/v1/invoices/1", ""); r.obj["number"] != "F2026-00001" {
		t.Errorf("invoice 1 = %s", r.raw)
	}
}
