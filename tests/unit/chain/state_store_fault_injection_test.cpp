// Power cuts under the state store (LevelDB's fault_injection_test, applied
// to ours): a FaultInjectionEnv forgets every byte the database did not
// sync, then the store is reopened. The invariants:
//   - at the ChainDb / StateStore level, a reopened store holds exactly the
//     state after some prefix of the batches written, never a part of one,
//     and that prefix includes every batch written with sync;
//   - at the Chainstate level, with fsync per block (the default) the tip
//     survives the cut with its state root; without it the tip may step
//     back, but to a block whose state root matches the state, and the
//     lost blocks connect again to the same tip.
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/chain_db.h"
#include "chain/chainstate.h"
#include "chain/state_store.h"
#include "consensus/params.h"
#include "consensus/test_module.h"
#include "fault_injection_env.h"
#include "store_test_util.h"
#include "test_util/keys.h"

namespace depin::chain {
namespace {

using testing::FaultInjectionEnv;
using testing::TempDir;

using Model = std::map<Bytes, Bytes, BytesLess>;

Bytes KeyOf(uint32_t i) {
  Bytes k = {'f', 'i'};
  for (int b = 3; b >= 0; --b) k.push_back(static_cast<uint8_t>(i >> (8 * b)));
  return k;
}

// Every key under the test's prefix, as the store reads it.
Model ReadAll(const ChainDb& db) {
  Model out;
  auto it = db.NewPrefixIterator(StateDbKey(Bytes{'f', 'i'}));
  for (; it->Valid(); it->Next()) {
    const ByteSpan key = it->key();
    const ByteSpan value = it->value();
    out[Bytes(key.begin() + 1, key.end())] = Bytes(value.begin(), value.end());
  }
  EXPECT_TRUE(it->status().ok());
  return out;
}

TEST(StateStoreFaultInjection, ReopenedStoreHoldsTheSyncedStateOrAPrefixOfTheUnsyncedOnes) {
  TempDir dir;
  FaultInjectionEnv env;
  ChainDbOptions options;
  options.path = dir.path() / "chainstate";
  options.env = &env;
  // Small memtables: flushes to table files and compactions happen within
  // the test, so cuts land in the log, in table files and in the MANIFEST.
  options.write_buffer_bytes = 64 << 10;

  std::mt19937_64 rng(20261203);
  Model state;  // what the store holds after every batch so far
  int dropped_files = 0;
  int rounds_with_loss = 0;
  for (int round = 0; round < 40; ++round) {
    auto db = std::move(ChainDb::Open(options)).value();
    ASSERT_EQ(ReadAll(*db), state) << "round " << round;
    // States after each batch of this round; [0] is the state at open.
    std::vector<Model> after = {state};
    const bool sync = rng() % 2 == 0;
    const int batches = 1 + static_cast<int>(rng() % 30);
    for (int b = 0; b < batches; ++b) {
      consensus::StateDiff diff;
      Model next = after.back();
      std::map<Bytes, std::optional<Bytes>, BytesLess> changes;
      const int n = 1 + static_cast<int>(rng() % 40);
      for (int c = 0; c < n; ++c) {
        Bytes key = KeyOf(static_cast<uint32_t>(rng() % 2000));
        if (rng() % 5 == 0) {
          changes[key] = std::nullopt;
        } else {
          changes[key] = Bytes(1 + rng() % 300, static_cast<uint8_t>(rng()));
        }
      }
      for (auto& [key, value] : changes) {
        auto old = next.find(key);
        diff.push_back(
            {key, old == next.end() ? std::nullopt : std::optional<Bytes>(old->second), value});
        if (value) {
          next[key] = *value;
        } else {
          next.erase(key);
        }
      }
      WriteBatch batch;
      StateStore::WriteDiff(batch, diff);
      ASSERT_TRUE(db->Write(batch, sync).ok());
      after.push_back(std::move(next));
    }
    db.reset();  // the process dies: nothing more reaches the disk
    dropped_files += env.DropUnsyncedData();

    db = std::move(ChainDb::Open(options)).value();
    const Model found = ReadAll(*db);
    std::optional<size_t> match;
    for (size_t k = sync ? after.size() - 1 : 0; k < after.size(); ++k) {
      if (after[k] == found) match = k;
    }
    ASSERT_TRUE(match.has_value())
        << "round " << round << " (sync " << sync << "): the reopened store is not the state after "
        << (sync ? "the last batch" : "any prefix of the batches") << "; " << found.size()
        << " keys";
    if (*match + 1 < after.size()) ++rounds_with_loss;
    state = after[*match];
  }
  // The cuts did cut: unsynced batches were lost in some rounds.
  EXPECT_GT(dropped_files, 0);
  EXPECT_GT(rounds_with_loss, 0);
}

crypto::PrivateKey Key(uint8_t i) { return test_util::TestKey(0x44, i); }
Address AddressOf(uint8_t i) { return test_util::TestAddress(0x44, i); }

consensus::ChainParams Params() {
  consensus::ChainParams p = consensus::RegtestParams();
  for (uint8_t i = 1; i <= 4; ++i) p.genesis_alloc.push_back({AddressOf(i), Dpn(1000)});
  return p;
}

TxRef Transfer(uint8_t from, uint64_t nonce) {
  Transaction tx;
  tx.chain_id = consensus::RegtestParams().chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
  tx.max_fee_per_gas = Uint256(100 * kWeiPerGwei);
  tx.gas_limit = 21000;
  tx.to = AddressOf(static_cast<uint8_t>(10 + nonce % 7));
  tx.value = Uint256(1000 + nonce);
  tx.Sign(Key(from));
  return MakeVerifiedTx(tx).value();
}

class PowerCutNode {
 public:
  explicit PowerCutNode(bool sync_writes) : sync_writes_(sync_writes) {
    modules_.Register(consensus::MakeTestModule());
    Open();
  }
  void Open() {
    ChainstateOptions options;
    options.datadir = dir_.path().string();
    options.script_threads = 1;
    options.sync_writes = sync_writes_;
    options.db_env = &env_;
    auto opened = Chainstate::Open(params_, modules_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    chain_ = std::move(opened).value();
  }
  // The process dies and the power goes with it.
  int Cut() {
    chain_.reset();
    return env_.DropUnsyncedData();
  }
  Chainstate& chain() { return *chain_; }

  std::shared_ptr<Block> BuildAndSubmit(std::vector<TxRef> txs) {
    auto next = chain_->NextBlockContext();
    auto built = BuildBlock(*chain_, next, *chain_->StateAtTip(), std::move(txs), AddressOf(9),
                            params_.genesis_time + next.height * 15, Hash256());
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    std::shared_ptr<Block> block = built->block;
    const Uint256 target = CompactToTarget(block->header.bits).value();
    while (!HashMeetsTarget(block->header.Hash(), target)) ++block->header.nonce;
    Status s = chain_->ProcessBlock(block);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return block;
  }

 private:
  bool sync_writes_;
  consensus::ChainParams params_ = Params();
  consensus::ModuleRegistry modules_;
  TempDir dir_;
  FaultInjectionEnv env_;
  std::unique_ptr<Chainstate> chain_;
};

// Blocks of transfers from four senders; returns the blocks in order.
std::vector<std::shared_ptr<Block>> ConnectBlocks(PowerCutNode& node, int count, uint64_t& nonce) {
  std::vector<std::shared_ptr<Block>> blocks;
  for (int i = 0; i < count; ++i) {
    std::vector<TxRef> txs;
    for (uint8_t from = 1; from <= 4; ++from) txs.push_back(Transfer(from, nonce));
    ++nonce;
    blocks.push_back(node.BuildAndSubmit(std::move(txs)));
  }
  return blocks;
}

TEST(ChainstateFaultInjection, SyncedBlocksSurviveAPowerCut) {
  PowerCutNode node(/*sync_writes=*/true);
  uint64_t nonce = 0;
  for (int round = 0; round < 5; ++round) {
    const auto blocks = ConnectBlocks(node, 6, nonce);
    const TipInfo before = node.chain().Tip();
    const Hash256 root = node.chain().StateRoot();
    const consensus::Account miner = node.chain().GetAccount(AddressOf(9));
    node.Cut();
    node.Open();
    const TipInfo after = node.chain().Tip();
    EXPECT_EQ(after.hash, before.hash) << "round " << round;
    EXPECT_EQ(after.hash, blocks.back()->Hash());
    EXPECT_EQ(node.chain().StateRoot(), root);
    EXPECT_EQ(node.chain().StateRoot(), after.header.state_root);
    EXPECT_EQ(node.chain().GetAccount(AddressOf(9)), miner);
    for (const auto& b : blocks) {
      auto receipts = node.chain().ReadReceipts(b->Hash());
      ASSERT_TRUE(receipts.ok()) << receipts.status().ToString();
      EXPECT_EQ(receipts->size(), b->txs.size());
    }
  }
}

TEST(ChainstateFaultInjection, UnsyncedBlocksRollBackWholeAndConnectAgain) {
  PowerCutNode node(/*sync_writes=*/false);
  uint64_t nonce = 0;
  int stepped_back = 0;
  std::vector<std::shared_ptr<Block>> all;
  for (int round = 0; round < 5; ++round) {
    for (auto& b : ConnectBlocks(node, 8, nonce)) all.push_back(b);
    const TipInfo before = node.chain().Tip();
    const Hash256 root = node.chain().StateRoot();
    node.Cut();
    node.Open();
    const TipInfo after = node.chain().Tip();
    // Wherever the cut left the tip, it is a block that was connected, and
    // state and tip agree.
    ASSERT_LE(after.height, before.height);
    ASSERT_EQ(node.chain().StateRoot(), after.header.state_root) << "round " << round;
    if (after.hash != before.hash) {
      ++stepped_back;
      ASSERT_TRUE(after.height == 0 || all[after.height - 1]->Hash() == after.hash);
      // The blocks it lost connect again to the same tip and state root.
      for (uint64_t h = after.height + 1; h <= before.height; ++h) {
        Status s = node.chain().ProcessBlock(all[h - 1]);
        ASSERT_TRUE(s.ok()) << "height " << h << ": " << s.ToString();
      }
    }
    EXPECT_EQ(node.chain().Tip().hash, before.hash);
    EXPECT_EQ(node.chain().StateRoot(), root);
  }
  // Without fsync a cut loses what LevelDB had only in its (unsynced) log.
  EXPECT_GT(stepped_back, 0);
}

}  // namespace
}  // namespace depin::chain
