// Binary SHA-256 Merkle trees over 32-byte nodes, as used for tree_d (data),
// tree_c (column hashes) and tree_r (replica). Every parent is
// SHA-256(left || right); the leaf count is a power of two. A tree's interior
// is kept as one flat buffer of its levels above the leaves (level 1 first,
// the root last), which is the layout the sector store writes to disk.
//
// Level hashing goes through crypto::Sha256PairBatch one whole level (or a
// thread's share of it) at a time, the flat-batch shape a GPU backend takes.
//
// Thread-safety: free functions; BuildTreeLevels uses worker threads
// internally. StreamingRoot is a plain value not to be shared.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

// Siblings from the leaf level upwards; the leaf index says which side each
// sibling sits on (bit l set: the running node is the right child at level l).
struct MerklePath {
  std::vector<Hash256> siblings;
  friend bool operator==(const MerklePath&, const MerklePath&) = default;
};

// Offset, in nodes, of `level` (>= 1) inside the flat interior buffer of a
// tree with `leaves` leaves.
uint64_t LevelOffset(uint64_t leaves, uint32_t level);

// Interior of the tree over `leaves` (leaves.size() / 32 leaves, a power of
// two, at least 2): (n - 1) nodes, level 1 first, the root last.
Bytes BuildTreeLevels(ByteSpan leaves, size_t threads);
// Same, writing into `out` of (n - 1) * 32 bytes.
void BuildTreeLevelsInto(ByteSpan leaves, uint8_t* out, size_t threads);

// Root stored at the end of an interior buffer.
Hash256 RootOfLevels(ByteSpan levels);

// Path for leaf `index` from the leaves and the interior buffer.
MerklePath PathFromLevels(ByteSpan leaves, ByteSpan levels, uint64_t index);

// Recomputes the root from a leaf and its path. Scalar reference used by tests
// and by callers checking one path; batch verification lives in
// batch_verifier.h.
Hash256 RootFromPath(const Hash256& leaf, uint64_t index, const MerklePath& path);

// Root of a perfect tree of `height` whose leaves are all zero.
Hash256 ZeroTreeRoot(uint32_t height);

// Root of a tree of 2^height leaves built from a stream of leaf data fed in
// order; whatever is not fed counts as zero. Zero padding costs one hash per
// level, not per leaf, so a small file in a 32 GiB sector is cheap.
class StreamingRoot {
 public:
  explicit StreamingRoot(uint32_t height);

  // Appends bytes of leaf data; fails with "tree-too-much-data" past 2^height
  // leaves.
  Status Append(ByteSpan data);
  // Pads with zeros and returns the root. Call once.
  Hash256 Finish();

 private:
  void FlushChunk();
  void Push(Hash256 node, uint32_t level);

  uint32_t height_;
  uint32_t chunk_log2_;  // leaves per chunk = 2^chunk_log2_
  Bytes chunk_;          // pending leaf bytes of the current chunk
  uint64_t chunks_done_ = 0;
  std::vector<std::pair<Hash256, uint32_t>> stack_;  // completed subtrees
  std::vector<Hash256> zero_;                        // zero subtree roots
};

}  // namespace depin::storage::proofs
