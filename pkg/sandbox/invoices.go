package sandbox

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cockroachdb/apd/v3"

	"github.com/onboardhq/onboard/pkg/resource"
)

// Invoices are made by the vendor's billing runs, never by API clients
// (API notes): the API serves them read-only, and the sandbox makes them
// with a control route that simulates a billing run over a file's lines:
//
//	POST /_sandbox/billing-run  {"customer_file_id": 300001, "date": "2026-05-01"}  201, the invoice
//
// A run bills, at its date, the file's initial lines not billed yet (once
// their charge_after_date is reached), one cycle of each active recurring
// line whose service has started, and the licences due (from their
// activation date, then every frequency months); each line at its own
// price, else its item's, in exact decimals rounded to the cent. VAT
// (20%) is added when the customer's charge_vat is set.
const (
	// BillingRunPath is the control route of a simulated billing run.
	BillingRunPath = "/_sandbox/billing-run"
	invoicesPath   = "/v1/invoices"
	// vatRate is the French standard rate the sandbox bills.
	vatRate = "0.20"
)

// invoice is one stored invoice.
type invoice struct {
	id, customer, file     int64
	number, date           string
	start, end             string
	net, tax, gross, toPay string
}

// billing is the sandbox's invoices and what each line was last billed
// at; guarded by the store's lock.
type billing struct {
	invoices []*invoice
	// billed maps "kind#id" of a line to the date it was last billed.
	billed map[string]string
}

func (inv *invoice) render(b []byte) []byte {
	b = fmt.Appendf(b, `{"id":%d,"number":`, inv.id)
	b = appendString(b, inv.number)
	b = append(b, `,"reference":`...)
	b = appendString(b, inv.number)
	b = fmt.Appendf(b, `,"customer_id":%d,"customer_file_id":%d,"date":`, inv.customer, inv.file)
	b = appendString(b, inv.date)
	b = append(b, `,"services_start":`...)
	b = appendString(b, inv.start)
	b = append(b, `,"services_end":`...)
	b = appendString(b, inv.end)
	for _, f := range []struct{ k, v string }{{"total_without_tax", inv.net}, {"tax", inv.tax}, {"total_with_tax", inv.gross}, {"net_to_pay", inv.toPay}, {"credit", "0.00"}} {
		b = append(b, ',')
		b = appendString(b, f.k)
		b = append(b, ':')
		b = appendString(b, f.v) // money is answered as a string, as prices are
	}
	return append(b, `,"is_canceled_by_invoice":false}`...)
}

// BillingRun bills a customer file at date (YYYY-MM-DD), as a billing run
// of the vendor would, and returns the invoice as the API renders it.
// Nothing due at that date is a *ValidationError.
func (s *Server) BillingRun(fileID int64, date string) ([]byte, error) {
	day, err := time.Parse(time.DateOnly, date)
	if err != nil {
		return nil, &ValidationError{Body: (&fieldErrors{}).with("date", "The date field must be a valid date.").body()}
	}
	st := s.store
	st.mu.Lock()
	defer st.mu.Unlock()
	files := st.kinds[resource.CustomerFile]
	file := files.objs[fileID]
	if file == nil {
		return nil, fmt.Errorf("%w: file #%d", ErrNoObject, fileID)
	}
	customerID, _ := jsonNumberID(file.vals["fileable_id"])
	cycle := 1
	if n, ok := jsonNumberID(file.vals["billing_frequency"]); ok && n > 0 {
		cycle = int(n)
	}
	if st.bill.billed == nil {
		st.bill.billed = map[string]string{}
	}
	ctx := apd.BaseContext.WithPrecision(40)
	net := new(apd.Decimal)
	idText := strconv.FormatInt(fileID, 10)
	due := map[string]string{}
	// Services stopped before the run's day bill no more cycles or
	// renewals; one-time charges still due are billed.
	stopped := false
	if f, ok := files.spec.Billed(resource.Until); ok {
		if stop, ok := valueText(file.vals[f.WireName()]); ok && stop < date {
			stopped = true
		}
	}
	for _, spec := range files.spec.Embeds() {
		if !spec.IsLine() || (stopped && spec.Charge != resource.OneTime) {
			continue
		}
		ks := st.kinds[spec.Kind]
		for _, id := range ks.index[spec.Parent.BodyField][idText] {
			line := ks.objs[id]
			key := fmt.Sprintf("%s#%d", spec.Kind, id)
			if !st.isDue(spec.Charge, line, st.bill.billed[key], day) {
				continue
			}
			amount := st.lineAmount(line)
			if _, err := ctx.Add(net, net, amount); err != nil {
				return nil, err
			}
			due[key] = date
		}
	}
	if len(due) == 0 {
		return nil, &ValidationError{Body: (&fieldErrors{}).with("customer_file_id", "Nothing is due on this file at this date.").body()}
	}
	for k, v := range due {
		st.bill.billed[k] = v
	}
	tax := new(apd.Decimal)
	if charge, _ := normBool(st.kinds[resource.Customer].objs[customerID].valOr("charge_vat", false)); charge {
		rate, _, _ := apd.NewFromString(vatRate)
		_, _ = ctx.Mul(tax, net, rate)
	}
	gross := new(apd.Decimal)
	_, _ = ctx.Add(gross, cents(net), cents(tax))
	inv := &invoice{id: int64(len(st.bill.invoices) + 1), customer: customerID, file: fileID, date: date,
		start: date, end: day.AddDate(0, cycle, -1).Format(time.DateOnly),
		net: money(net), tax: money(tax), gross: money(gross), toPay: money(gross)}
	inv.number = fmt.Sprintf("F%s-%05d", date[:4], inv.id)
	st.bill.invoices = append(st.bill.invoices, inv)
	return inv.render(nil), nil
}

// isDue says whether a line billed as charge is billed by a run at day,
// given the date it was last billed ("" never).
func (st *store) isDue(charge resource.Charge, line *object, last string, day time.Time) bool {
	on := func(field string) bool { // the line's date field is reached (or unset)
		t, ok := valueText(line.vals[field])
		return !ok || t <= day.Format(time.DateOnly)
	}
	if active, ok := normBool(line.valOr("active", true)); ok && !active {
		return false
	}
	switch charge {
	case resource.OneTime:
		return last == "" && on("charge_after_date")
	case resource.PerCycle:
		return last != day.Format(time.DateOnly) && on("service_start")
	case resource.PerRenewal:
		if !on("activation_date") {
			return false
		}
		if last == "" {
			return true
		}
		months := 12
		if n, ok := jsonNumberID(line.vals["frequency"]); ok && n > 0 {
			months = int(n)
		}
		prev, err := time.Parse(time.DateOnly, last)
		return err == nil && !day.Before(prev.AddDate(0, months, 0))
	}
	return false
}

// lineAmount is quantity × price (the line's, else its item's) × (1 −
// discount), rounded to the cent.
func (st *store) lineAmount(line *object) *apd.Decimal {
	ctx := apd.BaseContext.WithPrecision(40)
	dec := func(v any) *apd.Decimal {
		t, ok := valueText(v)
		if !ok {
			return nil
		}
		d, _, err := apd.NewFromString(t)
		if err != nil {
			return nil
		}
		return d
	}
	price := dec(line.vals["selling_price_without_tax"])
	if price == nil {
		if itemID, ok := jsonNumberID(line.vals["item_id"]); ok {
			if item := st.kinds[resource.Item].objs[itemID]; item != nil {
				price = dec(item.vals["selling_price_without_tax"])
			}
		}
	}
	qty := dec(line.vals["quantity"])
	if price == nil || qty == nil {
		return new(apd.Decimal)
	}
	out := new(apd.Decimal)
	_, _ = ctx.Mul(out, qty, price)
	if d := dec(line.vals["discount_rate"]); d != nil {
		keep := new(apd.Decimal)
		_, _ = ctx.Sub(keep, apd.New(1, 0), d)
		_, _ = ctx.Mul(out, out, keep)
	}
	return cents(out)
}

// cents rounds half away from zero to 2 decimal places, as a money
// column does.
func cents(d *apd.Decimal) *apd.Decimal {
	out := new(apd.Decimal)
	ctx := apd.BaseContext.WithPrecision(40)
	ctx.Rounding = apd.RoundHalfUp
	_, _ = ctx.Quantize(out, d, -2)
	return out
}

func money(d *apd.Decimal) string { return cents(d).Text('f') }

// valOr returns a stored field, or def when the object or field is absent.
func (o *object) valOr(field string, def any) any {
	if o == nil {
		return def
	}
	if v, ok := o.vals[field]; ok && v != nil {
		return v
	}
	return def
}

func (e *fieldErrors) with(field, msg string) *fieldErrors {
	e.add(field, msg)
	return e
}

// listInvoices renders GET /v1/invoices?customer_id=N as a Laravel
// paginator (page, per_page), in id order.
func (s *Server) listInvoices(r *http.Request) reply {
	q := r.URL.Query()
	lq := listQuery{page: 1, perPage: defaultPerPage, path: absURL(r)}
	if n, err := strconv.Atoi(q.Get("page")); err == nil && n >= 1 {
		lq.page = n
	}
	if n, err := strconv.Atoi(q.Get("per_page")); err == nil && n >= 1 {
		lq.perPage = min(n, maxPerPage)
	}
	customer := resource.TrimAPI(q.Get("customer_id"))
	s.store.mu.RLock()
	var match []*invoice
	for _, inv := range s.store.bill.invoices {
		if customer == "" || strconv.FormatInt(inv.customer, 10) == customer {
			match = append(match, inv)
		}
	}
	s.store.mu.RUnlock()
	total := len(match)
	last := max(1, (total+lq.perPage-1)/lq.perPage)
	from := min((lq.page-1)*lq.perPage, total)
	to := min(from+lq.perPage, total)
	b := fmt.Appendf(nil, `{"current_page":%d,"data":[`, lq.page)
	for i, inv := range match[from:to] {
		if i > 0 {
			b = append(b, ',')
		}
		b = inv.render(b)
	}
	b = fmt.Appendf(b, `],"last_page":%d,"per_page":%d,"total":%d}`, last, lq.perPage, total)
	return reply{status: http.StatusOK, body: b}
}

// getInvoice renders GET /v1/invoices/{id}.
func (s *Server) getInvoice(idText string) reply {
	id, err := strconv.ParseInt(idText, 10, 64)
	s.store.mu.RLock()
	defer s.store.mu.RUnlock()
	if err != nil || id < 1 || id > int64(len(s.store.bill.invoices)) {
		return notFound
	}
	return reply{status: http.StatusOK, body: s.store.bill.invoices[id-1].render(nil)}
}

// serveInvoices serves the read-only invoice routes under /api.
func (s *Server) serveInvoices(w http.ResponseWriter, r *http.Request, path string) {
	rest := strings.TrimPrefix(path, invoicesPath)
	label := "GET " + invoicesPath
	if rest != "" {
		label += "/{id}"
	}
	switch {
	case r.Method != http.MethodGet:
		s.finish(w, "other", methodNotAllowed(r.Method, "GET"))
	case !s.authorized(r.Header.Get("Authorization")):
		s.finish(w, label, unauthenticated)
	case rest == "":
		s.finish(w, label, s.listInvoices(r))
	default:
		s.finish(w, label, s.getInvoice(strings.TrimPrefix(rest, "/")))
	}
}

// serveBillingRun serves BillingRunPath.
func (s *Server) serveBillingRun(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(r.Header.Get("Authorization")) {
		write(w, unauthenticated)
		return
	}
	if r.Method != http.MethodPost {
		write(w, methodNotAllowed(r.Method, "POST"))
		return
	}
	var req struct {
		File json.Number `json:"customer_file_id"`
		Date string      `json:"date"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBody)).Decode(&req); err != nil {
		write(w, message(http.StatusBadRequest, `The body must be {"customer_file_id": N, "date": "YYYY-MM-DD"}.`))
		return
	}
	id, err := req.File.Int64()
	if err != nil {
		write(w, message(http.StatusBadRequest, "customer_file_id must be an id."))
		return
	}
	body, err := s.BillingRun(id, req.Date)
	rep := controlReply(body, err)
	if err == nil {
		rep.status = http.StatusCreated
	}
	write(w, rep)
}
