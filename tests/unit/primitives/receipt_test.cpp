#include "primitives/receipt.h"

#include <gtest/gtest.h>

#include "crypto/keccak.h"
#include "primitives/rlp.h"

namespace depin {
namespace {

Bytes Hx(std::string_view hex) { return *HexDecode(hex); }

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

int PopCount(const Bloom& b) {
  int n = 0;
  for (uint8_t x : b) n += __builtin_popcount(x);
  return n;
}

// The ERC-20 Transfer topic added to an empty bloom, as go-ethereum computes it
// (the reference bytes appear in other clients' tests against geth).
TEST(Bloom, MatchesGethForTransferTopic) {
  Bloom bloom;
  BloomAdd(bloom, Hx("ddf252ad1be2c89b69c2b068fc378daa952ba7f163c4a11628f55a4df523b3ef"));
  const char* expected =
      "0x"
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000"
      "00000000000000000000000000000000000000000000000000000008000000000000000000000000000000000000"
      "0000"
      "00000000000000000000000000000000000000000000000000000010000000000000000000000000000000000000"
      "0000"
      "00000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000"
      "00000002000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
      "0000"
      "00000000000000000000000000000000";
  EXPECT_EQ(HexEncode(bloom.span()), expected);
}

TEST(Bloom, BitPositionsFollowKeccak) {
  Bytes item = Hx("22341ae42d6dd7384bc8584e50419ea3ac75b83f");
  Hash256 h = crypto::Keccak256Hash(item);
  Bloom bloom;
  BloomAdd(bloom, item);
  Bloom expected;
  for (int i = 0; i < 3; ++i) {
    unsigned bit = ((unsigned{h[2 * i]} << 8) | h[2 * i + 1]) & 2047;
    expected[255 - bit / 8] |= static_cast<uint8_t>(1 << (bit % 8));
  }
  EXPECT_EQ(bloom, expected);
  EXPECT_GE(PopCount(bloom), 1);
  EXPECT_LE(PopCount(bloom), 3);
}

TEST(Bloom, LogsBloomCoversAddressesAndTopics) {
  Log log;
  log.address = ModuleAddress(0x1000);
  log.topics = {Hash256(), crypto::Keccak256Hash(AsSpan("Transfer(address,address,uint256)"))};
  log.data = Bytes{1, 2, 3};
  Bloom bloom = LogsBloom({log});
  EXPECT_TRUE(BloomMayContain(bloom, log.address.span()));
  EXPECT_TRUE(BloomMayContain(bloom, log.topics[0].span()));
  EXPECT_TRUE(BloomMayContain(bloom, log.topics[1].span()));
  // Data is not indexed.
  EXPECT_FALSE(BloomMayContain(bloom, log.data));
  EXPECT_FALSE(BloomMayContain(Bloom(), log.address.span()));
  EXPECT_FALSE(BloomMayContain(bloom, ModuleAddress(0x2000).span()));
  EXPECT_EQ(LogsBloom({}), Bloom());
}

TEST(Receipt, EncodesAsEthereum) {
  Receipt r;
  r.type = TxType::kLegacy;
  r.status = 1;
  r.cumulative_gas_used = 21000;
  Bytes legacy = Cat({Hx("f9010801825208b90100"), Bytes(256, 0), Hx("c0")});
  EXPECT_EQ(r.Encode(), legacy);
  r.type = TxType::kDynamicFee;
  EXPECT_EQ(r.Encode(), Cat({Hx("02"), legacy}));
  r.status = 0;
  EXPECT_EQ(r.Encode(), Cat({Hx("02f9010880825208b90100"), Bytes(256, 0), Hx("c0")}));
}

TEST(Receipt, RoundTripsWithLogs) {
  Receipt r;
  r.status = 1;
  r.cumulative_gas_used = 123456789;
  for (int i = 0; i < 3; ++i) {
    Log log;
    log.address = ModuleAddress(static_cast<uint16_t>(0x1000 * (i + 1)));
    for (int t = 0; t <= i + 1; ++t)
      log.topics.push_back(Hash256(Bytes(32, static_cast<uint8_t>(t)).data()));
    log.data = Bytes(static_cast<size_t>(i * 40), 0x5a);
    r.logs.push_back(log);
  }
  r.bloom = LogsBloom(r.logs);
  for (TxType type : {TxType::kLegacy, TxType::kAccessList, TxType::kDynamicFee}) {
    r.type = type;
    auto back = DecodeReceipt(r.Encode());
    ASSERT_TRUE(back) << back.status().ToString();
    EXPECT_EQ(*back, r);  // gas_used is zero on both sides
  }
}

std::string Code(const Bytes& raw) { return DecodeReceipt(raw).status().code(); }

// Builds a receipt list from already encoded fields.
Bytes ReceiptOf(std::initializer_list<Bytes> fields, bool typed = true) {
  Bytes payload = Cat(fields);
  Bytes list = rlp::EncodeListPayload(payload);
  return typed ? Cat({Hx("02"), list}) : list;
}

Bytes BloomField() { return rlp::EncodeBytes(Bytes(256, 0)); }
Bytes LogField(const Bytes& addr, const Bytes& topics, const Bytes& data) {
  return rlp::EncodeListPayload(Cat({addr, topics, data}));
}

TEST(Receipt, DecodeErrors) {
  EXPECT_EQ(Code({}), "receipt-empty");
  EXPECT_EQ(Code(Hx("04c0")), "receipt-type-unsupported");
  EXPECT_EQ(Code(Hx("03c0")), "receipt-type-unsupported");
  EXPECT_EQ(Code(Hx("80")), "receipt-type-unsupported");
  EXPECT_EQ(Code(Hx("02")), "rlp-truncated");
  EXPECT_EQ(Code(Hx("0280")), "rlp-expected-list");

  Bytes ok = ReceiptOf({Hx("01"), Hx("825208"), BloomField(), Hx("c0")});
  ASSERT_TRUE(DecodeReceipt(ok));
  Bytes trailing = ok;
  trailing.push_back(0);
  EXPECT_EQ(Code(trailing), "rlp-trailing-bytes");
  EXPECT_EQ(Code(ReceiptOf({Hx("01"), Hx("825208"), BloomField(), Hx("c0"), Hx("80")})),
            "rlp-trailing-bytes");
  EXPECT_EQ(Code(ReceiptOf({Hx("01"), Hx("825208"), BloomField()})), "rlp-truncated");
  // Status: only 0 or 1; a 32-byte pre-Byzantium state root is not a status.
  EXPECT_EQ(Code(ReceiptOf({Hx("02"), Hx("825208"), BloomField(), Hx("c0")})),
            "receipt-bad-status");
  EXPECT_EQ(Code(ReceiptOf({rlp::EncodeBytes(Bytes(32, 1)), Hx("825208"), BloomField(), Hx("c0")})),
            "rlp-uint-overflow");
  EXPECT_EQ(Code(ReceiptOf({Hx("00"), Hx("825208"), BloomField(), Hx("c0")})), "rlp-leading-zeros");
  EXPECT_EQ(Code(ReceiptOf({Hx("01"), Hx("83005208"), BloomField(), Hx("c0")})),
            "rlp-leading-zeros");
  EXPECT_EQ(Code(ReceiptOf({Hx("01"), Hx("825208"), rlp::EncodeBytes(Bytes(255, 0)), Hx("c0")})),
            "receipt-bad-bloom");
  EXPECT_EQ(Code(ReceiptOf({Hx("01"), Hx("825208"), BloomField(), Hx("80")})), "rlp-expected-list");
}

TEST(Receipt, DecodeLogErrors) {
  Bytes addr = rlp::EncodeBytes(Bytes(20, 0x10));
  Bytes topic = rlp::EncodeBytes(Bytes(32, 0x20));
  auto with_log = [&](const Bytes& log) {
    return ReceiptOf({Hx("01"), Hx("825208"), BloomField(), rlp::EncodeListPayload(log)});
  };
  Bytes good = with_log(LogField(addr, rlp::EncodeListPayload(Cat({topic, topic})), Hx("80")));
  auto decoded = DecodeReceipt(good);
  ASSERT_TRUE(decoded) << decoded.status().ToString();
  EXPECT_EQ(decoded->logs.size(), 1u);
  EXPECT_EQ(decoded->logs[0].topics.size(), 2u);

  EXPECT_EQ(Code(with_log(LogField(rlp::EncodeBytes(Bytes(19, 1)), Hx("c0"), Hx("80")))),
            "receipt-bad-log");
  EXPECT_EQ(Code(with_log(
                LogField(addr, rlp::EncodeListPayload(rlp::EncodeBytes(Bytes(31, 1))), Hx("80")))),
            "receipt-bad-log");
  Bytes five = Cat({topic, topic, topic, topic, topic});
  EXPECT_EQ(Code(with_log(LogField(addr, rlp::EncodeListPayload(five), Hx("80")))),
            "receipt-bad-log");
  EXPECT_EQ(Code(with_log(LogField(addr, Hx("80"), Hx("80")))), "rlp-expected-list");
  EXPECT_EQ(Code(with_log(LogField(addr, Hx("c0"), Hx("c0")))), "rlp-expected-string");
  EXPECT_EQ(Code(with_log(Cat({LogField(addr, Hx("c0"), Hx("80")), Hx("80")}))),
            "rlp-expected-list");
  EXPECT_EQ(Code(with_log(rlp::EncodeListPayload(Cat({addr, Hx("c0"), Hx("80"), Hx("80")})))),
            "rlp-trailing-bytes");
}

}  // namespace
}  // namespace depin
