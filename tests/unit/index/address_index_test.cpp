#include "index/address_index.h"

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>
#include <vector>

#include "consensus/abi.h"
#include "consensus/test_module.h"
#include "unit/chain/mempool_test_env.h"

namespace depin::index {
namespace {

using namespace std::chrono_literals;
using chain::testing::AddressOf;
using chain::testing::ChainEnv;
using chain::testing::TestKey;
using chain::testing::UniqueTempDir;

constexpr uint64_t kGwei = kWeiPerGwei;

bool WaitSynced(const BaseIndex& index) {
  for (int i = 0; i < 3000; ++i) {
    if (index.synced()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return false;
}

Bytes DepositCall() { return abi::Encoder().FinishCall(abi::SelectorOf("deposit()")); }
Bytes WithdrawCall(uint64_t amount) {
  return abi::Encoder().Uint(amount).FinishCall(abi::SelectorOf("withdraw(uint256)"));
}

class AddressIndexTest : public ::testing::Test {
 protected:
  AddressIndexTest() : index_dir_(UniqueTempDir("depin-addressindex")) {}
  ~AddressIndexTest() override {
    std::error_code ec;
    std::filesystem::remove_all(index_dir_, ec);
  }

  static std::unique_ptr<ChainEnv> MakeEnv() {
    return std::make_unique<ChainEnv>(
        chain::testing::TestParams(),
        std::vector<std::shared_ptr<const consensus::Module>>{consensus::MakeTestModule()});
  }

  std::unique_ptr<AddressIndex> StartIndex(ChainEnv& env, bool wait = true) {
    IndexOptions o;
    o.datadir = index_dir_;
    auto index = std::make_unique<AddressIndex>(env.chain(), o);
    Status s = index->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
    if (wait) {
      EXPECT_TRUE(WaitSynced(*index));
    }
    return index;
  }

  static TxRef Tx(ChainEnv& env, uint8_t key, uint64_t nonce, const Address& to,
                  const Uint256& value, Bytes data = {}) {
    Transaction tx;
    tx.type = TxType::kDynamicFee;
    tx.chain_id = env.params().chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = Uint256(kGwei);
    tx.max_fee_per_gas = Uint256(10 * kGwei);
    tx.gas_limit = data.empty() ? 21000 : 500000;
    tx.to = to;
    tx.value = value;
    tx.data = std::move(data);
    tx.Sign(TestKey(key));
    return MakeVerifiedTx(std::move(tx)).value();
  }

  static std::shared_ptr<Block> Mine(ChainEnv& env, const std::vector<TxRef>& txs) {
    chain::Mempool pool(chain::MempoolOptions{}, env.chain());
    for (const TxRef& tx : txs) EXPECT_TRUE(pool.Add(tx).ok());
    auto block = env.MineBlock(&pool, AddressOf(TestKey(50)));
    EXPECT_NE(block, nullptr);
    if (block) {
      EXPECT_EQ(block->txs.size(), txs.size());
    }
    return block;
  }

  static std::vector<AddressEntry> All(const AddressIndex& index, const Address& a) {
    bool more = false;
    auto page = index.History(a, 1000, std::nullopt, &more);
    EXPECT_TRUE(page.ok()) << page.status().ToString();
    return page.ok() ? *page : std::vector<AddressEntry>{};
  }

  std::filesystem::path index_dir_;
};

TEST_F(AddressIndexTest, RecordsTxsModuleCallsAndModuleTransfersNewestFirst) {
  auto env = MakeEnv();
  const Address alice = AddressOf(TestKey(1));
  const Address bob = AddressOf(TestKey(2));
  const Address module = consensus::TestModuleAddress();
  Mine(*env, {Tx(*env, 1, 0, bob, Uint256(1000))});
  Mine(*env, {Tx(*env, 1, 1, module, Uint256(500), DepositCall())});
  // Built over the existing chain, then following the signals.
  auto index = StartIndex(*env);
  auto withdraw = Tx(*env, 1, 2, module, Uint256(), WithdrawCall(200));
  auto block3 = Mine(*env, {withdraw});
  ASSERT_TRUE(index->BlockUntilSyncedToCurrentChain());

  std::vector<AddressEntry> a = All(*index, alice);
  ASSERT_EQ(a.size(), 4u);
  // Height 3: the withdraw tx, then the module's payout to alice.
  EXPECT_EQ(a[0].pos.height, 3u);
  EXPECT_EQ(a[0].kind, AddressEntryKind::kTransfer);
  EXPECT_EQ(a[0].direction, AddressDirection::kIn);
  EXPECT_EQ(a[0].counterparty, module);
  EXPECT_EQ(a[0].value, Uint256(200));
  EXPECT_EQ(a[0].module, module);
  EXPECT_EQ(a[0].tx_hash, withdraw->hash);
  EXPECT_EQ(a[0].block_hash, block3->Hash());
  EXPECT_EQ(a[1].kind, AddressEntryKind::kTx);
  EXPECT_EQ(a[1].direction, AddressDirection::kOut);
  EXPECT_EQ(a[1].counterparty, module);
  ASSERT_TRUE(a[1].method.has_value());
  EXPECT_EQ(*a[1].method, abi::SelectorOf("withdraw(uint256)"));
  EXPECT_EQ(a[2].pos.height, 2u);
  EXPECT_EQ(a[2].value, Uint256(500));
  EXPECT_EQ(a[3].pos.height, 1u);
  EXPECT_EQ(a[3].counterparty, bob);
  EXPECT_FALSE(a[3].module.has_value());

  // The module's side: two calls in, one transfer out.
  std::vector<AddressEntry> m = All(*index, module);
  ASSERT_EQ(m.size(), 3u);
  EXPECT_EQ(m[0].kind, AddressEntryKind::kTransfer);
  EXPECT_EQ(m[0].direction, AddressDirection::kOut);
  EXPECT_EQ(m[0].counterparty, alice);
  EXPECT_EQ(m[1].kind, AddressEntryKind::kTx);
  EXPECT_EQ(m[1].direction, AddressDirection::kIn);

  auto counters = index->Counters(alice);
  ASSERT_TRUE(counters.ok());
  EXPECT_EQ(counters->entries, 4u);
  EXPECT_EQ(counters->txs, 3u);
  EXPECT_EQ(counters->sent, Uint256(1500));
  EXPECT_EQ(counters->received, Uint256());
  auto bob_counters = index->Counters(bob);
  ASSERT_TRUE(bob_counters.ok());
  EXPECT_EQ(bob_counters->received, Uint256(1000));

  auto nonce = index->TxBySenderNonce(alice, 2);
  ASSERT_TRUE(nonce.ok());
  EXPECT_EQ(*nonce, withdraw->hash);
  auto none = index->TxBySenderNonce(alice, 3);
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());

  // Pages: newest first, each starting after the previous one's last entry.
  bool more = false;
  auto first = index->History(alice, 3, std::nullopt, &more);
  ASSERT_TRUE(first.ok());
  EXPECT_TRUE(more);
  ASSERT_EQ(first->size(), 3u);
  auto second = index->History(alice, 3, first->back().pos, &more);
  ASSERT_TRUE(second.ok());
  EXPECT_FALSE(more);
  ASSERT_EQ(second->size(), 1u);
  EXPECT_EQ((*second)[0], a[3]);

  // Otterscan's pages: whole txs, blocks before / after a height.
  auto before = index->TxsBefore(alice, 0, 1, 1000, &more);
  ASSERT_TRUE(before.ok());
  ASSERT_EQ(before->size(), 1u);
  EXPECT_EQ((*before)[0].tx_hash, withdraw->hash);
  EXPECT_TRUE(more);
  before = index->TxsBefore(alice, 3, 10, 1000, &more);
  ASSERT_TRUE(before.ok());
  EXPECT_EQ(before->size(), 2u);
  EXPECT_FALSE(more);
  auto after = index->TxsAfter(alice, 1, 10, 1000, &more);
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), 2u);
  EXPECT_EQ((*after)[0].height, 3u);  // newest first
  EXPECT_EQ((*after)[1].height, 2u);
  // Bounded work: a scan that would walk more entries than allowed stops.
  auto limited = index->TxsBefore(alice, 0, 10, 2, &more);
  ASSERT_FALSE(limited.ok());
  EXPECT_EQ(limited.status().code(), "addressindex-scan-limit");
}

TEST_F(AddressIndexTest, ReorgRemovesTheEntriesAndCountersOfDisconnectedBlocks) {
  auto env = MakeEnv();
  const Address alice = AddressOf(TestKey(1));
  const Address module = consensus::TestModuleAddress();
  auto index = StartIndex(*env);
  Mine(*env, {Tx(*env, 1, 0, module, Uint256(500), DepositCall())});
  Mine(*env, {Tx(*env, 1, 1, module, Uint256(), WithdrawCall(100))});
  ASSERT_TRUE(index->BlockUntilSyncedToCurrentChain());
  ASSERT_EQ(All(*index, alice).size(), 3u);

  // A heavier branch from block 1 where alice sends plain value instead.
  auto other = MakeEnv();
  ASSERT_TRUE(
      other->chain()
          .ProcessBlock(env->chain().ReadBlock(*env->chain().GetBlockHashAtHeight(1)).value())
          .ok());
  const Address carol = AddressOf(TestKey(3));
  Mine(*other, {Tx(*other, 1, 1, carol, Uint256(7))});
  Mine(*other, {});
  for (uint64_t h = 2; h <= 3; ++h) {
    auto b = other->chain().ReadBlock(*other->chain().GetBlockHashAtHeight(h)).value();
    ASSERT_TRUE(env->chain().ProcessBlock(b).ok());
  }
  ASSERT_EQ(env->chain().Tip().height, 3u);
  ASSERT_TRUE(index->BlockUntilSyncedToCurrentChain());

  std::vector<AddressEntry> a = All(*index, alice);
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0].counterparty, carol);
  EXPECT_EQ(a[0].value, Uint256(7));
  EXPECT_EQ(a[1].pos.height, 1u);
  auto c = index->Counters(alice);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entries, 2u);
  EXPECT_EQ(c->txs, 2u);
  EXPECT_EQ(c->sent, Uint256(507));
  // The module's payout left with its block.
  std::vector<AddressEntry> m = All(*index, module);
  ASSERT_EQ(m.size(), 1u);
  EXPECT_EQ(m[0].kind, AddressEntryKind::kTx);
  auto gone = index->TxBySenderNonce(alice, 1);
  ASSERT_TRUE(gone.ok());
  EXPECT_EQ(*gone,
            env->chain().ReadBlock(*env->chain().GetBlockHashAtHeight(2)).value()->txs[0]->hash);
}

TEST_F(AddressIndexTest, ARestartMidBuildResumesWithoutLosingOrRepeatingEntries) {
  auto env = MakeEnv();
  const Address alice = AddressOf(TestKey(1));
  constexpr uint64_t kBlocks = 60;
  for (uint64_t n = 0; n < kBlocks; ++n) {
    Mine(*env, {Tx(*env, 1, n, AddressOf(TestKey(2)), Uint256(1))});
  }
  {
    // Stopped as soon as it starts: somewhere in the catch-up.
    auto index = StartIndex(*env, /*wait=*/false);
    std::this_thread::sleep_for(2ms);
    index->Stop();
    EXPECT_LE(index->Summary().best_block_height, kBlocks);
  }
  auto index = StartIndex(*env);
  EXPECT_EQ(index->Summary().best_block_height, kBlocks);
  std::vector<AddressEntry> a = All(*index, alice);
  ASSERT_EQ(a.size(), kBlocks);
  for (uint64_t i = 0; i < kBlocks; ++i) EXPECT_EQ(a[i].pos.height, kBlocks - i);
  auto c = index->Counters(alice);
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->entries, kBlocks);
  EXPECT_EQ(c->txs, kBlocks);
  EXPECT_EQ(c->sent, Uint256(kBlocks));
}

TEST_F(AddressIndexTest, AModulePayoutIsInTheChainsStoredTrace) {
  auto env = MakeEnv();
  const Address alice = AddressOf(TestKey(1));
  const Address module = consensus::TestModuleAddress();
  Mine(*env, {Tx(*env, 1, 0, module, Uint256(500), DepositCall())});
  auto block = Mine(*env, {Tx(*env, 1, 1, module, Uint256(), WithdrawCall(120))});
  auto trace = env->chain().ReadModuleTrace(block->Hash());
  ASSERT_TRUE(trace.ok()) << trace.status().ToString();
  ASSERT_TRUE(trace->has_value());
  ASSERT_EQ((*trace)->size(), 1u);
  const consensus::BlockTraceEntry& e = (**trace)[0];
  EXPECT_EQ(e.position, 0u);
  EXPECT_EQ(e.record.kind, consensus::TraceKind::kTransfer);
  EXPECT_EQ(e.record.from, module);
  EXPECT_EQ(e.record.to, alice);
  EXPECT_EQ(e.record.value, Uint256(120));
  // A failed withdraw (more than the deposit) leaves no transfer.
  auto failed = Mine(*env, {Tx(*env, 1, 2, module, Uint256(), WithdrawCall(10'000))});
  auto none = env->chain().ReadModuleTrace(failed->Hash());
  ASSERT_TRUE(none.ok());
  ASSERT_TRUE(none->has_value());
  EXPECT_TRUE((*none)->empty());
}

}  // namespace
}  // namespace depin::index
