// Parameters of the Stacked-DRG proofs: the sector sizes the chain accepts and,
// for each, the number of layers and challenge counts, plus the scheduling
// constants (seed delay, proving period) that the chain parameters adopt.
// docs/proofs.md gives the reasoning behind every number here.
//
// Thread-safety: immutable values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/status.h"

namespace depin::storage::proofs {

// Merkle trees and labels work on 32-byte nodes throughout.
inline constexpr size_t kNodeSize = 32;
inline constexpr size_t kDrgDegree = 6;
inline constexpr size_t kExpanderDegree = 8;
inline constexpr size_t kParentCount = kDrgDegree + kExpanderDegree;

// A sector size the chain accepts. Only the four sizes below exist; the value
// is otherwise opaque so that nothing builds a sector of an unlisted size.
class SectorSize {
 public:
  static constexpr SectorSize Size2KiB() { return SectorSize(11); }
  static constexpr SectorSize Size8MiB() { return SectorSize(23); }
  static constexpr SectorSize Size512MiB() { return SectorSize(29); }
  static constexpr SectorSize Size32GiB() { return SectorSize(35); }
  // The size whose byte count is `bytes`, or nothing if it is not listed.
  static std::optional<SectorSize> FromBytes(uint64_t bytes);
  static std::optional<SectorSize> FromLog2(uint32_t log2_bytes);

  uint64_t bytes() const { return uint64_t{1} << log2_bytes_; }
  uint32_t log2_bytes() const { return log2_bytes_; }
  uint64_t nodes() const { return bytes() / kNodeSize; }
  // Height of the binary trees over the sector's nodes (number of siblings in
  // an inclusion path).
  uint32_t tree_height() const { return log2_bytes_ - 5; }

  // "2KiB", "8MiB", "512MiB" or "32GiB".
  std::string ToString() const;

  friend bool operator==(SectorSize, SectorSize) = default;

 private:
  constexpr explicit SectorSize(uint32_t log2_bytes) : log2_bytes_(log2_bytes) {}
  uint32_t log2_bytes_;
};

// Everything about the construction that depends on the sector size.
struct ProofParams {
  SectorSize sector_size;
  uint32_t layers;            // labeling layers; the last one is the key
  uint32_t porep_challenges;  // challenged nodes in one prove-commit, all partitions
  uint32_t porep_partitions;  // proofs the challenges are split into (one tx each)
  uint32_t post_challenges;   // challenged leaves per sector per PoSt
};

// Parses the names ToString() gives (case-insensitive unit) or a plain byte
// count, as command lines and config files write them; "sector-size-unknown"
// for anything else.
Result<SectorSize> ParseSectorSize(std::string_view text);

ProofParams ParamsFor(SectorSize size);

inline uint32_t PoRepChallengesPerPartition(const ProofParams& p) {
  return p.porep_challenges / p.porep_partitions;
}

// Seed used for the sector size's DRG and expander graph: every sector of a
// size shares one graph, so its parents can be cached once per node.
Hash256 GraphSeed(SectorSize size);

// Scheduling constants (in blocks of 15 s) the chain parameters adopt for the
// main network; test networks shorten them (docs/proofs.md).
inline constexpr uint32_t kSeedDelayBlocks = 240;           // 1 h after pre-commit
inline constexpr uint32_t kProveCommitWindowBlocks = 5760;  // 24 h to prove-commit
inline constexpr uint32_t kProvingPeriodBlocks = 5760;      // 24 h
inline constexpr uint32_t kDeadlinesPerPeriod = 48;         // one per 30 min
inline constexpr uint32_t kDeadlineWindowBlocks = kProvingPeriodBlocks / kDeadlinesPerPeriod;
// A deadline's PoSt must land within this many blocks of its challenge
// randomness: far less than re-sealing a sector takes, so a provider cannot
// drop a replica and rebuild it on demand.
inline constexpr uint32_t kPoStResponseBlocks = 40;  // 10 min
// A pre-commit's ticket may be at most this old, so sealing cannot start long
// before the sector is committed.
inline constexpr uint32_t kTicketMaxAgeBlocks = 5760;  // 24 h

}  // namespace depin::storage::proofs
