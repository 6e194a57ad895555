package main

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/onboardhq/onboard/pkg/resource"
)

// The flags and arguments of the state subcommands, apart from what they
// do: each case says which subcommand ran with which options.
func TestStateFlags(t *testing.T) {
	tests := []struct {
		args    []string
		want    any
		wantErr string
	}{
		{args: []string{"list", "--state", "s.state"}, want: &stateListOptions{statePath: "s.state", output: "text"}},
		{args: []string{"list", "-o", "json", "--state", "postgres://ci@db/onboard"}, want: &stateListOptions{statePath: "postgres://ci@db/onboard", output: "json"}},
		{args: []string{"--state", "s.state", "show", "customer.acme"}, want: &stateShowOptions{statePath: "s.state", addr: "customer.acme"}},
		{args: []string{"rm", "customer.acme.file.main", "--state", "s.state"}, want: &stateRmOptions{statePath: "s.state", addr: "customer.acme.file.main"}},
		{args: []string{"import", "customer.acme", "101", "--state", "s.state"},
			want: &stateImportOptions{statePath: "s.state", addr: "customer.acme", kind: resource.Customer, id: 101}},
		{args: []string{"migrate", "--to", "postgres://u:pw@db/onboard", "--state", "s.state"},
			want: &stateMigrateOptions{statePath: "s.state", to: "postgres://u:pw@db/onboard"}},
		{args: []string{"migrate", "--state", "s.state"}, wantErr: "state migrate needs --to LOCATION"},
		{args: []string{"migrate", "--to", "postgres://u:pw@db/x", "--state", "postgres://u:other@db/x"}, wantErr: "--to is the state itself (postgres://u:xxxxx@db/x)"},
		{args: []string{"list", "-o", "markdown", "--state", "s.state"}, wantErr: `--output must be text or json, not "markdown"`},
		{args: []string{"show", "--state", "s.state"}, wantErr: "usage: state show ADDRESS"},
		{args: []string{"rm", "a", "b", "--state", "s.state"}, wantErr: "usage: state rm ADDRESS"},
		{args: []string{"import", "customer.acme", "--state", "s.state"}, wantErr: "usage: state import ADDRESS ID"},
		{args: []string{"import", "planet.earth", "1", "--state", "s.state"}, wantErr: `"planet.earth" is not an address`},
		{args: []string{"import", "customer.acme", "0", "--state", "s.state"}, wantErr: `ID must be a positive whole number, not "0"`},
		{args: []string{"import", "customer.acme", "CL1", "--state", "s.state"}, wantErr: `ID must be a positive whole number, not "CL1"`},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got any
			keep := func(o any) error { got = o; return nil }
			c := newStateCmd(&app{}, &stateRuns{
				list:    func(_ context.Context, o *stateListOptions) error { return keep(o) },
				show:    func(_ context.Context, o *stateShowOptions) error { return keep(o) },
				rm:      func(_ context.Context, o *stateRmOptions) error { return keep(o) },
				imp:     func(_ context.Context, o *stateImportOptions) error { return keep(o) },
				migrate: func(_ context.Context, o *stateMigrateOptions) error { return keep(o) },
			})
			c.SetArgs(tt.args)
			c.SetOut(&bytes.Buffer{})
			c.SetErr(&bytes.Buffer{})
			err := c.Execute()
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("error %v, want %q", err, tt.wantErr)
				}
				if got != nil {
					t.Fatal("ran despite a usage error")
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tt.want) {
				t.Fatalf("error %v, ran with %#v, want %#v", err, got, tt.want)
			}
		})
	}
}

// The flags of onboard force-unlock, apart from what it does.
func TestForceUnlockFlags(t *testing.T) {
	build := func(runF func(context.Context, *forceUnlockOptions) error) *cobra.Command {
		return newForceUnlockCmd(&app{}, runF)
	}
	testFlags(t, build, []flagCase[forceUnlockOptions]{
		{args: nil, check: func(t *testing.T, o *forceUnlockOptions) {
			if o.statePath != "" {
				t.Errorf("defaults: %+v", o)
			}
		}},
		{args: []string{"--state", "s.state"}, check: func(t *testing.T, o *forceUnlockOptions) {
			if o.statePath != "s.state" {
				t.Errorf("flags: %+v", o)
			}
		}},
		{args: []string{"s.state"}, wantErr: `unknown command "s.state"`},
	})
}
