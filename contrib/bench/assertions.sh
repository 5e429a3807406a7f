#!/usr/bin/env bash
# What libstdc++'s assertions (-D_GLIBCXX_ASSERTIONS, CMake option
# DEPIN_GLIBCXX_ASSERTIONS, on by default) cost: the same benchmarks from a
# build without them and one with them, run alternately ROUNDS times (the
# machine's load moves both sides alike), then the median time of each side
# and their ratio, in wall time and in CPU time (the steadier of the two on a
# loaded machine). Times are in each benchmark's own unit.
#
#   cmake -S . -B build-noassert -G Ninja -DDEPIN_GLIBCXX_ASSERTIONS=OFF
#   cmake --build build-noassert --target depin_bench
#   contrib/bench/assertions.sh build-noassert/bin build/bin [ROUNDS] [FILTER]
set -euo pipefail
OFF=${1:?usage: assertions.sh OFF_BINDIR ON_BINDIR [ROUNDS] [FILTER]}
ON=${2:?usage: assertions.sh OFF_BINDIR ON_BINDIR [ROUNDS] [FILTER]}
ROUNDS=${3:-5}
FILTER=${4:-'ConnectBlock10kTransfers/|ExecuteBlock10kTransfers|BlockDecode/threads:1/|MempoolInsertRecovered|MerkleRoot/10000|TxDecode/legacy:0|ConnectPoStBlock/mode:0'}
command -v python3 >/dev/null || { echo "assertions.sh: python3 not found"; exit 1; }
for dir in "$OFF" "$ON"; do
  [ -x "$dir/depin_bench" ] || { echo "assertions.sh: no depin_bench in $dir"; exit 1; }
done
TMP=$(mktemp -d /tmp/depin_assertions_bench.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
for round in $(seq 1 "$ROUNDS"); do
  for side in off on; do
    dir=$OFF
    [ "$side" = on ] && dir=$ON
    "$dir/depin_bench" --benchmark_filter="$FILTER" --benchmark_format=csv \
      >"$TMP/$side.$round.csv" 2>/dev/null
  done
done
python3 - "$TMP" "$ROUNDS" <<'EOF'
import csv, statistics, sys
tmp, rounds = sys.argv[1], int(sys.argv[2])
times = {"off": {}, "on": {}}
cpu = {"off": {}, "on": {}}
for side in times:
    for r in range(1, rounds + 1):
        with open(f"{tmp}/{side}.{r}.csv") as f:
            lines = [l for l in f if l.startswith('"') or l.startswith("name,")]
        for row in csv.DictReader(lines):
            if row.get("error_occurred") == "true":
                continue
            times[side].setdefault(row["name"], []).append(float(row["real_time"]))
            cpu[side].setdefault(row["name"], []).append(float(row["cpu_time"]))
print(f"| benchmark | wall without / with (median of {rounds}) | ratio | "
      "CPU without / with | ratio |")
print("|---|---|---|---|---|")
for name, off in times["off"].items():
    on = times["on"].get(name)
    if not on:
        continue
    a, b = statistics.median(off), statistics.median(on)
    c, d = statistics.median(cpu["off"][name]), statistics.median(cpu["on"][name])
    print(f"| {name} | {a:.4g} / {b:.4g} | {b / a:.3f} | {c:.4g} / {d:.4g} | {d / c:.3f} |")
EOF
