// A minimal fork-join helper for the proofs library: split an index range into
// contiguous chunks and run them on std::threads. Sealing and verification
// use it for tree levels, column hashes and proof batches. A shared node-wide
// thread pool can replace it later without changing the callers.
//
// Thread-safety: ParallelFor may be called from any thread; `fn` must be safe
// to run concurrently on disjoint ranges.
#pragma once

#include <cstddef>
#include <functional>

namespace depin::storage::proofs {

// Number of hardware threads (at least 1).
size_t HardwareThreads();

// Calls fn(begin, end) over [0, n) in at most `threads` contiguous chunks of
// at least `min_chunk` items. Runs inline when one chunk suffices.
void ParallelFor(size_t n, size_t threads, size_t min_chunk,
                 const std::function<void(size_t begin, size_t end)>& fn);

}  // namespace depin::storage::proofs
