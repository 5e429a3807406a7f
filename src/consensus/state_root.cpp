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
  // enough hashing to pay for its start. A change costs one expansion per
  // side it has (a transfer's sender has two, its fresh recipient one), and
  // sorted keys cluster alike changes, so chunks split the expansions evenly
  // rather than the changes.
  const size_t max_chunks = std::max<size_t>(1, diff.size() / (kParallelStateRootMinChanges / 2));
  const size_t chunks = std::min<size_t>(threads, max_chunks);
  std::vector<size_t> bounds(chunks + 1, diff.size());
  bounds[0] = 0;
  size_t total = 0;
  for (const StateChange& c : diff) total += (c.before ? 1 : 0) + (c.after ? 1 : 0);
  size_t seen = 0;
  size_t next = 1;
  for (size_t i = 0; i < diff.size() && next < chunks; ++i) {
    seen += (diff[i].before ? 1 : 0) + (diff[i].after ? 1 : 0);
    if (seen * chunks >= total * next) bounds[next++] = i + 1;
  }
  std::vector<crypto::LtHash16> partial(chunks);
  std::vector<std::thread> workers;
  workers.reserve(chunks - 1);
  for (size_t c = 1; c < chunks; ++c) {
    workers.emplace_back(
        [&diff, &partial, &bounds, c] { SumChanges(diff, bounds[c], bounds[c + 1], partial[c]); });
  }
  SumChanges(diff, bounds[0], bounds[1], partial[0]);
  for (std::thread& t : workers) t.join();
  for (const crypto::LtHash16& p : partial) hash.Add(p);
}

Hash256 StateRootAfter(const crypto::LtHash16& parent, const StateDiff& diff, unsigned threads) {
  crypto::LtHash16 hash = parent;
  ApplyDiff(hash, diff, threads);
  return hash.Root();
}

}  // namespace depin::consensus
