#include "primitives/merkle.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"

namespace depin {
namespace {

using crypto::Sha256Pair;

Hash256 Leaf(uint8_t i) { return crypto::Sha256Hash(Bytes{i}); }

// Straightforward recursive definition to check the batched implementation.
Hash256 Reference(std::vector<Hash256> level) {
  if (level.empty()) return Hash256();
  while (level.size() > 1) {
    std::vector<Hash256> next;
    for (size_t i = 0; i + 1 < level.size(); i += 2)
      next.push_back(Sha256Pair(level[i], level[i + 1]));
    if (level.size() % 2 == 1) next.push_back(level.back());
    level = std::move(next);
  }
  return level[0];
}

TEST(Merkle, EmptyIsZeroAndOneLeafIsItself) {
  EXPECT_EQ(MerkleRoot({}), Hash256());
  EXPECT_EQ(MerkleRoot({Leaf(1)}), Leaf(1));
}

TEST(Merkle, SmallTreesByHand) {
  Hash256 a = Leaf(1), b = Leaf(2), c = Leaf(3), d = Leaf(4), e = Leaf(5);
  EXPECT_EQ(MerkleRoot({a, b}), Sha256Pair(a, b));
  // The odd node is carried up, not paired with itself.
  EXPECT_EQ(MerkleRoot({a, b, c}), Sha256Pair(Sha256Pair(a, b), c));
  EXPECT_NE(MerkleRoot({a, b, c}), MerkleRoot({a, b, c, c}));
  EXPECT_EQ(MerkleRoot({a, b, c, d}), Sha256Pair(Sha256Pair(a, b), Sha256Pair(c, d)));
  EXPECT_EQ(MerkleRoot({a, b, c, d, e}),
            Sha256Pair(Sha256Pair(Sha256Pair(a, b), Sha256Pair(c, d)), e));
  // Order matters.
  EXPECT_NE(MerkleRoot({a, b}), MerkleRoot({b, a}));
}

TEST(Merkle, MatchesReferenceForManySizes) {
  std::vector<Hash256> leaves;
  for (int n = 0; n <= 70; ++n) {
    EXPECT_EQ(MerkleRoot(leaves), Reference(leaves)) << n;
    leaves.push_back(Leaf(static_cast<uint8_t>(n)));
  }
  std::vector<Hash256> big;
  for (int i = 0; i < 1000; ++i) big.push_back(Leaf(static_cast<uint8_t>(i)));
  EXPECT_EQ(MerkleRoot(big), Reference(big));
}

TEST(Merkle, TxAndReceiptRoots) {
  auto key = *crypto::PrivateKey::FromBytes(Bytes(32, 0x22));
  std::vector<TxRef> txs;
  std::vector<Hash256> hashes;
  for (uint64_t n = 0; n < 3; ++n) {
    Transaction tx;
    tx.chain_id = 1;
    tx.nonce = n;
    tx.to = ModuleAddress(0x2000);
    tx.Sign(key);
    txs.push_back(*MakeVerifiedTx(tx));
    hashes.push_back(tx.Hash());
  }
  EXPECT_EQ(TxRoot(txs), Sha256Pair(Sha256Pair(hashes[0], hashes[1]), hashes[2]));
  EXPECT_EQ(TxRoot({}), Hash256());

  Receipt r1;
  r1.cumulative_gas_used = 21000;
  Receipt r2 = r1;
  r2.cumulative_gas_used = 42000;
  r2.status = 0;
  EXPECT_EQ(ReceiptsRoot({r1, r2}),
            Sha256Pair(crypto::Sha256Hash(r1.Encode()), crypto::Sha256Hash(r2.Encode())));
  EXPECT_EQ(ReceiptsRoot({r1}), crypto::Sha256Hash(r1.Encode()));
}

}  // namespace
}  // namespace depin
