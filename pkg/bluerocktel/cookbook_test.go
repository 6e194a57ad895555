package bluerocktel

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// cookbookFake is a tiny stand-in for BlueRockTEL that knows the
// cookbook's seven POSTs: it checks the request (path, query, headers,
// required fields) and answers 201 shaped as the cookbook documents, with
// ids of its own.
type cookbookFake struct {
	t      *testing.T
	mu     sync.Mutex
	nextID int64
	bodies map[string]string // path -> raw body received
}

var cookbookRequired = map[string][]string{
	"/api/v1/families":                {"name"},
	"/api/v1/items":                   {"description"},
	"/api/v1/customers":               {"name"},
	"/api/v1/customer-files":          {},
	"/api/v1/customer-files/licences": {"customer_file_id", "item_id", "quantity"},
	"/api/v1/customer-files/initials": {"customer_file_id", "item_id", "quantity"},
	"/api/v1/customer-files/recurrings": {
		"customer_file_id", "item_id", "quantity"},
}

func (f *cookbookFake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	if r.Method != http.MethodPost || r.Header.Get("Authorization") != "Bearer "+testToken ||
		r.Header.Get("Accept") != "application/json" || r.Header.Get("Content-Type") != "application/json" {
		writeJSON(w, 401, `{"message":"Unauthenticated."}`)
		return
	}
	required, ok := cookbookRequired[r.URL.Path]
	if !ok {
		writeJSON(w, 404, `{"message":"not found"}`)
		return
	}
	var body map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		writeJSON(w, 400, `{"message":"bad json"}`)
		return
	}
	errs := map[string][]string{}
	for _, k := range required {
		if _, ok := body[k]; !ok {
			errs[k] = []string{"The " + k + " field is required."}
		}
	}
	if r.URL.Path == "/api/v1/customer-files" {
		q := r.URL.Query()
		if q.Get("fileable_type") != "customer" || q.Get("fileable_id") == "" {
			errs["fileable_id"] = []string{"The fileable id field is required."}
		}
		fid, _ := strconv.ParseInt(q.Get("fileable_id"), 10, 64)
		body["fileable_type"] = json.RawMessage(`"customer"`)
		body["fileable_id"] = json.RawMessage(strconv.FormatInt(fid, 10))
	}
	if len(errs) > 0 {
		b, _ := json.Marshal(map[string]any{"message": "The given data was invalid.", "errors": errs})
		writeJSON(w, 422, string(b))
		return
	}
	f.mu.Lock()
	f.nextID++
	id := f.nextID
	f.bodies[r.URL.Path] = string(raw)
	f.mu.Unlock()

	// The documented response shape: prices as strings with two
	// decimals, customer_account generated, flags and timestamps added.
	body["id"] = json.RawMessage(strconv.FormatInt(id, 10))
	if p, ok := body["selling_price_without_tax"]; ok {
		body["selling_price_without_tax"] = json.RawMessage(strconv.Quote(twoDecimals(string(p))))
	}
	switch r.URL.Path {
	case "/api/v1/items", "/api/v1/customers":
		body["active"] = json.RawMessage(`true`)
	}
	if r.URL.Path == "/api/v1/customers" {
		body["customer_account"] = json.RawMessage(fmt.Sprintf(`"CL%06d"`, id))
	}
	body["created_at"] = json.RawMessage(`"2026-03-24T10:00:00Z"`)
	body["updated_at"] = json.RawMessage(`"2026-03-24T10:00:00Z"`)
	out, _ := json.Marshal(body)
	writeJSON(w, 201, string(out))
}

// twoDecimals renders a decimal text with two decimals, exactly (test
// data only has at most two).
func twoDecimals(s string) string {
	ip, fp, _ := strings.Cut(s, ".")
	return ip + "." + (fp + "00")[:2]
}

func TestCookbookSevenRequests(t *testing.T) {
	fake := &cookbookFake{t: t, nextID: 1000, bodies: map[string]string{}}
	srv := newServer(t, fake)
	c := newClient(t, srv.URL+"/api")
	ctx := context.Background()
	ids := map[string]int64{}
	idOf := func(addr string) (int64, bool) { id, ok := ids[addr]; return id, ok }

	type field struct{ wire, text, ref string }
	steps := []struct {
		addr   string
		kind   resource.Kind
		fields []field
		// documented response fields (ids aside; "=addr" means the id of addr)
		want map[string]string
	}{
		{addr: "family", kind: resource.Family, fields: []field{{"name", "VoIP Services", ""}},
			want: map[string]string{"name": "VoIP Services", "created_at": "2026-03-24T10:00:00Z", "updated_at": "2026-03-24T10:00:00Z"}},
		{addr: "item", kind: resource.Item, fields: []field{
			{"description", "SIP Trunk — 2 channels", ""}, {"family_id", "", "family"}, {"selling_price_without_tax", "19.90", ""},
			{"billing_frequency", "1", ""}, {"active_for_recurring_billing", "true", ""},
		}, want: map[string]string{"description": "SIP Trunk — 2 channels", "family_id": "=family", "selling_price_without_tax": "19.90",
			"billing_frequency": "1", "active_for_recurring_billing": "true", "active": "true", "created_at": "2026-03-24T10:00:00Z"}},
		{addr: "customer", kind: resource.Customer, fields: []field{
			{"name", "Acme Telecom SAS", ""}, {"email_address", "contact@acme-telecom.fr", ""}, {"phone", "+33123456789", ""},
			{"main_address_line1", "12 rue de la Paix", ""}, {"main_address_postal_code", "75001", ""}, {"main_address_city", "Paris", ""},
			{"main_address_country", "France", ""}, {"charge_vat", "true", ""},
		}, want: map[string]string{"name": "Acme Telecom SAS", "customer_account": "CL%06d", "email_address": "contact@acme-telecom.fr",
			"charge_vat": "true", "active": "true", "created_at": "2026-03-24T10:00:00Z", "updated_at": "2026-03-24T10:00:00Z"}},
		{addr: "file", kind: resource.CustomerFile, fields: []field{
			{"name", "Main Contract 2026", ""}, {"billing_frequency", "1", ""}, {"services_start", "2026-04-01", ""}, {"first_invoice", "2026-04-01", ""},
		}, want: map[string]string{"fileable_type": "customer", "fileable_id": "=customer", "name": "Main Contract 2026", "billing_frequency": "1",
			"services_start": "2026-04-01", "first_invoice": "2026-04-01", "created_at": "2026-03-24T10:00:00Z"}},
		{addr: "licence", kind: resource.Licence, fields: []field{
			{"customer_file_id", "", "file"}, {"item_id", "", "item"}, {"quantity", "5", ""}, {"activation_date", "2026-04-01", ""},
			{"renewal_date", "2027-04-01", ""}, {"frequency", "12", ""},
		}, want: map[string]string{"customer_file_id": "=file", "item_id": "=item", "quantity": "5"}},
		{addr: "initial", kind: resource.Initial, fields: []field{
			{"customer_file_id", "", "file"}, {"item_id", "", "item"}, {"quantity", "1", ""},
			{"label", "Installation fee — SIP Trunk setup", ""}, {"selling_price_without_tax", "150.00", ""},
		}, want: map[string]string{"label": "Installation fee — SIP Trunk setup", "selling_price_without_tax": "150.00"}},
		{addr: "recurring", kind: resource.Recurring, fields: []field{
			{"customer_file_id", "", "file"}, {"item_id", "", "item"}, {"quantity", "2", ""}, {"service_start", "2026-04-01", ""},
			{"first_invoice", "2026-04-01", ""}, {"billing_frequency", "1", ""}, {"commitment", "24", ""}, {"active", "true", ""},
		}, want: map[string]string{"quantity": "2", "commitment": "24", "active": "true", "service_start": "2026-04-01"}},
	}
	for _, st := range steps {
		spec := resource.Get(st.kind)
		var values []resource.Value
		for _, f := range st.fields {
			// Every wire name of the cookbook is in the table (or is the
			// parent's body field).
			fd, ok := spec.WireField(f.wire)
			typ := fd.Type
			if !ok {
				if spec.Parent == nil || spec.Parent.BodyField != f.wire {
					t.Fatalf("%s: wire field %q is not in the resource table", st.kind, f.wire)
				}
				typ = resource.Reference
			}
			values = append(values, resource.Value{Wire: f.wire, Type: typ, Text: f.text, Ref: f.ref})
		}
		body, err := resource.EncodeBody(values, idOf)
		if err != nil {
			t.Fatal(err)
		}
		var query url.Values
		if p := spec.Parent; p != nil && p.QueryField != "" {
			query = url.Values{p.QueryField: {strconv.FormatInt(ids["customer"], 10)}}
			for k, v := range p.QueryConst {
				query.Set(k, v)
			}
		}
		rec, err := c.Create(ctx, st.kind, query, body)
		if err != nil {
			t.Fatalf("step %s: %v", st.addr, err)
		}
		ids[st.addr] = rec.ID
		for f, want := range st.want {
			switch {
			case strings.HasPrefix(want, "="):
				want = strconv.FormatInt(ids[want[1:]], 10)
			case strings.Contains(want, "%"):
				want = fmt.Sprintf(want, rec.ID)
			}
			if got := rec.Text(f); got != want {
				t.Errorf("%s: response %s = %q, want %q", st.addr, f, got, want)
			}
		}
	}
	if len(ids) != 7 {
		t.Fatalf("created %d objects, want 7", len(ids))
	}
	// Money went through as written, never through a float.
	if b := fake.bodies["/api/v1/items"]; !strings.Contains(b, `"selling_price_without_tax":19.90`) {
		t.Errorf("item body %s lost the price's exact text", b)
	}
	if b := fake.bodies["/api/v1/customer-files/initials"]; !strings.Contains(b, `"selling_price_without_tax":150.00`) {
		t.Errorf("initial body %s lost the price's exact text", b)
	}
	if st := c.Stats(); st.Requests != 7 || st.Status2xx != 7 || st.Retries != 0 {
		t.Errorf("stats %+v, want 7 requests, 7 2xx", st)
	}
}
