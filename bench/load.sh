#!/usr/bin/env bash
# Load on POST /api/payment-intent (wrk, valid and invalid mixes at once, against `wrangler dev` +
# localstripe) and the gzipped size of the deployable bundle. See bench/load.mjs.
#   bench/load.sh [SECONDS=10] [CONNECTIONS=4]     figures also in ${BENCH_OUT:-target/bench}/load.json
# Needs what `make test` installs (node_modules, .venv/bin/localstripe, the Rust toolchain) and wrk.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v wrk >/dev/null || { echo "bench/load.sh: wrk is missing: apt-get install wrk" >&2; exit 1; }
exec node bench/load.mjs "$@"
