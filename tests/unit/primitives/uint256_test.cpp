#include "primitives/uint256.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace depin {
namespace {

const char* kMaxDecimal =
    "115792089237316195423570985008687907853269984665640564039457584007913129639935";

Uint256 Hex(std::string_view s) { return *Uint256::FromHex(s); }

Uint256 Random(std::mt19937_64& rng) {
  uint8_t b[32];
  for (int i = 0; i < 4; ++i) WriteLE64(b + 8 * i, rng());
  // Vary magnitude so small and wide values are both exercised.
  return Uint256::FromLittleEndian32(b) >> static_cast<unsigned>(rng() % 256);
}

TEST(Uint256, DecimalRoundTripAndLimits) {
  EXPECT_EQ(Uint256().ToDecimal(), "0");
  EXPECT_EQ(Uint256(1234567890123456789ULL).ToDecimal(), "1234567890123456789");
  EXPECT_EQ(Uint256::Max().ToDecimal(), kMaxDecimal);
  EXPECT_EQ(*Uint256::FromDecimal(kMaxDecimal), Uint256::Max());
  EXPECT_EQ(*Uint256::FromDecimal("0"), Uint256());
  EXPECT_EQ(*Uint256::FromDecimal("00042"), Uint256(42));
  EXPECT_EQ(Uint256(10000000000000000000ULL).ToDecimal(), "10000000000000000000");
  EXPECT_EQ(Dpn(1).ToDecimal(), "1000000000000000000");
  EXPECT_EQ(Dpn(21000000).ToDecimal(), "21000000000000000000000000");
}

TEST(Uint256, DecimalErrors) {
  EXPECT_EQ(Uint256::FromDecimal("").status().code(), "uint-invalid-decimal");
  EXPECT_EQ(Uint256::FromDecimal("12a").status().code(), "uint-invalid-decimal");
  EXPECT_EQ(Uint256::FromDecimal("-1").status().code(), "uint-invalid-decimal");
  EXPECT_EQ(Uint256::FromDecimal(" 1").status().code(), "uint-invalid-decimal");
  // 2^256 exactly, and a value that overflows in the multiply step.
  EXPECT_EQ(Uint256::FromDecimal(
                "115792089237316195423570985008687907853269984665640564039457584007913129639936")
                .status()
                .code(),
            "uint-overflow");
  EXPECT_EQ(Uint256::FromDecimal(
                "1157920892373161954235709850086879078532699846656405640394575840079131296399350")
                .status()
                .code(),
            "uint-overflow");
}

TEST(Uint256, HexParsingAndQuantityForm) {
  EXPECT_EQ(Uint256().ToQuantityHex(), "0x0");
  EXPECT_EQ(Uint256(1).ToQuantityHex(), "0x1");
  EXPECT_EQ(Uint256(0x400).ToQuantityHex(), "0x400");
  EXPECT_EQ(Uint256::Max().ToQuantityHex(), "0x" + std::string(64, 'f'));
  EXPECT_EQ(Hex("0x0"), Uint256());
  EXPECT_EQ(Hex("ff"), Uint256(255));
  EXPECT_EQ(Hex("0XAbC"), Uint256(0xabc));
  EXPECT_EQ(Hex("0x1" + std::string(16, '0')), Uint256(1) << 64);
  EXPECT_EQ(Hex("0x" + std::string(64, 'f')), Uint256::Max());
  EXPECT_EQ(Uint256::FromHex("0x").status().code(), "uint-invalid-hex");
  EXPECT_EQ(Uint256::FromHex("").status().code(), "uint-invalid-hex");
  EXPECT_EQ(Uint256::FromHex("0xg").status().code(), "uint-invalid-hex");
  EXPECT_EQ(Uint256::FromHex("0x" + std::string(65, '1')).status().code(), "uint-overflow");
}

TEST(Uint256, EndianConversions) {
  uint8_t be[32];
  for (int i = 0; i < 32; ++i) be[i] = static_cast<uint8_t>(i + 1);
  Uint256 v = Uint256::FromBigEndian32(be);
  EXPECT_EQ(v.limb(0), 0x191a1b1c1d1e1f20ULL);
  EXPECT_EQ(v.limb(3), 0x0102030405060708ULL);
  uint8_t out[32];
  v.ToBigEndian32(out);
  EXPECT_EQ(0, std::memcmp(out, be, 32));
  v.ToLittleEndian32(out);
  for (int i = 0; i < 32; ++i) EXPECT_EQ(out[i], be[31 - i]);
  EXPECT_EQ(Uint256::FromLittleEndian32(out), v);
  EXPECT_EQ(v.ToHash(), Hash256(be));

  EXPECT_EQ(*Uint256::FromBigEndian(Bytes{0x04, 0x00}), Uint256(1024));
  EXPECT_EQ(*Uint256::FromBigEndian(Bytes{}), Uint256());
  EXPECT_EQ(Uint256::FromBigEndian(Bytes(33, 1)).status().code(), "uint-overflow");

  EXPECT_EQ(Uint256().ToMinimalBigEndian(), Bytes{});
  EXPECT_EQ(Uint256(1024).ToMinimalBigEndian(), (Bytes{0x04, 0x00}));
  EXPECT_EQ(Uint256::Max().ToMinimalBigEndian(), Bytes(32, 0xff));
}

TEST(Uint256, BitsComparisonAndDouble) {
  EXPECT_EQ(Uint256().Bits(), 0u);
  EXPECT_EQ(Uint256(1).Bits(), 1u);
  EXPECT_EQ((Uint256(1) << 200).Bits(), 201u);
  EXPECT_EQ(Uint256::Max().Bits(), 256u);
  EXPECT_LT(Uint256(5), Uint256(1) << 64);
  EXPECT_GT(Uint256(1) << 255, Uint256(~uint64_t{0}));
  EXPECT_DOUBLE_EQ((Uint256(1) << 200).ToDouble(), std::ldexp(1.0, 200));
  EXPECT_DOUBLE_EQ(Uint256(12345).ToDouble(), 12345.0);
  EXPECT_TRUE(Uint256(7).FitsUint64());
  EXPECT_FALSE((Uint256(1) << 64).FitsUint64());
}

TEST(Uint256, ShiftsAndBitwise) {
  Uint256 one(1);
  for (unsigned s = 0; s < 256; ++s) {
    Uint256 v = one << s;
    EXPECT_EQ(v.Bits(), s + 1);
    EXPECT_EQ(v >> s, one);
  }
  EXPECT_TRUE((one << 256).IsZero());
  EXPECT_TRUE((Uint256::Max() >> 256).IsZero());
  EXPECT_EQ(Uint256::Max() >> 255, one);
  EXPECT_EQ(Hex("0x123456789abcdef0fedcba9876543210") << 4,
            Hex("0x123456789abcdef0fedcba98765432100"));
  EXPECT_EQ(Hex("0x123456789abcdef0fedcba9876543210") >> 68, Hex("0x123456789abcdef"));
  EXPECT_EQ(Hex("0xf0f0") & Hex("0xff00"), Hex("0xf000"));
  EXPECT_EQ(Hex("0xf0f0") | Hex("0x0f00"), Hex("0xfff0"));
  EXPECT_EQ(~Uint256(), Uint256::Max());
}

TEST(Uint256, MulDivSaturatingIsExactUntilItSaturates) {
  EXPECT_EQ(MulDivSaturating(Uint256(100), 3, 7), Uint256(42));  // 300 / 7
  EXPECT_EQ(MulDivSaturating(Uint256(0), 5, 3), Uint256(0));
  // (2^200 + 5) * 2^40 / 3, checked against the exact product.
  const Uint256 a = *CheckedAdd(Uint256(1) << 200, Uint256(5));
  const Uint256 exact = *CheckedMul(a, Uint256(uint64_t{1} << 40)) / Uint256(3);
  EXPECT_EQ(MulDivSaturating(a, uint64_t{1} << 40, 3), exact);
  // The product overflows but the quotient fits: still exact.
  const Uint256 max = ~Uint256();
  EXPECT_EQ(MulDivSaturating(max, 7, 7), max);
  // (3 * (2^256 - 1)) / 4 = 3 * 2^254 - 1 (floor of 3 * 2^254 - 3/4).
  EXPECT_EQ(MulDivSaturating(max, 3, 4), *CheckedSub(Uint256(3) << 254, Uint256(1)));
  EXPECT_EQ(MulDivSaturating(Uint256(1) << 255, 2, 1), max);
  EXPECT_EQ(MulDivSaturating(max, 9, 8), max);
}

TEST(Uint256, CheckedArithmeticOverflows) {
  Uint256 max = Uint256::Max();
  EXPECT_FALSE(CheckedAdd(max, Uint256(1)));
  EXPECT_EQ(*CheckedAdd(max, Uint256()), max);
  EXPECT_EQ(*CheckedAdd(Uint256(~uint64_t{0}), Uint256(1)), Uint256(1) << 64);
  EXPECT_FALSE(CheckedSub(Uint256(1), Uint256(2)));
  EXPECT_EQ(*CheckedSub(Uint256(1) << 64, Uint256(1)), Uint256(~uint64_t{0}));
  EXPECT_EQ(*CheckedSub(Uint256(1) << 192, Uint256(1)),
            Hex("0xffffffffffffffffffffffffffffffffffffffffffffffff"));
  EXPECT_EQ(*CheckedMul(Uint256(1) << 128, (Uint256(1) << 127)), Uint256(1) << 255);
  EXPECT_FALSE(CheckedMul(Uint256(1) << 128, Uint256(1) << 128));
  EXPECT_FALSE(CheckedMul(max, Uint256(2)));
  EXPECT_EQ(*CheckedMul(max, Uint256(1)), max);
  EXPECT_EQ(*CheckedMul(Uint256(), max), Uint256());
  EXPECT_EQ(SaturatingAdd(max, Uint256(5)), max);
  EXPECT_EQ(SaturatingSub(Uint256(3), Uint256(5)), Uint256());
  EXPECT_EQ(WrappingAdd(max, Uint256(2)), Uint256(1));
  EXPECT_EQ(Min(Uint256(3), Uint256(5)), Uint256(3));
}

TEST(Uint256, DivisionAgreesWithMultiplication) {
  std::mt19937_64 rng(42);
  for (int i = 0; i < 2000; ++i) {
    Uint256 n = Random(rng);
    Uint256 d = Random(rng);
    if (d.IsZero()) continue;
    Uint256 q = n / d;
    Uint256 r = n % d;
    ASSERT_LT(r, d);
    auto back = CheckedAdd(*CheckedMul(q, d), r);
    ASSERT_TRUE(back);
    ASSERT_EQ(*back, n);
  }
  EXPECT_EQ(Uint256::Max() / Uint256::Max(), Uint256(1));
  EXPECT_EQ(Uint256(7) / (Uint256(1) << 100), Uint256());
  EXPECT_EQ(Uint256::Max() / Uint256(3),
            Hex("0x5555555555555555555555555555555555555555555555555555555555555555"));
}

struct CompactCase {
  uint32_t bits;
  const char* target_hex;
  uint32_t normalized;
};

// Cases from Bitcoin Core's arith_uint256 SetCompact/GetCompact tests.
TEST(Uint256, CompactTargetBitcoinCases) {
  const CompactCase cases[] = {
      {0x00000000, "0x0", 0},
      {0x00123456, "0x0", 0},
      {0x01003456, "0x0", 0},
      {0x02000056, "0x0", 0},
      {0x03000000, "0x0", 0},
      {0x04000000, "0x0", 0},
      {0x00923456, "0x0", 0},
      {0x01803456, "0x0", 0},
      {0x02800056, "0x0", 0},
      {0x03800000, "0x0", 0},
      {0x04800000, "0x0", 0},
      {0x01123456, "0x12", 0x01120000},
      {0x02008000, "0x80", 0x02008000},
      {0x02123456, "0x1234", 0x02123400},
      {0x03123456, "0x123456", 0x03123456},
      {0x04123456, "0x12345600", 0x04123456},
      {0x05009234, "0x92340000", 0x05009234},
      {0x20123456, "0x1234560000000000000000000000000000000000000000000000000000000000",
       0x20123456},
      {0x1d00ffff, "0xffff0000000000000000000000000000000000000000000000000000", 0x1d00ffff},
  };
  for (const CompactCase& c : cases) {
    auto t = CompactToTarget(c.bits);
    ASSERT_TRUE(t) << std::hex << c.bits;
    EXPECT_EQ(*t, Hex(c.target_hex)) << std::hex << c.bits;
    EXPECT_EQ(TargetToCompact(*t), c.normalized) << std::hex << c.bits;
  }
}

TEST(Uint256, CompactTargetRejectsNegativeAndOverflow) {
  for (uint32_t bits : {0x01fedcbau, 0x04923456u, 0x03800001u, 0xff123456u, 0x23000001u,
                        0x22000100u, 0x21010000u}) {
    EXPECT_EQ(CompactToTarget(bits).status().code(), "bits-invalid") << std::hex << bits;
  }
  // The largest encodable targets still decode.
  EXPECT_TRUE(CompactToTarget(0x22000001));
  EXPECT_TRUE(CompactToTarget(0x210000ff));
  EXPECT_TRUE(CompactToTarget(0x2000ffff));
}

TEST(Uint256, TargetToCompactNormalizesSignBit) {
  // 0x80 needs a second byte so the mantissa's sign bit stays clear.
  EXPECT_EQ(TargetToCompact(Uint256(0x80)), 0x02008000u);
  EXPECT_EQ(TargetToCompact(Uint256(0x800000)), 0x04008000u);
  EXPECT_EQ(*CompactToTarget(TargetToCompact(Uint256(0x800000))), Uint256(0x800000));
  // Low bits below the mantissa's precision are dropped.
  EXPECT_EQ(TargetToCompact(Hex("0x12345678")), 0x04123456u);
}

TEST(Uint256, WorkFromTarget) {
  // Bitcoin's genesis difficulty: 2^256 / (0xffff * 2^208 + 1) = 0x100010001.
  EXPECT_EQ(WorkFromTarget(*CompactToTarget(0x1d00ffff)), Uint256(0x100010001ULL));
  // 2^256 / 1 does not fit; a zero target is invalid anyway and counts no work.
  EXPECT_EQ(WorkFromTarget(Uint256()), Uint256());
  EXPECT_EQ(WorkFromTarget(Uint256::Max()), Uint256(1));
  EXPECT_EQ(WorkFromTarget(Uint256::Max() >> 1), Uint256(2));
  EXPECT_EQ(WorkFromTarget(Uint256(1) << 240), Uint256(65535));
}

}  // namespace
}  // namespace depin
