// The Stacked-DRG graph shared by every sector of one size. Each node has
//  - 6 DRG parents in its own layer: node i-1 and 5 parents drawn by bucket
//    sampling (DRSample: a random power-of-two distance bucket, then a random
//    distance inside it), which makes the graph depth-robust;
//  - 8 expander parents in the layer below: node v's k-th expander parent is
//    P(8v + k) / 8 for a keyed Feistel permutation P of [0, 8N), so the edges
//    between two layers form a random 8-regular bipartite graph.
// Both are deterministic from GraphSeed(size). Sealing reads all parents of
// all nodes, so it uses a ParentCache (parent_cache.h); verifiers compute the
// parents of the few challenged nodes directly.
//
// Thread-safety: a StackedGraph is immutable and may be shared between
// threads.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "storage/proofs/params.h"
#include "util/bytes.h"

namespace depin::storage::proofs {

// Parents of one node: kDrgDegree DRG parents, then kExpanderDegree expander
// parents. Node 0 has no real DRG parents (its slots hold 0 and labeling
// reads them as zero labels); node 1's are all node 0.
using NodeParents = std::array<uint32_t, kParentCount>;

class StackedGraph {
 public:
  explicit StackedGraph(SectorSize size);

  SectorSize size() const { return size_; }
  uint64_t nodes() const { return size_.nodes(); }
  const Hash256& seed() const { return seed_; }

  // Identifies the parents this graph yields: the seed, node count, degrees,
  // Feistel rounds and kConstructionVersion. Parent cache files are named and
  // checked by it, so any change to how parents are derived must change it
  // (bump kConstructionVersion if nothing else changes).
  Hash256 ConstructionDigest() const;
  static constexpr uint32_t kConstructionVersion = 1;

  NodeParents Parents(uint64_t node) const;

  // Fills `out` with the parents of nodes [begin, end) (kParentCount each),
  // hashing the DRG randomness of the whole range in one batch.
  void ParentsRange(uint64_t begin, uint64_t end, uint32_t* out) const;

 private:
  void DrgFromDigest(uint64_t node, const uint8_t* digest, uint32_t* out) const;
  void ExpanderParents(uint64_t node, uint32_t* out) const;
  uint64_t Permute(uint64_t x) const;

  SectorSize size_;
  Hash256 seed_;
  uint32_t feistel_half_bits_;
  std::array<uint64_t, 4> feistel_keys_;
};

}  // namespace depin::storage::proofs
