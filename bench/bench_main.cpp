// The single entry point of depin_bench; every other bench/*.cpp only
// registers benchmarks.
#include <benchmark/benchmark.h>

BENCHMARK_MAIN();
