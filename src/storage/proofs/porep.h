// Proof of replication (vanilla Stacked-DRG proofs). After pre-commit and the
// seed delay, the chain's seed picks challenged nodes, split into partitions
// that are proven (and can be submitted) separately; for each the provider
// opens the data node (tree_d path to CommD), the replica node (tree_r path
// to CommRLast) and the columns of the node and of its 14 parents (all layer
// labels, tree_c paths to CommC). The verifier recomputes every layer label
// of the challenged node from its parents' labels, checks that the replica
// node is the data node XOR the last label, and checks every path.
//
// Encoding (all integers big-endian), version 1:
//   u8 version=1 | u8 log2(sector bytes) | u8 layers | u8 tree height |
//   u8 partition | u16 challenge count | comm_c (32) | comm_r_last (32) |
//   per challenge: u64 node | data leaf | height x sibling |
//                  replica leaf | height x sibling |
//                  15 columns (challenged node, 6 DRG, 8 expander parents):
//                  layers x label | height x sibling
// Decoding is strict: exact length, known version and sector size, counts
// that match the sector size's parameters.
//
// Thread-safety: free functions, reentrant; GeneratePoRep only reads the store.
#pragma once

#include <array>
#include <cstdint>
#include <vector>

#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/params.h"
#include "storage/proofs/sector_store.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

// A node's labels in every layer (layer 1 first) and its tree_c path.
struct ColumnOpening {
  std::vector<Hash256> labels;
  MerklePath path;
  friend bool operator==(const ColumnOpening&, const ColumnOpening&) = default;
};

inline constexpr size_t kColumnsPerChallenge = 1 + kParentCount;

struct PoRepChallengeProof {
  uint64_t node = 0;
  Hash256 data_leaf;
  MerklePath data_path;
  Hash256 replica_leaf;
  MerklePath replica_path;
  // [0] the challenged node, then its parents in StackedGraph::Parents order.
  std::array<ColumnOpening, kColumnsPerChallenge> columns;
  friend bool operator==(const PoRepChallengeProof&, const PoRepChallengeProof&) = default;
};

struct PoRepProof {
  SectorSize size = SectorSize::Size2KiB();
  uint32_t layers = 0;
  uint32_t partition = 0;
  Hash256 comm_c;
  Hash256 comm_r_last;
  std::vector<PoRepChallengeProof> challenges;
  friend bool operator==(const PoRepProof&, const PoRepProof&) = default;
};

// What the chain knows when it checks a prove-commit.
struct PoRepPublicInputs {
  SectorSize size = SectorSize::Size2KiB();
  Hash256 replica_id;
  Hash256 seed;  // chain randomness drawn kSeedDelayBlocks after pre-commit
  Hash256 comm_d;
  Hash256 comm_r;
  uint32_t partition = 0;  // which partition of the challenges this proof answers
  friend bool operator==(const PoRepPublicInputs&, const PoRepPublicInputs&) = default;
};

// Public inputs as a prove-commit tx carries them (big-endian), version 1:
//   u8 version=1 | u8 log2(sector bytes) | replica id | seed | comm_d |
//   comm_r | u32 partition
Bytes EncodePoRepPublicInputs(const PoRepPublicInputs& inputs);
// Errors: porep-inputs-decode-truncated, porep-inputs-decode-trailing-bytes,
// porep-inputs-decode-bad-version, porep-inputs-decode-bad-sector-size.
Result<PoRepPublicInputs> DecodePoRepPublicInputs(ByteSpan encoded);

// Challenges j = first .. first + count - 1, challenge j being 1 + (first 8
// bytes of SHA-256(replica id || seed || j (u32 BE)) as u64 BE) mod (N - 1):
// never node 0, whose label has no parents.
std::vector<uint64_t> PoRepChallenges(const Hash256& replica_id, const Hash256& seed,
                                      SectorSize size, uint32_t first, uint32_t count);
// The challenges of one partition: partition p holds challenges
// p * per_partition .. (p + 1) * per_partition - 1.
std::vector<uint64_t> PoRepPartitionChallenges(const Hash256& replica_id, const Hash256& seed,
                                               SectorSize size, uint32_t partition);

// Opens one partition's challenges drawn from `seed` in a sealed store that
// still holds its sealing files ("porep-sealing-files-removed" otherwise,
// "porep-bad-partition" for a partition the size does not have).
Result<PoRepProof> GeneratePoRep(const SectorStore& store, const Hash256& seed, uint32_t partition);

// Checks one proof; the same checks as BatchVerifier. The failure names the
// rule: porep-wrong-sector-size, porep-wrong-layer-count,
// porep-wrong-partition, porep-wrong-challenge-count, porep-wrong-challenge,
// porep-wrong-tree-height,
// porep-bad-comm-r, porep-bad-data-path, porep-bad-replica-path,
// porep-bad-column-path, porep-bad-label, porep-bad-encoding.
Status VerifyPoRep(const PoRepPublicInputs& inputs, const PoRepProof& proof);

Bytes EncodePoRepProof(const PoRepProof& proof);
// Errors: porep-decode-truncated, porep-decode-trailing-bytes,
// porep-decode-bad-version, porep-decode-bad-sector-size,
// porep-decode-bad-layers, porep-wrong-tree-height, porep-decode-bad-partition,
// porep-decode-bad-challenge-count.
Result<PoRepProof> DecodePoRepProof(ByteSpan encoded);

// Encoded size of one partition's proof for a sector size (a whole
// prove-commit is ParamsFor(size).porep_partitions of them).
uint64_t PoRepProofBytes(SectorSize size);

}  // namespace depin::storage::proofs
