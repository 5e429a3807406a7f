#include "chain/miner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "crypto/sha256.h"
#include "mempool_test_env.h"

namespace depin::chain {
namespace {

using testing::AddressOf;
using testing::ChainEnv;
using testing::kGwei;
using testing::TestKey;

BlockHeader SampleHeader() {
  BlockHeader h;
  h.height = 77;
  for (size_t i = 0; i < 32; ++i) {
    h.parent_hash[i] = static_cast<uint8_t>(i);
    h.tx_root[i] = static_cast<uint8_t>(3 * i + 1);
    h.receipts_root[i] = static_cast<uint8_t>(5 * i + 2);
    h.state_root[i] = static_cast<uint8_t>(7 * i + 3);
    h.extra[i] = static_cast<uint8_t>(0xa0 ^ i);
  }
  h.miner = AddressOf(TestKey(9));
  h.timestamp = 1'700'000'123;
  h.bits = 0x1d00ffff;
  h.gas_limit = 30'000'000;
  h.gas_used = 21000;
  h.base_fee = Uint256(7 * kGwei);
  return h;
}

// Waits (without a deadline: the test binary's timeout guards it) until
// `pred` holds, yielding the CPU to the threads it waits on.
template <typename Pred>
void WaitUntil(Pred pred) {
  while (!pred()) std::this_thread::yield();
}

TEST(HeaderHasherTest, MidstateHashEqualsSha256dOfFullHeader) {
  BlockHeader header = SampleHeader();
  HeaderHasher hasher(header);
  for (uint64_t nonce : {uint64_t{0}, uint64_t{1}, uint64_t{0xffffffff}, uint64_t{0x100000000},
                         uint64_t{0x123456789abcdef0}, UINT64_MAX}) {
    header.nonce = nonce;
    const Hash256 expected = crypto::Sha256dHash(header.Serialize());
    EXPECT_EQ(hasher.Hash(nonce), expected) << nonce;
    EXPECT_EQ(header.Hash(), expected);
  }
  // The high half alone varies only the final block.
  hasher.SetNonceLow(0xdeadbeef);
  header.nonce = 0x00000042deadbeefULL;
  EXPECT_EQ(hasher.HashWithNonceHigh(0x42), header.Hash());
}

TEST(SearchNonceTest, FindsNonceMeetingTarget) {
  BlockHeader header = SampleHeader();
  // About one hash in 2^10 meets this target: quick, yet not trivial.
  const Uint256 target = Uint256::Max() >> 10;
  std::atomic<uint64_t> counter{0};
  SearchResult result = SearchNonce(
      header, target, 2, [] { return false; }, &counter);
  ASSERT_TRUE(result.found);
  EXPECT_FALSE(result.exhausted);
  header.nonce = result.nonce;
  EXPECT_TRUE(HashMeetsTarget(header.Hash(), target));
  EXPECT_GT(result.hashes, 0u);
  EXPECT_EQ(counter.load(), result.hashes);
}

TEST(SearchNonceTest, StopsWhenAsked) {
  const BlockHeader header = SampleHeader();
  std::atomic<int> polls{0};
  // Target zero: no hash meets it, only the stop request ends the search.
  SearchResult result = SearchNonce(header, Uint256(0), 2, [&polls] { return ++polls > 6; });
  EXPECT_FALSE(result.found);
  EXPECT_FALSE(result.exhausted);
  EXPECT_GT(result.hashes, 0u);
}

class MinerTest : public ::testing::Test {
 protected:
  ChainEnv env_;
  Mempool pool_{MempoolOptions{}, env_.chain()};
};

TEST_F(MinerTest, MineOneSubmitsAValidBlock) {
  MinerOptions options;
  options.threads = 2;
  Miner miner(options, env_.chain(), &pool_);
  TxRef tx = env_.Transfer(TestKey(1), 0, Uint256(kGwei), Uint256(10 * kGwei));
  ASSERT_TRUE(pool_.Add(tx).ok());
  const Address coinbase = AddressOf(TestKey(70));
  auto hash = miner.MineOne(coinbase);
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  EXPECT_EQ(env_.chain().Tip().hash, *hash);
  EXPECT_EQ(env_.chain().Tip().height, 1u);
  EXPECT_EQ(env_.chain().Tip().header.miner, coinbase);
  EXPECT_EQ(miner.blocks_mined(), 1u);
  EXPECT_GT(miner.total_hashes(), 0u);
  auto block = env_.chain().ReadBlock(*hash);
  ASSERT_TRUE(block.ok());
  ASSERT_EQ((*block)->txs.size(), 1u);
  EXPECT_EQ((*block)->txs[0]->hash, tx->hash);
  EXPECT_EQ(pool_.Size(), 0u);
  EXPECT_FALSE(env_.chain().GetAccount(coinbase).balance.IsZero());
}

TEST_F(MinerTest, GenerateMinesAndSubmitsNBlocks) {
  Miner miner(MinerOptions{}, env_.chain(), &pool_);
  auto hashes = miner.Generate(5, AddressOf(TestKey(70)));
  ASSERT_TRUE(hashes.ok()) << hashes.status().ToString();
  ASSERT_EQ(hashes->size(), 5u);
  EXPECT_EQ(env_.chain().Tip().height, 5u);
  for (uint64_t h = 1; h <= 5; ++h) {
    EXPECT_EQ(env_.chain().GetBlockHashAtHeight(h), (*hashes)[h - 1]);
  }
  EXPECT_EQ(miner.blocks_mined(), 5u);
  auto none = miner.Generate(0, AddressOf(TestKey(70)));
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(MinerTest, MiningStopsWhenTheTipChanges) {
  MinerOptions options;
  options.threads = 2;
  options.target_override = Uint256(0);  // never solves on its own
  Miner miner(options, env_.chain(), &pool_);
  Result<Hash256> outcome = Status::Error("not-run");
  std::thread mining([&] { outcome = miner.MineOne(AddressOf(TestKey(70))); });
  WaitUntil([&] { return miner.total_hashes() > 0; });
  // Another miner's block arrives.
  ASSERT_NE(env_.MineBlock(nullptr, AddressOf(TestKey(71))), nullptr);
  mining.join();
  EXPECT_EQ(outcome.status().code(), "miner-tip-changed");
  EXPECT_EQ(miner.blocks_mined(), 0u);
}

TEST_F(MinerTest, StopAbortsASearchInProgress) {
  MinerOptions options;
  options.target_override = Uint256(0);
  Miner miner(options, env_.chain(), &pool_);
  Result<std::vector<Hash256>> outcome = Status::Error("not-run");
  std::thread mining([&] { outcome = miner.Generate(1, AddressOf(TestKey(70))); });
  WaitUntil([&] { return miner.total_hashes() > 0; });
  miner.Stop();
  mining.join();
  EXPECT_EQ(outcome.status().code(), "miner-stopped");
  EXPECT_EQ(env_.chain().Tip().height, 0u);
}

TEST_F(MinerTest, BackgroundMiningRunsUntilStopped) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(72));
  Miner miner(options, env_.chain(), &pool_);
  EXPECT_FALSE(miner.running());
  miner.Start();
  EXPECT_TRUE(miner.running());
  WaitUntil([&] { return miner.blocks_mined() >= 3; });
  miner.Stop();
  EXPECT_FALSE(miner.running());
  const uint64_t height = env_.chain().Tip().height;
  EXPECT_GE(height, 3u);
  EXPECT_EQ(env_.chain().Tip().header.miner, options.coinbase);
  // Stopped means stopped: a second Stop is harmless and nothing more is mined.
  miner.Stop();
  EXPECT_EQ(env_.chain().Tip().height, height);
  EXPECT_GT(miner.hashrate(), 0.0);
}

TEST_F(MinerTest, DevModeMinesEmptyBlocksOnItsIntervalAndStopsWhileWaiting) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(74));
  options.dev = true;
  options.dev_block_interval = std::chrono::seconds(1);
  {
    Miner miner(options, env_.chain(), &pool_);
    miner.Start();
    WaitUntil([&] { return miner.blocks_mined() >= 1; });
    miner.Stop();
    EXPECT_GE(env_.chain().Tip().height, 1u);
    EXPECT_TRUE(env_.chain().ReadBlock(env_.chain().Tip().hash).value()->txs.empty());
  }
  // An hour-long interval: Stop must wake the waiting loop, not outwait it.
  options.dev_block_interval = std::chrono::hours(1);
  Miner idle(options, env_.chain(), &pool_);
  const uint64_t height = env_.chain().Tip().height;
  idle.Start();
  idle.Stop();
  EXPECT_FALSE(idle.running());
  EXPECT_EQ(env_.chain().Tip().height, height);
}

TEST_F(MinerTest, DevModeMinesFractionalIntervals) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(74));
  options.dev = true;
  options.dev_block_interval = std::chrono::milliseconds(50);
  Miner miner(options, env_.chain(), &pool_);
  const auto started = std::chrono::steady_clock::now();
  miner.Start();
  WaitUntil([&] { return miner.blocks_mined() >= 4; });
  miner.Stop();
  // Four 50 ms intervals, well under the one second an integer interval needs.
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::milliseconds(900));
}

TEST_F(MinerTest, AutomineMinesAReadyTxAtOnceAndNothingWithoutOne) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(75));
  options.dev = true;
  options.dev_automine = true;
  Miner miner(options, env_.chain(), &pool_);
  miner.Start();
  // Nothing in the pool: no block (no interval either).
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(env_.chain().Tip().height, 0u);
  TxRef tx = env_.Transfer(TestKey(1), 0, Uint256(kGwei), Uint256(10 * kGwei));
  ASSERT_TRUE(pool_.Add(tx).ok());
  WaitUntil([&] { return env_.chain().Tip().height == 1; });
  EXPECT_EQ(env_.chain().ReadBlock(env_.chain().Tip().hash).value()->txs.size(), 1u);
  // A tx waiting for a nonce gap is not ready: no (empty) block for it.
  TxRef gapped = env_.Transfer(TestKey(2), 5, Uint256(kGwei), Uint256(10 * kGwei));
  ASSERT_TRUE(pool_.Add(gapped).ok());
  env_.signals().SyncWithValidationQueue();
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_EQ(env_.chain().Tip().height, 1u);
  miner.Stop();
}

TEST_F(MinerTest, TxsWaitingWhenAutomineTurnsOnShareOneBlock) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(75));
  options.dev = true;
  options.dev_automine = false;
  Miner miner(options, env_.chain(), &pool_);
  miner.Start();
  for (uint8_t k = 1; k <= 3; ++k) {
    ASSERT_TRUE(pool_.Add(env_.Transfer(TestKey(k), 0, Uint256(kGwei), Uint256(10 * kGwei))).ok());
  }
  env_.signals().SyncWithValidationQueue();
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(env_.chain().Tip().height, 0u);  // automine off, no interval: nothing mined
  EXPECT_FALSE(miner.automine());
  miner.SetAutomine(true);
  EXPECT_TRUE(miner.automine());
  WaitUntil([&] { return env_.chain().Tip().height == 1; });
  EXPECT_EQ(env_.chain().ReadBlock(env_.chain().Tip().hash).value()->txs.size(), 3u);
  // The tip moves before the pool hears of the block (ProcessBlock returns
  // only after both, but this thread watches the tip, not the miner's call).
  WaitUntil([&] { return pool_.Size() == 0; });
  EXPECT_EQ(pool_.Size(), 0u);
  // Interval mining switched on while the loop waits takes effect at once.
  miner.SetBlockInterval(std::chrono::milliseconds(20));
  EXPECT_EQ(miner.block_interval(), std::chrono::milliseconds(20));
  WaitUntil([&] { return env_.chain().Tip().height >= 3; });
  miner.Stop();
}

// -mine outside dev mode with a clock that never moves: the loop must not
// wait for the clock to reach the chain's time (it would wait forever), only
// slow down to a block a second once the chain is ahead of it.
TEST_F(MinerTest, ContinuousMiningPacesItselfWithoutWaitingForAFrozenClock) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(76));
  const uint64_t frozen = env_.params().genesis_time;  // behind every block
  options.clock = [frozen] { return frozen; };
  Miner miner(options, env_.chain(), &pool_);
  miner.Start();
  WaitUntil([&] { return miner.blocks_mined() >= 2; });
  miner.Stop();
  EXPECT_GE(env_.chain().Tip().height, 2u);
}

TEST_F(MinerTest, ContinuousMiningKeepsTheTipNearTheClock) {
  MinerOptions options;
  options.coinbase = AddressOf(TestKey(76));
  Miner miner(options, env_.chain(), &pool_);
  miner.Start();
  std::this_thread::sleep_for(std::chrono::milliseconds(1500));
  miner.Stop();
  const uint64_t now = static_cast<uint64_t>(std::time(nullptr));
  // Unpaced, a second and a half of regtest mining runs hundreds of blocks
  // (each a second past the median of the last eleven) into the future.
  EXPECT_GE(env_.chain().Tip().height, 2u);
  EXPECT_LE(env_.chain().Tip().header.timestamp, now + 1);
}

TEST_F(MinerTest, DevClockStampsBlocksAndAChosenTimeIsUsedOnce) {
  // The chainstate here judges blocks by the real clock (two hours ahead at
  // most): the dev clock starts at it.
  uint64_t system = static_cast<uint64_t>(std::time(nullptr));
  DevClock clock([&system] { return system; });
  MinerOptions options;
  options.dev = true;
  options.dev_clock = &clock;
  Miner miner(options, env_.chain(), &pool_);
  const Address coinbase = AddressOf(TestKey(77));
  ASSERT_TRUE(miner.MineOne(coinbase).ok());
  EXPECT_EQ(env_.chain().Tip().header.timestamp, system);
  ASSERT_TRUE(clock.IncreaseTime(600).ok());
  ASSERT_TRUE(miner.MineOne(coinbase).ok());
  EXPECT_EQ(env_.chain().Tip().header.timestamp, system + 600);
  clock.SetNextBlockTimestamp(system + 3600);
  ASSERT_TRUE(miner.MineOne(coinbase).ok());
  EXPECT_EQ(env_.chain().Tip().header.timestamp, system + 3600);
  EXPECT_FALSE(clock.next_block_timestamp().has_value());
  system += 10;  // time goes on from the chosen timestamp
  ASSERT_TRUE(miner.MineOne(coinbase).ok());
  EXPECT_EQ(env_.chain().Tip().header.timestamp, system + 3600);
}

TEST_F(MinerTest, MineBlockOfMinesExactlyTheGivenTxs) {
  Miner miner(MinerOptions{}, env_.chain(), &pool_);
  TxRef pooled = env_.Transfer(TestKey(1), 0, Uint256(kGwei), Uint256(10 * kGwei));
  ASSERT_TRUE(pool_.Add(pooled).ok());
  TxRef own = env_.Transfer(TestKey(2), 0, Uint256(kGwei), Uint256(10 * kGwei));
  auto hash = miner.MineBlockOf({own}, AddressOf(TestKey(78)));
  ASSERT_TRUE(hash.ok()) << hash.status().ToString();
  auto block = env_.chain().ReadBlock(*hash).value();
  ASSERT_EQ(block->txs.size(), 1u);
  EXPECT_EQ(block->txs[0]->hash, own->hash);
  EXPECT_TRUE(pool_.Contains(pooled->hash));  // still pending
  // A tx invalid in its position fails the block with its rule.
  auto stale = miner.MineBlockOf({own}, AddressOf(TestKey(78)));
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), "tx-nonce-too-low");
}

TEST_F(MinerTest, TemplateSolvedExternallyIsAcceptedBySubmitBlock) {
  const Address coinbase = AddressOf(TestKey(73));
  TxRef tx = env_.Transfer(TestKey(2), 0, Uint256(kGwei), Uint256(10 * kGwei));
  ASSERT_TRUE(pool_.Add(tx).ok());
  auto tmpl =
      GetBlockTemplate(env_.chain(), &pool_, coinbase, static_cast<uint64_t>(std::time(nullptr)));
  ASSERT_TRUE(tmpl.ok()) << tmpl.status().ToString();
  ASSERT_EQ(tmpl->block->txs.size(), 1u);
  Block block = *tmpl->block;
  SearchResult found = SearchNonce(block.header, tmpl->target, 1, [] { return false; });
  ASSERT_TRUE(found.found);
  block.header.nonce = found.nonce;
  const depin::Bytes raw = block.Serialize();

  BlockAcceptance acceptance = BlockAcceptance::kInvalid;
  ASSERT_TRUE(SubmitBlock(env_.chain(), raw, &acceptance).ok());
  EXPECT_EQ(acceptance, BlockAcceptance::kAccepted);
  EXPECT_EQ(env_.chain().Tip().hash, block.Hash());
  EXPECT_EQ(pool_.Size(), 0u);
  EXPECT_TRUE(SubmitBlock(env_.chain(), raw, &acceptance).ok());
  EXPECT_EQ(acceptance, BlockAcceptance::kAlreadyKnown);

  // Garbage and a block with a broken PoW are refused with their rule.
  EXPECT_FALSE(SubmitBlock(env_.chain(), depin::Bytes{1, 2, 3}).ok());
  auto next =
      GetBlockTemplate(env_.chain(), &pool_, coinbase, static_cast<uint64_t>(std::time(nullptr)));
  ASSERT_TRUE(next.ok());
  Block bad = *next->block;
  bad.header.bits = 0x1d00ffff;  // not the chain's bits
  Status s = SubmitBlock(env_.chain(), bad.Serialize());
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(env_.chain().Tip().hash, block.Hash());
}

}  // namespace
}  // namespace depin::chain
