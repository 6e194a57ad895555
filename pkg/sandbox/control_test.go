package sandbox

import (
	"errors"
	"fmt"
	"net/http"
	"testing"

	"github.com/onboardhq/onboard/pkg/resource"
)

// controlFixture creates a family, an item, two customers, a file for the
// first with one line of each kind, and a file for the second.
type controlFixture struct {
	family, item, cust, cust2, file, file2 int64
	lines                                  map[resource.Kind]int64
}

func newControlFixture(t *testing.T, s *Server) controlFixture {
	t.Helper()
	f := controlFixture{lines: map[resource.Kind]int64{}}
	f.family = mustCreate(t, s, "/api/v1/families", `{"name":"VoIP"}`)
	f.item = mustCreate(t, s, "/api/v1/items", fmt.Sprintf(`{"description":"Trunk","family_id":%d,"selling_price_without_tax":19.9}`, f.family))
	f.cust = mustCreate(t, s, "/api/v1/customers", `{"name":"Acme"}`)
	f.cust2 = mustCreate(t, s, "/api/v1/customers", `{"name":"Globex"}`)
	f.file = mustCreate(t, s, fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", f.cust), `{"name":"Main"}`)
	f.file2 = mustCreate(t, s, fmt.Sprintf("/api/v1/customer-files?fileable_type=customer&fileable_id=%d", f.cust2), `{"name":"Main"}`)
	for _, k := range []resource.Kind{resource.Licence, resource.Initial, resource.Recurring} {
		f.lines[k] = mustCreate(t, s, "/api"+resource.Get(k).Path, fmt.Sprintf(`{"customer_file_id":%d,"item_id":%d,"quantity":5}`, f.file, f.item))
	}
	return f
}

func TestControlEdit(t *testing.T) {
	tests := []struct {
		name, path, body, auth string
		method                 string
		status                 int
		check                  func(t *testing.T, s *Server, f controlFixture)
	}{
		{name: "quantity changed", method: http.MethodPut, path: "licence/{licence}", body: `{"quantity": 8}`, status: 200,
			check: func(t *testing.T, s *Server, f controlFixture) {
				r := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/customer-files/%d", f.file), "")
				lic := r.obj["licences"].([]any)[0].(map[string]any)
				if got := text(lic["quantity"]); got != "8" {
					t.Errorf("the file's licence quantity = %s, want 8", got)
				}
			}},
		{name: "price normalised as the API stores it", method: http.MethodPut, path: "item/{item}", body: `{"selling_price_without_tax": 25.5}`, status: 200,
			check: func(t *testing.T, s *Server, f controlFixture) {
				r := call(t, s, http.MethodGet, fmt.Sprintf("/api/v1/items/%d", f.item), "")
				if got := text(r.obj["selling_price_without_tax"]); got != `"25.50"` {
					t.Errorf("price = %s, want \"25.50\"", got)
				}
			}},
		{name: "invalid value refused", method: http.MethodPut, path: "licence/{licence}", body: `{"quantity": -1}`, status: 422},
		{name: "unknown reference refused", method: http.MethodPut, path: "licence/{licence}", body: `{"item_id": 999}`, status: 422},
		{name: "not an object", method: http.MethodPut, path: "licence/{licence}", body: `[1]`, status: 400},
		{name: "unknown id", method: http.MethodPut, path: "licence/999", body: `{"quantity": 2}`, status: 404},
		{name: "unknown kind", method: http.MethodPut, path: "widget/1", body: `{"quantity": 2}`, status: 404},
		{name: "bad id", method: http.MethodPut, path: "licence/x", body: `{}`, status: 404},
		{name: "no token", method: http.MethodPut, path: "licence/{licence}", body: `{"quantity": 2}`, auth: "none", status: 401},
		{name: "method", method: http.MethodPost, path: "licence/{licence}", body: `{}`, status: 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTest(t, Options{})
			f := newControlFixture(t, s)
			before := s.Stats().Requests
			path := ControlPrefix + expand(tt.path, f)
			var r resp
			if tt.auth == "none" {
				r = callAuth(t, s, tt.method, path, tt.body, "")
			} else {
				r = call(t, s, tt.method, path, tt.body)
			}
			if r.status != tt.status {
				t.Fatalf("%s %s: status %d, want %d: %s", tt.method, path, r.status, tt.status, r.raw)
			}
			if got := s.Stats().Requests; got != before {
				t.Errorf("control request counted in stats: %d -> %d", before, got)
			}
			if r.status == 200 && r.obj["id"] == nil {
				t.Errorf("edit answered %q, want the object", r.raw)
			}
			if tt.check != nil {
				tt.check(t, s, f)
			}
		})
	}
}

func expand(path string, f controlFixture) string {
	switch path {
	case "licence/{licence}":
		return fmt.Sprintf("licence/%d", f.lines[resource.Licence])
	case "item/{item}":
		return fmt.Sprintf("item/%d", f.item)
	}
	return path
}

func TestControlDelete(t *testing.T) {
	tests := []struct {
		name    string
		kind    resource.Kind
		id      func(controlFixture) int64
		deleted int
		// gone are API paths that answer 404 afterwards, kept those that
		// still answer 200.
		gone, kept func(controlFixture) []string
	}{
		{name: "a line", kind: resource.Recurring, id: func(f controlFixture) int64 { return f.lines[resource.Recurring] }, deleted: 1,
			gone: func(f controlFixture) []string {
				return []string{fmt.Sprintf("/api/v1/customer-files/recurrings/%d", f.lines[resource.Recurring])}
			},
			kept: func(f controlFixture) []string {
				return []string{fmt.Sprintf("/api/v1/customer-files/licences/%d", f.lines[resource.Licence]), fmt.Sprintf("/api/v1/customer-files/%d", f.file)}
			}},
		{name: "a file takes its lines", kind: resource.CustomerFile, id: func(f controlFixture) int64 { return f.file }, deleted: 4,
			gone: func(f controlFixture) []string {
				return []string{fmt.Sprintf("/api/v1/customer-files/%d", f.file), fmt.Sprintf("/api/v1/customer-files/licences/%d", f.lines[resource.Licence]),
					fmt.Sprintf("/api/v1/customer-files/initials/%d", f.lines[resource.Initial])}
			},
			kept: func(f controlFixture) []string {
				return []string{fmt.Sprintf("/api/v1/customers/%d", f.cust), fmt.Sprintf("/api/v1/customer-files/%d", f.file2)}
			}},
		{name: "a customer takes its files and their lines", kind: resource.Customer, id: func(f controlFixture) int64 { return f.cust }, deleted: 5,
			gone: func(f controlFixture) []string {
				return []string{fmt.Sprintf("/api/v1/customers/%d", f.cust), fmt.Sprintf("/api/v1/customer-files/%d", f.file),
					fmt.Sprintf("/api/v1/customer-files/recurrings/%d", f.lines[resource.Recurring])}
			},
			kept: func(f controlFixture) []string {
				return []string{fmt.Sprintf("/api/v1/customers/%d", f.cust2), fmt.Sprintf("/api/v1/customer-files/%d", f.file2), fmt.Sprintf("/api/v1/items/%d", f.item)}
			}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newTest(t, Options{})
			f := newControlFixture(t, s)
			objects := s.Stats().Objects
			r := call(t, s, http.MethodDelete, fmt.Sprintf("%s%s/%d", ControlPrefix, tt.kind, tt.id(f)), "")
			if r.status != 200 || text(r.obj["deleted"]) != fmt.Sprint(tt.deleted) {
				t.Fatalf("DELETE: %d %s, want 200 deleted %d", r.status, r.raw, tt.deleted)
			}
			for _, p := range tt.gone(f) {
				if r := call(t, s, http.MethodGet, p, ""); r.status != 404 {
					t.Errorf("GET %s after delete: %d, want 404", p, r.status)
				}
			}
			for _, p := range tt.kept(f) {
				if r := call(t, s, http.MethodGet, p, ""); r.status != 200 {
					t.Errorf("GET %s after delete: %d, want 200", p, r.status)
				}
			}
			total := 0
			after := s.Stats().Objects
			for k, n := range objects {
				total += n - after[k]
			}
			if total != tt.deleted {
				t.Errorf("stored objects fell by %d, want %d", total, tt.deleted)
			}
			// Lists and their totals no longer see it; a second delete is a 404.
			list := call(t, s, http.MethodGet, "/api"+resource.Get(tt.kind).Path+"?per_page=100", "")
			if got := text(list.obj["total"]); got != fmt.Sprint(objects[tt.kind]-1) || after[tt.kind] != objects[tt.kind]-1 {
				t.Errorf("list total = %s, stored %d after deleting one %s of %d", got, after[tt.kind], tt.kind, objects[tt.kind])
			}
			if _, err := s.Delete(tt.kind, tt.id(f)); !errors.Is(err, ErrNoObject) {
				t.Errorf("second delete: %v, want ErrNoObject", err)
			}
		})
	}
}
