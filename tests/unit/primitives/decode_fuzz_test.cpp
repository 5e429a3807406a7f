// Property tests for the strict decoders: random bytes and random mutations of
// valid encodings must never crash, and whatever decodes must re-encode to
// exactly the input (one encoding per value, so hashes over received bytes are
// sound). Fixed seeds keep failures reproducible; the libFuzzer targets in
// tests/fuzz/ explore further.
#include <gtest/gtest.h>

#include <random>

#include "primitives/block.h"
#include "primitives/receipt.h"
#include "primitives/rlp.h"
#include "primitives/transaction.h"

namespace depin {
namespace {

Bytes RandomBytes(std::mt19937& rng, size_t max_len) {
  Bytes b(rng() % (max_len + 1));
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

// One of: flip a bit, set a byte, insert, delete, truncate, or overwrite a
// byte with an RLP-significant value (headers are where the bugs live).
Bytes Mutate(std::mt19937& rng, Bytes b) {
  static constexpr uint8_t kInteresting[] = {0x00, 0x01, 0x7f, 0x80, 0x81, 0xb7, 0xb8,
                                             0xbf, 0xc0, 0xf7, 0xf8, 0xff, 0x02, 0x37};
  int rounds = 1 + static_cast<int>(rng() % 3);
  for (int i = 0; i < rounds; ++i) {
    size_t pos = b.empty() ? 0 : rng() % b.size();
    switch (rng() % 6) {
      case 0:
        if (!b.empty()) b[pos] ^= static_cast<uint8_t>(1u << (rng() % 8));
        break;
      case 1:
        if (!b.empty()) b[pos] = static_cast<uint8_t>(rng());
        break;
      case 2:
        b.insert(b.begin() + static_cast<std::ptrdiff_t>(pos), static_cast<uint8_t>(rng()));
        break;
      case 3:
        if (!b.empty()) b.erase(b.begin() + static_cast<std::ptrdiff_t>(pos));
        break;
      case 4:
        b.resize(pos);
        break;
      default:
        if (!b.empty()) b[pos] = kInteresting[rng() % sizeof(kInteresting)];
        break;
    }
  }
  return b;
}

std::vector<Bytes> ValidTxs() {
  auto key = *crypto::PrivateKey::FromBytes(Bytes(32, 0x33));
  std::vector<Bytes> out;
  Transaction tx;
  tx.chain_id = 7;
  tx.nonce = 3;
  tx.max_fee_per_gas = Uint256(1000);
  tx.max_priority_fee_per_gas = Uint256(1000);
  tx.gas_limit = 50000;
  tx.to = ModuleAddress(0x1000);
  tx.data = Bytes(70, 0x42);
  tx.value = Dpn(5);
  tx.access_list.push_back(AccessListEntry{ModuleAddress(0x2000), {Hash256(), Hash256()}});
  tx.Sign(key);
  out.push_back(tx.Encode());
  tx.access_list.clear();
  tx.type = TxType::kLegacy;
  tx.Sign(key);
  out.push_back(tx.Encode());
  tx.to.reset();
  tx.data.clear();
  tx.Sign(key);
  out.push_back(tx.Encode());
  return out;
}

std::vector<Bytes> ValidReceipts() {
  Receipt r;
  r.cumulative_gas_used = 99999;
  Log log;
  log.address = ModuleAddress(0x1000);
  log.topics = {Hash256(), Hash256()};
  log.data = Bytes(64, 0x07);
  r.logs = {log, log};
  r.bloom = LogsBloom(r.logs);
  std::vector<Bytes> out{r.Encode()};
  r.type = TxType::kLegacy;
  r.status = 0;
  out.push_back(r.Encode());
  return out;
}

void CheckTx(const Bytes& input) {
  auto tx = DecodeTransaction(input);
  if (!tx) {
    EXPECT_FALSE(tx.status().code().empty());
    return;
  }
  ASSERT_EQ(tx->Encode(), input) << HexEncode(input);
  // Recovery must not crash on any decoded signature either.
  auto sender = tx->RecoverSender();
  if (!sender) {
    EXPECT_TRUE(sender.status().code() == "tx-sig-invalid" ||
                sender.status().code() == "tx-sig-high-s")
        << sender.status().ToString();
  }
}

void CheckReceipt(const Bytes& input) {
  auto r = DecodeReceipt(input);
  if (r) {
    ASSERT_EQ(r->Encode(), input) << HexEncode(input);
  }
}

void CheckRlp(const Bytes& input) {
  auto v = rlp::DecodeTree(input);
  if (v) {
    ASSERT_EQ(rlp::EncodeTree(*v), input) << HexEncode(input);
  }
}

TEST(DecodeFuzz, RandomBytesNeverCrash) {
  std::mt19937 rng(20240601);
  for (int i = 0; i < 4000; ++i) {
    Bytes b = RandomBytes(rng, 200);
    // Bias the first byte towards the interesting envelope prefixes.
    if (!b.empty() && i % 2 == 0) b[0] = (i % 4 == 0) ? 0x02 : static_cast<uint8_t>(0xc0 | b[0]);
    CheckRlp(b);
    CheckTx(b);
    CheckReceipt(b);
    auto blk = DecodeBlock(b, 1 << 20);
    EXPECT_FALSE(blk.ok() && b.size() < 264);
  }
}

TEST(DecodeFuzz, MutatedTransactions) {
  std::mt19937 rng(1);
  auto valid = ValidTxs();
  for (const Bytes& v : valid) ASSERT_TRUE(DecodeTransaction(v));
  for (int i = 0; i < 3000; ++i) {
    Bytes m = Mutate(rng, valid[i % valid.size()]);
    CheckTx(m);
    CheckRlp(m);
  }
}

TEST(DecodeFuzz, MutatedReceipts) {
  std::mt19937 rng(2);
  auto valid = ValidReceipts();
  for (const Bytes& v : valid) ASSERT_TRUE(DecodeReceipt(v));
  for (int i = 0; i < 3000; ++i) {
    Bytes m = Mutate(rng, valid[i % valid.size()]);
    CheckReceipt(m);
    CheckRlp(m);
  }
}

TEST(DecodeFuzz, MutatedBlocks) {
  std::mt19937 rng(3);
  Block block;
  block.header.height = 12;
  block.header.bits = 0x207fffff;
  for (const Bytes& env : ValidTxs()) block.txs.push_back(*DecodeAndVerifyTransaction(env));
  Bytes valid = block.Serialize();
  ASSERT_TRUE(DecodeBlock(valid, 1 << 20));
  for (int i = 0; i < 1500; ++i) {
    Bytes m = Mutate(rng, valid);
    // Mutations inside the header land in fixed-width fields; aim most of
    // them at the tx section, where the structure is.
    if (i % 4 != 0 && m.size() > 264) {
      m = valid;
      size_t pos = 260 + rng() % (valid.size() - 260);
      m[pos] = static_cast<uint8_t>(rng());
    }
    auto b = DecodeBlock(m, 1 << 20, /*recovery_threads=*/1 + i % 3);
    if (b) {
      ASSERT_EQ(b->Serialize(), m);
    }
  }
}

}  // namespace
}  // namespace depin
