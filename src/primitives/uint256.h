// 256-bit unsigned integers for amounts (wei), fees, difficulty targets and
// chain work. Arithmetic that can overflow is explicit: Checked* return
// std::nullopt instead of wrapping, so consensus code never wraps silently.
//
// Thread-safety: plain value type.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/bytes.h"
#include "util/status.h"

namespace depin {

class Uint256 {
 public:
  constexpr Uint256() = default;
  constexpr Uint256(uint64_t v) : limbs_{v, 0, 0, 0} {}  // NOLINT(google-explicit-constructor)

  static Uint256 Max();
  // Big-endian bytes, at most 32 (shorter input is left-padded with zeros).
  static Result<Uint256> FromBigEndian(ByteSpan bytes);
  static Uint256 FromBigEndian32(const uint8_t* p);
  static Uint256 FromLittleEndian32(const uint8_t* p);
  // Decimal digits only ("uint-invalid-decimal", "uint-overflow").
  static Result<Uint256> FromDecimal(std::string_view s);
  // Optional 0x prefix, at most 64 hex digits ("uint-invalid-hex", "uint-overflow").
  static Result<Uint256> FromHex(std::string_view s);

  void ToBigEndian32(uint8_t* out) const;
  void ToLittleEndian32(uint8_t* out) const;
  Hash256 ToHash() const;  // big-endian 32 bytes
  // Big-endian bytes without leading zeros (empty for zero): RLP integers.
  Bytes ToMinimalBigEndian() const;
  std::string ToDecimal() const;
  // Minimal "0x..." hex ("0x0" for zero): Ethereum JSON-RPC quantities.
  std::string ToQuantityHex() const;

  bool IsZero() const { return (limbs_[0] | limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  // Number of significant bits (0 for zero).
  unsigned Bits() const;
  bool FitsUint64() const { return (limbs_[1] | limbs_[2] | limbs_[3]) == 0; }
  uint64_t Low64() const { return limbs_[0]; }
  uint64_t limb(int i) const { return limbs_[i]; }
  // The value as a double, for display (difficulty); loses precision.
  double ToDouble() const;

  friend bool operator==(const Uint256&, const Uint256&) = default;
  friend std::strong_ordering operator<=>(const Uint256& a, const Uint256& b);

  // Wrapping operators are deliberately absent for + - *; use the checked forms.
  Uint256 operator<<(unsigned shift) const;
  Uint256 operator>>(unsigned shift) const;
  Uint256 operator&(const Uint256& o) const;
  Uint256 operator|(const Uint256& o) const;
  Uint256 operator~() const;
  // Truncating division; dividing by zero is a programming error (asserts).
  Uint256 operator/(const Uint256& d) const;
  Uint256 operator%(const Uint256& d) const;

 private:
  std::array<uint64_t, 4> limbs_{};  // little-endian limbs
};

std::optional<Uint256> CheckedAdd(const Uint256& a, const Uint256& b);
std::optional<Uint256> CheckedSub(const Uint256& a, const Uint256& b);
std::optional<Uint256> CheckedMul(const Uint256& a, const Uint256& b);
// Saturating forms for heuristics that must not fail (fee estimates, display).
Uint256 SaturatingAdd(const Uint256& a, const Uint256& b);
Uint256 SaturatingSub(const Uint256& a, const Uint256& b);
// Wrapping add, used only where mod 2^256 is the definition (chain work never gets there).
Uint256 WrappingAdd(const Uint256& a, const Uint256& b);
Uint256 Min(const Uint256& a, const Uint256& b);
// floor(a * mul / div), exact whenever the result fits, the maximum value
// when it does not (no 512-bit intermediate needed: a = q * div + r with
// r < div < 2^64, so r * mul fits). `div` must not be zero.
Uint256 MulDivSaturating(const Uint256& a, uint64_t mul, uint64_t div);

// Amounts are in wei (1 DPN = 10^18 wei).
using Amount = Uint256;
inline constexpr uint64_t kWeiPerGwei = 1000000000ULL;
Uint256 Dpn(uint64_t whole_coins);  // whole_coins * 10^18

// Bitcoin-style compact target ("bits"): mantissa 3 bytes, exponent 1 byte.
// Negative or overflowing encodings are errors ("bits-invalid").
Result<Uint256> CompactToTarget(uint32_t bits);
uint32_t TargetToCompact(const Uint256& target);
// Expected hashes to find a block at this target: 2^256 / (target + 1); zero for
// a zero target, which no valid block has.
Uint256 WorkFromTarget(const Uint256& target);

}  // namespace depin
