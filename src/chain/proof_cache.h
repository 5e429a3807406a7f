// VerifiedProofCache: ids (ProofCheck::Id) of proofs whose cryptographic
// check passed at mempool admission, so that a relayed proof is checked once
// and not again when its block connects (as Bitcoin Core's signature cache).
// Bounded: beyond max_entries the oldest ids are forgotten (a forgotten proof
// is simply checked again). Holds only ids that passed; a failure is never
// cached, so a cache cannot turn a bad proof into a good one.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstddef>
#include <deque>
#include <unordered_set>

#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/sync.h"

namespace depin::chain {

class VerifiedProofCache {
 public:
  explicit VerifiedProofCache(size_t max_entries = 1 << 16);

  bool Contains(const Hash256& id) const EXCLUDES(mu_);
  void Insert(const Hash256& id) EXCLUDES(mu_);
  // Forgets `id` (a block used it: it is not needed again). False if absent.
  bool Erase(const Hash256& id) EXCLUDES(mu_);
  size_t size() const EXCLUDES(mu_);

 private:
  const size_t max_entries_;
  mutable Mutex mu_;
  std::unordered_set<Hash256, FixedBytesHasher> ids_ GUARDED_BY(mu_);
  // Insertion order for eviction; may hold ids already erased (skipped).
  std::deque<Hash256> order_ GUARDED_BY(mu_);
};

}  // namespace depin::chain
