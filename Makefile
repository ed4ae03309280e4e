# tfdrift — see README.md. Every target works offline once Go modules are cached.
SHELL := /bin/bash
GO ?= go
BIN := bin/tfdrift
TOOLS ?= $(HOME)/.cache/tfdrift-tools
export TFDRIFT_TOOLS := $(TOOLS)
STATICCHECK_VERSION ?= v0.8.2
FUZZTIME ?= 4s
# The version `tfdrift version` prints: the tag on a tagged commit, what
# git describe says after one (v1.2.3-4-gabc1234), and without any tag (or
# without git) v0.0.0-dev plus the commit when there is one.
VERSION ?= $(shell git describe --tags --match 'v[0-9]*' --dirty 2>/dev/null || echo "v0.0.0-dev+$$(git rev-parse --short HEAD 2>/dev/null || echo unknown)")
LDFLAGS := -s -w -X main.version=$(VERSION)

.PHONY: all build version release demo test test-short fuzz-short bench bench-memory soak lint docs tools clean

all: build

build:
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/tfdrift

version:
	@echo $(VERSION)

## release: linux and darwin binaries (amd64, arm64), the chart stamped with
## the version, and checksums.txt in dist/ (see scripts/release.sh).
release:
	bash scripts/release.sh $(VERSION) dist

## demo: the whole detector on the embedded example — no cloud, no accounts.
demo:
	$(GO) run ./cmd/tfdrift demo

## tools: terraform v1.5.7, helm, act and actionlint for the end-to-end,
## chart and action tests (built once, cached).
tools:
	@bash .ci/install-terraform.sh >/dev/null
	@bash .ci/install-helm.sh >/dev/null
	@bash .ci/install-act.sh >/dev/null
	@bash .ci/install-actionlint.sh >/dev/null

## test: vet, then everything with the race detector and -tags e2e: the
## short suite, the end-to-end tests in internal/e2etest and the files
## tagged e2e (real terraform, helm, act, actionlint, Postgres, Chromium;
## docs/ARCHITECTURE.md, Testing), then a short fuzz run.
test: tools
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	$(GO) test -race -tags e2e -count=1 -timeout 20m ./...
	@$(MAKE) --no-print-directory fuzz-short

## test-short: go test -short over every package but internal/e2etest,
## without the e2e tag. It needs Go alone: no terraform, helm, act,
## actionlint, Postgres or Chromium.
test-short:
	$(GO) test -short -count=1 $$($(GO) list ./... | grep -v '/internal/e2etest')

## fuzz-short: every fuzz target for FUZZTIME each (CI runs this in make test).
fuzz-short:
	@bash scripts/fuzz-short.sh $(FUZZTIME)

## bench: the hot paths. Throughput numbers are per core (GOMAXPROCS=1),
## except the Falco HTTP end-to-end runs, which use every core: the daemon
## and its 8 load-generating clients share the machine, as on a small node.
## Each figure has its baseline in the same run (README, Performance): the
## *EncodingJSON / *NaiveDecode benchmarks, and BenchmarkFalcoHTTPNullReceiver,
## a do-nothing receiver fed by the same load generator. -tags e2e puts
## Postgres beside SQLite in the store benchmarks (storetest.Engines).
bench:
	GOMAXPROCS=1 $(GO) test -tags e2e -run '^$$' -skip 'FalcoHTTP' -bench . -benchmem -benchtime 2s \
		./detector/... ./app/...
	$(GO) test -tags e2e -run '^$$' -bench 'FalcoHTTP' -benchtime 100000x ./app/daemon/

## bench-memory: peak RSS of a generated 100,000-resource state (311 MB)
## loaded and then reloaded ten times, in a fresh process, as a multiple
## of the file size (target under 2x; README, Performance), parsed as it
## streams in and, as the baseline in the same run, read whole first.
bench-memory:
	$(GO) test -run '^$$' -bench 'ReloadMemory100k' -benchtime 1x ./detector/state/refresh/

## soak: the daemon under a mixed Falco stream at half its measured
## maximum rate for SOAK_DURATION (default 30m), with two kill -9
## restarts: alerts accepted, drifts recorded, duplicates, lost, peak RSS
## (README, Soak test). Not part of make test.
SOAK_DURATION ?= 30m
soak:
	SOAK_DURATION=$(SOAK_DURATION) $(GO) run ./scripts/soak

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags e2e ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) ./...
	$(GO) run honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION) -tags e2e ./...

## docs: regenerate the generated parts of README.md and docs/.
docs:
	$(GO) run ./cmd/tfdrift catalog --format markdown > docs/catalog.md
	$(GO) run ./scripts/readme-catalog
	$(GO) run ./action/internal/docgen

clean:
	rm -rf bin dist
