package bluerocktel

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"testing"
)

// invoicePages serves n invoices of customer 7 as a paginator; amounts
// come as strings and numbers, as a Laravel server may answer them.
func invoicePages(n int, asked *[]string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		*asked = append(*asked, r.URL.Path+"?"+q.Encode())
		page, _ := strconv.Atoi(q.Get("page"))
		per, _ := strconv.Atoi(q.Get("per_page"))
		last := max(1, (n+per-1)/per)
		var items []string
		for i := (page-1)*per + 1; i <= min(n, page*per); i++ {
			items = append(items, fmt.Sprintf(`{"id":%d,"number":"F%05d","customer_id":"7","customer_file_id":3,"date":"2026-05-01T00:00:00.000000Z",`+
				`"total_without_tax":"39.8","tax":7.96,"total_with_tax":"47.76","net_to_pay":"47.760","credit":null,"is_canceled_by_invoice":%d}`, i, i, i%2))
		}
		writeJSON(w, 200, fmt.Sprintf(`{"current_page":%d,"data":[%s],"last_page":%d,"per_page":%d,"total":%d}`,
			page, strings.Join(items, ","), last, per, n))
	}
}

func TestInvoicesEveryPage(t *testing.T) {
	for _, tt := range []struct{ n, pages int }{{0, 1}, {1, 1}, {100, 1}, {101, 2}, {250, 3}} {
		t.Run(strconv.Itoa(tt.n), func(t *testing.T) {
			var asked []string
			srv, _ := serve(t, invoicePages(tt.n, &asked))
			invs, err := newClient(t, srv.URL).Invoices(context.Background(), 7)
			if err != nil {
				t.Fatal(err)
			}
			if len(invs) != tt.n || len(asked) != tt.pages {
				t.Fatalf("%d invoices in %d requests, want %d in %d", len(invs), len(asked), tt.n, tt.pages)
			}
			if !strings.HasPrefix(asked[0], InvoicesPath+"?customer_id=7&page=1&per_page=") {
				t.Errorf("first request %s", asked[0])
			}
			for i, inv := range invs {
				want := Invoice{ID: int64(i + 1), Number: fmt.Sprintf("F%05d", i+1), CustomerID: 7, CustomerFileID: 3, Date: "2026-05-01",
					TotalWithoutTax: "39.80", Tax: "7.96", TotalWithTax: "47.76", NetToPay: "47.76", Canceled: (i+1)%2 == 1}
				if inv != want {
					t.Fatalf("invoice %d = %+v, want %+v", i, inv, want)
				}
			}
		})
	}
}

func TestInvoicesRefuseUnreadableAmounts(t *testing.T) {
	srv, _ := serve(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"current_page":1,"last_page":1,"data":[{"id":4,"customer_id":7,"total_without_tax":"about 40"}]}`)
	})
	_, err := newClient(t, srv.URL).Invoices(context.Background(), 7)
	var fe *InvoiceFieldError
	if !errors.As(err, &fe) || fe.ID != 4 || fe.Field != "total_without_tax" {
		t.Fatalf("err = %v, want an InvoiceFieldError on #4 total_without_tax", err)
	}
}
