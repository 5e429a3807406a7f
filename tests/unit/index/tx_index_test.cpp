#include "index/tx_index.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>
#include <vector>

#include "chain/chain_db.h"
#include "unit/chain/mempool_test_env.h"

namespace depin::index {
namespace {

using namespace std::chrono_literals;
using chain::testing::AddressOf;
using chain::testing::ChainEnv;
using chain::testing::TestKey;
using chain::testing::UniqueTempDir;

constexpr uint64_t kGwei = kWeiPerGwei;

// Waits until the index has caught up (catch-up runs on its own thread).
bool WaitSynced(const BaseIndex& index) {
  for (int i = 0; i < 3000; ++i) {
    if (index.synced()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

class TxIndexTest : public ::testing::Test {
 protected:
  TxIndexTest() : index_dir_(UniqueTempDir("depin-txindex")) {}
  ~TxIndexTest() override {
    std::error_code ec;
    std::filesystem::remove_all(index_dir_, ec);
  }

  std::unique_ptr<TxIndex> StartIndex(ChainEnv& env) {
    IndexOptions o;
    o.datadir = index_dir_;
    auto index = std::make_unique<TxIndex>(env.chain(), o);
    Status s = index->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
    EXPECT_TRUE(WaitSynced(*index));
    return index;
  }

  // Mines a block holding one transfer of `key` at `nonce`; returns the tx.
  TxRef MineTx(ChainEnv& env, uint8_t key, uint64_t nonce) {
    chain::Mempool pool(chain::MempoolOptions{}, env.chain());
    TxRef tx = env.Transfer(TestKey(key), nonce, Uint256(kGwei), Uint256(10 * kGwei));
    EXPECT_TRUE(pool.Add(tx).ok());
    auto block = env.MineBlock(&pool, AddressOf(TestKey(50)));
    EXPECT_NE(block, nullptr);
    EXPECT_EQ(block->txs.size(), 1u);
    return tx;
  }

  static std::optional<chain::TxLocation> Find(const TxIndex& index, const Hash256& hash) {
    auto found = index.FindTx(hash);
    EXPECT_TRUE(found.ok()) << found.status().ToString();
    return found.ok() ? *found : std::nullopt;
  }

  std::filesystem::path index_dir_;
};

TEST_F(TxIndexTest, CatchesUpWithTheChainThenFollowsTheSignals) {
  ChainEnv env;
  std::vector<TxRef> early;
  for (uint64_t n = 0; n < 5; ++n) early.push_back(MineTx(env, 1, n));
  auto index = StartIndex(env);
  EXPECT_TRUE(std::filesystem::exists(index_dir_ / "indexes" / "txindex"));
  for (size_t i = 0; i < early.size(); ++i) {
    auto loc = Find(*index, early[i]->hash);
    ASSERT_TRUE(loc.has_value()) << i;
    EXPECT_EQ(loc->height, i + 1);
    EXPECT_EQ(loc->index, 0u);
    EXPECT_EQ(loc->block_hash, *env.chain().GetBlockHashAtHeight(i + 1));
  }

  TxRef later = MineTx(env, 2, 0);
  ASSERT_TRUE(index->BlockUntilSyncedToCurrentChain());
  auto loc = Find(*index, later->hash);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->height, 6u);
  IndexSummary summary = index->Summary();
  EXPECT_EQ(summary.name, "txindex");
  EXPECT_TRUE(summary.synced);
  EXPECT_EQ(summary.best_block_height, 6u);
  EXPECT_EQ(summary.best_block_hash, env.chain().Tip().hash);
  EXPECT_FALSE(Find(*index, Hash256()).has_value());
}

TEST_F(TxIndexTest, ReorgRemovesTheTxsOfDisconnectedBlocks) {
  ChainEnv env;
  auto index = StartIndex(env);
  TxRef on_a = MineTx(env, 1, 0);
  ASSERT_TRUE(index->BlockUntilSyncedToCurrentChain());
  ASSERT_TRUE(Find(*index, on_a->hash).has_value());

  // A heavier branch from genesis with another tx.
  ChainEnv other(env.params());
  TxRef on_b = MineTx(other, 2, 0);
  auto b2 = other.MineBlock(nullptr, AddressOf(TestKey(51)));
  ASSERT_TRUE(
      env.chain()
          .ProcessBlock(other.chain().ReadBlock(*other.chain().GetBlockHashAtHeight(1)).value())
          .ok());
  ASSERT_TRUE(env.chain().ProcessBlock(b2).ok());
  ASSERT_EQ(env.chain().Tip().hash, b2->Hash());
  ASSERT_TRUE(index->BlockUntilSyncedToCurrentChain());

  EXPECT_FALSE(Find(*index, on_a->hash).has_value());
  auto loc = Find(*index, on_b->hash);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->height, 1u);
  EXPECT_EQ(index->Summary().best_block_hash, b2->Hash());
}

TEST_F(TxIndexTest, RestartRewindsABestBlockThatLeftTheActiveChain) {
  ChainEnv env;
  TxRef on_a = MineTx(env, 1, 0);
  auto index = StartIndex(env);
  ASSERT_TRUE(Find(*index, on_a->hash).has_value());
  index->Stop();
  index.reset();

  // While the index is stopped, a heavier branch replaces block 1.
  ChainEnv other(env.params());
  TxRef on_b = MineTx(other, 2, 0);
  auto b2 = other.MineBlock(nullptr, AddressOf(TestKey(51)));
  auto b1 = other.chain().ReadBlock(*other.chain().GetBlockHashAtHeight(1)).value();
  ASSERT_TRUE(env.chain().ProcessBlock(b1).ok());
  ASSERT_TRUE(env.chain().ProcessBlock(b2).ok());

  index = StartIndex(env);
  EXPECT_FALSE(Find(*index, on_a->hash).has_value());
  EXPECT_TRUE(Find(*index, on_b->hash).has_value());
  EXPECT_EQ(index->Summary().best_block_hash, b2->Hash());
  EXPECT_EQ(index->Summary().best_block_height, 2u);
}

TEST_F(TxIndexTest, ResumesFromItsBestBlockAfterARestart) {
  ChainEnv env;
  MineTx(env, 1, 0);
  auto index = StartIndex(env);
  index->Stop();
  index.reset();
  TxRef later = MineTx(env, 1, 1);
  index = StartIndex(env);
  auto loc = Find(*index, later->hash);
  ASSERT_TRUE(loc.has_value());
  EXPECT_EQ(loc->height, 2u);
}

TEST_F(TxIndexTest, RebuildsAnIndexOfAnotherChain) {
  TxRef first_chain_tx;
  {
    ChainEnv env;
    first_chain_tx = MineTx(env, 1, 0);
    MineTx(env, 1, 1);
    auto index = StartIndex(env);
    ASSERT_TRUE(Find(*index, first_chain_tx->hash).has_value());
  }
  // Another genesis (other funded accounts), same index folder.
  ChainEnv env(chain::testing::TestParams(/*funded_keys=*/3));
  ASSERT_NE(env.params().GenesisHash(), chain::testing::TestParams().GenesisHash());
  TxRef tx = MineTx(env, 2, 0);
  auto index = StartIndex(env);
  EXPECT_EQ(index->Summary().best_block_hash, env.chain().Tip().hash);
  EXPECT_FALSE(Find(*index, first_chain_tx->hash).has_value());
  EXPECT_TRUE(Find(*index, tx->hash).has_value());
}

TEST_F(TxIndexTest, RebuildsADamagedDatabase) {
  ChainEnv env;
  TxRef tx = MineTx(env, 1, 0);
  { auto index = StartIndex(env); }
  // LevelDB refuses a CURRENT file that names no manifest: corruption.
  const auto dir = index_dir_ / "indexes" / "txindex";
  {
    std::ofstream current(dir / "CURRENT", std::ios::trunc);
    current << "garbage";
  }
  auto index = StartIndex(env);
  EXPECT_TRUE(Find(*index, tx->hash).has_value());
  EXPECT_EQ(index->Summary().best_block_height, 1u);
}

TEST_F(TxIndexTest, RebuildsWhenItsBestBlockRecordIsMalformed) {
  ChainEnv env;
  TxRef tx = MineTx(env, 1, 0);
  { auto index = StartIndex(env); }
  {
    chain::ChainDbOptions o;
    o.path = index_dir_ / "indexes" / "txindex";
    auto db = chain::ChainDb::Open(o);
    ASSERT_TRUE(db.ok());
    chain::WriteBatch batch;
    batch.Put(chain::MakeKey('B'), Bytes{1, 2, 3});
    ASSERT_TRUE((*db)->Write(batch, /*sync=*/true).ok());
  }
  auto index = StartIndex(env);
  EXPECT_TRUE(Find(*index, tx->hash).has_value());
}

}  // namespace
}  // namespace depin::index
