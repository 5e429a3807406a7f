// Chainstate::RewindTo: the dev chain's evm_revert.
#include <gtest/gtest.h>

#include "chain/chainstate.h"
#include "mempool_test_env.h"

namespace depin::chain {
namespace {

using testing::AddressOf;
using testing::ChainEnv;
using testing::kGwei;
using testing::SignalRecorder;
using testing::TestKey;

class ChainstateRewindTest : public ::testing::Test {
 protected:
  ChainEnv env_;
  Mempool pool_{MempoolOptions{}, env_.chain()};
  const Address coinbase_ = AddressOf(TestKey(90));

  std::shared_ptr<Block> MineWithTransfer(uint8_t key, uint64_t nonce) {
    EXPECT_TRUE(
        pool_.Add(env_.Transfer(TestKey(key), nonce, Uint256(kGwei), Uint256(10 * kGwei))).ok());
    return env_.MineBlock(&pool_, coinbase_);
  }
};

TEST_F(ChainstateRewindTest, RewindDisconnectsToTheBlockAndGivesTxsBack) {
  const Hash256 genesis = env_.chain().Tip().hash;
  const Hash256 root0 = env_.chain().StateRoot();
  auto b1 = MineWithTransfer(1, 0);
  ASSERT_NE(b1, nullptr);
  const Hash256 root1 = env_.chain().StateRoot();
  auto b2 = MineWithTransfer(2, 0);
  auto b3 = MineWithTransfer(3, 0);
  ASSERT_NE(b3, nullptr);
  SignalRecorder recorder(env_.signals());
  recorder.Clear();

  ASSERT_TRUE(env_.chain().RewindTo(b1->Hash()).ok());
  EXPECT_EQ(env_.chain().Tip().hash, b1->Hash());
  EXPECT_EQ(env_.chain().StateRoot(), root1);
  EXPECT_EQ(env_.chain().Tip().best_header_height, 1u);
  // The rewound blocks' txs are pending again, as after a reorg.
  EXPECT_TRUE(pool_.Contains(b2->txs[0]->hash));
  EXPECT_TRUE(pool_.Contains(b3->txs[0]->hash));
  EXPECT_EQ(recorder.events(), (std::vector<std::string>{"added", "disconnected 3", "added",
                                                         "disconnected 2", "tip 1"}));

  // The rewound blocks keep their data but do not come back on their own:
  // a new block on the rewound tip has less work than they had, yet leads.
  auto b2_new = env_.MineBlock(nullptr, AddressOf(TestKey(91)));
  ASSERT_NE(b2_new, nullptr);
  EXPECT_EQ(env_.chain().Tip().hash, b2_new->Hash());
  auto info = env_.chain().LookupBlock(b3->Hash());
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->invalid);
  EXPECT_FALSE(info->in_active_chain);

  // Back to genesis, then the same blocks processed again lead once more.
  ASSERT_TRUE(env_.chain().RewindTo(genesis).ok());
  EXPECT_EQ(env_.chain().StateRoot(), root0);
  BlockAcceptance acceptance = BlockAcceptance::kInvalid;
  ASSERT_TRUE(env_.chain().ProcessBlock(b1, &acceptance).ok());
  EXPECT_EQ(acceptance, BlockAcceptance::kAccepted);
  EXPECT_EQ(env_.chain().Tip().hash, b1->Hash());
  ASSERT_TRUE(env_.chain().ProcessBlock(b3, &acceptance).ok());
  EXPECT_EQ(env_.chain().Tip().hash, b3->Hash());  // b2 came back with it
  EXPECT_EQ(env_.chain().Tip().height, 3u);
}

TEST_F(ChainstateRewindTest, RewindRefusesUnknownAndInactiveBlocks) {
  auto b1 = env_.MineBlock(nullptr, coinbase_);
  ASSERT_NE(b1, nullptr);
  Status unknown = env_.chain().RewindTo(Hash256{});
  EXPECT_EQ(unknown.code(), "block-not-found");
  ASSERT_TRUE(env_.chain().RewindTo(env_.chain().GetBlockHashAtHeight(0).value()).ok());
  Status inactive = env_.chain().RewindTo(b1->Hash());
  EXPECT_EQ(inactive.code(), "block-not-active");
  // Rewinding to the tip itself changes nothing.
  EXPECT_TRUE(env_.chain().RewindTo(env_.chain().Tip().hash).ok());
  EXPECT_EQ(env_.chain().Tip().height, 0u);
}

TEST(ChainstateRewind, OnlyARegtestChainCanBeRewound) {
  ChainEnv main(consensus::MainParams());
  Status s = main.chain().RewindTo(main.chain().Tip().hash);
  EXPECT_EQ(s.code(), "rewind-regtest-only");
}

}  // namespace
}  // namespace depin::chain
