#include "primitives/uint256.h"

#include <cassert>
#include <cmath>

namespace depin {
namespace {

using u128 = unsigned __int128;

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Quotient and remainder of a by a single 64-bit divisor; the common case for
// decimal formatting and small divisors, and much faster than bitwise division.
Uint256 DivSmall(const Uint256& a, uint64_t d, uint64_t* rem) {
  uint64_t q[4];
  u128 r = 0;
  for (int i = 3; i >= 0; --i) {
    u128 cur = (r << 64) | a.limb(i);
    q[i] = static_cast<uint64_t>(cur / d);
    r = cur % d;
  }
  if (rem) *rem = static_cast<uint64_t>(r);
  uint8_t le[32];
  for (int i = 0; i < 4; ++i) WriteLE64(le + 8 * i, q[i]);
  return Uint256::FromLittleEndian32(le);
}

// Schoolbook shift-subtract division; 256 iterations at most, fine for the
// rare wide divisors (chain work, difficulty) this is used for.
void DivMod(const Uint256& n, const Uint256& d, Uint256* quot, Uint256* rem) {
  assert(!d.IsZero() && "Uint256 division by zero");
  if (d.FitsUint64()) {
    uint64_t r = 0;
    Uint256 q = DivSmall(n, d.Low64(), &r);
    if (quot) *quot = q;
    if (rem) *rem = Uint256(r);
    return;
  }
  if (n < d) {
    if (quot) *quot = Uint256();
    if (rem) *rem = n;
    return;
  }
  Uint256 q;
  Uint256 r;
  for (int i = static_cast<int>(n.Bits()) - 1; i >= 0; --i) {
    r = r << 1;
    if ((n.limb(i / 64) >> (i % 64)) & 1) r = r | Uint256(1);
    if (r >= d) {
      r = *CheckedSub(r, d);
      q = q | (Uint256(1) << static_cast<unsigned>(i));
    }
  }
  if (quot) *quot = q;
  if (rem) *rem = r;
}

}  // namespace

Uint256 Uint256::Max() { return ~Uint256(); }

Result<Uint256> Uint256::FromBigEndian(ByteSpan bytes) {
  if (bytes.size() > 32) return Status::Error("uint-overflow", "more than 32 bytes");
  uint8_t buf[32] = {};
  if (!bytes.empty()) std::memcpy(buf + 32 - bytes.size(), bytes.data(), bytes.size());
  return FromBigEndian32(buf);
}

Uint256 Uint256::FromBigEndian32(const uint8_t* p) {
  Uint256 v;
  for (int i = 0; i < 4; ++i) v.limbs_[i] = ReadBE64(p + 8 * (3 - i));
  return v;
}

Uint256 Uint256::FromLittleEndian32(const uint8_t* p) {
  Uint256 v;
  for (int i = 0; i < 4; ++i) v.limbs_[i] = ReadLE64(p + 8 * i);
  return v;
}

Result<Uint256> Uint256::FromDecimal(std::string_view s) {
  if (s.empty()) return Status::Error("uint-invalid-decimal", "empty decimal string");
  Uint256 v;
  for (char c : s) {
    if (c < '0' || c > '9') return Status::Error("uint-invalid-decimal", "non-digit in decimal");
    auto times10 = CheckedMul(v, Uint256(10));
    if (!times10) return Status::Error("uint-overflow", "decimal exceeds 2^256-1");
    auto next = CheckedAdd(*times10, Uint256(static_cast<uint64_t>(c - '0')));
    if (!next) return Status::Error("uint-overflow", "decimal exceeds 2^256-1");
    v = *next;
  }
  return v;
}

Result<Uint256> Uint256::FromHex(std::string_view s) {
  if (s.size() >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) s.remove_prefix(2);
  if (s.empty()) return Status::Error("uint-invalid-hex", "no hex digits");
  if (s.size() > 64) return Status::Error("uint-overflow", "more than 64 hex digits");
  Uint256 v;
  for (char c : s) {
    int d = HexDigit(c);
    if (d < 0) return Status::Error("uint-invalid-hex", "invalid hex digit");
    v = (v << 4) | Uint256(static_cast<uint64_t>(d));
  }
  return v;
}

void Uint256::ToBigEndian32(uint8_t* out) const {
  for (int i = 0; i < 4; ++i) WriteBE64(out + 8 * (3 - i), limbs_[i]);
}

void Uint256::ToLittleEndian32(uint8_t* out) const {
  for (int i = 0; i < 4; ++i) WriteLE64(out + 8 * i, limbs_[i]);
}

Hash256 Uint256::ToHash() const {
  Hash256 h;
  ToBigEndian32(h.data());
  return h;
}

Bytes Uint256::ToMinimalBigEndian() const {
  uint8_t buf[32];
  ToBigEndian32(buf);
  size_t skip = 32 - (Bits() + 7) / 8;
  return Bytes(buf + skip, buf + 32);
}

std::string Uint256::ToDecimal() const {
  if (IsZero()) return "0";
  // Peel off 19 digits at a time: 10^19 is the largest power of ten in a u64.
  constexpr uint64_t kChunk = 10000000000000000000ULL;
  std::string out;
  Uint256 v = *this;
  while (!v.IsZero()) {
    uint64_t rem = 0;
    v = DivSmall(v, kChunk, &rem);
    for (int i = 0; i < 19; ++i) {
      out.push_back(static_cast<char>('0' + rem % 10));
      rem /= 10;
      if (v.IsZero() && rem == 0) break;
    }
  }
  return std::string(out.rbegin(), out.rend());
}

std::string Uint256::ToQuantityHex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  unsigned nibbles = (Bits() + 3) / 4;
  if (nibbles == 0) return "0x0";
  std::string out = "0x";
  for (int i = static_cast<int>(nibbles) - 1; i >= 0; --i) {
    out.push_back(kDigits[(limbs_[i / 16] >> (4 * (i % 16))) & 15]);
  }
  return out;
}

unsigned Uint256::Bits() const {
  for (int i = 3; i >= 0; --i) {
    if (limbs_[i] != 0) return static_cast<unsigned>(64 * i + 64 - __builtin_clzll(limbs_[i]));
  }
  return 0;
}

double Uint256::ToDouble() const {
  double v = 0;
  for (int i = 3; i >= 0; --i) v = v * 18446744073709551616.0 + static_cast<double>(limbs_[i]);
  return v;
}

std::strong_ordering operator<=>(const Uint256& a, const Uint256& b) {
  for (int i = 3; i >= 0; --i) {
    if (a.limbs_[i] != b.limbs_[i]) return a.limbs_[i] <=> b.limbs_[i];
  }
  return std::strong_ordering::equal;
}

Uint256 Uint256::operator<<(unsigned shift) const {
  Uint256 r;
  if (shift >= 256) return r;
  unsigned limb_shift = shift / 64;
  unsigned bit_shift = shift % 64;
  for (int i = 3; i >= static_cast<int>(limb_shift); --i) {
    int src = i - static_cast<int>(limb_shift);
    uint64_t v = limbs_[src] << bit_shift;
    if (bit_shift != 0 && src > 0) v |= limbs_[src - 1] >> (64 - bit_shift);
    r.limbs_[i] = v;
  }
  return r;
}

Uint256 Uint256::operator>>(unsigned shift) const {
  Uint256 r;
  if (shift >= 256) return r;
  unsigned limb_shift = shift / 64;
  unsigned bit_shift = shift % 64;
  for (int i = 0; i + static_cast<int>(limb_shift) < 4; ++i) {
    int src = i + static_cast<int>(limb_shift);
    uint64_t v = limbs_[src] >> bit_shift;
    if (bit_shift != 0 && src < 3) v |= limbs_[src + 1] << (64 - bit_shift);
    r.limbs_[i] = v;
  }
  return r;
}

Uint256 Uint256::operator&(const Uint256& o) const {
  Uint256 r;
  for (int i = 0; i < 4; ++i) r.limbs_[i] = limbs_[i] & o.limbs_[i];
  return r;
}

Uint256 Uint256::operator|(const Uint256& o) const {
  Uint256 r;
  for (int i = 0; i < 4; ++i) r.limbs_[i] = limbs_[i] | o.limbs_[i];
  return r;
}

Uint256 Uint256::operator~() const {
  Uint256 r;
  for (int i = 0; i < 4; ++i) r.limbs_[i] = ~limbs_[i];
  return r;
}

Uint256 Uint256::operator/(const Uint256& d) const {
  Uint256 q;
  DivMod(*this, d, &q, nullptr);
  return q;
}

Uint256 Uint256::operator%(const Uint256& d) const {
  Uint256 r;
  DivMod(*this, d, nullptr, &r);
  return r;
}

Uint256 WrappingAdd(const Uint256& a, const Uint256& b) {
  uint8_t out[32];
  u128 carry = 0;
  for (int i = 0; i < 4; ++i) {
    u128 sum = static_cast<u128>(a.limb(i)) + b.limb(i) + carry;
    WriteLE64(out + 8 * i, static_cast<uint64_t>(sum));
    carry = sum >> 64;
  }
  return Uint256::FromLittleEndian32(out);
}

std::optional<Uint256> CheckedAdd(const Uint256& a, const Uint256& b) {
  Uint256 sum = WrappingAdd(a, b);
  if (sum < a) return std::nullopt;  // wrapped past 2^256
  return sum;
}

std::optional<Uint256> CheckedSub(const Uint256& a, const Uint256& b) {
  if (a < b) return std::nullopt;
  uint8_t out[32];
  uint64_t borrow = 0;
  for (int i = 0; i < 4; ++i) {
    uint64_t x = a.limb(i);
    uint64_t y = b.limb(i);
    uint64_t d = x - y - borrow;
    borrow = (x < y || (x == y && borrow)) ? 1 : 0;
    WriteLE64(out + 8 * i, d);
  }
  return Uint256::FromLittleEndian32(out);
}

std::optional<Uint256> CheckedMul(const Uint256& a, const Uint256& b) {
  // 4x4 limb schoolbook product into 8 limbs; any nonzero high limb is overflow.
  uint64_t prod[8] = {};
  for (int i = 0; i < 4; ++i) {
    u128 carry = 0;
    for (int j = 0; j < 4; ++j) {
      u128 cur = static_cast<u128>(a.limb(i)) * b.limb(j) + prod[i + j] + carry;
      prod[i + j] = static_cast<uint64_t>(cur);
      carry = cur >> 64;
    }
    prod[i + 4] = static_cast<uint64_t>(carry);
  }
  if ((prod[4] | prod[5] | prod[6] | prod[7]) != 0) return std::nullopt;
  uint8_t out[32];
  for (int i = 0; i < 4; ++i) WriteLE64(out + 8 * i, prod[i]);
  return Uint256::FromLittleEndian32(out);
}

Uint256 SaturatingAdd(const Uint256& a, const Uint256& b) {
  auto r = CheckedAdd(a, b);
  return r ? *r : Uint256::Max();
}

Uint256 SaturatingSub(const Uint256& a, const Uint256& b) {
  auto r = CheckedSub(a, b);
  return r ? *r : Uint256();
}

Uint256 Min(const Uint256& a, const Uint256& b) { return a < b ? a : b; }

Uint256 MulDivSaturating(const Uint256& a, uint64_t mul, uint64_t div) {
  assert(div != 0);
  const Uint256 d(div);
  const Uint256 q = a / d;
  const Uint256 r = a % d;
  auto high = CheckedMul(q, Uint256(mul));
  if (!high) return ~Uint256();
  // r < 2^64 and mul < 2^64: the product fits in 128 bits.
  const Uint256 low = *CheckedMul(r, Uint256(mul)) / d;
  return SaturatingAdd(*high, low);
}

Uint256 Dpn(uint64_t whole_coins) {
  // 2^64 * 10^18 < 2^124, so this never overflows.
  return *CheckedMul(Uint256(whole_coins), Uint256(1000000000000000000ULL));
}

Result<Uint256> CompactToTarget(uint32_t bits) {
  unsigned size = bits >> 24;
  uint32_t word = bits & 0x007fffff;
  // As Bitcoin's SetCompact: the sign and overflow checks look at the mantissa
  // after a small exponent has shifted bytes out, so 0x00923456 is plain zero.
  if (size <= 3) word >>= 8 * (3 - size);
  if (word != 0 && (bits & 0x00800000) != 0) {
    return Status::Error("bits-invalid", "negative compact target");
  }
  if (word != 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))) {
    return Status::Error("bits-invalid", "compact target overflows 256 bits");
  }
  if (size <= 3) return Uint256(word);
  return Uint256(word) << (8 * (size - 3));
}

uint32_t TargetToCompact(const Uint256& target) {
  unsigned size = (target.Bits() + 7) / 8;
  uint32_t compact = 0;
  if (size <= 3) {
    compact = static_cast<uint32_t>(target.Low64() << (8 * (3 - size)));
  } else {
    compact = static_cast<uint32_t>((target >> (8 * (size - 3))).Low64());
  }
  // The mantissa's top bit is the sign bit; move a byte into the exponent so
  // a positive target never encodes as negative.
  if (compact & 0x00800000) {
    compact >>= 8;
    ++size;
  }
  return compact | (size << 24);
}

Uint256 WorkFromTarget(const Uint256& target) {
  // 2^256 does not fit, so compute 2^256 / (t+1) as (2^256 - t - 1) / (t+1) + 1,
  // where 2^256 - t - 1 = ~t.
  // A zero target would need 2^256; like Bitcoin, an invalid target counts no work.
  if (target.IsZero()) return Uint256();
  if (target == Uint256::Max()) return Uint256(1);
  return *CheckedAdd(~target / *CheckedAdd(target, Uint256(1)), Uint256(1));
}

}  // namespace depin
