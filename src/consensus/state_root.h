// The state root: an LtHash16 (crypto/lthash.h) over every state entry
// (consensus key of state.h, value). Connecting a block removes each touched
// key's old entry and adds its new one, so the root after a block follows from
// the parent's lanes and the block's StateDiff alone, in O(changed entries).
// Keys are hashed in their consensus form ('a' || address, 'm' || module ||
// key), never with the chain layer's LevelDB prefix, so the root does not
// depend on how a node stores its state. That key space is prefix-free per
// kind, which keeps key || value unambiguous.
//
// Thread-safety: pure functions. With threads > 1 the work is split over
// short-lived std::threads; the result is identical for any thread count
// because lane addition is commutative and associative.
#pragma once

#include <vector>

#include "consensus/state.h"
#include "crypto/lthash.h"
#include "util/bytes.h"

namespace depin::consensus {

// Fewer entries than this are hashed on the calling thread: starting threads
// costs more than hashing a few hundred entries.
inline constexpr size_t kParallelStateRootMinEntries = 512;

// One entry to add to or remove from the lanes; the bytes are borrowed.
struct EntryRef {
  ByteSpan key;
  ByteSpan value;
  bool add = true;  // false: remove
};

// Adds or removes every entry, split evenly over `threads` threads
// (0 = std::thread::hardware_concurrency()).
void ApplyEntries(crypto::LtHash16& hash, const std::vector<EntryRef>& entries, unsigned threads);

// Applies `diff` to `hash`: for every change, remove (key, before) when
// present and add (key, after) when present.
void ApplyDiff(crypto::LtHash16& hash, const StateDiff& diff, unsigned threads);

// The state root after applying `diff` to the state whose lanes are `parent`.
Hash256 StateRootAfter(const crypto::LtHash16& parent, const StateDiff& diff, unsigned threads);

}  // namespace depin::consensus
