#include "storage/proofs/params.h"

#include <algorithm>

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

std::string SectorSize::ToString() const {
  static constexpr const char* kUnits[] = {"B", "KiB", "MiB", "GiB"};
  uint32_t unit = std::min<uint32_t>(log2_bytes_ / 10, 3);
  std::string out = std::to_string(bytes() >> (10 * unit));
  out.append(kUnits[unit]);
  return out;
}

Result<SectorSize> ParseSectorSize(std::string_view text) {
  auto unknown = [&] {
    std::string message(text);
    message.append(" is not 2KiB, 8MiB, 512MiB or 32GiB");
    return Status::Error("sector-size-unknown", message);
  };
  size_t digits = 0;
  uint64_t value = 0;
  while (digits < text.size() && text[digits] >= '0' && text[digits] <= '9') {
    if (value > (uint64_t{1} << 40)) return unknown();
    value = value * 10 + static_cast<uint64_t>(text[digits] - '0');
    ++digits;
  }
  if (digits == 0) return unknown();
  std::string unit;
  for (char c : text.substr(digits)) unit += static_cast<char>(c >= 'A' && c <= 'Z' ? c + 32 : c);
  uint32_t shift = 0;
  if (unit == "kib") {
    shift = 10;
  } else if (unit == "mib") {
    shift = 20;
  } else if (unit == "gib") {
    shift = 30;
  } else if (!unit.empty() && unit != "b") {
    return unknown();
  }
  auto size = SectorSize::FromBytes(value << shift);
  if (!size) return unknown();
  return *size;
}

ProofParams ParamsFor(SectorSize size) {
  // Test sizes keep the structure of the real construction (both kinds of
  // parents, several layers, partitions) but few challenges so tests stay
  // fast; they carry no security claim. The main sizes use 11 layers and 176
  // challenges, the counts behind Filecoin's SDR soundness analysis, in 44
  // partitions of 4 so that each fits one transaction (kMaxTxSize, 128 KiB:
  // 86,759 bytes at 32 GiB; docs/proofs.md). At most 64 partitions: the
  // storage market keeps a sector's proven partitions in a 64-bit mask.
  if (size == SectorSize::Size2KiB()) return {size, 2, 8, 2, 4};
  if (size == SectorSize::Size8MiB()) return {size, 2, 16, 2, 8};
  return {size, 11, 176, 44, 16};
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
