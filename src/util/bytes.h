// Byte containers used across layers: a growable Bytes buffer, a read-only
// ByteSpan view, and FixedBytes<N> for hashes, addresses and keys. Hex helpers
// speak the 0x-prefixed lower-case form used by Ethereum tooling.
//
// Thread-safety: plain values, no shared state.
#pragma once

#include <algorithm>
#include <array>
#include <compare>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"

namespace depin {

using Bytes = std::vector<uint8_t>;
using ByteSpan = std::span<const uint8_t>;

// Lower-case hex with "0x" prefix when `prefix` is true.
std::string HexEncode(ByteSpan data, bool prefix = true);
// Accepts an optional 0x/0X prefix; rejects odd length and non-hex digits
// ("hex-invalid").
Result<Bytes> HexDecode(std::string_view hex);

inline ByteSpan AsSpan(std::string_view s) {
  return ByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

template <size_t N>
struct FixedBytes {
  static constexpr size_t kSize = N;
  std::array<uint8_t, N> bytes{};

  FixedBytes() = default;
  explicit FixedBytes(const uint8_t* p) { std::memcpy(bytes.data(), p, N); }

  // Exactly N bytes or an error ("bytes-wrong-length").
  static Result<FixedBytes> FromSpan(ByteSpan s) {
    if (s.size() != N)
      return Status::Error("bytes-wrong-length", "expected " + std::to_string(N) + " bytes");
    return FixedBytes(s.data());
  }
  static Result<FixedBytes> FromHex(std::string_view hex) {
    auto b = HexDecode(hex);
    if (!b) return b.status();
    return FromSpan(*b);
  }

  uint8_t* data() { return bytes.data(); }
  const uint8_t* data() const { return bytes.data(); }
  static constexpr size_t size() { return N; }
  auto begin() const { return bytes.begin(); }
  auto end() const { return bytes.end(); }
  uint8_t& operator[](size_t i) { return bytes[i]; }
  const uint8_t& operator[](size_t i) const { return bytes[i]; }
  ByteSpan span() const { return ByteSpan(bytes.data(), N); }
  bool IsZero() const {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
  }
  std::string Hex() const { return HexEncode(span()); }

  friend bool operator==(const FixedBytes&, const FixedBytes&) = default;
  friend auto operator<=>(const FixedBytes&, const FixedBytes&) = default;
};

using Hash256 = FixedBytes<32>;

// Transparent ordering of byte strings, so maps keyed by Bytes can be
// searched with a ByteSpan without copying.
struct BytesLess {
  using is_transparent = void;
  bool operator()(ByteSpan a, ByteSpan b) const {
    return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end());
  }
};

// Hash functor for unordered containers keyed by already-random bytes
// (hashes, addresses). Not for attacker-chosen keys of low entropy.
struct FixedBytesHasher {
  template <size_t N>
  size_t operator()(const FixedBytes<N>& b) const {
    uint64_t v = 0;
    std::memcpy(&v, b.data(), N < 8 ? N : 8);
    return static_cast<size_t>(v);
  }
};

// Little-endian fixed-width integer helpers for serialization.
inline void WriteLE32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline void WriteLE64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (8 * i));
}
inline uint32_t ReadLE32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v |= static_cast<uint32_t>(p[i]) << (8 * i);
  return v;
}
inline uint64_t ReadLE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v |= static_cast<uint64_t>(p[i]) << (8 * i);
  return v;
}
inline void WriteBE32(uint8_t* p, uint32_t v) {
  for (int i = 0; i < 4; ++i) p[i] = static_cast<uint8_t>(v >> (24 - 8 * i));
}
inline void WriteBE64(uint8_t* p, uint64_t v) {
  for (int i = 0; i < 8; ++i) p[i] = static_cast<uint8_t>(v >> (56 - 8 * i));
}
inline uint32_t ReadBE32(const uint8_t* p) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
  return v;
}
inline uint64_t ReadBE64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | p[i];
  return v;
}

}  // namespace depin
