#include "chain/block_index.h"

#include <gtest/gtest.h>

namespace depin::chain {
namespace {

BlockIndexRecord Sample() {
  BlockIndexRecord r;
  r.header.height = 42;
  r.header.timestamp = 1700000000;
  r.header.bits = 0x1d00ffff;
  r.header.parent_hash[0] = 0xab;
  r.header.nonce = 0x0102030405060708ULL;
  r.header.base_fee = Uint256(1000000000);
  r.chain_work = Uint256(1) << 200;
  r.status = kBlockHaveData | kBlockValidHeader | kBlockValidBlock | kBlockHaveUndo;
  r.pos = FlatFilePos{3, uint64_t{5} << 32, 123456};
  r.tx_count = 17;
  return r;
}

TEST(BlockIndexRecord, RoundTrip) {
  const BlockIndexRecord r = Sample();
  const Bytes enc = EncodeBlockIndexRecord(r);
  EXPECT_EQ(enc.size(), kBlockIndexRecordSize);
  auto back = DecodeBlockIndexRecord(enc);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  EXPECT_EQ(*back, r);
  EXPECT_EQ(back->header.Hash(), r.header.Hash());
}

TEST(BlockIndexRecord, HeaderOnlyRecordRoundTrips) {
  BlockIndexRecord r = Sample();
  r.status = kBlockValidHeader | kBlockFailedChild;
  r.pos = FlatFilePos{};
  r.tx_count = 0;
  auto back = DecodeBlockIndexRecord(EncodeBlockIndexRecord(r));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
  EXPECT_TRUE(back->Has(kBlockFailedChild));
  EXPECT_FALSE(back->Has(kBlockHaveData));
}

TEST(BlockIndexRecord, LayoutPinsHeaderAndWork) {
  const BlockIndexRecord r = Sample();
  const Bytes enc = EncodeBlockIndexRecord(r);
  EXPECT_EQ(enc[0], kBlockIndexVersion);
  EXPECT_EQ(Bytes(enc.begin() + 1, enc.begin() + 261), r.header.Serialize());
  uint8_t work[32];
  r.chain_work.ToBigEndian32(work);
  EXPECT_TRUE(std::equal(work, work + 32, enc.begin() + 261));
}

void ExpectBad(const Bytes& data, const char* why) {
  auto r = DecodeBlockIndexRecord(data);
  ASSERT_FALSE(r.ok()) << why;
  EXPECT_EQ(r.status().code(), "blockindex-bad-encoding") << why;
}

TEST(BlockIndexRecord, RejectsWrongSize) {
  const Bytes enc = EncodeBlockIndexRecord(Sample());
  ExpectBad(Bytes(), "empty");
  ExpectBad(Bytes(enc.begin(), enc.end() - 1), "short");
  Bytes longer = enc;
  longer.push_back(0);
  ExpectBad(longer, "long");
}

TEST(BlockIndexRecord, RejectsUnknownVersionAndStatusBits) {
  Bytes enc = EncodeBlockIndexRecord(Sample());
  enc[0] = 2;
  ExpectBad(enc, "version");
  BlockIndexRecord r = Sample();
  r.status |= 1u << 20;
  ExpectBad(EncodeBlockIndexRecord(r), "status bits");
}

TEST(BlockIndexRecord, RejectsInconsistentPosition) {
  BlockIndexRecord r = Sample();
  r.pos = FlatFilePos{};
  ExpectBad(EncodeBlockIndexRecord(r), "data without position");
  r = Sample();
  r.status &= ~static_cast<uint32_t>(kBlockHaveData);
  ExpectBad(EncodeBlockIndexRecord(r), "position without data");
}

TEST(BlockIndexRecord, RejectsNonZeroReserved) {
  Bytes enc = EncodeBlockIndexRecord(Sample());
  enc.back() = 1;
  ExpectBad(enc, "reserved");
}

}  // namespace
}  // namespace depin::chain
