#include "consensus/state_root.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace depin::consensus {
namespace {

// Sums the changes [begin, end) into `out` (which starts empty).
void SumChanges(const StateDiff& diff, size_t begin, size_t end, crypto::LtHash16& out) {
  uint8_t expanded[crypto::LtHash16::kSerializedSize];
  for (size_t i = begin; i < end; ++i) {
    const StateChange& change = diff[i];
    if (change.before) {
      crypto::ExpandEntry(change.key, *change.before, expanded);
      out.SubtractExpanded(expanded);
    }
    if (change.after) {
      crypto::ExpandEntry(change.key, *change.after, expanded);
      out.AddExpanded(expanded);
    }
  }
}

}  // namespace

void ApplyDiff(crypto::LtHash16& hash, const StateDiff& diff, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  if (threads == 1 || diff.size() < kParallelStateRootMinChanges) {
    SumChanges(diff, 0, diff.size(), hash);
    return;
  }
  // Chunks no smaller than half the serial threshold, so each thread does
  // enough hashing to pay for its start.
  const size_t max_chunks = std::max<size_t>(1, diff.size() / (kParallelStateRootMinChanges / 2));
  const size_t chunks = std::min<size_t>(threads, max_chunks);
  std::vector<crypto::LtHash16> partial(chunks);
  std::vector<std::thread> workers;
  workers.reserve(chunks - 1);
  const size_t per_chunk = (diff.size() + chunks - 1) / chunks;
  for (size_t c = 1; c < chunks; ++c) {
    const size_t begin = std::min(diff.size(), c * per_chunk);
    const size_t end = std::min(diff.size(), begin + per_chunk);
    workers.emplace_back(
        [&diff, &partial, c, begin, end] { SumChanges(diff, begin, end, partial[c]); });
  }
  SumChanges(diff, 0, std::min(diff.size(), per_chunk), partial[0]);
  for (std::thread& t : workers) t.join();
  for (const crypto::LtHash16& p : partial) hash.Add(p);
}

Hash256 StateRootAfter(const crypto::LtHash16& parent, const StateDiff& diff, unsigned threads) {
  crypto::LtHash16 hash = parent;
  ApplyDiff(hash, diff, threads);
  return hash.Root();
}

}  // namespace depin::consensus
