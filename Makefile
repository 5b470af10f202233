# wsbuild's Makefile. `make demo` sets up this machine and runs the main job;
# `make test` sets it up and runs every test. Both need root on Debian.

export PATH := /usr/local/go/bin:$(PATH)
RIG_DIR ?= $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/wsbuild-rig
DEMO_DIR ?= /tmp/wsbuild-demo
export WSBUILD_BUILDKITD ?= $(RIG_DIR)/bin/buildkitd

.PHONY: all setup build frontend-image demo demo-down test lint unit golden fuzz bench clean

all: build

## setup: install runc, debootstrap and a registry; build buildkitd at the
## version go.mod pins; bootstrap and cache the Debian base tarball.
setup:
	bash .ci/rig-setup.sh

## build: wsbuild and, next to it, the static wsbuild-probe its start
## checks mount into images.
WSBUILD_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
WSBUILD_COMMIT ?= $(shell git rev-parse HEAD 2>/dev/null)
build:
	go build -ldflags '-X main.version=$(WSBUILD_VERSION) -X main.commit=$(WSBUILD_COMMIT)' -o bin/wsbuild ./cmd/wsbuild
	CGO_ENABLED=0 go build -o bin/wsbuild-probe ./cmd/wsbuild-probe

## frontend-image: wsbuild's BuildKit frontend image, made the way ko makes
## images (no Dockerfile, no base image): static wsbuild-frontend and
## wsbuild-probe in one layer, assembled with go-containerregistry and pushed
## to FRONTEND_IMAGE, over plain HTTP when that is on 127.0.0.1 or localhost
## (or FRONTEND_INSECURE=1). Prints REPO@sha256:DIGEST. Reproducible: the
## same source, FRONTEND_VERSION and SOURCE_DATE_EPOCH (default 0) give the
## same digest.
FRONTEND_IMAGE ?= 127.0.0.1:5000/wsbuild/wsbuild-frontend:dev
FRONTEND_PLATFORM ?= linux/amd64
FRONTEND_VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
FRONTEND_INSECURE ?= $(if $(filter 127.0.0.1:% localhost:%,$(FRONTEND_IMAGE)),1)
FRONTEND_BIN = bin/frontend-image/$(subst /,_,$(FRONTEND_PLATFORM))
FRONTEND_GO = CGO_ENABLED=0 GOOS=$(word 1,$(subst /, ,$(FRONTEND_PLATFORM))) \
	GOARCH=$(word 2,$(subst /, ,$(FRONTEND_PLATFORM))) \
	go build -trimpath -buildvcs=false -ldflags='-s -w'
frontend-image:
	$(FRONTEND_GO) -o $(FRONTEND_BIN)/wsbuild-frontend ./cmd/wsbuild-frontend
	$(FRONTEND_GO) -o $(FRONTEND_BIN)/wsbuild-probe ./cmd/wsbuild-probe
	go run ./internal/frontendimage/cmd/frontend-image \
		--frontend $(FRONTEND_BIN)/wsbuild-frontend --probe $(FRONTEND_BIN)/wsbuild-probe \
		--platform $(FRONTEND_PLATFORM) --version $(FRONTEND_VERSION) \
		--push $(FRONTEND_IMAGE) $(if $(FRONTEND_INSECURE),--insecure)

## demo: the main job. Starts the local registry (left running; `make
## demo-down` stops it) and builds and pushes the stock catalogue's CPU
## family on Debian 12 to it with wsbuild's own private buildkitd, every
## image checked inside the build. No package index is reachable on these
## machines, so OFFLINE (default: templates/offline.sets) swaps what the
## catalogue takes from pip for Debian's packages; `make demo OFFLINE=`
## builds it as written, from PyPI and the PyTorch index.
OFFLINE ?= templates/offline.sets
demo: setup build
	go run ./internal/rig/cmd/rig up --dir $(DEMO_DIR) --port 5000 > $(DEMO_DIR).env
	. $(DEMO_DIR).env && bin/wsbuild build --push --progress plain \
		-f templates/catalogue.yaml $(if $(OFFLINE),--set-file $(OFFLINE)) \
		--metadata-file $(DEMO_DIR)/metadata.json
	@echo "pushed; refs and digests in $(DEMO_DIR)/metadata.json"

demo-down:
	go run ./internal/rig/cmd/rig down --dir $(DEMO_DIR)

## test: every test, end-to-end ones included, on the real rig.
test: setup lint build
	WSBUILD_PROBE=$(CURDIR)/bin/wsbuild-probe go test -count=1 -timeout 60m ./...

## lint: gofmt, go vet, and shellcheck (as POSIX sh, following sourced
## files) on every script wsbuild puts into images: templates/files'
## checks/*.sh, init.sh, init.d/*.sh and bin/*. Without shellcheck the last
## is skipped with a message, except in CI (CI set), where it fails.
SHELL_SCRIPTS = $(shell find templates/files -type f \( -name '*.sh' -o -path 'templates/files/bin/*' \) | LC_ALL=C sort)
lint:
	@test -z "$$(gofmt -l .)" || { echo "gofmt needed:"; gofmt -l .; exit 1; }
	go vet ./...
	@if command -v shellcheck >/dev/null 2>&1; then \
		echo "shellcheck -s sh -x -P SCRIPTDIR $(SHELL_SCRIPTS)"; \
		shellcheck -s sh -x -P SCRIPTDIR $(SHELL_SCRIPTS); \
	elif [ -n "$${CI:-}" ]; then \
		echo "lint: shellcheck is not installed and CI is set: install it (apt-get install shellcheck, or make setup)" >&2; \
		exit 1; \
	else \
		echo "lint: SKIPPED shellcheck of templates/files: shellcheck is not installed (apt-get install shellcheck, or make setup)"; \
	fi

## unit: the tests that need no buildkitd or registry.
unit:
	go test -short ./...

## golden: rewrite the golden LLB dumps under testdata/ after a compiler change.
golden:
	go test ./llb -update

## fuzz: run each fuzz target for FUZZTIME (default 30s), one after the
## other (`go test -fuzz` takes one target of one package at a time). Their
## seed corpora, the hostile specs included, run in every `go test`;
## inputs that fail are written under the package's testdata/fuzz.
## FUZZFLAGS shortens the minimising of each new input from its 60 s default:
## on specs of hundreds of images it would stall fuzzing for a minute each.
FUZZTIME ?= 30s
FUZZFLAGS ?= -fuzzminimizetime 5s
FUZZ_TARGETS = ./internal/spec:FuzzParse ./internal/spec:FuzzMatrix ./internal/jinad:FuzzParse ./internal/lock:FuzzParse
fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "go test $$pkg -run '^$$name\$$' -fuzz '^$$name\$$' -fuzztime $(FUZZTIME) $(FUZZFLAGS)"; \
		go test $$pkg -run "^$$name\$$" -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $(FUZZFLAGS); \
	done

## bench: wsbuild against `buildx bake` of the per-image Dockerfiles it
## replaces, on the rig. BENCH_FAMILY=full (the default: the catalogue's
## nine CPU images, over an hour) writes bench/results.md; BENCH_FAMILY=small
## (python, python-pytorch, python-pytorch-jupyter) bench/results-small.md.
## The full run then measures the bytes the catalogue moves to and from a
## remote mutual-TLS buildkitd (TestRemoteCatalogueBytes, about ten minutes).
BENCH_FAMILY ?= full
bench: setup build
	go run ./bench -cache $(RIG_DIR) -family $(BENCH_FAMILY) -wsbuild bin/wsbuild \
		-out bench/results$(if $(filter-out full,$(BENCH_FAMILY)),-$(BENCH_FAMILY)).md
	$(if $(filter full,$(BENCH_FAMILY)),WSBUILD_PROBE=$(CURDIR)/bin/wsbuild-probe \
		go test -tags bench -count=1 -timeout 30m -run '^TestRemoteCatalogueBytes$$' -v ./cmd/wsbuild)

clean:
	rm -rf bin
