#!/usr/bin/env bash
# Runs each fuzz target of a libFuzzer build for a bounded time (`make fuzz`).
#   tests/fuzz/run_fuzz.sh BUILD_DIR SECONDS [TARGET...]
# Each target starts from its committed corpus (tests/fuzz/corpus/<target>/,
# read only) plus a scratch corpus under BUILD_DIR/fuzz-corpus/<target>/ that
# keeps what it found between runs. A crash, leak, sanitizer report, failed
# FUZZ_CHECK or timeout leaves its input in BUILD_DIR/fuzz-artifacts/ and
# makes the script fail after all targets have run. To keep a finding as a
# regression input: fix it, then copy the input to
# tests/fuzz/corpus/<target>/crash-<what> (tests/fuzz/README.md).
set -u
build=${1:?build dir}
seconds=${2:?seconds per target}
shift 2
src=$(cd "$(dirname "$0")" && pwd)
if [ $# -eq 0 ]; then
  set -- $(cd "$src" && ls *.cpp | grep -v -e '^replay_main.cpp$' -e '^gen_corpus.cpp$' | sed 's/\.cpp$//')
fi
mkdir -p "$build/fuzz-artifacts"
failed=()
for t in "$@"; do
  work="$build/fuzz-corpus/$t"
  mkdir -p "$work"
  echo "== fuzz_$t for ${seconds}s"
  # -timeout: one input taking longer than 10 s is a finding (bounded work);
  # -rss_limit_mb: so is one that makes the process pass 2 GiB.
  if ! "$build/bin/fuzz_$t" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$build/fuzz-artifacts/$t-" \
      "$work" "$src/corpus/$t" 2>"$build/fuzz-artifacts/$t.log"; then
    failed+=("$t")
    tail -40 "$build/fuzz-artifacts/$t.log"
  fi
  grep -E '^stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb)' \
    "$build/fuzz-artifacts/$t.log" | tr '\n' ' '
  echo
done
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: findings in: ${failed[*]} (inputs in $build/fuzz-artifacts/)"
  exit 1
fi
echo "fuzz: no findings"
