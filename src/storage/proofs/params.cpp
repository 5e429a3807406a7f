#include "storage/proofs/params.h"

#include "crypto/sha256.h"

namespace depin::storage::proofs {

std::optional<SectorSize> SectorSize::FromLog2(uint32_t log2_bytes) {
  for (SectorSize s : {Size2KiB(), Size8MiB(), Size512MiB(), Size32GiB()}) {
    if (s.log2_bytes() == log2_bytes) return s;
  }
  return std::nullopt;
}

std::optional<SectorSize> SectorSize::FromBytes(uint64_t bytes) {
  for (SectorSize s : {Size2KiB(), Size8MiB(), Size512MiB(), Size32GiB()}) {
    if (s.bytes() == bytes) return s;
  }
  return std::nullopt;
}

ProofParams ParamsFor(SectorSize size) {
  // Test sizes keep the structure of the real construction (both kinds of
  // parents, several layers, partitions) but few challenges so tests stay
  // fast; they carry no security claim. The main sizes use 11 layers and 176
  // challenges, the counts behind Filecoin's SDR soundness analysis, in 8
  // partitions so that no single transaction carries a 4 MB proof
  // (docs/proofs.md).
  if (size == SectorSize::Size2KiB()) return {size, 2, 8, 2, 4};
  if (size == SectorSize::Size8MiB()) return {size, 2, 16, 2, 8};
  return {size, 11, 176, 8, 16};
}

Hash256 GraphSeed(SectorSize size) {
  static constexpr char kTag[] = "depin-sdr-graph-v1";
  crypto::Sha256 h;
  h.Write(reinterpret_cast<const uint8_t*>(kTag), sizeof(kTag) - 1);
  uint8_t sz[8];
  WriteBE64(sz, size.bytes());
  h.Write(sz, sizeof(sz));
  return h.Finalize();
}

}  // namespace depin::storage::proofs
