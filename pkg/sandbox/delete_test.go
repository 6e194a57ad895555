package sandbox

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestDelete: DELETE answers 422 while another object refers to the one
// deleted (lines of a file, the file of a customer, a file linking a
// contact, the lines of an item), 204 once nothing does, then 404.
func TestDelete(t *testing.T) {
	s := newTest(t, Options{})
	customer, _, file, _ := owners(t, s)
	item := mustCreate(t, s, "/api/v1/items", `{"description":"SIP","selling_price_without_tax":19.90}`)
	line := mustCreate(t, s, "/api/v1/customer-files/recurrings", fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":2}`, file, item))
	contact := mustCreate(t, s, fmt.Sprintf("/api/v1/contacts?contactable_type=App%%5CCustomer&contactable_id=%d", customer),
		`{"last_name":"Doe","email_address":"doe@example.com"}`)
	if r := call(t, s, http.MethodPut, fmt.Sprintf("/api/v1/customer-files/%d", file), fmt.Sprintf(`{"contact_ids":[%d]}`, contact)); r.status != 200 {
		t.Fatalf("link: %d %s", r.status, r.raw)
	}
	steps := []struct {
		path   string
		status int
		msg    string
	}{
		{fmt.Sprintf("/api/v1/customer-files/%d", file), 422, "recurring line #"},
		{fmt.Sprintf("/api/v1/items/%d", item), 422, "recurring line #"},
		{fmt.Sprintf("/api/v1/contacts/%d", contact), 422, "customer file #"},
		{fmt.Sprintf("/api/v1/customer-files/recurrings/%d", line), 204, ""},
		{fmt.Sprintf("/api/v1/customer-files/recurrings/%d", line), 404, ""},
		{fmt.Sprintf("/api/v1/items/%d", item), 204, ""},
		{fmt.Sprintf("/api/v1/customers/%d", customer), 422, "customer file #"},
		// The file links the contact, which refers to nothing: the file
		// goes once its lines are gone.
		{fmt.Sprintf("/api/v1/customer-files/%d", file), 204, ""},
	}
	for i, st := range steps {
		r := call(t, s, http.MethodDelete, st.path, "")
		if r.status != st.status || (st.msg != "" && !strings.Contains(r.raw, st.msg)) {
			t.Errorf("step %d: DELETE %s = %d %s, want %d %q", i, st.path, r.status, r.raw, st.status, st.msg)
		}
	}
	if r := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", file), ""); r.status != 404 {
		t.Errorf("GET a deleted file = %d", r.status)
	}
	if r := call(t, s, http.MethodDelete, fmt.Sprintf("/api/v1/contacts/%d", contact), ""); r.status != 204 {
		t.Errorf("DELETE the contact once its file is gone = %d %s", r.status, r.raw)
	}
	if got := s.Stats().Routes["DELETE /v1/customer-files/recurrings/{id}"]; got == nil {
		t.Errorf("DELETE is not counted on its route: %v", s.Stats().Routes)
	}
}

// TestBillingRunStopped: a file's services_stop ends its cycles and
// renewals after that day; an inactive line bills nothing.
func TestBillingRunStopped(t *testing.T) {
	s := newTest(t, Options{})
	_, _, file, _ := owners(t, s)
	item := mustCreate(t, s, "/api/v1/items", `{"description":"SIP","selling_price_without_tax":10}`)
	mustCreate(t, s, "/api/v1/customer-files/recurrings", fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":3}`, file, item))
	off := mustCreate(t, s, "/api/v1/customer-files/recurrings", fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":5}`, file, item))
	call(t, s, http.MethodPut, fmt.Sprintf("/api/v1/customer-files/recurrings/%d", off), `{"active":false}`)
	call(t, s, http.MethodPut, fmt.Sprintf("/api/v1/customer-files/%d", file), `{"services_stop":"2026-06-30"}`)
	for _, tt := range []struct{ date, net string }{
		{"2026-05-01", "30.00"}, {"2026-06-30", "30.00"}, {"2026-07-01", ""},
	} {
		body, err := s.BillingRun(file, tt.date)
		switch {
		case tt.net == "" && err == nil:
			t.Errorf("run at %s billed %s after services_stop", tt.date, body)
		case tt.net != "" && (err != nil || !strings.Contains(string(body), `"total_without_tax":"`+tt.net+`"`)):
			t.Errorf("run at %s = %s (%v), want net %s (the inactive line bills nothing)", tt.date, body, err, tt.net)
		}
	}
}
