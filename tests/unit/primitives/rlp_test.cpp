#include "primitives/rlp.h"

#include <gtest/gtest.h>

#include <functional>
#include <random>

namespace depin::rlp {
namespace {

Bytes Hx(std::string_view hex) { return *HexDecode(hex); }

Bytes Concat(const Bytes& a, const Bytes& b) {
  Bytes out = a;
  out.insert(out.end(), b.begin(), b.end());
  return out;
}

Value Str(std::string_view s) {
  Value v;
  v.bytes.assign(s.begin(), s.end());
  return v;
}

Value List(std::vector<Value> items) {
  Value v;
  v.is_list = true;
  v.items = std::move(items);
  return v;
}

std::string DecodeCode(const Bytes& b) { return DecodeTree(b).status().code(); }

// Examples from the RLP section of the Ethereum wiki / yellow paper appendix B.
TEST(Rlp, SpecExamplesEncode) {
  EXPECT_EQ(Encoder().AddString("dog").Finish(), Hx("83646f67"));
  EXPECT_EQ(Encoder().BeginList().AddString("cat").AddString("dog").EndList().Finish(),
            Hx("c88363617483646f67"));
  EXPECT_EQ(Encoder().AddString("").Finish(), Hx("80"));
  EXPECT_EQ(Encoder().BeginList().EndList().Finish(), Hx("c0"));
  EXPECT_EQ(Encoder().AddUint(uint64_t{0}).Finish(), Hx("80"));
  EXPECT_EQ(Encoder().AddUint(Uint256()).Finish(), Hx("80"));
  EXPECT_EQ(Encoder().AddBytes(Bytes{0x00}).Finish(), Hx("00"));
  EXPECT_EQ(Encoder().AddUint(uint64_t{15}).Finish(), Hx("0f"));
  EXPECT_EQ(Encoder().AddUint(uint64_t{1024}).Finish(), Hx("820400"));
  EXPECT_EQ(Encoder().AddUint(Uint256(1024)).Finish(), Hx("820400"));
  EXPECT_EQ(Encoder().AddUint(uint64_t{0x80}).Finish(), Hx("8180"));
  // The set-theoretic representation of three: [ [], [[]], [ [], [[]] ] ].
  Encoder e;
  e.BeginList();
  e.BeginList().EndList();
  e.BeginList().BeginList().EndList().EndList();
  e.BeginList().BeginList().EndList().BeginList().BeginList().EndList().EndList().EndList();
  e.EndList();
  EXPECT_EQ(e.Finish(), Hx("c7c0c1c0c3c0c1c0"));
  EXPECT_EQ(
      Encoder().AddString("Lorem ipsum dolor sit amet, consectetur adipisicing elit").Finish(),
      Hx("b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e7365637465747572"
         "206164697069736963696e6720656c6974"));
}

TEST(Rlp, SpecExamplesDecode) {
  EXPECT_EQ(*DecodeTree(Hx("83646f67")), Str("dog"));
  EXPECT_EQ(*DecodeTree(Hx("c88363617483646f67")), List({Str("cat"), Str("dog")}));
  EXPECT_EQ(*DecodeTree(Hx("80")), Str(""));
  EXPECT_EQ(*DecodeTree(Hx("c0")), List({}));
  EXPECT_EQ(*DecodeTree(Hx("c7c0c1c0c3c0c1c0")),
            List({List({}), List({List({})}), List({List({}), List({List({})})})}));
  EXPECT_EQ(*DecodeTree(Hx("b8384c6f72656d20697073756d20646f6c6f722073697420616d65742c20636f6e73"
                           "65637465747572206164697069736963696e6720656c6974")),
            Str("Lorem ipsum dolor sit amet, consectetur adipisicing elit"));
  EXPECT_EQ(*DecodeUint64Payload(DecodeItem(Hx("820400"))->payload), 1024u);
  EXPECT_EQ(*DecodeUint64Payload(DecodeItem(Hx("80"))->payload), 0u);
  EXPECT_EQ(*DecodeUint64Payload(DecodeItem(Hx("0f"))->payload), 15u);
}

TEST(Rlp, LongFormBoundaries) {
  // 55 bytes is the last short form; 56 the first long form.
  Bytes s55(55, 'a');
  Bytes s56(56, 'a');
  EXPECT_EQ(Encoder().AddBytes(s55).Finish()[0], 0xb7);
  Bytes e56 = Encoder().AddBytes(s56).Finish();
  EXPECT_EQ(e56[0], 0xb8);
  EXPECT_EQ(e56[1], 56);
  Bytes s256(256, 'b');
  Bytes e256 = Encoder().AddBytes(s256).Finish();
  EXPECT_EQ(Bytes(e256.begin(), e256.begin() + 3), Hx("b90100"));
  EXPECT_EQ(DecodeTree(e256)->bytes, s256);

  Encoder list;
  list.BeginList();
  for (int i = 0; i < 20; ++i) list.AddString("dog");  // 80-byte payload
  list.EndList();
  Bytes le = list.Finish();
  EXPECT_EQ(Bytes(le.begin(), le.begin() + 2), Hx("f850"));
  EXPECT_EQ(DecodeTree(le)->items.size(), 20u);
}

TEST(Rlp, RejectsWrappedSingleByte) {
  EXPECT_EQ(DecodeCode(Hx("8100")), "rlp-non-canonical");
  EXPECT_EQ(DecodeCode(Hx("817f")), "rlp-non-canonical");
  EXPECT_TRUE(DecodeTree(Hx("8180")));
}

TEST(Rlp, RejectsNonCanonicalSizes) {
  // Long form for a length that fits the short form.
  EXPECT_EQ(DecodeCode(Concat(Hx("b837"), Bytes(55, 'a'))), "rlp-non-canonical-size");
  EXPECT_EQ(DecodeCode(Concat(Hx("b801"), Bytes(1, 0x80))), "rlp-non-canonical-size");
  EXPECT_EQ(DecodeCode(Concat(Hx("f837"), Bytes(55, 0x01))), "rlp-non-canonical-size");
  // Leading zero in the length field.
  EXPECT_EQ(DecodeCode(Concat(Hx("b90038"), Bytes(56, 'a'))), "rlp-non-canonical-size");
  EXPECT_EQ(DecodeCode(Concat(Hx("f90038"), Bytes(56, 0x01))), "rlp-non-canonical-size");
  EXPECT_EQ(DecodeCode(Hx("b800")), "rlp-non-canonical-size");
}

TEST(Rlp, RejectsTruncation) {
  EXPECT_EQ(DecodeCode(Bytes{}), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("83646f")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("b8")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("b901")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("b838")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("c1")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("f8")), "rlp-truncated");
  // A list whose payload ends inside a child item.
  EXPECT_EQ(DecodeCode(Hx("c383646f")), "rlp-truncated");
  // 8-byte lengths near 2^64 must not wrap the bounds check.
  EXPECT_EQ(DecodeCode(Hx("bfffffffffffffffff00")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("ffffffffffffffffff00")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("bf0100000000000000")), "rlp-truncated");
  EXPECT_EQ(DecodeCode(Hx("bffffffffffffffff7")), "rlp-truncated");
}

TEST(Rlp, RejectsTrailingBytes) {
  EXPECT_EQ(DecodeCode(Hx("83646f6700")), "rlp-trailing-bytes");
  EXPECT_EQ(DecodeCode(Hx("c0c0")), "rlp-trailing-bytes");
  EXPECT_EQ(DecodeItem(Hx("0101")).status().code(), "rlp-trailing-bytes");
  // DecodeItemPrefix allows a continuation and reports the item's extent.
  auto prefix = DecodeItemPrefix(Hx("83646f6700"));
  ASSERT_TRUE(prefix);
  EXPECT_EQ(prefix->encoded.size(), 4u);
  Bytes buf1 = Hx("c20102");
  auto r = ListReader::FromList(buf1);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->ReadUint64(), 1u);
  EXPECT_EQ(r->ExpectEnd().code(), "rlp-trailing-bytes");
  EXPECT_EQ(*r->ReadUint64(), 2u);
  EXPECT_TRUE(r->ExpectEnd().ok());
  EXPECT_EQ(r->ReadUint64().status().code(), "rlp-truncated");
}

TEST(Rlp, IntegerRules) {
  EXPECT_EQ(DecodeUint64Payload(Hx("0001")).status().code(), "rlp-leading-zeros");
  EXPECT_EQ(DecodeUint64Payload(Hx("00")).status().code(), "rlp-leading-zeros");
  EXPECT_EQ(DecodeUint256Payload(Hx("00ff")).status().code(), "rlp-leading-zeros");
  EXPECT_EQ(*DecodeUint64Payload(Hx("ffffffffffffffff")), ~uint64_t{0});
  EXPECT_EQ(DecodeUint64Payload(Hx("010000000000000000")).status().code(), "rlp-uint-overflow");
  EXPECT_EQ(*DecodeUint256Payload(Bytes(32, 0xff)), Uint256::Max());
  EXPECT_EQ(DecodeUint256Payload(Concat(Hx("01"), Bytes(32, 0))).status().code(),
            "rlp-uint-overflow");
  // Through a reader: the integer 0 written as a literal 0x00 byte.
  Bytes buf2 = Hx("c100");
  auto r = ListReader::FromList(buf2);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ReadUint256().status().code(), "rlp-leading-zeros");
}

TEST(Rlp, KindMismatch) {
  EXPECT_EQ(ListReader::FromList(Hx("80")).status().code(), "rlp-expected-list");
  Bytes buf3 = Hx("c2c080");
  auto r = ListReader::FromList(buf3);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->ReadBytes().status().code(), "rlp-expected-string");
  EXPECT_EQ(r->ReadList().status().code(), "rlp-expected-list");
  Bytes buf4 = Hx("c1c0");
  auto r2 = ListReader::FromList(buf4);
  EXPECT_EQ(r2->ReadUint64().status().code(), "rlp-expected-string");
}

TEST(Rlp, CountItemsIsStrict) {
  Bytes buf5 = Hx("c4010203c0");
  auto r = ListReader::FromList(buf5);
  ASSERT_TRUE(r);
  EXPECT_EQ(*r->CountItems(), 4u);
  Bytes buf6 = Hx("c3018100");
  auto bad = ListReader::FromList(buf6);
  ASSERT_TRUE(bad);
  EXPECT_EQ(bad->CountItems().status().code(), "rlp-non-canonical");
}

TEST(Rlp, DepthIsBounded) {
  Bytes nested = Hx("c0");
  for (int i = 0; i < kMaxDepth; ++i) nested = EncodeListPayload(nested);
  EXPECT_TRUE(DecodeTree(nested));  // depth kMaxDepth exactly
  nested = EncodeListPayload(nested);
  EXPECT_EQ(DecodeCode(nested), "rlp-too-deep");
  // A deep list made of 0xc1 headers that claims far more than it has.
  Bytes deep(5000, 0xc1);
  EXPECT_FALSE(DecodeTree(deep));
}

TEST(Rlp, TreeRoundTripsRandomValues) {
  std::mt19937 rng(7);
  std::function<Value(int)> gen = [&](int depth) -> Value {
    if (depth > 4 || rng() % 3 == 0) {
      Value v;
      v.bytes.resize(rng() % 3 == 0 ? rng() % 300 : rng() % 3);
      for (auto& b : v.bytes) b = static_cast<uint8_t>(rng());
      return v;
    }
    Value v;
    v.is_list = true;
    size_t n = rng() % 6;
    for (size_t i = 0; i < n; ++i) v.items.push_back(gen(depth + 1));
    return v;
  };
  for (int i = 0; i < 300; ++i) {
    Value v = gen(0);
    Bytes enc = EncodeTree(v);
    auto back = DecodeTree(enc);
    ASSERT_TRUE(back) << back.status().ToString();
    ASSERT_EQ(*back, v);
  }
}

TEST(Rlp, EncoderAddRawAndHelpers) {
  Bytes inner = EncodeBytes(AsSpan("cat"));
  EXPECT_EQ(inner, Hx("83636174"));
  EXPECT_EQ(Encoder().BeginList().AddRaw(inner).AddString("dog").EndList().Finish(),
            Hx("c88363617483646f67"));
  EXPECT_EQ(EncodeListPayload(Hx("83636174")), Hx("c483636174"));
  Bytes out;
  AppendHeader(out, /*is_list=*/false, 1024);
  EXPECT_EQ(out, Hx("b90400"));
}

}  // namespace
}  // namespace depin::rlp
