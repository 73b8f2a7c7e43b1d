# callscope build chain. `make test` sets up a fresh machine (Debian/Ubuntu + rustup + node +
# python3) and runs every suite; each step's time goes to target/step-times.txt.
#
# One target/ directory for everything. polars is only compiled where the Python binding and
# the core's frame tests need it (one debug build, shared by cargo test and maturin develop);
# the Node (debug) and WASM (release, wasm32) builds never enable it.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c

VENV      := $(CURDIR)/.venv
PY        := $(VENV)/bin/python
STEP      := scripts/step
# The binding crates are tested from their own languages below. polars is compiled once, by
# the Python binding (maturin); the frame code is tested through Python (test_frame.py).
# `cli` brings in the command-line tests (core/tests/cli.rs).
CARGO_TEST_ARGS := --workspace --exclude callscope-python --exclude callscope-node \
                   --exclude callscope-wasm --features callscope/cli

.PHONY: bench-smoke vader-parity test setup deps-system deps-rust deps-python deps-node versions \
        rust-test clippy fmt python-build python-test node-build node-test \
        wasm-build wasm-package wasm-test wasm-node-test wasm-browser-test bench-wasm demo clean-times

test: clean-times setup versions rust-test bench-smoke clippy fmt python-test node-test wasm-test vader-parity
	@echo "== step times (seconds) =="; cat target/step-times.txt

clean-times:
	@mkdir -p target; : > target/step-times.txt

# ---- set-up (idempotent: each installer checks first) ----
setup: deps-system deps-rust deps-python deps-node

deps-system:
	$(STEP) deps-system scripts/install-system-deps.sh

deps-rust:
	$(STEP) deps-rust scripts/install-rust-deps.sh

$(PY):
	python3 -m venv $(VENV)

deps-python: $(PY)
	$(STEP) deps-python $(PY) -m pip install --quiet --disable-pip-version-check \
	  -r bindings-python/requirements-dev.txt

deps-node:
	$(STEP) deps-node-npm-ci bash -c 'cd bindings-node && npm ci --no-audit --no-fund && cd ../bindings-wasm && npm ci --no-audit --no-fund'

versions:
	$(STEP) versions scripts/check-versions.sh

# ---- Rust ----
rust-test:
	$(STEP) cargo-test cargo test --no-fail-fast $(CARGO_TEST_ARGS)

# the benches, each run once in test mode (smoke), in the test profile
bench-smoke:
	$(STEP) bench-smoke cargo test -q -p callscope-benches --benches

# the workspace on the host, then the WASM binding on wasm32 (the core without threads), then
# the core's docs (broken intra-doc links fail)
clippy:
	$(STEP) cargo-clippy cargo clippy --workspace --all-targets -- -D warnings
	$(STEP) cargo-clippy-wasm cargo clippy -p callscope-wasm --target wasm32-unknown-unknown -- -D warnings
	$(STEP) cargo-doc env RUSTDOCFLAGS="-D warnings" cargo doc --no-deps -p callscope --features cli

fmt:
	$(STEP) cargo-fmt cargo fmt --all --check

# ---- Python: maturin develop (debug, shares the polars build) + pytest + stub check ----
python-build: $(PY)
	$(STEP) maturin-develop env VIRTUAL_ENV=$(VENV) PATH="$(VENV)/bin:$$PATH" \
	  $(VENV)/bin/maturin develop --quiet -m bindings-python/Cargo.toml

python-test: python-build
	$(STEP) pytest $(PY) -m pytest -q bindings-python/tests
	$(STEP) mypy-stubs $(PY) -m mypy --strict bindings-python/python/callscope

# ---- Node: napi build (debug: the tests need no speed; no polars) + node --test ----
node-build:
	$(STEP) napi-build bash -c 'cd bindings-node && npx napi build --platform --no-const-enum'

node-test: node-build
	@git diff --exit-code -- bindings-node/index.d.ts bindings-node/index.js || \
	  (echo "bindings-node/index.d.ts or index.js changed: commit the generated files" >&2; exit 1)
	$(STEP) node-test bash -c 'cd bindings-node && node --test __test__/'

# ---- WASM: one wasm32 release build, wasm-bindgen for web + nodejs, then Node and Chromium ----
wasm-build:
	$(STEP) wasm-build bindings-wasm/build.sh

wasm-test: wasm-node-test wasm-browser-test

# The publishable browser package: the same build, shrunk with wasm-opt.
wasm-package:
	$(STEP) wasm-package env WASM_OPT=1 WASM_PROFILE=release bindings-wasm/build.sh

wasm-node-test: wasm-build
	$(STEP) wasm-node-test bash -c 'cd bindings-wasm && node --test tests/node.test.mjs tests/hostile.test.mjs'

wasm-browser-test: wasm-build
	$(STEP) wasm-chromium-test bash -c 'cd bindings-wasm && node --test tests/browser.test.mjs'

# The 100k-call report in headless Chromium and in Node (issue #5); not part of `make test`.
# The release build, then bindings-wasm/bench/report.bench.mjs (BENCH_ARGS, e.g. --runs 3).
bench-wasm:
	WASM_PROFILE=release bindings-wasm/build.sh
	cd bindings-wasm && node bench/report.bench.mjs $(BENCH_ARGS)

# ---- VADER parity: every ground-truth text of vaderSentiment's sdist scored by both ----
VADER_SDIST := target/vader/vaderSentiment-3.3.2.tar.gz
$(VADER_SDIST): | $(PY)
	mkdir -p target/vader
	$(PY) -m pip download --quiet --disable-pip-version-check vaderSentiment==3.3.2 \
	  --no-deps --no-binary :all: -d target/vader

vader-parity: $(VADER_SDIST) deps-python
	cargo build -q -p callscope --example callscope_text
	$(STEP) vader-parity $(PY) tests/vader_parity/parity.py --sdist $(VADER_SDIST) \
	  --scorer "target/debug/examples/callscope_text sentiment" --fuzz 20000

# ---- demo: the main job on the bundled two-week multi-provider sample ----
# the sample is one business whose providers each name its account differently: --all-tenants
DEMO_ARGS := --tz America/New_York --all-tenants demo/data
demo:
	cargo build -p callscope --features cli --bin callscope
	./target/debug/callscope report $(DEMO_ARGS)
	@mkdir -p out
	./target/debug/callscope report --format html --out out/dashboard.html $(DEMO_ARGS)
	./target/debug/callscope report --format json --out out/report.json $(DEMO_ARGS)
	@echo "wrote out/dashboard.html (open it in a browser, works offline) and out/report.json"
