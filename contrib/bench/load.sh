#!/usr/bin/env bash
# Load on a 3-node loopback network: clients send signed transfers at rising
# rates for a bounded time; prints per step offered/accepted/included tx/s
# and p50/p99 inclusion latency, the sustained rate, each node's peak RSS,
# and checks at the end that every accepted tx is in a block or a mempool
# (exit 1 otherwise). Signing happens before the clock starts.
#
#   contrib/bench/load.sh [bindir]                       # default build/bin
#   RATES=20,50,100,200,400 STEP_SECONDS=20 contrib/bench/load.sh
set -euo pipefail
BINDIR=${1:-build/bin}
RATES=${RATES:-10,25,50,100,200}
STEP_SECONDS=${STEP_SECONDS:-10}
TMP=$(mktemp -d /tmp/depin-load.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
python3 "$(dirname "$0")/load.py" --bindir "$BINDIR" --tmpdir "$TMP" \
  --rates "$RATES" --step-seconds "$STEP_SECONDS"
