#!/usr/bin/env bash
# Web explorer: time to interactive of its first page in headless Chromium,
# median of RUNS cold loads (contrib/bench/explorer_tti.mjs says what is
# timed). Starts its own depind -dev -explorer node on loopback.
#
#   contrib/bench/explorer.sh [bindir]        # default build/bin
#   RUNS=11 BLOCKS=200 TXS=30 contrib/bench/explorer.sh
#
# Needs chromium and libjs-chart.js (contrib/install-deps.sh) and
# `npm ci --prefix tests/interop` (playwright-core, viem).
set -euo pipefail

BINDIR=${1:-build/bin}
HERE=$(cd "$(dirname "$0")/../.." && pwd)
[ -d "$HERE/tests/interop/node_modules/playwright-core" ] || {
  echo "explorer.sh: run npm ci --prefix tests/interop first"; exit 1; }
exec node "$HERE/contrib/bench/explorer_tti.mjs" --bindir "$BINDIR" --runs "${RUNS:-11}" \
  --blocks "${BLOCKS:-200}" --txs "${TXS:-30}"
