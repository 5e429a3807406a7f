#include "consensus/abi.h"

#include <gtest/gtest.h>

#include "crypto/keccak.h"

namespace depin::abi {
namespace {

std::string SelectorHex(std::string_view signature) {
  Selector s = SelectorOf(signature);
  return HexEncode(ByteSpan(s.data(), s.size()), /*prefix=*/false);
}

Bytes Word(uint64_t v) {
  Bytes w(32, 0);
  for (int i = 0; i < 8; ++i) w[31 - i] = static_cast<uint8_t>(v >> (8 * i));
  return w;
}

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(Abi, KnownSelectors) {
  EXPECT_EQ(SelectorHex("transfer(address,uint256)"), "a9059cbb");
  EXPECT_EQ(SelectorHex("balanceOf(address)"), "70a08231");
  EXPECT_EQ(SelectorHex("Error(string)"), "08c379a0");
  EXPECT_EQ(SelectorHex("approve(address,uint256)"), "095ea7b3");
}

TEST(Abi, KnownEventTopic) {
  EXPECT_EQ(EventTopic("Transfer(address,address,uint256)").Hex(),
            "0xddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef");
}

TEST(Abi, StaticArgumentsAreWords) {
  Address a;
  for (size_t i = 0; i < 20; ++i) a[i] = static_cast<uint8_t>(i + 1);
  Hash256 h;
  h[0] = 0xaa;
  const Bytes enc = Encoder().Uint(Uint256(0x1234)).Address(a).Bool(true).Bytes32(h).Finish();
  ASSERT_EQ(enc.size(), 4u * 32);
  EXPECT_EQ(Bytes(enc.begin(), enc.begin() + 32), Word(0x1234));
  Bytes addr_word(32, 0);
  std::copy(a.begin(), a.end(), addr_word.begin() + 12);
  EXPECT_EQ(Bytes(enc.begin() + 32, enc.begin() + 64), addr_word);
  EXPECT_EQ(Bytes(enc.begin() + 64, enc.begin() + 96), Word(1));
  EXPECT_EQ(Bytes(enc.begin() + 96, enc.end()), Bytes(h.begin(), h.end()));
}

TEST(Abi, DynamicArgumentsUseHeadOffsetsAndPaddedTail) {
  // f(uint256 1, string "dave", bytes 0x01..0x21 (33 bytes))
  Bytes long_bytes(33);
  for (size_t i = 0; i < long_bytes.size(); ++i) long_bytes[i] = static_cast<uint8_t>(i + 1);
  const Bytes enc = Encoder().Uint(Uint256(1)).String("dave").Bytes(long_bytes).Finish();
  Bytes dave = {'d', 'a', 'v', 'e'};
  dave.resize(32, 0);
  Bytes padded = long_bytes;
  padded.resize(64, 0);
  const Bytes want = Cat({Word(1), Word(0x60), Word(0xa0), Word(4), dave, Word(33), padded});
  EXPECT_EQ(enc, want);
}

TEST(Abi, FinishCallPrependsSelector) {
  const Selector sel = SelectorOf("transfer(address,uint256)");
  const Bytes call = Encoder().Uint(Uint256(7)).FinishCall(sel);
  ASSERT_EQ(call.size(), 36u);
  EXPECT_EQ(Bytes(call.begin(), call.begin() + 4), Bytes(sel.begin(), sel.end()));
  auto split = SplitCall(call);
  ASSERT_TRUE(split.ok());
  EXPECT_EQ(split->first, sel);
  EXPECT_EQ(Bytes(split->second.begin(), split->second.end()), Word(7));
}

TEST(Abi, RoundTripAllTypes) {
  Address a;
  a[19] = 0x99;
  a[0] = 0x11;
  Hash256 h;
  h[31] = 0x77;
  const Bytes blob = {0,  1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13, 14, 15, 16,
                      17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32};
  const Bytes enc = Encoder()
                        .Uint(Uint256::Max())
                        .String("hello")
                        .Address(a)
                        .Bool(false)
                        .Bytes(blob)
                        .Bytes32(h)
                        .Uint(Uint256(~uint64_t{0}))
                        .String("")
                        .Finish();
  Decoder d(enc);
  EXPECT_EQ(*d.Uint(), Uint256::Max());
  EXPECT_EQ(*d.String(100), "hello");
  EXPECT_EQ(*d.Address(), a);
  EXPECT_EQ(*d.Bool(), false);
  EXPECT_EQ(*d.Bytes(100), blob);
  EXPECT_EQ(*d.Bytes32(), h);
  EXPECT_EQ(*d.Uint64(), ~uint64_t{0});
  EXPECT_EQ(*d.String(0), "");
}

TEST(Abi, ShortDataFails) {
  Bytes w = Word(5);
  EXPECT_TRUE(Decoder(w).Uint().ok());
  w.pop_back();
  EXPECT_EQ(Decoder(w).Uint().status().code(), "abi-short-data");
  EXPECT_EQ(Decoder(ByteSpan()).Address().status().code(), "abi-short-data");
  EXPECT_EQ(Decoder(w).Bytes32().status().code(), "abi-short-data");
}

TEST(Abi, ShortCalldataFails) {
  const Bytes three = {1, 2, 3};
  EXPECT_EQ(SplitCall(three).status().code(), "abi-short-calldata");
  const Bytes four = {1, 2, 3, 4};
  auto split = SplitCall(four);
  ASSERT_TRUE(split.ok());
  EXPECT_TRUE(split->second.empty());
}

TEST(Abi, Uint64Overflow) {
  Bytes w = Word(~uint64_t{0});
  EXPECT_EQ(*Decoder(w).Uint64(), ~uint64_t{0});
  w[23] = 1;  // 2^64 + (2^64 - 1)
  EXPECT_EQ(Decoder(w).Uint64().status().code(), "abi-uint64-overflow");
}

TEST(Abi, AddressPaddingMustBeZero) {
  Bytes w(32, 0);
  w[31] = 1;
  EXPECT_TRUE(Decoder(w).Address().ok());
  for (size_t i : {0u, 11u}) {
    Bytes bad = w;
    bad[i] = 1;
    EXPECT_EQ(Decoder(bad).Address().status().code(), "abi-bad-address") << i;
  }
}

TEST(Abi, BoolMustBeZeroOrOne) {
  EXPECT_EQ(*Decoder(Word(0)).Bool(), false);
  EXPECT_EQ(*Decoder(Word(1)).Bool(), true);
  EXPECT_EQ(Decoder(Word(2)).Bool().status().code(), "abi-bad-bool");
  Bytes high = Word(1);
  high[0] = 1;
  EXPECT_EQ(Decoder(high).Bool().status().code(), "abi-bad-bool");
}

TEST(Abi, DynamicOffsetMustBeAlignedAndInRange) {
  const Bytes good = Cat({Word(0x20), Word(1), Word(0)});
  EXPECT_TRUE(Decoder(good).Bytes(32).ok());
  const Bytes unaligned = Cat({Word(0x21), Word(1), Word(0)});
  EXPECT_EQ(Decoder(unaligned).Bytes(32).status().code(), "abi-bad-offset");
  const Bytes beyond = Cat({Word(0x80), Word(1), Word(0)});
  EXPECT_EQ(Decoder(beyond).Bytes(32).status().code(), "abi-bad-offset");
  Bytes huge = Cat({Word(0), Word(1)});
  huge[0] = 0x80;
  EXPECT_EQ(Decoder(huge).Bytes(32).status().code(), "abi-bad-offset");
  // Offset at the very end: no room for the length word.
  const Bytes at_end = Cat({Word(0x40), Word(0)});
  EXPECT_EQ(Decoder(at_end).Bytes(32).status().code(), "abi-short-data");
}

TEST(Abi, DynamicLengthMustFitData) {
  // Length 33 with only 32 bytes of payload.
  const Bytes runs_past = Cat({Word(0x20), Word(33), Bytes(32, 0xee)});
  EXPECT_EQ(Decoder(runs_past).Bytes(100).status().code(), "abi-short-data");
  const Bytes exact = Cat({Word(0x20), Word(32), Bytes(32, 0xee)});
  EXPECT_EQ(Decoder(exact).Bytes(100)->size(), 32u);
}

TEST(Abi, DynamicLongerThanMaxFails) {
  const Bytes enc = Encoder().String("dave").Finish();
  EXPECT_EQ(*Decoder(enc).String(4), "dave");
  EXPECT_EQ(Decoder(enc).String(3).status().code(), "abi-too-long");
  Bytes huge_len = Cat({Word(0x20), Word(0)});
  huge_len[32] = 0x01;  // length 2^248
  EXPECT_EQ(Decoder(huge_len).Bytes(~size_t{0}).status().code(), "abi-too-long");
}

TEST(Abi, ArraysEncodeLengthThenWords) {
  // f(uint256[] [7, 9], address[] [0x..01]) as solc encodes it.
  Address a;
  a[19] = 1;
  const Bytes enc = Encoder().UintArray({Uint256(7), Uint256(9)}).AddressArray({a}).Finish();
  const Bytes want = Cat({Word(0x40), Word(0xa0), Word(2), Word(7), Word(9), Word(1), Word(1)});
  EXPECT_EQ(enc, want);
  Decoder dec(enc);
  auto values = dec.Uint64Array(8);
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(*values, (std::vector<uint64_t>{7, 9}));
  EXPECT_EQ(Decoder(Encoder().UintArray({}).Finish()).Uint64Array(8)->size(), 0u);
}

TEST(Abi, ArrayBadInputFails) {
  const Bytes three = Encoder().UintArray({Uint256(1), Uint256(2), Uint256(3)}).Finish();
  EXPECT_EQ(Decoder(three).Uint64Array(2).status().code(), "abi-too-long");
  // Claims 3 elements, carries 2.
  const Bytes short_body = Cat({Word(0x20), Word(3), Word(1), Word(2)});
  EXPECT_EQ(Decoder(short_body).Uint64Array(8).status().code(), "abi-short-data");
  Bytes wide = Cat({Word(0x20), Word(1), Word(0)});
  wide[64] = 0x01;  // element 2^248
  EXPECT_EQ(Decoder(wide).Uint64Array(8).status().code(), "abi-uint64-overflow");
  EXPECT_EQ(Decoder(Cat({Word(0x21), Word(0)})).Uint64Array(8).status().code(), "abi-bad-offset");
  Bytes huge_len = Cat({Word(0x20), Word(0)});
  huge_len[32] = 0x01;
  EXPECT_EQ(Decoder(huge_len).Uint64Array(~size_t{0}).status().code(), "abi-too-long");
}

TEST(Abi, AddressArrayDecodesAndRejectsDirtyPadding) {
  Address a;
  a[0] = 0xab;
  a[19] = 2;
  const Bytes enc = Encoder().AddressArray({a, Address()}).Finish();
  auto values = Decoder(enc).AddressArray(4);
  ASSERT_TRUE(values.ok()) << values.status().ToString();
  EXPECT_EQ(*values, (std::vector<Address>{a, Address()}));
  EXPECT_EQ(Decoder(enc).AddressArray(1).status().code(), "abi-too-long");
  Bytes dirty = enc;
  dirty[64] = 0x01;  // a byte of the first element's padding
  EXPECT_EQ(Decoder(dirty).AddressArray(4).status().code(), "abi-bad-address");
  const Bytes short_body = Cat({Word(0x20), Word(2), Word(1)});
  EXPECT_EQ(Decoder(short_body).AddressArray(4).status().code(), "abi-short-data");
}

TEST(Abi, StringArrayEncodesAsSolc) {
  // f() returns (string[] ["a", "bc"]) as solc encodes it.
  Bytes a_word(32, 0);
  a_word[0] = 'a';
  Bytes bc_word(32, 0);
  bc_word[0] = 'b';
  bc_word[1] = 'c';
  const Bytes want =
      Cat({Word(0x20), Word(2), Word(0x40), Word(0x80), Word(1), a_word, Word(2), bc_word});
  EXPECT_EQ(Encoder().StringArray({"a", "bc"}).Finish(), want);
  EXPECT_EQ(Encoder().StringArray({}).Finish(), Cat({Word(0x20), Word(0)}));
}

// Encodings computed by ethers v6 (AbiCoder / Interface, tests/interop's
// pinned version) for Multicall3's argument and return types.
Bytes FromHex(std::string_view hex) { return *HexDecode(hex); }

Address Addr(uint16_t low16) { return ModuleAddress(low16); }

// aggregate3([(0x..0F00, false, 0x1234), (0x..1000, true, 0x)]) after the selector.
constexpr std::string_view kAggregate3Args =
    "0x0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "00000000000000000000000000000000000000000000000000000000000000e0"
    "0000000000000000000000000000000000000000000000000000000000000f00"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "1234000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000001000"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000000";

// aggregate([(0x..0F00, 0xdeadbeef), (0x..1000, 0xab * 33)]) after the selector.
constexpr std::string_view kAggregateArgs =
    "0x0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "0000000000000000000000000000000000000000000000000000000000000f00"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000004"
    "deadbeef00000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000001000"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000021"
    "abababababababababababababababababababababababababababababababab"
    "ab00000000000000000000000000000000000000000000000000000000000000";

// aggregate3 returns [(true, uint256 42 as 32 bytes), (false, 0x)].
constexpr std::string_view kAggregate3Return =
    "0x0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "00000000000000000000000000000000000000000000000000000000000000c0"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "000000000000000000000000000000000000000000000000000000000000002a"
    "0000000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000000";

// aggregate returns (7, [0x01, 0x]).
constexpr std::string_view kAggregateReturn =
    "0x0000000000000000000000000000000000000000000000000000000000000007"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000080"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0100000000000000000000000000000000000000000000000000000000000000"
    "0000000000000000000000000000000000000000000000000000000000000000";

// blockAndAggregate returns (7, 0x11 * 32, [(true, 0xbeef)]).
constexpr std::string_view kBlockAndAggregateReturn =
    "0x0000000000000000000000000000000000000000000000000000000000000007"
    "1111111111111111111111111111111111111111111111111111111111111111"
    "0000000000000000000000000000000000000000000000000000000000000060"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000020"
    "0000000000000000000000000000000000000000000000000000000000000001"
    "0000000000000000000000000000000000000000000000000000000000000040"
    "0000000000000000000000000000000000000000000000000000000000000002"
    "beef000000000000000000000000000000000000000000000000000000000000";

TEST(Abi, DynamicTupleArrayDecodesEthersAggregate3Calls) {
  const Bytes body = FromHex(kAggregate3Args);
  Decoder d(body);
  auto calls = d.DynamicTupleArray(8);
  ASSERT_TRUE(calls.ok()) << calls.status().ToString();
  ASSERT_EQ(calls->size(), 2u);
  Decoder& first = (*calls)[0];
  EXPECT_EQ(*first.Address(), Addr(0x0F00));
  EXPECT_EQ(*first.Bool(), false);
  EXPECT_EQ(*first.Bytes(100), (Bytes{0x12, 0x34}));
  Decoder& second = (*calls)[1];
  EXPECT_EQ(*second.Address(), Addr(0x1000));
  EXPECT_EQ(*second.Bool(), true);
  EXPECT_TRUE(second.Bytes(100)->empty());
}

TEST(Abi, DynamicTupleArrayDecodesEthersAggregateCalls) {
  const Bytes body = FromHex(kAggregateArgs);
  Decoder d(body);
  auto calls = d.DynamicTupleArray(8);
  ASSERT_TRUE(calls.ok()) << calls.status().ToString();
  ASSERT_EQ(calls->size(), 2u);
  EXPECT_EQ(*(*calls)[0].Address(), Addr(0x0F00));
  EXPECT_EQ(*(*calls)[0].Bytes(100), (Bytes{0xde, 0xad, 0xbe, 0xef}));
  EXPECT_EQ(*(*calls)[1].Address(), Addr(0x1000));
  EXPECT_EQ(*(*calls)[1].Bytes(100), Bytes(33, 0xab));
  // The empty array ethers sends for aggregate3([]).
  const Bytes empty = Cat({Word(0x20), Word(0)});
  EXPECT_EQ(Decoder(empty).DynamicTupleArray(8)->size(), 0u);
}

TEST(Abi, DynamicTupleArrayBadInputFails) {
  const Bytes body = FromHex(kAggregate3Args);
  EXPECT_EQ(Decoder(body).DynamicTupleArray(1).status().code(), "abi-too-long");
  // The array's own offset out of range or unaligned.
  Bytes bad = body;
  bad[31] = 0x21;
  EXPECT_EQ(Decoder(bad).DynamicTupleArray(8).status().code(), "abi-bad-offset");
  // An element offset (the first, at word 2) unaligned, then past the end.
  bad = body;
  bad[2 * 32 + 31] = 0x41;
  EXPECT_EQ(Decoder(bad).DynamicTupleArray(8).status().code(), "abi-bad-offset");
  bad = body;
  bad[2 * 32 + 30] = 0x10;  // 0x1040
  EXPECT_EQ(Decoder(bad).DynamicTupleArray(8).status().code(), "abi-bad-offset");
  bad = body;
  bad[2 * 32] = 0x80;  // 2^255
  EXPECT_EQ(Decoder(bad).DynamicTupleArray(8).status().code(), "abi-bad-offset");
  // A count the body has no room for.
  bad = body;
  bad[32 + 31] = 0x40;
  EXPECT_EQ(Decoder(bad).DynamicTupleArray(100).status().code(), "abi-short-data");
  // The array decodes, but an element's bytes member runs past the end.
  const Bytes cut(body.begin(), body.end() - 64);
  auto calls = Decoder(cut).DynamicTupleArray(8);
  ASSERT_TRUE(calls.ok()) << calls.status().ToString();
  Decoder& second = (*calls)[1];
  EXPECT_TRUE(second.Address().ok());
  EXPECT_TRUE(second.Bool().ok());
  EXPECT_EQ(second.Bytes(100).status().code(), "abi-short-data");
  // An element whose member is dirty (a bool of 2).
  bad = body;
  bad[5 * 32 + 31] = 2;
  calls = Decoder(bad).DynamicTupleArray(8);
  ASSERT_TRUE(calls.ok());
  EXPECT_TRUE((*calls)[0].Address().ok());
  EXPECT_EQ((*calls)[0].Bool().status().code(), "abi-bad-bool");
  // No head word at all.
  EXPECT_EQ(Decoder(ByteSpan()).DynamicTupleArray(8).status().code(), "abi-short-data");
}

TEST(Abi, TupleArrayEncodesAsEthersAggregate3Return) {
  Bytes forty_two(32, 0);
  forty_two[31] = 42;
  std::vector<Encoder> results;
  results.push_back(Encoder().Bool(true).Bytes(forty_two));
  results.push_back(Encoder().Bool(false).Bytes({}));
  EXPECT_EQ(Encoder().TupleArray(results).Finish(), FromHex(kAggregate3Return));
  EXPECT_EQ(Encoder().TupleArray({}).Finish(), Cat({Word(0x20), Word(0)}));
}

TEST(Abi, BytesArrayEncodesAsEthersAggregateReturn) {
  EXPECT_EQ(Encoder().Uint(Uint256(7)).BytesArray({Bytes{0x01}, Bytes{}}).Finish(),
            FromHex(kAggregateReturn));
}

TEST(Abi, TupleArrayAfterStaticArgumentsEncodesAsEthers) {
  Hash256 h;
  for (size_t i = 0; i < h.size(); ++i) h[i] = 0x11;
  std::vector<Encoder> results;
  results.push_back(Encoder().Bool(true).Bytes(Bytes{0xbe, 0xef}));
  EXPECT_EQ(Encoder().Uint(Uint256(7)).Bytes32(h).TupleArray(results).Finish(),
            FromHex(kBlockAndAggregateReturn));
}

TEST(Abi, TuplesEncodeInlineWhenStaticAndByOffsetWhenDynamic) {
  // ethers: encode(["(uint256,address)", "bytes"], [[1, 0x..0F00], 0xabcd]):
  // the static tuple takes two head words, so the bytes' offset is 0x60.
  Bytes abcd = {0xab, 0xcd};
  Bytes abcd_word = abcd;
  abcd_word.resize(32, 0);
  Bytes addr_word(32, 0);
  addr_word[30] = 0x0f;
  const Encoder point = Encoder().Uint(Uint256(1)).Address(Addr(0x0F00));
  EXPECT_FALSE(point.IsDynamic());
  EXPECT_EQ(Encoder().Tuple(point).Bytes(abcd).Finish(),
            Cat({Word(1), addr_word, Word(0x60), Word(2), abcd_word}));
  // encode(["(bool,bytes)"], [[true, 0x01]]): a dynamic tuple is an offset.
  const Encoder result = Encoder().Bool(true).Bytes(Bytes{0x01});
  EXPECT_TRUE(result.IsDynamic());
  Bytes one_word(32, 0);
  one_word[0] = 0x01;
  EXPECT_EQ(Encoder().Tuple(result).Finish(),
            Cat({Word(0x20), Word(1), Word(0x40), Word(1), one_word}));
  // encode(["(uint256,uint256)[]"], [[[1, 2], [3, 4]]]): static tuples inline.
  std::vector<Encoder> pairs;
  pairs.push_back(Encoder().Uint(Uint256(1)).Uint(Uint256(2)));
  pairs.push_back(Encoder().Uint(Uint256(3)).Uint(Uint256(4)));
  EXPECT_EQ(Encoder().TupleArray(pairs).Finish(),
            Cat({Word(0x20), Word(2), Word(1), Word(2), Word(3), Word(4)}));
}

}  // namespace
}  // namespace depin::abi
