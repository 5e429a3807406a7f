// Proof of spacetime. Each proving deadline the chain draws randomness; for
// every sector a provider must prove, k leaves of the replica are challenged
// (k = ProofParams::post_challenges) and the provider answers with each
// replica leaf and its tree_r path, plus CommC and CommRLast so the verifier
// can tie tree_r to the on-chain CommR. One PoSt proof covers many sectors
// and the verifier takes them all at once (BatchVerifier).
//
// Encoding (all integers big-endian), version 1:
//   u8 version=1 | u32 sector count |
//   per sector: u64 sector number | u8 log2(sector bytes) | u8 tree height |
//               u16 challenge count | comm_c (32) | comm_r_last (32) |
//               per challenge: leaf (32) | height x sibling (32)
//
// Thread-safety: free functions, reentrant; generation only reads stores.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/params.h"
#include "storage/proofs/sector_store.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

struct PoStSectorProof {
  uint64_t sector_number = 0;
  SectorSize size = SectorSize::Size2KiB();
  Hash256 comm_c;
  Hash256 comm_r_last;
  std::vector<Hash256> leaves;    // one per challenge
  std::vector<MerklePath> paths;  // one per challenge
  friend bool operator==(const PoStSectorProof&, const PoStSectorProof&) = default;
};

struct PoStProof {
  std::vector<PoStSectorProof> sectors;
  friend bool operator==(const PoStProof&, const PoStProof&) = default;
};

struct PoStSectorInfo {
  uint64_t sector_number = 0;
  SectorSize size = SectorSize::Size2KiB();
  Hash256 comm_r;
  friend bool operator==(const PoStSectorInfo&, const PoStSectorInfo&) = default;
};

struct PoStPublicInputs {
  Hash256 randomness;
  std::vector<PoStSectorInfo> sectors;  // in the order the proof lists them
  friend bool operator==(const PoStPublicInputs&, const PoStPublicInputs&) = default;
};

// Leaf j of a sector: first 8 bytes of SHA-256(randomness || sector number
// (u64 BE) || j (u32 BE)) as u64 BE, mod N.
std::vector<uint64_t> PoStChallenges(const Hash256& randomness, uint64_t sector_number,
                                     SectorSize size, uint32_t count);

// Opens one sector's challenges and checks them against its own CommRLast,
// so a provider learns of lost or damaged data before submitting
// ("post-sector-faulty").
Result<PoStSectorProof> GeneratePoStSector(const SectorStore& store, const Hash256& randomness);

struct PoStFault {
  uint64_t sector_number;
  Status reason;
};
struct PoStGeneration {
  PoStProof proof;                // the sectors that could be proven
  std::vector<PoStFault> faults;  // the sectors that could not, to declare
};
PoStGeneration GeneratePoSt(const Hash256& randomness, std::span<const SectorStore* const> stores);

// Checks one multi-sector proof; the failure names the rule and the sector:
// post-sector-count-mismatch, post-wrong-sector, post-wrong-sector-size,
// post-wrong-challenge-count, post-wrong-tree-height, post-bad-comm-r,
// post-bad-replica-path.
Status VerifyPoSt(const PoStPublicInputs& inputs, const PoStProof& proof);

Bytes EncodePoStProof(const PoStProof& proof);
// Errors: post-decode-truncated, post-decode-trailing-bytes,
// post-decode-bad-version, post-decode-bad-sector-size,
// post-wrong-tree-height, post-decode-bad-challenge-count.
Result<PoStProof> DecodePoStProof(ByteSpan encoded);

// Public inputs as a tx carries them (big-endian):
//   u8 version=1 | randomness (32) | u32 sector count |
//   per sector: u64 sector number | u8 log2(sector bytes) | comm_r (32)
Bytes EncodePoStPublicInputs(const PoStPublicInputs& inputs);
// Errors: post-inputs-decode-truncated, post-inputs-decode-trailing-bytes,
// post-inputs-decode-bad-version, post-inputs-decode-bad-sector-size.
Result<PoStPublicInputs> DecodePoStPublicInputs(ByteSpan encoded);

// Encoded bytes one sector adds to a PoSt proof.
uint64_t PoStProofBytesPerSector(SectorSize size);

}  // namespace depin::storage::proofs
