// Synthetic proofs for benchmarks of sizes no test machine can seal (32 GiB):
// Merkle paths through a virtual tree verify exactly like paths of a real
// tree of that height, so verification costs what it would for real.
#pragma once

#include <cstdint>
#include <cstring>
#include <map>
#include <random>
#include <utility>

#include "crypto/sha256.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/params.h"
#include "storage/proofs/post.h"
#include "util/bytes.h"

namespace depin::storage::proofs {

// A tree of 2^height leaves of which only `leaves` are given; every subtree
// without a given leaf has a pseudo-random root. Paths through it verify
// exactly like paths of a real tree of that height.
class VirtualTree {
 public:
  VirtualTree(uint32_t height, uint64_t salt) : height_(height), salt_(salt) {}
  void SetLeaf(uint64_t index, const Hash256& leaf) { leaves_[index] = leaf; }
  Hash256 Root() { return Node(height_, 0); }
  MerklePath Path(uint64_t index) {
    MerklePath p;
    for (uint32_t l = 0; l < height_; ++l) p.siblings.push_back(Node(l, (index >> l) ^ 1));
    return p;
  }

 private:
  Hash256 Node(uint32_t level, uint64_t index) {
    auto key = std::make_pair(level, index);
    if (auto it = memo_.find(key); it != memo_.end()) return it->second;
    Hash256 out;
    const uint64_t lo = index << level, hi = (index + 1) << level;
    auto it = leaves_.lower_bound(lo);
    if (it == leaves_.end() || it->first >= hi) {
      uint8_t msg[8 + 4 + 8];
      WriteBE64(msg, salt_);
      WriteBE32(msg + 8, level);
      WriteBE64(msg + 12, index);
      out = crypto::Sha256Hash(ByteSpan(msg, sizeof(msg)));
    } else if (level == 0) {
      out = it->second;
    } else {
      out = crypto::Sha256Pair(Node(level - 1, 2 * index), Node(level - 1, 2 * index + 1));
    }
    memo_[key] = out;
    return out;
  }

  uint32_t height_;
  uint64_t salt_;
  std::map<uint64_t, Hash256> leaves_;
  std::map<std::pair<uint32_t, uint64_t>, Hash256> memo_;
};

inline Hash256 RandomHash(std::mt19937_64& rng) {
  Hash256 h;
  for (size_t i = 0; i < 32; i += 8) {
    uint64_t v = rng();
    std::memcpy(h.data() + i, &v, 8);
  }
  return h;
}

// A one-sector PoSt proof over a virtual tree.
inline std::pair<PoStSectorInfo, PoStSectorProof> SyntheticPoStSector(SectorSize size,
                                                                      const Hash256& randomness,
                                                                      uint64_t sector_number) {
  std::mt19937_64 rng(sector_number);
  const ProofParams params = ParamsFor(size);
  VirtualTree tree_r(size.tree_height(), sector_number);
  const auto leaves = PoStChallenges(randomness, sector_number, size, params.post_challenges);
  std::map<uint64_t, Hash256> values;
  for (uint64_t l : leaves) {
    values[l] = RandomHash(rng);
    tree_r.SetLeaf(l, values[l]);
  }
  PoStSectorProof p;
  p.sector_number = sector_number;
  p.size = size;
  p.comm_c = RandomHash(rng);
  p.comm_r_last = tree_r.Root();
  for (uint64_t l : leaves) {
    p.leaves.push_back(values[l]);
    p.paths.push_back(tree_r.Path(l));
  }
  return {PoStSectorInfo{sector_number, size, crypto::Sha256Pair(p.comm_c, p.comm_r_last)}, p};
}

}  // namespace depin::storage::proofs
