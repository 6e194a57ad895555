package main

import (
	"context"
	"testing"

	"github.com/spf13/cobra"
)

// The flags of onboard show ADDRESS, apart from what it does. (show
// PLAN_FILE reads its file before any option: testdata/script/saved.txtar.)
func TestShowFlags(t *testing.T) {
	build := func(runF func(context.Context, *showOptions) error) *cobra.Command { return newShowCmd(&app{}, runF) }
	testFlags(t, build, []flagCase[showOptions]{
		{args: []string{"customer.acme"}, check: func(t *testing.T, o *showOptions) {
			if o.addr != "customer.acme" || len(o.paths) != 0 || o.statePath != "" || o.output != "text" || o.client.rate != defaultRate {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"customer.acme.file.main", "customers/", "extra.yaml", "--state", "s.state", "-o", "json", "--base-url", "http://x/api"},
			check: func(t *testing.T, o *showOptions) {
				if o.addr != "customer.acme.file.main" || len(o.paths) != 2 || o.paths[1] != "extra.yaml" || o.statePath != "s.state" ||
					o.output != "json" || o.client.baseURL != "http://x/api" {
					t.Errorf("flags: %+v", o)
				}
			}},
		{args: []string{"customer.acme", "-o", "markdown"}, wantErr: `--output must be text or json, not "markdown"`},
		{args: []string{"planet.earth"}, wantErr: `"planet.earth" is not an address`},
		{args: nil, wantErr: "usage: show ADDRESS [PATH...]"},
	})
}
