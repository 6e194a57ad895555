# onboard: make demo | make test | make bench | make lint
GO      ?= go
BIN     := bin/onboard
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X main.version=$(VERSION) -X main.commit=$(COMMIT)
# The fuzz run in `make test` is bounded; raise it locally to search longer.
FUZZTIME ?= 30s
# Linters, at pinned versions (see tools).
TOOLS               := $(CURDIR)/bin/tools
ACTIONLINT_VERSION  := v1.7.12
STATICCHECK_VERSION := v0.8.2
SHELLCHECK_VERSION  := 0.9.0
SUDO                := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all build test unit race suites browser fuzz demo bench bench-e2e lint lint-ci tools fmt generate clean postgres

all: build

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/onboard

## test: vet, every test (unit, golden, end-to-end testscripts, fault and
## crash suites against the sandbox), then a bounded fuzz run.
test: lint lint-ci unit race suites browser fuzz

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

## race: the packages with concurrency (and the live progress line) again,
## under the race detector. About 40 s on the 2-core machine.
race:
	$(GO) test -race -count=1 -timeout 10m ./pkg/apply ./pkg/bluerocktel ./pkg/state ./pkg/sandbox ./pkg/export ./pkg/plan ./pkg/importer ./pkg/refresh
	$(GO) test -race -count=1 -timeout 5m -run '^TestProgress' ./cmd/onboard

## suites: the fault and crash suites of the real binary against the
## sandbox, verbose so that their figures (requests, faults, runs to
## converge, duplicates, missing) are printed.
suites:
	@$(GO) test -count=1 -timeout 10m -v -run '^Test(Fault|Crash)Suite$$' ./cmd/onboard/ > .suites.log 2>&1 \
		|| { cat .suites.log; exit 1; }
	@grep -E '^(fault|crash) suite:' .suites.log; grep -E '^(ok|FAIL)' .suites.log

## browser: the Markdown plan converted to HTML (GFM) and rendered in
## headless Chromium, its DOM checked; Debian's chromium is installed when
## missing.
browser:
	@command -v chromium >/dev/null || { echo "installing chromium (apt)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium >/dev/null; }
	$(GO) test -count=1 -tags browser -run '^TestMarkdownInBrowser$$' ./pkg/planrender/

fuzz:
	$(GO) test -run='^$$' -fuzz=FuzzLoad -fuzztime=$(FUZZTIME) ./pkg/manifest/

## demo: build, start the sandbox on a free port, plan + apply + re-apply
## examples/acme.yaml, print the state, stop the sandbox.
demo: build
	./scripts/demo.sh $(BIN) examples/acme.yaml examples/acme-complete.yaml

## bench: Go benchmarks of the hot paths (3 iterations each; the journal
## append, a figure per fsync, 2,000), then the end-to-end benchmark of the
## built binary, which ends with each target of BENCHMARKS.md and its
## measured figure. About a minute and a half on the 2-core machine.
## The baseline of issue 21's ratios: onboard as it was before the work.
BASELINE     ?= 880b467
BASELINE_BIN := bin/onboard-base-$(BASELINE)
SCALE        ?= 100000

## The scale scenario (issue 21: validate and plan of 100,000 customers,
## the state at 500,000 objects) measures bin/onboard side by side with the
## binary of BASELINE, and takes about 6 minutes of the run; SCALE=0 leaves
## it out.
bench: build postgres $(BASELINE_BIN)
	$(GO) test -run='^$$' -bench=. -skip=JournalAppend -benchmem -benchtime=3x ./pkg/...
	$(GO) test -run='^$$' -bench=JournalAppend -benchmem -benchtime=2000x ./pkg/state/
	$(GO) run ./cmd/onboard-bench -onboard $(BIN) -baseline $(BASELINE_BIN) -scale $(SCALE)

$(BASELINE_BIN):
	rm -rf .baseline-src && mkdir -p .baseline-src
	git archive $(BASELINE) | tar -x -C .baseline-src
	cd .baseline-src && $(GO) build -o $(CURDIR)/$@ ./cmd/onboard
	rm -rf .baseline-src

lint: $(TOOLS)/staticcheck-$(STATICCHECK_VERSION)
	@unformatted=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	$(GO) mod tidy -diff
	$(TOOLS)/staticcheck-$(STATICCHECK_VERSION) ./...

## lint-ci: the CI examples and shell scripts. actionlint checks the GitHub
## workflow (and its run: scripts, through shellcheck); the GitLab file's
## scripts are extracted per job and given to shellcheck.
lint-ci: tools
	$(TOOLS)/actionlint-$(ACTIONLINT_VERSION) -shellcheck shellcheck examples/ci/github-actions.yml
	@rm -rf .lint-ci && $(GO) run scripts/gitlab-ci-scripts.go examples/ci/gitlab-ci.yml .lint-ci
	shellcheck -s sh .lint-ci/*.sh
	shellcheck scripts/*.sh

## tools: the linters, at pinned versions: Go tools into bin/tools, named
## with their version so that a new pin installs anew; shellcheck from apt.
tools: $(TOOLS)/actionlint-$(ACTIONLINT_VERSION)
	@shellcheck --version 2>/dev/null | grep -qx 'version: $(SHELLCHECK_VERSION)' || { \
		echo "installing shellcheck $(SHELLCHECK_VERSION) (apt)"; \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq "shellcheck=$(SHELLCHECK_VERSION)-*" >/dev/null; }

$(TOOLS)/actionlint-%:
	GOBIN=$(TOOLS) $(GO) install github.com/rhysd/actionlint/cmd/actionlint@$*
	mv $(TOOLS)/actionlint $@

$(TOOLS)/staticcheck-%:
	GOBIN=$(TOOLS) $(GO) install honnef.co/go/tools/cmd/staticcheck@$*
	mv $(TOOLS)/staticcheck $@

fmt:
	gofmt -w $$(git ls-files '*.go')

generate:
	$(GO) generate ./...

clean:
	rm -rf bin .demo .lint-ci .baseline-src
