#include "crypto/lthash.h"

#include <bit>
#include <cstring>

#include "crypto/sha256.h"

namespace depin::crypto {
namespace {

inline uint16_t LoadLane(const uint8_t* p, size_t j) {
  return static_cast<uint16_t>(p[2 * j] | (p[2 * j + 1] << 8));
}

// The expanded entry as native lanes. On little-endian hosts that is a plain
// copy, which lets the add / subtract loops below compile to SIMD (the
// byte-assembling loop did not, and cost almost half as much as the hashing).
inline void LoadLanes(const uint8_t* expanded, uint16_t (&lanes)[LtHash16::kLanes]) {
  if constexpr (std::endian::native == std::endian::little) {
    std::memcpy(lanes, expanded, sizeof(lanes));
  } else {
    for (size_t j = 0; j < LtHash16::kLanes; ++j) lanes[j] = LoadLane(expanded, j);
  }
}

}  // namespace

void ExpandEntry(ByteSpan key, ByteSpan value, uint8_t out[LtHash16::kSerializedSize]) {
  uint8_t key_length[4];
  WriteBE32(key_length, static_cast<uint32_t>(key.size()));
  Sha256 hasher;
  hasher.Write(ByteSpan(key_length, 4)).Write(key).Write(value);
  uint8_t e[Sha256::kOutputSize];
  hasher.Finalize(e);

  Sha256CounterBlocks(e, LtHash16::kExpandBlocks, out);
}

void LtHash16::AddExpanded(const uint8_t* expanded) {
  uint16_t v[kLanes];
  LoadLanes(expanded, v);
  for (size_t j = 0; j < kLanes; ++j) lanes_[j] = static_cast<uint16_t>(lanes_[j] + v[j]);
}

void LtHash16::SubtractExpanded(const uint8_t* expanded) {
  uint16_t v[kLanes];
  LoadLanes(expanded, v);
  for (size_t j = 0; j < kLanes; ++j) lanes_[j] = static_cast<uint16_t>(lanes_[j] - v[j]);
}

void LtHash16::Add(ByteSpan key, ByteSpan value) {
  uint8_t expanded[kSerializedSize];
  ExpandEntry(key, value, expanded);
  AddExpanded(expanded);
}

void LtHash16::Remove(ByteSpan key, ByteSpan value) {
  uint8_t expanded[kSerializedSize];
  ExpandEntry(key, value, expanded);
  SubtractExpanded(expanded);
}

void LtHash16::Add(const LtHash16& other) {
  for (size_t j = 0; j < kLanes; ++j) {
    lanes_[j] = static_cast<uint16_t>(lanes_[j] + other.lanes_[j]);
  }
}

void LtHash16::Subtract(const LtHash16& other) {
  for (size_t j = 0; j < kLanes; ++j) {
    lanes_[j] = static_cast<uint16_t>(lanes_[j] - other.lanes_[j]);
  }
}

bool LtHash16::IsEmpty() const {
  for (uint16_t lane : lanes_) {
    if (lane != 0) return false;
  }
  return true;
}

void LtHash16::SerializeTo(uint8_t out[kSerializedSize]) const {
  for (size_t j = 0; j < kLanes; ++j) {
    out[2 * j] = static_cast<uint8_t>(lanes_[j]);
    out[2 * j + 1] = static_cast<uint8_t>(lanes_[j] >> 8);
  }
}

Bytes LtHash16::Serialize() const {
  Bytes out(kSerializedSize);
  SerializeTo(out.data());
  return out;
}

Result<LtHash16> LtHash16::Deserialize(ByteSpan data) {
  if (data.size() != kSerializedSize) {
    return Status::Error("lthash-bad-size", "LtHash16 lanes must be " +
                                                std::to_string(kSerializedSize) + " bytes, got " +
                                                std::to_string(data.size()));
  }
  LtHash16 h;
  for (size_t j = 0; j < kLanes; ++j) h.lanes_[j] = LoadLane(data.data(), j);
  return h;
}

Hash256 LtHash16::Root() const {
  uint8_t bytes[kSerializedSize];
  SerializeTo(bytes);
  return Sha256Hash(ByteSpan(bytes, kSerializedSize));
}

}  // namespace depin::crypto
