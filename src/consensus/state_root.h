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

#include "consensus/state.h"
#include "crypto/lthash.h"
#include "util/bytes.h"

namespace depin::consensus {

// Diffs smaller than this are hashed on the calling thread: starting threads
// costs more than hashing a few hundred entries.
inline constexpr size_t kParallelStateRootMinChanges = 512;

// Applies `diff` to `hash`: for every change, remove (key, before) when
// present and add (key, after) when present. `threads` = 0 means
// std::thread::hardware_concurrency().
void ApplyDiff(crypto::LtHash16& hash, const StateDiff& diff, unsigned threads);

// The state root after applying `diff` to the state whose lanes are `parent`.
Hash256 StateRootAfter(const crypto::LtHash16& parent, const StateDiff& diff, unsigned threads);

}  // namespace depin::consensus
