package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/spf13/cobra"
)

// flagCase is one command line of a command's flags test: the options it
// parses into (check), or the usage error it gets (wantErr), apart from
// what the command does.
type flagCase[O any] struct {
	args    []string
	wantErr string
	check   func(*testing.T, *O)
}

// testFlags runs each case through the command build makes, with a run
// function that only keeps the options: a usage error must run nothing.
func testFlags[O any](t *testing.T, build func(runF func(context.Context, *O) error) *cobra.Command, tests []flagCase[O]) {
	t.Helper()
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			var got *O
			c := build(func(_ context.Context, o *O) error { got = o; return nil })
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
			if err != nil || got == nil {
				t.Fatalf("error %v, ran %v", err, got != nil)
			}
			tt.check(t, got)
		})
	}
}
