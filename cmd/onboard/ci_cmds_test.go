package main

import (
	"strconv"

	"github.com/rogpeppe/go-internal/testscript"

	"github.com/onboardhq/onboard/pkg/generate"
)

// ciCmds are the script commands of the CI examples' scripts.
var ciCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){
	"generate": cmdGenerate,
}

// cmdGenerate writes a synthetic manifest set (pkg/generate, seed 1):
//
//	generate DIR CUSTOMERS
func cmdGenerate(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: generate DIR CUSTOMERS")
	}
	n, err := strconv.Atoi(args[1])
	ts.Check(err)
	ts.Check(generate.Write(ts.MkAbs(args[0]), n, 1))
}
