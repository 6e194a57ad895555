//go:build !unix

package main

import "github.com/spf13/cobra"

// detachSandbox needs a Unix session to outlive its shell.
func detachSandbox(*app, *cobra.Command) error {
	return usagef("sandbox --detach works on Unix only; run `onboard sandbox` in another terminal")
}
