package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/bluerocktel"
	"github.com/onboardhq/onboard/pkg/manifest"
	moneyrule "github.com/onboardhq/onboard/pkg/money"
	"github.com/onboardhq/onboard/pkg/resource"
	"github.com/onboardhq/onboard/pkg/state"
	"github.com/onboardhq/onboard/pkg/state/pgstate"
)

// invoicesOptions are onboard invoices' inputs.
type invoicesOptions struct {
	addr      string
	paths     []string
	custAddr  string // the customer addr is, or is in
	statePath string
	output    string
	client    clientFlags
}

// newInvoicesCmd builds onboard invoices; runF runs it (a.runInvoices
// unless a test checks the flags alone).
func newInvoicesCmd(a *app, runF func(context.Context, *invoicesOptions) error) *cobra.Command {
	opts := &invoicesOptions{}
	if runF == nil {
		runF = a.runInvoices
	}
	c := &cobra.Command{
		Use:   "invoices ADDRESS [PATH...]",
		Short: "List a customer's invoices (read-only)",
		Long: `invoices lists the invoices BlueRockTEL's billing runs made for a customer of
the state (GET /v1/invoices?customer_id=N, every page): number, date, period,
totals excluding and including tax, and net to pay, in exact decimals. Given a
customer file's address, only that file's invoices. It changes nothing.

PATHs only locate the state, as for plan and apply.`,
		Example: `  onboard invoices customer.acme --state customers/onboard.state
  onboard invoices customer.acme.file.main-2026 customers/
  onboard invoices customer.acme --output json`,
		Args: needAddress,
		RunE: func(c *cobra.Command, args []string) error {
			if err := checkOutput(opts.output, textOrJSON); err != nil {
				return err
			}
			opts.addr, opts.paths = args[0], args[1:]
			if _, err := manifest.KindOf(opts.addr); err != nil {
				return &usageError{err}
			}
			custAddr, ok := customerOf(opts.addr)
			if !ok {
				return usagef("%s is not a customer or an object of one: invoices are a customer's (e.g. customer.acme)", opts.addr)
			}
			opts.custAddr = custAddr
			return runF(c.Context(), opts)
		},
	}
	c.Flags().StringVar(&opts.statePath, "state", "", "state file (default: onboard.state beside the manifests, or in the current directory without PATHs)")
	c.Flags().StringVarP(&opts.output, "output", "o", "text", "text or json")
	opts.client.register(c.Flags())
	return c
}

// runInvoices is onboard invoices: the customer's invoices (or its
// file's), read from BlueRockTEL.
func (a *app) runInvoices(ctx context.Context, opts *invoicesOptions) error {
	addr, paths, custAddr := opts.addr, opts.paths, opts.custAddr
	statePath, err := stateLocation(opts.statePath, paths)
	if err != nil {
		return err
	}
	st, err := readState(a, statePath)
	if err != nil {
		return err
	}
	cust, err := createdIn(st, statePath, custAddr)
	if err != nil {
		return err
	}
	var fileID int64
	if k, _ := manifest.KindOf(addr); k == resource.CustomerFile {
		f, err := createdIn(st, statePath, addr)
		if err != nil {
			return err
		}
		fileID = f.ID
	}
	client, err := opts.client.client(a)
	if err != nil {
		return err
	}
	defer client.Close()
	all, err := client.Invoices(ctx, cust.ID)
	if err != nil {
		return err
	}
	invs := make([]bluerocktel.Invoice, 0, len(all))
	for _, inv := range all {
		if fileID == 0 || inv.CustomerFileID == fileID {
			invs = append(invs, inv)
		}
	}
	if opts.output == "json" {
		return writeInvoicesJSON(a.stdout, addr, cust.ID, invs)
	}
	return writeInvoicesText(a.stdout, addr, cust.ID, invs)
}

// customerOf returns the address of the customer an address is in (its
// owner, when that is a customer: invoices are a customer's).
func customerOf(addr string) (string, bool) {
	owner := resource.OwnerAddr(addr)
	if k, err := manifest.KindOf(owner); err != nil || k != resource.Customer {
		return "", false
	}
	return owner, true
}

// createdIn returns the state's record of addr, which must have an id.
func createdIn(st *state.State, statePath, addr string) (*state.Object, error) {
	o := st.Get(addr)
	if o == nil {
		return nil, fmt.Errorf("%s is not in the state %s%s", addr, pgstate.Redact(statePath), suggestAddr(st, addr))
	}
	if o.Status != state.StatusCreated || o.ID <= 0 {
		return nil, fmt.Errorf("%s has no BlueRockTEL id yet (its create is %s): apply settles it, or see `onboard state import`", addr, o.Status)
	}
	return o, nil
}

// writeInvoicesText prints the invoices as a table, amounts right-aligned,
// with their exact totals.
func writeInvoicesText(w io.Writer, addr string, customerID int64, invs []bluerocktel.Invoice) error {
	if len(invs) == 0 {
		_, err := fmt.Fprintf(w, "No invoices for %s (customer #%d).\n", addr, customerID)
		return err
	}
	rows := [][]string{{"NUMBER", "DATE", "PERIOD", "EXCL. TAX", "INCL. TAX", "NET TO PAY"}}
	var net, gross, toPay apd.Decimal
	for _, inv := range invs {
		period := inv.ServicesStart
		if inv.ServicesEnd != "" {
			period += " – " + inv.ServicesEnd
		}
		number := inv.Number
		if inv.Canceled {
			number += " (cancelled)"
		}
		rows = append(rows, []string{number, inv.Date, period, money(inv.TotalWithoutTax), money(inv.TotalWithTax), money(inv.NetToPay)})
		if !inv.Canceled {
			add(&net, inv.TotalWithoutTax)
			add(&gross, inv.TotalWithTax)
			add(&toPay, inv.NetToPay)
		}
	}
	rows = append(rows, []string{fmt.Sprintf("%d invoice(s)", len(invs)), "", "total", moneyrule.Text(&net), moneyrule.Text(&gross), moneyrule.Text(&toPay)})
	widths := make([]int, len(rows[0]))
	for _, r := range rows {
		for i, c := range r {
			widths[i] = max(widths[i], len([]rune(c)))
		}
	}
	if _, err := fmt.Fprintf(w, "Invoices of %s (customer #%d):\n", addr, customerID); err != nil {
		return err
	}
	for _, r := range rows {
		var b strings.Builder
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-len([]rune(c)))
			if i >= 3 { // amounts
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		if _, err := fmt.Fprintln(w, strings.TrimRight(b.String(), " ")); err != nil {
			return err
		}
	}
	return nil
}

// money renders an amount by the one money rule, as plans do (cents,
// thousands separated, ≈ where rounded; "" as "-").
func money(s string) string {
	if s == "" {
		return "-"
	}
	d, _, err := apd.NewFromString(s)
	if err != nil {
		return s
	}
	return moneyrule.Text(d)
}

func add(sum *apd.Decimal, s string) {
	if d, _, err := apd.NewFromString(s); err == nil {
		_, _ = apd.BaseContext.WithPrecision(40).Add(sum, sum, d)
	}
}

// writeInvoicesJSON writes {"address", "customer_id", "invoices": [...]};
// amounts are JSON strings of exact decimals.
func writeInvoicesJSON(w io.Writer, addr string, customerID int64, invs []bluerocktel.Invoice) error {
	if invs == nil {
		invs = []bluerocktel.Invoice{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(struct {
		Address    string                `json:"address"`
		CustomerID int64                 `json:"customer_id"`
		Invoices   []bluerocktel.Invoice `json:"invoices"`
	}{addr, customerID, invs})
}
