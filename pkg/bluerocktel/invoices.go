package bluerocktel

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/onboardhq/onboard/pkg/resource"
)

// InvoicesPath is the invoices collection. Invoices are made by the
// vendor's billing runs, never by API clients: onboard only reads them.
const InvoicesPath = "/v1/invoices"

// Invoice is one invoice as listed by GET /v1/invoices. Amounts are exact
// decimal text in canonical form ("39.80"), never floats; "" for null.
type Invoice struct {
	ID              int64  `json:"id"`
	Number          string `json:"number"`
	Reference       string `json:"reference,omitempty"`
	CustomerID      int64  `json:"customer_id"`
	CustomerFileID  int64  `json:"customer_file_id,omitempty"`
	Date            string `json:"date"`
	ServicesStart   string `json:"services_start,omitempty"`
	ServicesEnd     string `json:"services_end,omitempty"`
	TotalWithoutTax string `json:"total_without_tax"`
	Tax             string `json:"tax"`
	TotalWithTax    string `json:"total_with_tax"`
	NetToPay        string `json:"net_to_pay"`
	Credit          string `json:"credit,omitempty"`
	Canceled        bool   `json:"is_canceled_by_invoice,omitempty"`
}

// InvoiceFieldError is an invoice field the client cannot read as its
// type.
type InvoiceFieldError struct {
	ID    int64
	Field string
	Raw   string
}

func (e *InvoiceFieldError) Error() string {
	return fmt.Sprintf("invoice #%d: %s is not a valid value: %s", e.ID, e.Field, e.Raw)
}

var (
	money = resource.Field{Type: resource.Decimal, Scale: resource.MoneyScale, Money: true}
	idF   = resource.Field{Type: resource.Reference}
	dateF = resource.Field{Type: resource.Date}
	strF  = resource.Field{Type: resource.String}
)

// Invoices returns every invoice of a customer (GET
// /v1/invoices?customer_id=N), following the paginator to its last page,
// in the order the API lists them.
func (c *Client) Invoices(ctx context.Context, customerID int64) ([]Invoice, error) {
	q := url.Values{}
	q.Set("customer_id", strconv.FormatInt(customerID, 10))
	q.Set("per_page", strconv.Itoa(listPageSize))
	var out []Invoice
	for n := 1; ; n++ {
		if n > maxPages {
			return nil, fmt.Errorf("GET %s: more than %d pages", InvoicesPath, maxPages)
		}
		q.Set("page", strconv.Itoa(n))
		body, err := c.do(ctx, http.MethodGet, InvoicesPath, q, nil)
		if err != nil {
			return nil, err
		}
		p, err := decodePage(body)
		if err != nil {
			return nil, fmt.Errorf("GET %s page %d: %w", InvoicesPath, n, err)
		}
		for _, r := range p.records {
			inv, err := invoiceOf(r)
			if err != nil {
				return nil, err
			}
			out = append(out, inv)
		}
		if !p.more || len(p.records) == 0 {
			return out, nil
		}
	}
}

// invoiceOf reads a listed invoice, every field in its canonical form.
func invoiceOf(r *Record) (Invoice, error) {
	inv := Invoice{ID: r.ID}
	var err error
	read := func(name string, f resource.Field, dst *string) {
		raw := r.Raw(name)
		if err != nil || raw == nil {
			return
		}
		t, ok := f.CanonicalJSON(raw)
		if !ok {
			err = &InvoiceFieldError{ID: r.ID, Field: name, Raw: string(raw)}
			return
		}
		*dst = t
	}
	var customer, file string
	read("number", strF, &inv.Number)
	read("reference", strF, &inv.Reference)
	read("customer_id", idF, &customer)
	read("customer_file_id", idF, &file)
	read("date", dateF, &inv.Date)
	read("services_start", dateF, &inv.ServicesStart)
	read("services_end", dateF, &inv.ServicesEnd)
	read("total_without_tax", money, &inv.TotalWithoutTax)
	read("tax", money, &inv.Tax)
	read("total_with_tax", money, &inv.TotalWithTax)
	read("net_to_pay", money, &inv.NetToPay)
	read("credit", money, &inv.Credit)
	if err != nil {
		return Invoice{}, err
	}
	inv.CustomerID, _ = strconv.ParseInt(customer, 10, 64)
	inv.CustomerFileID, _ = strconv.ParseInt(file, 10, 64)
	// A flag, or the id of the cancelling invoice: anything but null,
	// false and 0 means cancelled.
	switch strings.TrimSpace(string(r.Raw("is_canceled_by_invoice"))) {
	case "", "null", "false", "0", `"0"`, `""`:
	default:
		inv.Canceled = true
	}
	return inv, nil
}
