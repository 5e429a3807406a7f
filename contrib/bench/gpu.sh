#!/usr/bin/env bash
# GPU figures (issue 13, docs/BENCHMARKS.md): PoW nonce search rate, PoSt
# batch verification of 100,000 sector proofs, and the trees of a 512 MiB
# sector (tree_d, 11-layer column hashes, tree_c, tree_r), each on the CPU
# (all cores), on OpenCL (the first OpenCL device: PoCL's CPU device on a
# machine without a GPU) and on CUDA (the first CUDA device). On a machine
# with a CUDA GPU it first runs the CUDA unit tests (they name the device).
# A backend the machine lacks is reported as skipped with the reason, so the
# same script runs everywhere.
#
#   cmake --build build --target depin_bench unit_compute
#   contrib/bench/gpu.sh [BINDIR] [FILTER]
#
# Quick run (8 MiB trees, 10,000 sectors):
#   contrib/bench/gpu.sh build/bin 'GpuPowSearch|GpuPoStVerify/./10000/|GpuSectorTrees/./23'
set -euo pipefail
BINDIR=${1:-build/bin}
FILTER=${2:-'GpuPowSearch|GpuPoStVerify/./100000/|GpuSectorTrees/./29'}
[ -x "$BINDIR/depin_bench" ] || {
  echo "gpu.sh: no depin_bench in $BINDIR (cmake --build build --target depin_bench)"
  exit 1
}
echo "== machine"
nproc | sed 's/^/cpu threads: /'
grep -m1 'model name' /proc/cpuinfo || true
if command -v nvidia-smi >/dev/null 2>&1 && nvidia-smi -L >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,memory.total,driver_version,clocks.max.sm --format=csv
  if [ -x "$BINDIR/unit_compute" ]; then
    echo "== CUDA unit tests"
    "$BINDIR/unit_compute" --gtest_filter='CudaDeviceTest.*'
  fi
else
  echo "gpu.sh: skipping CUDA: no NVIDIA GPU on this machine (nvidia-smi missing or lists none);"
  echo "        the CUDA rows below report 'no CUDA device'"
fi
echo "== benchmarks (arg 1: 0 = CPU, 1 = OpenCL, 2 = CUDA)"
"$BINDIR/depin_bench" --benchmark_filter="$FILTER" --benchmark_counters_tabular=true
