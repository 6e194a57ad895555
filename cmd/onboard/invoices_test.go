package main

import (
	"context"
	"testing"

	"github.com/spf13/cobra"
)

// The flags of onboard invoices, apart from what it does.
func TestInvoicesFlags(t *testing.T) {
	build := func(runF func(context.Context, *invoicesOptions) error) *cobra.Command {
		return newInvoicesCmd(&app{}, runF)
	}
	testFlags(t, build, []flagCase[invoicesOptions]{
		{args: []string{"customer.acme"}, check: func(t *testing.T, o *invoicesOptions) {
			if o.addr != "customer.acme" || o.custAddr != "customer.acme" || len(o.paths) != 0 || o.statePath != "" || o.output != "text" ||
				o.client.rate != defaultRate {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"customer.acme.file.main", "customers/", "--state", "s.state", "-o", "json", "--base-url", "http://x/api"},
			check: func(t *testing.T, o *invoicesOptions) {
				if o.addr != "customer.acme.file.main" || o.custAddr != "customer.acme" || len(o.paths) != 1 || o.paths[0] != "customers/" ||
					o.statePath != "s.state" || o.output != "json" || o.client.baseURL != "http://x/api" {
					t.Errorf("flags: %+v", o)
				}
			}},
		{args: []string{"customer.acme", "-o", "markdown"}, wantErr: `--output must be text or json, not "markdown"`},
		{args: []string{"planet.earth"}, wantErr: `"planet.earth" is not an address`},
		{args: []string{"item.trunk"}, wantErr: "item.trunk is not a customer or an object of one"},
		{args: nil, wantErr: "usage: invoices ADDRESS [PATH...]"},
	})
}
