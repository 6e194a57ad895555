package main

import (
	"os"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdReadme writes a shell block of README.md to a file, so that a script
// runs the commands exactly as the README shows them:
//
//	readme NAME FILE
//
// NAME's block is the fenced code between <!-- NAME:begin --> and
// <!-- NAME:end -->.
func cmdReadme(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: readme NAME FILE")
	}
	b, err := os.ReadFile(ts.Getenv("REPO") + "/README.md")
	ts.Check(err)
	_, rest, ok := strings.Cut(string(b), "<!-- "+args[0]+":begin -->\n")
	block, _, ok2 := strings.Cut(rest, "<!-- "+args[0]+":end -->")
	if !ok || !ok2 {
		ts.Fatalf("README.md has no block %s", args[0])
	}
	block = strings.TrimSpace(block)
	if !strings.HasPrefix(block, "```sh\n") || !strings.HasSuffix(block, "\n```") {
		ts.Fatalf("README.md block %s is not one ```sh fence", args[0])
	}
	block = strings.TrimSuffix(strings.TrimPrefix(block, "```sh\n"), "```")
	ts.Check(os.WriteFile(ts.MkAbs(args[1]), []byte(block), 0o644))
}
