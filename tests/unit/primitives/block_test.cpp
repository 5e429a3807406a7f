#include "primitives/block.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"

namespace depin {
namespace {

constexpr size_t kMax = 8 * 1024 * 1024;

crypto::PrivateKey TestKey(uint8_t fill) { return *crypto::PrivateKey::FromBytes(Bytes(32, fill)); }

BlockHeader SampleHeader() {
  BlockHeader h;
  h.version = 0x01020304;
  h.height = 0x1112131415161718ULL;
  for (int i = 0; i < 32; ++i) {
    h.parent_hash[i] = static_cast<uint8_t>(0x20 + i);
    h.tx_root[i] = static_cast<uint8_t>(0x40 + i);
    h.receipts_root[i] = static_cast<uint8_t>(0x60 + i);
    h.state_root[i] = static_cast<uint8_t>(0x80 + i);
    h.extra[i] = static_cast<uint8_t>(0xc0 + i);
  }
  for (int i = 0; i < 20; ++i) h.miner[i] = static_cast<uint8_t>(0xa0 + i);
  h.timestamp = 0x2122232425262728ULL;
  h.bits = 0x1d00ffff;
  h.gas_limit = 0x3132333435363738ULL;
  h.gas_used = 0x4142434445464748ULL;
  h.base_fee =
      *Uint256::FromHex("0x0102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f20");
  h.nonce = 0xf1f2f3f4f5f6f7f8ULL;
  return h;
}

TxRef MakeTx(uint64_t nonce, const crypto::PrivateKey& key) {
  Transaction tx;
  tx.chain_id = 1337;
  tx.nonce = nonce;
  tx.max_fee_per_gas = Uint256(2 * kWeiPerGwei);
  tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
  tx.gas_limit = 21000;
  tx.to = ModuleAddress(0x1000);
  tx.value = Uint256(nonce);
  tx.Sign(key);
  return *MakeVerifiedTx(tx);
}

Block SampleBlock(size_t ntx) {
  Block b;
  b.header = SampleHeader();
  auto key = TestKey(0x11);
  for (size_t i = 0; i < ntx; ++i) b.txs.push_back(MakeTx(i, key));
  return b;
}

TEST(BlockHeader, SerializesFieldsAtFixedOffsets) {
  BlockHeader h = SampleHeader();
  Bytes s = h.Serialize();
  ASSERT_EQ(s.size(), 260u);
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(0, 4)), "0x04030201");
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(4, 8)), "0x1817161514131211");
  EXPECT_EQ(s[12], 0x20);   // parent hash
  EXPECT_EQ(s[44], 0x40);   // tx root
  EXPECT_EQ(s[76], 0x60);   // receipts root
  EXPECT_EQ(s[108], 0x80);  // state root
  EXPECT_EQ(s[140], 0xa0);  // miner
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(160, 8)), "0x2827262524232221");
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(168, 4)), "0xffff001d");
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(172, 8)), "0x3837363534333231");
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(180, 8)), "0x4847464544434241");
  // Base fee little-endian: lowest byte (0x20) first.
  EXPECT_EQ(s[188], 0x20);
  EXPECT_EQ(s[219], 0x01);
  EXPECT_EQ(s[220], 0xc0);  // extra
  EXPECT_EQ(BlockHeader::kNonceOffset, 252u);
  EXPECT_EQ(HexEncode(ByteSpan(s).subspan(252, 8)), "0xf8f7f6f5f4f3f2f1");

  uint8_t raw[BlockHeader::kSerializedSize];
  h.SerializeTo(raw);
  EXPECT_EQ(Bytes(raw, raw + 260), s);
}

TEST(BlockHeader, RoundTripsAndHashesWithSha256d) {
  BlockHeader h = SampleHeader();
  auto back = BlockHeader::Deserialize(h.Serialize());
  ASSERT_TRUE(back);
  EXPECT_EQ(*back, h);
  EXPECT_EQ(h.Hash(), crypto::Sha256dHash(h.Serialize()));
  BlockHeader other = h;
  other.nonce += 1;
  EXPECT_NE(other.Hash(), h.Hash());
  EXPECT_EQ(BlockHeader::Deserialize(Bytes(259)).status().code(), "header-bad-size");
  EXPECT_EQ(BlockHeader::Deserialize(Bytes(261)).status().code(), "header-bad-size");
  EXPECT_EQ(BlockHeader::Deserialize(Bytes()).status().code(), "header-bad-size");
}

TEST(BlockHeader, HashMeetsTargetReadsBigEndian) {
  Hash256 hash;
  hash[31] = 0x01;  // big-endian value 1
  EXPECT_TRUE(HashMeetsTarget(hash, Uint256(1)));
  EXPECT_FALSE(HashMeetsTarget(hash, Uint256(0)));
  Hash256 high;
  high[0] = 0x01;  // 2^248
  EXPECT_FALSE(HashMeetsTarget(high, Uint256(1) << 247));
  EXPECT_TRUE(HashMeetsTarget(high, Uint256(1) << 248));
  EXPECT_TRUE(HashMeetsTarget(Hash256(), Uint256()));
}

TEST(Block, SerializeDecodeRoundTrip) {
  Block b = SampleBlock(5);
  Bytes raw = b.Serialize();
  EXPECT_EQ(raw.size(), b.SerializedSize());
  EXPECT_EQ(ReadLE32(raw.data() + 260), 5u);
  auto back = DecodeBlock(raw, kMax);
  ASSERT_TRUE(back) << back.status().ToString();
  EXPECT_EQ(back->header, b.header);
  ASSERT_EQ(back->txs.size(), 5u);
  for (size_t i = 0; i < 5; ++i) {
    EXPECT_EQ(back->txs[i]->tx, b.txs[i]->tx);
    EXPECT_EQ(back->txs[i]->hash, b.txs[i]->hash);
    EXPECT_EQ(back->txs[i]->sender, b.txs[i]->sender);
    EXPECT_EQ(back->txs[i]->size, b.txs[i]->size);
  }
  EXPECT_EQ(back->Hash(), b.Hash());
  EXPECT_EQ(back->Serialize(), raw);

  Block empty = SampleBlock(0);
  auto e = DecodeBlock(empty.Serialize(), kMax);
  ASSERT_TRUE(e);
  EXPECT_TRUE(e->txs.empty());
}

std::string Code(const Bytes& raw, size_t max = kMax) {
  return DecodeBlock(raw, max).status().code();
}

TEST(Block, DecodeErrors) {
  Bytes raw = SampleBlock(3).Serialize();
  EXPECT_EQ(Code(raw, raw.size() - 1), "block-too-large");
  EXPECT_TRUE(DecodeBlock(raw, raw.size()));
  EXPECT_EQ(Code(Bytes()), "block-truncated");
  EXPECT_EQ(Code(Bytes(263)), "block-truncated");
  // Every proper prefix is truncated somewhere.
  for (size_t cut : {264u, 265u, 268u, 300u}) {
    EXPECT_EQ(Code(Bytes(raw.begin(), raw.begin() + static_cast<long>(cut))), "block-truncated")
        << cut;
  }
  Bytes last_byte_cut(raw.begin(), raw.end() - 1);
  EXPECT_EQ(Code(last_byte_cut), "block-truncated");
  Bytes trailing = raw;
  trailing.push_back(0);
  EXPECT_EQ(Code(trailing), "block-trailing-bytes");
  // A count far beyond the bytes present is refused before any allocation.
  Bytes huge = raw;
  WriteLE32(huge.data() + 260, 0xffffffff);
  EXPECT_EQ(Code(huge), "block-truncated");
  // A count lower than the txs present leaves trailing bytes.
  Bytes fewer = raw;
  WriteLE32(fewer.data() + 260, 2);
  EXPECT_EQ(Code(fewer), "block-trailing-bytes");
  // A tx length that runs past the end.
  Bytes long_len = raw;
  WriteLE32(long_len.data() + 264, 0x7fffffff);
  EXPECT_EQ(Code(long_len), "block-truncated");
}

TEST(Block, TxHashesOfASerializedBlockMatchTheDecodedTxs) {
  Block b = SampleBlock(4);
  Bytes raw = b.Serialize();
  auto hashes = DecodeBlockTxHashes(raw, kMax);
  ASSERT_TRUE(hashes) << hashes.status().ToString();
  ASSERT_EQ(hashes->size(), 4u);
  for (size_t i = 0; i < 4; ++i) EXPECT_EQ((*hashes)[i], b.txs[i]->hash) << i;
  EXPECT_TRUE(DecodeBlockTxHashes(SampleBlock(0).Serialize(), kMax)->empty());
  EXPECT_EQ(DecodeBlockTxHashes(raw, raw.size() - 1).status().code(), "block-too-large");
  EXPECT_EQ(DecodeBlockTxHashes(Bytes(raw.begin(), raw.end() - 1), kMax).status().code(),
            "block-truncated");
  Bytes trailing = raw;
  trailing.push_back(0);
  EXPECT_EQ(DecodeBlockTxHashes(trailing, kMax).status().code(), "block-trailing-bytes");
}

TEST(Block, DecodeReportsTxErrorsWithIndex) {
  Bytes raw = SampleBlock(3).Serialize();
  // Second tx's type byte: 4 bytes past the first record.
  size_t first_len = ReadLE32(raw.data() + 264);
  size_t second = 264 + 4 + first_len + 4;
  Bytes bad = raw;
  bad[second] = 0x03;
  auto r = DecodeBlock(bad, kMax);
  EXPECT_EQ(r.status().code(), "tx-type-unsupported");
  EXPECT_NE(r.status().message().find("tx 1"), std::string::npos);
  // A zero-length envelope.
  Bytes zero(raw.begin(), raw.begin() + 264);
  WriteLE32(zero.data() + 260, 1);
  zero.insert(zero.end(), {0, 0, 0, 0});
  EXPECT_EQ(Code(zero), "block-truncated");  // count 1 needs at least 5 bytes
  zero.push_back(0xc0);
  WriteLE32(zero.data() + 264, 0);
  EXPECT_EQ(Code(zero), "tx-empty");
}

// Flips the signature's s of tx `index` into its high-s twin, keeping sizes.
void MakeHighS(Block& b, size_t index) {
  static const Uint256 kN =
      *Uint256::FromHex("0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141");
  auto v = std::make_shared<VerifiedTx>(*b.txs[index]);
  v->tx.s = *CheckedSub(kN, v->tx.s);
  v->tx.y_parity ^= 1;
  v->size = v->tx.Encode().size();
  b.txs[index] = v;
}

TEST(Block, ParallelRecoveryMatchesSequential) {
  Block b = SampleBlock(100);
  Bytes raw = b.Serialize();
  auto seq = DecodeBlock(raw, kMax, 1);
  ASSERT_TRUE(seq);
  for (unsigned threads : {2u, 3u, 4u, 8u, 64u}) {
    auto par = DecodeBlock(raw, kMax, threads);
    ASSERT_TRUE(par) << threads;
    ASSERT_EQ(par->txs.size(), 100u);
    for (size_t i = 0; i < 100; ++i) {
      EXPECT_EQ(par->txs[i]->sender, seq->txs[i]->sender);
      EXPECT_EQ(par->txs[i]->hash, seq->txs[i]->hash);
    }
  }
  // With bad signatures at 70 and 90, every thread count reports tx 70.
  MakeHighS(b, 90);
  MakeHighS(b, 70);
  Bytes bad = b.Serialize();
  for (unsigned threads : {1u, 2u, 4u, 7u}) {
    auto r = DecodeBlock(bad, kMax, threads);
    EXPECT_EQ(r.status().code(), "tx-sig-high-s") << threads;
    EXPECT_NE(r.status().message().find("tx 70"), std::string::npos) << r.status().ToString();
  }
}

}  // namespace
}  // namespace depin
