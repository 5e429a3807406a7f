#include "chain/block_assembler.h"

#include <gtest/gtest.h>

#include <string>

#include "consensus/executor.h"
#include "mempool_test_env.h"
#include "primitives/merkle.h"

namespace depin::chain {
namespace {

using testing::AddressOf;
using testing::ChainEnv;
using testing::kGwei;
using testing::TestKey;

Uint256 Gwei(uint64_t n) { return Uint256(n * kGwei); }

class BlockAssemblerTest : public ::testing::Test {
 protected:
  // Solves the template at its target and hands it to the chain.
  Status Submit(const BlockTemplate& tmpl) {
    SearchResult found = SearchNonce(
        tmpl.block->header, tmpl.target, 1, [] { return false; }, nullptr);
    EXPECT_TRUE(found.found);
    tmpl.block->header.nonce = found.nonce;
    return env_.chain().ProcessBlock(tmpl.block);
  }
  uint64_t Now() const { return static_cast<uint64_t>(std::time(nullptr)); }

  ChainEnv env_;
};

TEST_F(BlockAssemblerTest, AssembledBlockWithTxsPassesProcessBlock) {
  Mempool pool(MempoolOptions{}, env_.chain());
  for (uint8_t key = 1; key <= 3; ++key) {
    for (uint64_t n = 0; n < 3; ++n) {
      ASSERT_TRUE(pool.Add(env_.Transfer(TestKey(key), n, Gwei(key), Gwei(10))).ok());
    }
  }
  const Address coinbase = AddressOf(TestKey(60));
  BlockAssembler assembler(BlockAssemblerOptions{}, env_.chain(), &pool);
  auto tmpl = assembler.CreateNewBlock(coinbase, Now());
  ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
  const Block& block = *tmpl->block;
  const auto next = env_.chain().NextBlockContext();
  EXPECT_EQ(block.header.height, next.height);
  EXPECT_EQ(block.header.parent_hash, next.parent_hash);
  EXPECT_EQ(block.header.bits, next.bits);
  EXPECT_EQ(block.header.base_fee, next.base_fee);
  EXPECT_EQ(block.header.gas_limit, next.gas_limit);
  EXPECT_EQ(block.header.miner, coinbase);
  ASSERT_EQ(block.txs.size(), 9u);
  EXPECT_EQ(block.txs[0]->sender, AddressOf(TestKey(3)));  // highest tip first
  EXPECT_EQ(block.header.gas_used, 9u * 21000);
  EXPECT_EQ(block.header.tx_root, TxRoot(block.txs));
  EXPECT_EQ(block.header.receipts_root, ReceiptsRoot(tmpl->receipts));
  EXPECT_EQ(tmpl->receipts.size(), 9u);
  EXPECT_EQ(tmpl->serialized_size, block.SerializedSize());
  EXPECT_EQ(tmpl->subsidy, consensus::BlockSubsidy(next.height, env_.params()));
  // Tips: 3 txs each at 1, 2 and 3 gwei, 21000 gas each.
  EXPECT_EQ(tmpl->fees, Uint256(21000 * 3 * (1 + 2 + 3) * kGwei));

  ASSERT_TRUE(Submit(*tmpl).ok());
  EXPECT_EQ(env_.chain().Tip().hash, block.Hash());
  EXPECT_EQ(env_.chain().StateRoot(), block.header.state_root);
  EXPECT_EQ(env_.chain().GetAccount(AddressOf(TestKey(1))).nonce, 3u);
  EXPECT_EQ(pool.Size(), 0u);
}

TEST_F(BlockAssemblerTest, EmptyBlockWithoutMempoolAndTimestampAtLeastMinimum) {
  BlockAssemblerOptions options;
  options.extra_tag = "unit-test";
  BlockAssembler assembler(options, env_.chain(), nullptr);
  // A clock behind the chain still yields a valid timestamp.
  auto tmpl = assembler.CreateNewBlock(AddressOf(TestKey(60)), /*now=*/0);
  ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
  const BlockHeader& header = tmpl->block->header;
  EXPECT_EQ(header.timestamp, tmpl->min_timestamp);
  EXPECT_TRUE(tmpl->block->txs.empty());
  EXPECT_EQ(header.gas_used, 0u);
  EXPECT_EQ(header.extra, MakeBlockExtra("unit-test", header.height));
  EXPECT_EQ(std::string(reinterpret_cast<const char*>(header.extra.data()), 9), "unit-test");
  EXPECT_EQ(ReadLE64(header.extra.data() + 24), header.height);
  EXPECT_TRUE(tmpl->fees.IsZero());
  ASSERT_TRUE(Submit(*tmpl).ok());
  EXPECT_EQ(env_.chain().Tip().height, 1u);
}

TEST_F(BlockAssemblerTest, RespectsGasAndSizeLimits) {
  Mempool pool(MempoolOptions{}, env_.chain());
  std::vector<TxRef> txs;
  for (uint8_t key = 1; key <= 4; ++key) {
    txs.push_back(env_.Transfer(TestKey(key), 0, Gwei(key), Gwei(10)));
    ASSERT_TRUE(pool.Add(txs.back()).ok());
  }
  BlockAssemblerOptions gas_limited;
  gas_limited.max_gas = 2 * 21000 + 20999;
  auto tmpl = BlockAssembler(gas_limited, env_.chain(), &pool)
                  .CreateNewBlock(AddressOf(TestKey(60)), Now());
  ASSERT_TRUE(tmpl.ok());
  ASSERT_EQ(tmpl->block->txs.size(), 2u);
  EXPECT_EQ(tmpl->block->txs[0], txs[3]);
  EXPECT_EQ(tmpl->block->txs[1], txs[2]);

  BlockAssemblerOptions size_limited;
  size_limited.max_block_size = BlockHeader::kSerializedSize + 4 + txs[3]->size + 4;
  tmpl = BlockAssembler(size_limited, env_.chain(), &pool)
             .CreateNewBlock(AddressOf(TestKey(60)), Now());
  ASSERT_TRUE(tmpl.ok());
  ASSERT_EQ(tmpl->block->txs.size(), 1u);
  EXPECT_LE(tmpl->block->SerializedSize(), size_limited.max_block_size);
  ASSERT_TRUE(Submit(*tmpl).ok());
  EXPECT_EQ(pool.Size(), 3u);
}

TEST_F(BlockAssemblerTest, LeavesOutTxsThatFailInTheirPosition) {
  // A pool no longer attached to the chain (a later pool took its place)
  // keeps a view the chain has moved past: its txs of key 7 fail at their
  // position and must be left out (with the sender's later nonces) while the
  // rest of the block stays valid.
  Mempool stale(MempoolOptions{}, env_.chain());
  const crypto::PrivateKey key = TestKey(7);
  TxRef small0 = env_.Transfer(key, 0, Gwei(5), Gwei(10));
  TxRef small1 = env_.Transfer(key, 1, Gwei(5), Gwei(10));
  TxRef other = env_.Transfer(TestKey(8), 0, Gwei(1), Gwei(10));
  for (const TxRef& tx : {small0, small1, other}) ASSERT_TRUE(stale.Add(tx).ok());

  {
    Mempool live(MempoolOptions{}, env_.chain());
    Uint256 most = *CheckedSub(Dpn(100), Gwei(100'000));
    ASSERT_TRUE(live.Add(env_.Transfer(key, 0, Gwei(1), Gwei(2), most)).ok());
    ASSERT_NE(env_.MineBlock(&live, AddressOf(TestKey(60))), nullptr);
  }
  ASSERT_EQ(stale.Size(), 3u);

  auto tmpl = BlockAssembler(BlockAssemblerOptions{}, env_.chain(), &stale)
                  .CreateNewBlock(AddressOf(TestKey(60)), Now());
  ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
  ASSERT_EQ(tmpl->block->txs.size(), 1u);
  EXPECT_EQ(tmpl->block->txs[0], other);
  EXPECT_TRUE(Submit(*tmpl).ok());
}

}  // namespace
}  // namespace depin::chain
