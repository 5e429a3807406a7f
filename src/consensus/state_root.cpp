#include "consensus/state_root.h"

#include <algorithm>
#include <thread>
#include <vector>

namespace depin::consensus {
namespace {

// Sums entries [begin, end) into `out`.
void SumEntries(const std::vector<EntryRef>& entries, size_t begin, size_t end,
                crypto::LtHash16& out) {
  uint8_t expanded[crypto::LtHash16::kSerializedSize];
  for (size_t i = begin; i < end; ++i) {
    crypto::ExpandEntry(entries[i].key, entries[i].value, expanded);
    if (entries[i].add) {
      out.AddExpanded(expanded);
    } else {
      out.SubtractExpanded(expanded);
    }
  }
}

}  // namespace

void ApplyEntries(crypto::LtHash16& hash, const std::vector<EntryRef>& entries, unsigned threads) {
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  // Chunks no smaller than half the serial threshold, so each thread does
  // enough hashing to pay for its start; every entry costs the same.
  const size_t max_chunks =
      std::max<size_t>(1, entries.size() / (kParallelStateRootMinEntries / 2));
  const size_t chunks = entries.size() < kParallelStateRootMinEntries
                            ? 1
                            : std::min<size_t>(std::max(1u, threads), max_chunks);
  if (chunks == 1) {
    SumEntries(entries, 0, entries.size(), hash);
    return;
  }
  auto bound = [&](size_t c) { return entries.size() * c / chunks; };
  std::vector<crypto::LtHash16> partial(chunks);
  std::vector<std::thread> workers;
  workers.reserve(chunks - 1);
  for (size_t c = 1; c < chunks; ++c) {
    workers.emplace_back([&entries, &partial, &bound, c] {
      SumEntries(entries, bound(c), bound(c + 1), partial[c]);
    });
  }
  SumEntries(entries, 0, bound(1), partial[0]);
  for (std::thread& t : workers) t.join();
  for (const crypto::LtHash16& p : partial) hash.Add(p);
}

void ApplyDiff(crypto::LtHash16& hash, const StateDiff& diff, unsigned threads) {
  std::vector<EntryRef> entries;
  entries.reserve(2 * diff.size());
  for (const StateChange& c : diff) {
    if (c.before) entries.push_back({c.key, *c.before, false});
    if (c.after) entries.push_back({c.key, *c.after, true});
  }
  ApplyEntries(hash, entries, threads);
}

Hash256 StateRootAfter(const crypto::LtHash16& parent, const StateDiff& diff, unsigned threads) {
  crypto::LtHash16 hash = parent;
  ApplyDiff(hash, diff, threads);
  return hash.Root();
}

}  // namespace depin::consensus
