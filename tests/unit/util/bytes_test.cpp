#include "util/bytes.h"

#include <gtest/gtest.h>

namespace depin {
namespace {

TEST(HexEncode, LowerCaseWithOptionalPrefix) {
  const Bytes b{0x00, 0x01, 0xab, 0xff};
  EXPECT_EQ(HexEncode(b), "0x0001abff");
  EXPECT_EQ(HexEncode(b, /*prefix=*/false), "0001abff");
  EXPECT_EQ(HexEncode({}), "0x");
  EXPECT_EQ(HexEncode({}, /*prefix=*/false), "");
}

TEST(HexDecode, AcceptsBothPrefixesAndNone) {
  for (const char* s : {"0x0001abff", "0X0001abff", "0001abff", "0x0001ABFF", "0001AbFf"}) {
    auto r = HexDecode(s);
    ASSERT_TRUE(r.ok()) << s;
    EXPECT_EQ(*r, (Bytes{0x00, 0x01, 0xab, 0xff})) << s;
  }
}

TEST(HexDecode, EmptyInputIsEmptyBytes) {
  for (const char* s : {"", "0x", "0X"}) {
    auto r = HexDecode(s);
    ASSERT_TRUE(r.ok()) << s;
    EXPECT_TRUE(r->empty()) << s;
  }
}

TEST(HexDecode, RejectsOddLength) {
  for (const char* s : {"0", "0x0", "abc", "0x12345"}) {
    auto r = HexDecode(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.status().code(), "hex-invalid") << s;
  }
}

TEST(HexDecode, RejectsNonHexDigits) {
  for (const char* s : {"0xgg", "zz", "0x0g", "g0", "0x 1", "12 4", "0x-1", "0xx1", "x012"}) {
    auto r = HexDecode(s);
    ASSERT_FALSE(r.ok()) << s;
    EXPECT_EQ(r.status().code(), "hex-invalid") << s;
  }
}

TEST(HexDecode, RoundTripsEveryByte) {
  Bytes all(256);
  for (int i = 0; i < 256; ++i) all[i] = static_cast<uint8_t>(i);
  auto r = HexDecode(HexEncode(all));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, all);
}

TEST(FixedBytes, FromSpanChecksLength) {
  const Bytes three{1, 2, 3};
  auto ok = FixedBytes<3>::FromSpan(three);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ((*ok)[2], 3);

  auto too_short = FixedBytes<4>::FromSpan(three);
  ASSERT_FALSE(too_short.ok());
  EXPECT_EQ(too_short.status().code(), "bytes-wrong-length");
  auto too_long = FixedBytes<2>::FromSpan(three);
  ASSERT_FALSE(too_long.ok());
  EXPECT_EQ(too_long.status().code(), "bytes-wrong-length");
  EXPECT_EQ(Hash256::FromSpan({}).status().code(), "bytes-wrong-length");
}

TEST(FixedBytes, FromHexPropagatesBothErrors) {
  EXPECT_EQ(FixedBytes<2>::FromHex("0x0102")->Hex(), "0x0102");
  EXPECT_EQ(FixedBytes<2>::FromHex("0x010").status().code(), "hex-invalid");
  EXPECT_EQ(FixedBytes<2>::FromHex("0x01zz").status().code(), "hex-invalid");
  EXPECT_EQ(FixedBytes<2>::FromHex("0x010203").status().code(), "bytes-wrong-length");
}

TEST(FixedBytes, ZeroOrderingAndEquality) {
  Hash256 zero;
  EXPECT_TRUE(zero.IsZero());
  Hash256 one = zero;
  one[31] = 1;
  EXPECT_FALSE(one.IsZero());
  EXPECT_LT(zero, one);
  EXPECT_NE(zero, one);
  Hash256 high = zero;
  high[0] = 1;
  EXPECT_LT(one, high);  // big-endian byte order: the first byte dominates
}

TEST(Endian, ReadWriteRoundTripAndByteOrder) {
  uint8_t buf[8];
  WriteBE32(buf, 0x01020304);
  EXPECT_EQ(buf[0], 0x01);
  EXPECT_EQ(buf[3], 0x04);
  EXPECT_EQ(ReadBE32(buf), 0x01020304u);
  WriteLE32(buf, 0x01020304);
  EXPECT_EQ(buf[0], 0x04);
  EXPECT_EQ(ReadLE32(buf), 0x01020304u);
  WriteBE64(buf, 0x0102030405060708ULL);
  EXPECT_EQ(buf[0], 0x01);
  EXPECT_EQ(buf[7], 0x08);
  EXPECT_EQ(ReadBE64(buf), 0x0102030405060708ULL);
  WriteLE64(buf, 0x0102030405060708ULL);
  EXPECT_EQ(buf[0], 0x08);
  EXPECT_EQ(ReadLE64(buf), 0x0102030405060708ULL);
}

}  // namespace
}  // namespace depin
