// Command gen writes the manifest JSON Schema generated from the resource
// table. It is run by `go generate ./schemas/`.
package main

import (
	"fmt"
	"os"

	"github.com/onboardhq/onboard/pkg/manifest"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: gen OUTPUT.json")
		os.Exit(2)
	}
	out, err := manifest.GenerateSchema()
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
	if err := os.WriteFile(os.Args[1], out, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
