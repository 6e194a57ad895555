# onboard: make demo | make test | make bench | make lint
GO      ?= go
BIN     := bin/onboard
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# The fuzz run in `make test` is bounded; raise it locally to search longer.
FUZZTIME ?= 30s

.PHONY: all build test unit suites fuzz demo bench bench-e2e lint fmt generate clean postgres

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/onboard

## test: vet, every test (unit, golden, end-to-end testscripts, fault and
## crash suites against the sandbox), then a bounded fuzz run.
test: lint unit suites fuzz

## postgres: the PostgreSQL server binaries (initdb, pg_ctl) that the tests
## of the shared state start a throwaway server from; installed with
## apt-get when missing. No server is left running.
postgres:
	@if command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then :; \
	elif [ "$$(id -u)" = 0 ]; then \
		echo "installing PostgreSQL (apt-get install postgresql)"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; \
	else echo "PostgreSQL is missing: run 'sudo apt-get install -y postgresql' (the shared-state tests need initdb and pg_ctl)"; exit 1; fi

unit: postgres
	$(GO) test -count=1 -timeout 15m -skip '^Test(Fault|Crash)Suite$$' ./...

## suites: the fault and crash suites of the real binary against the
## sandbox, verbose so that their figures (requests, faults, runs to
## converge, duplicates, missing) are printed.
suites:
	@$(GO) test -count=1 -timeout 10m -v -run '^Test(Fault|Crash)Suite$$' ./cmd/onboard/ > .suites.log 2>&1 \
		|| { cat .suites.log; exit 1; }
	@grep -E '^(fault|crash) suite:' .suites.log; grep -E '^(ok|FAIL)' .suites.log

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzLoad -fuzztime=$(FUZZTIME) ./pkg/manifest/

## demo: build, start the sandbox on a free port, plan + apply + re-apply
## examples/acme.yaml, print the state, stop the sandbox.
demo: build
	./scripts/demo.sh $(BIN) examples/acme.yaml

## bench: Go benchmarks of the hot paths (3 iterations each; the journal
## append, a figure per fsync, 2,000), then the end-to-end benchmark of the
## built binary, which ends with each target of BENCHMARKS.md and its
## measured figure. About a minute and a half on the 2-core machine.
bench: build postgres
	$(GO) test -run='^$$' -bench=. -skip=JournalAppend -benchmem -benchtime=3x ./pkg/...
	$(GO) test -run='^$$' -bench=JournalAppend -benchmem -benchtime=2000x ./pkg/state/
	$(GO) run ./cmd/onboard-bench -onboard $(BIN)

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...

fmt:
	gofmt -w $$(git ls-files '*.go')

generate:
	$(GO) generate ./...

clean:
	rm -rf bin .demo
