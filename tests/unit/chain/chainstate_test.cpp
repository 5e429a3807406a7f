// Chainstate: connect, restart, reorganisation across competing branches
// (of any depth), invalid blocks and their descendants, operator
// invalidate/reconsider, the state at past blocks.
#include "chain/chainstate.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/chain_db.h"
#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/params.h"
#include "consensus/test_module.h"
#include "crypto/secp256k1.h"
#include "primitives/merkle.h"
#include "test_util/keys.h"

namespace depin::chain {
namespace {

crypto::PrivateKey Key(uint8_t i) { return test_util::TestKey(0x22, i); }
Address AddressOf(uint8_t i) { return test_util::TestAddress(0x22, i); }

consensus::ChainParams Params() {
  consensus::ChainParams p = consensus::RegtestParams();
  for (uint8_t i = 1; i <= 4; ++i) p.genesis_alloc.push_back({AddressOf(i), Dpn(1000)});
  p.max_reorg_depth = 20;
  return p;
}

TxRef SignedTx(uint8_t from, uint64_t nonce, const Address& to, uint64_t value_gwei,
               uint64_t gas_limit, Bytes data) {
  Transaction tx;
  tx.type = TxType::kDynamicFee;
  tx.chain_id = consensus::RegtestParams().chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
  tx.max_fee_per_gas = Uint256(100 * kWeiPerGwei);
  tx.gas_limit = gas_limit;
  tx.to = to;
  tx.value = *CheckedMul(Uint256(value_gwei), Uint256(kWeiPerGwei));
  tx.data = std::move(data);
  tx.Sign(Key(from));
  return MakeVerifiedTx(tx).value();
}

TxRef Transfer(uint8_t from, uint64_t nonce, const Address& to, uint64_t value_gwei) {
  return SignedTx(from, nonce, to, value_gwei, 21000, {});
}

std::filesystem::path TempDir() {
  static std::atomic<int> n{0};
  auto dir = std::filesystem::temp_directory_path() /
             ("depin-chainstate-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
  std::filesystem::remove_all(dir);
  return dir;
}

class Node {
 public:
  explicit Node(consensus::ChainParams params = Params(),
                std::function<void(ChainstateOptions&)> configure = {})
      : params_(std::move(params)), configure_(std::move(configure)), dir_(TempDir()) {
    modules_.Register(consensus::MakeTestModule());
    Reopen();
  }
  ~Node() {
    chain_.reset();
    std::filesystem::remove_all(dir_);
  }
  void Reopen() {
    chain_.reset();
    ChainstateOptions options;
    options.datadir = dir_.string();
    options.script_threads = 2;
    if (configure_) configure_(options);
    auto opened = Chainstate::Open(params_, modules_, options);
    ASSERT_TRUE(opened.ok()) << opened.status().ToString();
    chain_ = std::move(opened).value();
  }
  Chainstate& chain() { return *chain_; }
  const std::filesystem::path& dir() const { return dir_; }
  // Reopens without the options hook (the disk was "repaired").
  void ReopenPlain() {
    configure_ = {};
    Reopen();
  }
  void Close() { chain_.reset(); }

  // A valid block on the current tip, mined at regtest difficulty.
  std::shared_ptr<Block> Build(std::vector<TxRef> txs, uint8_t miner = 9,
                               uint64_t time_offset = 0) {
    const uint64_t height = chain_->NextBlockContext().height;
    return BuildAt(std::move(txs), params_.genesis_time + height * 15 + time_offset, miner);
  }
  // The same at `timestamp`.
  std::shared_ptr<Block> BuildAt(std::vector<TxRef> txs, uint64_t timestamp, uint8_t miner = 9) {
    auto next = chain_->NextBlockContext();
    auto built = BuildBlock(*chain_, next, *chain_->StateAtTip(), std::move(txs), AddressOf(miner),
                            timestamp, Hash256());
    EXPECT_TRUE(built.ok()) << built.status().ToString();
    std::shared_ptr<Block> block = built->block;
    BlockHeader& h = block->header;
    Mine(h);
    return block;
  }
  void Mine(BlockHeader& h) {
    const Uint256 target = CompactToTarget(h.bits).value();
    while (!HashMeetsTarget(h.Hash(), target)) ++h.nonce;
  }
  Status Submit(const std::shared_ptr<Block>& b) { return chain_->ProcessBlock(b); }
  std::shared_ptr<Block> BuildAndSubmit(std::vector<TxRef> txs, uint8_t miner = 9,
                                        uint64_t time_offset = 0) {
    auto b = Build(std::move(txs), miner, time_offset);
    Status s = Submit(b);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return b;
  }

  consensus::ModuleRegistry modules_;

 private:
  consensus::ChainParams params_;
  std::function<void(ChainstateOptions&)> configure_;
  std::filesystem::path dir_;
  std::unique_ptr<Chainstate> chain_;
};

TEST(Chainstate, GenesisStateMatchesParams) {
  Node node;
  const TipInfo tip = node.chain().Tip();
  EXPECT_EQ(tip.height, 0u);
  EXPECT_EQ(tip.hash, Params().GenesisHash());
  EXPECT_EQ(node.chain().StateRoot(), Params().GenesisHeader().state_root);
  EXPECT_EQ(node.chain().GetAccount(AddressOf(1)).balance, Dpn(1000));
  EXPECT_EQ(node.chain().GetAccount(consensus::DevAccounts()[0]).balance,
            Dpn(consensus::kDevAccountBalanceDpn));
}

TEST(Chainstate, ConnectsTransfersAndPaysMiner) {
  Node node;
  const Address to = AddressOf(50);
  auto block = node.BuildAndSubmit({Transfer(1, 0, to, 5), Transfer(1, 1, to, 7)});
  EXPECT_EQ(node.chain().Tip().hash, block->Hash());
  EXPECT_EQ(node.chain().GetAccount(to).balance, Uint256(12 * kWeiPerGwei));
  EXPECT_EQ(node.chain().GetAccount(AddressOf(1)).nonce, 2u);
  auto receipts = node.chain().ReadReceipts(block->Hash());
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 2u);
  EXPECT_EQ((*receipts)[1].cumulative_gas_used, 42000u);
  EXPECT_EQ((*receipts)[1].gas_used, 21000u);
  // Miner: subsidy plus tips of 1 gwei per gas.
  const Uint256 expected =
      *CheckedAdd(consensus::BlockSubsidy(1, Params()), Uint256(42000 * kWeiPerGwei));
  EXPECT_EQ(node.chain().GetAccount(AddressOf(9)).balance, expected);
}

TEST(Chainstate, ZeroValueTransferToAnExistingAccountKeepsTheRoot) {
  // The recipient is funded and receives nothing: its entry is touched but
  // unchanged, which the root computation must leave in the state hash.
  Node node;
  const Uint256 before = node.chain().GetAccount(AddressOf(2)).balance;
  auto block = node.BuildAndSubmit({Transfer(1, 0, AddressOf(2), 0)});
  EXPECT_EQ(node.chain().Tip().hash, block->Hash());
  EXPECT_EQ(node.chain().GetAccount(AddressOf(2)).balance, before);
  EXPECT_EQ(node.chain().StateRoot(), block->header.state_root);
}

TEST(Chainstate, RestartKeepsTipAndStateRoot) {
  Node node;
  for (uint64_t i = 0; i < 5; ++i) node.BuildAndSubmit({Transfer(2, i, AddressOf(60), 1)});
  const TipInfo before = node.chain().Tip();
  const Hash256 root = node.chain().StateRoot();
  node.Reopen();
  EXPECT_EQ(node.chain().Tip().hash, before.hash);
  EXPECT_EQ(node.chain().StateRoot(), root);
  EXPECT_EQ(node.chain().GetAccount(AddressOf(60)).balance, Uint256(5 * kWeiPerGwei));
  // And it keeps extending.
  node.BuildAndSubmit({Transfer(2, 5, AddressOf(60), 1)});
  EXPECT_EQ(node.chain().Tip().height, 6u);
}

// The module trace (not consensus data) is kept beside the receipts.
TEST(Chainstate, ConnectWritesOnlyStateUndoReceiptsAndTip) {
  Node node;
  node.BuildAndSubmit({Transfer(1, 0, AddressOf(50), 5), Transfer(1, 1, AddressOf(50), 7)});
  node.Close();
  ChainDbOptions o;
  o.path = node.dir() / "chainstate";
  auto db = ChainDb::Open(o);
  ASSERT_TRUE(db.ok()) << db.status().ToString();
  const std::set<uint8_t> allowed = {
      dbkey::kState,         dbkey::kBlockIndex, dbkey::kUndo,      dbkey::kReceipts,
      dbkey::kModuleTrace,   dbkey::kTip,        dbkey::kTipLtHash, dbkey::kBlockFileInfo,
      dbkey::kLastBlockFile, dbkey::kDbVersion};
  size_t keys = 0;
  for (auto it = (*db)->NewPrefixIterator({}); it->Valid(); it->Next()) {
    ++keys;
    EXPECT_EQ(allowed.count(it->key()[0]), 1u) << "unexpected record kind " << it->key()[0];
  }
  EXPECT_GT(keys, 0u);
}

TEST(Chainstate, DeletesTxIndexRecordsOfOlderVersionsAtStart) {
  Node node;
  node.BuildAndSubmit({Transfer(1, 0, AddressOf(50), 5)});
  node.Close();
  const auto path = node.dir() / "chainstate";
  {
    ChainDbOptions o;
    o.path = path;
    auto db = ChainDb::Open(o);
    ASSERT_TRUE(db.ok());
    WriteBatch batch;
    for (uint8_t i = 0; i < 10; ++i) {
      batch.Put(MakeKey(dbkey::kLegacyTxIndex, Bytes(32, i)), Bytes(36, 1));
    }
    ASSERT_TRUE((*db)->Write(batch, /*sync=*/true).ok());
  }
  node.Reopen();
  const uint64_t height = node.chain().Tip().height;
  node.Close();
  ChainDbOptions o;
  o.path = path;
  auto db = ChainDb::Open(o);
  ASSERT_TRUE(db.ok());
  EXPECT_FALSE((*db)->NewPrefixIterator(MakeKey(dbkey::kLegacyTxIndex))->Valid());
  EXPECT_EQ(height, 1u);
}

TEST(Chainstate, ReorgAcrossThreeBranchesMatchesFreshReplay) {
  // Three nodes build competing branches from genesis; a fourth receives all
  // blocks interleaved and must end on the most-work branch with the state a
  // fresh replay of that branch gives.
  Node a, b, c;
  std::vector<std::shared_ptr<Block>> ba, bb, bc;
  for (uint64_t i = 0; i < 3; ++i)
    ba.push_back(a.BuildAndSubmit({Transfer(1, i, AddressOf(70), 1)}, 10));
  for (uint64_t i = 0; i < 5; ++i)
    bb.push_back(b.BuildAndSubmit({Transfer(2, i, AddressOf(71), 2)}, 11));
  for (uint64_t i = 0; i < 4; ++i)
    bc.push_back(c.BuildAndSubmit({Transfer(1, i, AddressOf(72), 3)}, 12));

  Node d;
  for (auto& blk : ba) ASSERT_TRUE(d.Submit(blk).ok());
  EXPECT_EQ(d.chain().Tip().hash, ba.back()->Hash());
  for (auto& blk : bc) ASSERT_TRUE(d.Submit(blk).ok());
  EXPECT_EQ(d.chain().Tip().hash, bc.back()->Hash());
  for (auto& blk : bb) ASSERT_TRUE(d.Submit(blk).ok());
  EXPECT_EQ(d.chain().Tip().hash, bb.back()->Hash());
  EXPECT_EQ(d.chain().StateRoot(), b.chain().StateRoot());
  EXPECT_EQ(d.chain().GetAccount(AddressOf(70)).balance, Uint256());
  EXPECT_EQ(d.chain().GetAccount(AddressOf(71)).balance, Uint256(10 * kWeiPerGwei));
  // Survives a restart on the winning branch.
  d.Reopen();
  EXPECT_EQ(d.chain().StateRoot(), b.chain().StateRoot());
}

TEST(Chainstate, BlocksArrivingChildrenFirstStillReorganise) {
  // Headers first, then block data in reverse order: the heavier branch
  // must win once its first missing block arrives.
  Node a, b;
  std::vector<std::shared_ptr<Block>> ba, bb;
  for (uint64_t i = 0; i < 3; ++i)
    ba.push_back(a.BuildAndSubmit({Transfer(1, i, AddressOf(73), 1)}, 10));
  for (uint64_t i = 0; i < 5; ++i) bb.push_back(b.BuildAndSubmit({}, 11));
  Node d;
  for (auto& blk : ba) ASSERT_TRUE(d.Submit(blk).ok());
  for (auto& blk : bb) ASSERT_TRUE(d.chain().ProcessHeader(blk->header).ok());
  for (size_t i = bb.size(); i-- > 1;) {
    ASSERT_TRUE(d.Submit(bb[i]).ok());
    EXPECT_EQ(d.chain().Tip().hash, ba.back()->Hash());
  }
  ASSERT_TRUE(d.Submit(bb[0]).ok());
  EXPECT_EQ(d.chain().Tip().hash, bb.back()->Hash());
  EXPECT_EQ(d.chain().StateRoot(), b.chain().StateRoot());
  // A restart with stored-but-unconnected blocks reloads them as well.
  Node e;
  for (auto& blk : bb) ASSERT_TRUE(e.chain().ProcessHeader(blk->header).ok());
  for (size_t i = bb.size(); i-- > 1;) ASSERT_TRUE(e.Submit(bb[i]).ok());
  e.Reopen();
  EXPECT_EQ(e.chain().Tip().height, 0u);
  ASSERT_TRUE(e.Submit(bb[0]).ok());
  EXPECT_EQ(e.chain().Tip().hash, bb.back()->Hash());
}

TEST(Chainstate, BlockContextOfASideBranchBlockHasItsBranchsAncestors) {
  Node a, b;
  std::vector<std::shared_ptr<Block>> ba, bb;
  for (int i = 0; i < 3; ++i) ba.push_back(a.BuildAndSubmit({}, 10));
  for (int i = 0; i < 2; ++i) bb.push_back(b.BuildAndSubmit({}, 11));
  Node d;
  for (auto& blk : ba) ASSERT_TRUE(d.Submit(blk).ok());
  for (auto& blk : bb) ASSERT_TRUE(d.Submit(blk).ok());
  ASSERT_EQ(d.chain().Tip().hash, ba.back()->Hash());

  // A child of the side branch's tip: its randomness comes from branch b.
  BlockHeader child = bb.back()->header;
  child.parent_hash = bb.back()->Hash();
  child.height = 3;
  auto side = d.chain().BlockContextFor(child);
  ASSERT_TRUE(side.ok()) << side.status().ToString();
  ASSERT_EQ(side->ancestors.size(), 3u);
  EXPECT_EQ(side->ancestors[0], bb[1]->Hash());
  EXPECT_EQ(side->ancestors[1], bb[0]->Hash());
  EXPECT_EQ(side->ancestors[2], Params().GenesisHash());
  EXPECT_EQ(*side->RandomnessAt(1), bb[0]->Hash());

  // The next block on the active tip draws from branch a.
  auto next = d.chain().NextBlockContext();
  auto active = d.chain().BlockContextFor(next.HeaderFor(AddressOf(9), 12345));
  ASSERT_TRUE(active.ok());
  EXPECT_EQ(active->height, 4u);
  EXPECT_EQ(active->timestamp, 12345u);
  EXPECT_EQ(active->miner, AddressOf(9));
  EXPECT_EQ(active->base_fee, next.base_fee);
  EXPECT_EQ(*active->RandomnessAt(1), ba[0]->Hash());
  EXPECT_EQ(active->RandomnessAt(4).status().code(), "randomness-not-ancestor");

  BlockHeader orphan = child;
  orphan.parent_hash = Hash256();
  EXPECT_TRUE(d.chain().BlockContextFor(orphan).status().Is(StatusKind::kNotFound));
}

TEST(Chainstate, DeferredWorkRunsInItsBlockAndIsUndoneByAReorg) {
  // Block 1 queues work for height 2 through the test module; block 2 runs it
  // (system receipt, stored value). A heavier branch without it undoes both,
  // generically from the state diffs, and the queue entry is gone with them.
  Node a;
  const Bytes schedule = abi::Encoder().Uint(2).Uint(9).Uint(20'000).FinishCall(
      abi::SelectorOf("schedule(uint256,uint256,uint256)"));
  a.BuildAndSubmit({SignedTx(1, 0, consensus::TestModuleAddress(), 0, 200'000, schedule)});
  auto ran = a.BuildAndSubmit({});
  auto receipts = a.chain().ReadReceipts(ran->Hash());
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), 1u);  // no txs: the system receipt alone
  EXPECT_EQ(receipts->at(0).logs.size(), 1u);
  const Bytes value_key = consensus::ModuleKey(consensus::TestModuleAddress(), [] {
    Bytes k(33, 0);
    k[0] = 'v';
    k[32] = 9;
    return k;
  }());
  EXPECT_TRUE(a.chain().StateAtTip()->Get(value_key).has_value());

  Node b;
  std::vector<std::shared_ptr<Block>> other;
  for (int i = 0; i < 3; ++i) other.push_back(b.BuildAndSubmit({}, 11));
  for (auto& blk : other) ASSERT_TRUE(a.Submit(blk).ok());
  ASSERT_EQ(a.chain().Tip().hash, other.back()->Hash());
  EXPECT_EQ(a.chain().StateRoot(), b.chain().StateRoot());
  EXPECT_FALSE(a.chain().StateAtTip()->Get(value_key).has_value());
  EXPECT_TRUE(a.chain().StateAtTip()->Scan(Bytes{'q'}, {}, 10).empty());
}

TEST(Chainstate, EqualWorkKeepsFirstSeen) {
  Node a, b;
  auto a1 = a.BuildAndSubmit({}, 10);
  auto b1 = b.BuildAndSubmit({}, 11);
  Node d;
  ASSERT_TRUE(d.Submit(a1).ok());
  ASSERT_TRUE(d.Submit(b1).ok());
  EXPECT_EQ(d.chain().Tip().hash, a1->Hash());
}

TEST(Chainstate, BadStateRootMarksBlockAndDescendantsInvalid) {
  Node good;
  auto g1 = good.BuildAndSubmit({}, 10);
  Node bad;
  auto b1 = bad.Build({Transfer(1, 0, AddressOf(80), 1)}, 11);
  b1->header.state_root[0] ^= 1;
  bad.Mine(b1->header);
  Status s = bad.Submit(b1);
  EXPECT_EQ(s.code(), "block-bad-state-root");
  EXPECT_EQ(bad.chain().Tip().height, 0u);
  auto info = bad.chain().LookupBlock(b1->Hash());
  ASSERT_TRUE(info.has_value());
  EXPECT_TRUE(info->invalid);
  // A child of the invalid block is refused at the header.
  BlockHeader child = b1->header;
  child.parent_hash = b1->Hash();
  child.height = 2;
  child.timestamp += 15;
  bad.Mine(child);
  auto child_block = std::make_shared<Block>();
  child_block->header = child;
  EXPECT_EQ(bad.Submit(child_block).code(), "bad-prevblk");
  // The same invalid block again is known-invalid.
  EXPECT_EQ(bad.Submit(b1).code(), "duplicate-invalid");
  (void)g1;
}

TEST(Chainstate, BadReceiptsRootIsRejected) {
  Node node;
  auto block = node.Build({Transfer(1, 0, AddressOf(83), 1)});
  block->header.receipts_root[5] ^= 1;
  node.Mine(block->header);
  EXPECT_EQ(node.Submit(block).code(), "block-bad-receipts-root");
  EXPECT_EQ(node.chain().Tip().height, 0u);
  EXPECT_TRUE(node.chain().LookupBlock(block->Hash())->invalid);
}

TEST(Chainstate, BadGasUsedIsRejected) {
  Node node;
  auto block = node.Build({Transfer(1, 0, AddressOf(84), 1)});
  block->header.gas_used += 1;
  node.Mine(block->header);
  EXPECT_EQ(node.Submit(block).code(), "block-bad-gas-used");
  EXPECT_EQ(node.chain().Tip().height, 0u);
}

TEST(Chainstate, StateRootOfMixedTouchesMatchesTheMinersRoot) {
  // Every way an account can be touched in one block: a self-transfer, a
  // sender that also receives, the miner as a recipient, a fresh recipient,
  // a zero-value transfer to a fresh address (touched, never created), a
  // module call (module objects change, not only accounts) and a module
  // deposit. The connect computes the root from pre-expanded old entries;
  // the miner (Build) from the plain diff; the two must agree.
  Node node;
  const Address module = consensus::TestModuleAddress();
  abi::Encoder set_args;
  set_args.Uint(Uint256(7)).Uint(Uint256(8));
  const Bytes set_call = set_args.FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  const Bytes deposit_call = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
  auto call = [&](uint8_t from, uint64_t nonce, Bytes data, uint64_t value_gwei) {
    return SignedTx(from, nonce, module, value_gwei, 200000, std::move(data));
  };
  auto block = node.BuildAndSubmit({
      Transfer(1, 0, AddressOf(1), 3),   // self-transfer
      Transfer(2, 0, AddressOf(1), 4),   // 1 receives too
      Transfer(3, 0, AddressOf(9), 5),   // the miner receives
      Transfer(3, 1, AddressOf(90), 6),  // fresh recipient
      Transfer(4, 0, AddressOf(91), 0),  // touched, stays absent
      call(4, 1, set_call, 0),
      call(2, 1, deposit_call, 9),
  });
  EXPECT_EQ(node.chain().Tip().hash, block->Hash());
  EXPECT_EQ(node.chain().StateRoot(), block->header.state_root);
  EXPECT_EQ(node.chain().GetAccount(AddressOf(90)).balance, Uint256(6 * kWeiPerGwei));
  EXPECT_TRUE(node.chain().GetAccount(AddressOf(91)).IsEmpty());
}

TEST(Chainstate, InvalidTxInBlockIsRejectedWithRule) {
  Node node;
  // Nonce 1 without nonce 0: the block breaks the nonce rule.
  auto block = node.Build({}, 9);
  block->txs = {Transfer(1, 1, AddressOf(81), 1)};
  block->header.tx_root = TxRoot(block->txs);
  node.Mine(block->header);
  EXPECT_EQ(node.Submit(block).code(), "tx-nonce-too-high");
  EXPECT_EQ(node.chain().Tip().height, 0u);
}

TEST(Chainstate, MutatedBodyDoesNotCondemnHeader) {
  Node node;
  auto block = node.Build({Transfer(1, 0, AddressOf(82), 1)}, 9);
  auto mutated = std::make_shared<Block>(*block);
  mutated->txs.clear();
  EXPECT_EQ(node.Submit(mutated).code(), "block-bad-tx-root");
  // The genuine block is still accepted.
  EXPECT_TRUE(node.Submit(block).ok());
  EXPECT_EQ(node.chain().Tip().hash, block->Hash());
}

TEST(Chainstate, OrphanBlockIsReported) {
  Node a;
  a.BuildAndSubmit({}, 10);
  auto a2 = a.BuildAndSubmit({}, 10);
  Node d;
  BlockAcceptance acceptance;
  Status s = d.chain().ProcessBlock(a2, &acceptance);
  EXPECT_EQ(s.code(), "prev-blk-not-found");
  EXPECT_EQ(s.kind(), StatusKind::kMissingParent);
  EXPECT_EQ(acceptance, BlockAcceptance::kOrphan);
}

TEST(Chainstate, VerdictsCarryKinds) {
  Node node;
  auto block = node.Build({Transfer(1, 0, AddressOf(82), 1)}, 9);
  auto mutated = std::make_shared<Block>(*block);
  mutated->txs.clear();
  EXPECT_EQ(node.Submit(mutated).kind(), StatusKind::kMutated);
  auto bad_root = std::make_shared<Block>(*block);
  bad_root->header.state_root = Hash256();
  node.Mine(bad_root->header);
  BlockAcceptance acceptance;
  Status s = node.chain().ProcessBlock(bad_root, &acceptance);
  EXPECT_EQ(s.code(), "block-bad-state-root");
  EXPECT_EQ(s.kind(), StatusKind::kInvalid);
  EXPECT_EQ(acceptance, BlockAcceptance::kInvalid);
}

// The block files refuse writes (a full disk): the block is not judged, the
// chainstate reports one fatal error and refuses further changes, and after
// a restart on a repaired disk the same block connects.
TEST(Chainstate, BlockWriteFailureIsFatalAndNotTheSendersFault) {
  auto fail_writes = std::make_shared<std::atomic<bool>>(false);
  auto fatal_calls = std::make_shared<std::atomic<int>>(0);
  Node node(Params(), [fail_writes, fatal_calls](ChainstateOptions& o) {
    o.block_fault_hook = [fail_writes](BlockFileOp op, uint32_t) {
      if (*fail_writes && op == BlockFileOp::kWrite) {
        return Status::IoError("test-enospc", "No space left on device");
      }
      return Status::Ok();
    };
    o.fatal_error = [fatal_calls](const Status&) { ++*fatal_calls; };
  });
  node.BuildAndSubmit({}, 10);
  auto block = node.Build({Transfer(1, 0, AddressOf(83), 1)}, 10);
  *fail_writes = true;
  BlockAcceptance acceptance = BlockAcceptance::kAccepted;
  Status s = node.chain().ProcessBlock(block, &acceptance);
  EXPECT_TRUE(s.IsLocalFailure()) << s.ToString();
  EXPECT_EQ(s.kind(), StatusKind::kIo);
  EXPECT_EQ(acceptance, BlockAcceptance::kNotProcessed);
  EXPECT_EQ(*fatal_calls, 1);
  auto info = node.chain().LookupBlock(block->Hash());
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->invalid);
  EXPECT_EQ(node.chain().Tip().height, 1u);

  // Refused from now on, even once the disk works again, with one report.
  *fail_writes = false;
  EXPECT_TRUE(node.chain().ProcessBlock(block, &acceptance).IsLocalFailure());
  EXPECT_EQ(acceptance, BlockAcceptance::kNotProcessed);
  EXPECT_TRUE(node.chain().ProcessHeader(block->header).IsLocalFailure());
  EXPECT_EQ(*fatal_calls, 1);

  node.ReopenPlain();
  EXPECT_EQ(node.chain().Tip().height, 1u);
  ASSERT_TRUE(node.Submit(block).ok());
  EXPECT_EQ(node.chain().Tip().hash, block->Hash());
}

// A stored block that can no longer be read (damaged block file) when it is
// about to connect stops the chainstate with a corruption error instead of
// retrying it forever or condemning it.
TEST(Chainstate, UnreadableStoredBlockIsFatalCorruption) {
  Node a;
  auto b1 = a.BuildAndSubmit({}, 10);
  auto b2 = a.BuildAndSubmit({}, 10);
  auto fatal_calls = std::make_shared<std::atomic<int>>(0);
  Node d(Params(), [fatal_calls](ChainstateOptions& o) {
    o.fatal_error = [fatal_calls](const Status&) { ++*fatal_calls; };
  });
  ASSERT_TRUE(d.chain().ProcessHeader(b1->header).ok());
  ASSERT_TRUE(d.Submit(b2).ok());  // stored, waiting for its parent
  EXPECT_EQ(d.chain().Tip().height, 0u);
  // Damage every stored byte so far (b2's record).
  const auto file = d.dir() / "blocks" / "blk00000.dat";
  const auto size = std::filesystem::file_size(file);
  {
    FILE* f = std::fopen(file.c_str(), "r+b");
    ASSERT_NE(f, nullptr);
    std::vector<char> zeros(size, 0);
    ASSERT_EQ(std::fwrite(zeros.data(), 1, zeros.size(), f), zeros.size());
    std::fclose(f);
  }
  BlockAcceptance acceptance = BlockAcceptance::kAccepted;
  Status s = d.chain().ProcessBlock(b1, &acceptance);
  EXPECT_EQ(s.kind(), StatusKind::kCorruption) << s.ToString();
  EXPECT_EQ(acceptance, BlockAcceptance::kNotProcessed);
  EXPECT_EQ(*fatal_calls, 1);
  // b1 itself connected before b2 was read; b2 is not condemned.
  EXPECT_EQ(d.chain().Tip().hash, b1->Hash());
  auto info = d.chain().LookupBlock(b2->Hash());
  ASSERT_TRUE(info.has_value());
  EXPECT_FALSE(info->invalid);
}

// Regtest with ASERT on (a 10-minute half-life), so branches differ in work
// per block; undo writes unsynced to keep 3,000 connects quick.
consensus::ChainParams RetargetingParams() {
  consensus::ChainParams p = Params();
  p.pow_no_retargeting = false;
  p.asert_half_life = 600;
  return p;
}
void Unsynced(ChainstateOptions& o) { o.sync_writes = false; }

// Issue 14: a fresh node fed a cheap 1,100-block fork first must still move
// to the heavier honest chain when it arrives, after a restart too: undo is
// kept for every block, so no reorg depth is refused (the old limit here
// would have been 20).
TEST(Chainstate, CheapDeepForkFirstThenTheHeavierChainIsAdoptedAcrossRestarts) {
  const consensus::ChainParams params = RetargetingParams();
  ASSERT_EQ(params.max_reorg_depth, 20u);
  Node cheap(params, Unsynced), honest(params, Unsynced);
  std::vector<std::shared_ptr<Block>> fork, main_chain;
  // The fork: 1,100 blocks on schedule, every one at pow_limit.
  for (uint64_t h = 1; h <= 1100; ++h) {
    fork.push_back(cheap.BuildAt({}, params.genesis_time + 15 * h, /*miner=*/7));
    ASSERT_TRUE(cheap.Submit(fork.back()).ok());
  }
  // The honest chain: 400 blocks every 10 s, so ASERT raises the difficulty
  // (2^(h/120) at height h): fewer blocks, more work.
  for (uint64_t h = 1; h <= 400; ++h) {
    main_chain.push_back(honest.BuildAt({}, params.genesis_time + 10 * h));
    ASSERT_TRUE(honest.Submit(main_chain.back()).ok());
  }
  const TipInfo fork_tip = cheap.chain().Tip();
  const TipInfo honest_tip = honest.chain().Tip();
  ASSERT_GT(honest_tip.chain_work, fork_tip.chain_work);
  EXPECT_GT(main_chain.back()->header.bits, 0u);
  EXPECT_LT(*CompactToTarget(main_chain.back()->header.bits), params.pow_limit);

  Node fresh(params, Unsynced);
  for (auto& b : fork) ASSERT_TRUE(fresh.Submit(b).ok());
  ASSERT_EQ(fresh.chain().Tip().hash, fork.back()->Hash());
  fresh.Reopen();
  ASSERT_EQ(fresh.chain().Tip().hash, fork.back()->Hash());
  for (auto& b : main_chain) {
    Status s = fresh.Submit(b);
    ASSERT_TRUE(s.ok()) << "height " << b->header.height << ": " << s.ToString();
  }
  EXPECT_EQ(fresh.chain().Tip().hash, honest_tip.hash);
  EXPECT_EQ(fresh.chain().StateRoot(), honest.chain().StateRoot());
  EXPECT_FALSE(fresh.chain().LookupBlock(fork.back()->Hash())->in_active_chain);
  fresh.Reopen();
  EXPECT_EQ(fresh.chain().Tip().hash, honest_tip.hash);
  EXPECT_EQ(fresh.chain().StateRoot(), honest.chain().StateRoot());
}

// The same headers stored in the tree but no blocks yet, then the blocks of
// the heavier branch: still adopted after a restart in between.
TEST(Chainstate, HeadersOfTheHeavierChainSurviveARestartBeforeItsBlocks) {
  const consensus::ChainParams params = RetargetingParams();
  Node cheap(params, Unsynced), honest(params, Unsynced), fresh(params, Unsynced);
  for (uint64_t h = 1; h <= 60; ++h) {
    ASSERT_TRUE(fresh.Submit(cheap.BuildAt({}, params.genesis_time + 15 * h, 7)).ok());
  }
  std::vector<std::shared_ptr<Block>> main_chain;
  for (uint64_t h = 1; h <= 50; ++h) {
    main_chain.push_back(honest.BuildAt({}, params.genesis_time + 2 * h));
    ASSERT_TRUE(honest.Submit(main_chain.back()).ok());
  }
  ASSERT_GT(honest.chain().Tip().chain_work, fresh.chain().Tip().chain_work);
  for (auto& b : main_chain) ASSERT_TRUE(fresh.chain().ProcessHeader(b->header).ok());
  fresh.Reopen();
  for (auto& b : main_chain) ASSERT_TRUE(fresh.Submit(b).ok());
  EXPECT_EQ(fresh.chain().Tip().hash, main_chain.back()->Hash());
}

// Without its undo record a block cannot be disconnected: the reorg stops
// the node with a clear corruption error instead of refusing by depth.
TEST(Chainstate, ReorgWithoutUndoStopsWithUndoMissing) {
  Node a, b;
  std::vector<std::shared_ptr<Block>> ba, bb;
  for (int i = 0; i < 3; ++i) ba.push_back(a.BuildAndSubmit({}, 10));
  for (int i = 0; i < 5; ++i) bb.push_back(b.BuildAndSubmit({}, 11));
  auto fatal_calls = std::make_shared<std::atomic<int>>(0);
  Node d(Params(), [fatal_calls](ChainstateOptions& o) {
    o.fatal_error = [fatal_calls](const Status&) { ++*fatal_calls; };
  });
  for (auto& blk : ba) ASSERT_TRUE(d.Submit(blk).ok());
  d.Close();
  {
    ChainDbOptions o;
    o.path = d.dir() / "chainstate";
    auto db = ChainDb::Open(o);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    WriteBatch batch;
    batch.Delete(MakeKey(dbkey::kUndo, ba.back()->Hash().span()));
    ASSERT_TRUE((*db)->Write(batch, /*sync=*/true).ok());
  }
  d.Reopen();
  Status last;
  for (auto& blk : bb) {
    last = d.Submit(blk);
    if (!last.ok()) break;
  }
  EXPECT_EQ(last.code(), "undo-missing") << last.ToString();
  EXPECT_EQ(last.kind(), StatusKind::kCorruption);
  EXPECT_EQ(*fatal_calls, 1);
  EXPECT_EQ(d.chain().Tip().hash, ba.back()->Hash());
}

TEST(Chainstate, InvalidateBlockMovesToTheBestValidChainAndReconsiderRestoresIt) {
  Node a, b;
  std::vector<std::shared_ptr<Block>> ba, bb;
  for (int i = 0; i < 5; ++i) ba.push_back(a.BuildAndSubmit({}, 10));
  for (int i = 0; i < 3; ++i) bb.push_back(b.BuildAndSubmit({}, 11));
  Node d;
  for (auto& blk : ba) ASSERT_TRUE(d.Submit(blk).ok());
  for (auto& blk : bb) ASSERT_TRUE(d.Submit(blk).ok());
  ASSERT_EQ(d.chain().Tip().hash, ba.back()->Hash());

  // Invalidate height 3 of the active branch: 2 blocks left there, so the
  // 3-block branch has the most valid work.
  ASSERT_TRUE(d.chain().InvalidateBlock(ba[2]->Hash()).ok());
  EXPECT_EQ(d.chain().Tip().hash, bb.back()->Hash());
  for (size_t i = 0; i < ba.size(); ++i) {
    EXPECT_EQ(d.chain().LookupBlock(ba[i]->Hash())->invalid, i >= 2) << i;
  }
  // A block arriving on the invalidated branch is refused, not stored.
  auto next = a.BuildAndSubmit({}, 10);
  EXPECT_EQ(d.Submit(next).code(), "bad-prevblk");
  EXPECT_FALSE(d.chain().LookupBlock(next->Hash()).has_value());
  EXPECT_EQ(d.chain().Tip().hash, bb.back()->Hash());
  // The mark is stored.
  d.Reopen();
  EXPECT_EQ(d.chain().Tip().hash, bb.back()->Hash());
  EXPECT_TRUE(d.chain().LookupBlock(ba[2]->Hash())->invalid);
  EXPECT_TRUE(d.chain().LookupBlock(ba[4]->Hash())->invalid);

  // Reconsider clears the block and its descendants: the longer branch
  // wins again, and extends.
  ASSERT_TRUE(d.chain().ReconsiderBlock(ba[2]->Hash()).ok());
  EXPECT_EQ(d.chain().Tip().hash, ba.back()->Hash());
  for (auto& blk : ba) EXPECT_FALSE(d.chain().LookupBlock(blk->Hash())->invalid);
  ASSERT_TRUE(d.Submit(next).ok());
  d.Reopen();
  EXPECT_EQ(d.chain().Tip().hash, next->Hash());

  // A side-branch block: marked, the tip stays; reconsidering a descendant
  // clears its ancestors too.
  ASSERT_TRUE(d.chain().InvalidateBlock(bb[0]->Hash()).ok());
  EXPECT_EQ(d.chain().Tip().hash, next->Hash());
  EXPECT_TRUE(d.chain().LookupBlock(bb[2]->Hash())->invalid);
  ASSERT_TRUE(d.chain().ReconsiderBlock(bb[2]->Hash()).ok());
  EXPECT_FALSE(d.chain().LookupBlock(bb[0]->Hash())->invalid);
  EXPECT_EQ(d.chain().Tip().hash, next->Hash());
}

TEST(Chainstate, InvalidateAndReconsiderRefuseBadTargets) {
  Node d;
  d.BuildAndSubmit({});
  EXPECT_EQ(d.chain().InvalidateBlock(Hash256()).code(), "block-not-found");
  EXPECT_EQ(d.chain().ReconsiderBlock(Hash256()).code(), "block-not-found");
  EXPECT_EQ(d.chain().InvalidateBlock(Params().GenesisHash()).code(), "invalidate-genesis");
  EXPECT_EQ(d.chain().Tip().height, 1u);
  // Reconsidering a valid block changes nothing.
  EXPECT_TRUE(d.chain().ReconsiderBlock(d.chain().Tip().hash).ok());
  EXPECT_EQ(d.chain().Tip().height, 1u);
}

// A reconsidered block that really breaks a rule fails again; the chain
// stays on the best valid block.
TEST(Chainstate, ReconsideringAnInvalidBlockFailsItAgain) {
  Node a, d;
  auto good = a.BuildAndSubmit({});
  ASSERT_TRUE(d.Submit(good).ok());
  auto bad = a.Build({});
  bad->header.state_root = Hash256();
  a.Mine(bad->header);
  EXPECT_FALSE(d.Submit(bad).ok());
  ASSERT_TRUE(d.chain().LookupBlock(bad->Hash())->invalid);
  Status s = d.chain().ReconsiderBlock(bad->Hash());
  EXPECT_EQ(s.code(), "block-bad-state-root") << s.ToString();
  EXPECT_TRUE(d.chain().LookupBlock(bad->Hash())->invalid);
  EXPECT_EQ(d.chain().Tip().hash, good->Hash());
}

TEST(Chainstate, FailedModuleCallChargesFeeAndReverts) {
  Node node;
  Transaction tx;
  tx.chain_id = Params().chain_id;
  tx.nonce = 0;
  tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
  tx.max_fee_per_gas = Uint256(100 * kWeiPerGwei);
  tx.gas_limit = 100000;
  tx.to = consensus::TestModuleAddress();
  tx.value = Uint256(12345);
  tx.data = abi::Encoder().String("nope").FinishCall(abi::SelectorOf("fail(string)"));
  tx.Sign(Key(3));
  auto vtx = MakeVerifiedTx(tx).value();
  const Uint256 before = node.chain().GetAccount(AddressOf(3)).balance;
  auto block = node.BuildAndSubmit({vtx});
  auto receipts = node.chain().ReadReceipts(block->Hash()).value();
  ASSERT_EQ(receipts.size(), 1u);
  EXPECT_EQ(receipts[0].status, 0);
  const consensus::Account after = node.chain().GetAccount(AddressOf(3));
  EXPECT_EQ(after.nonce, 1u);
  // Value came back; only the fee was charged.
  const Uint256 price = *CheckedAdd(block->header.base_fee, Uint256(kWeiPerGwei));
  const Uint256 fee = *CheckedMul(Uint256(receipts[0].gas_used), price);
  EXPECT_EQ(after.balance, *CheckedSub(before, fee));
  EXPECT_EQ(node.chain().GetAccount(consensus::TestModuleAddress()).balance, Uint256());
}

// The values of `keys` in `state`.
std::vector<std::optional<Bytes>> Values(const consensus::StateReader& state,
                                         const std::vector<Bytes>& keys) {
  std::vector<std::optional<Bytes>> out;
  for (const Bytes& key : keys) out.push_back(state.Get(key));
  return out;
}

Bytes TestModuleDepositKey(const Address& depositor) {
  Bytes key{'d'};
  key.insert(key.end(), depositor.begin(), depositor.end());
  return consensus::ModuleKey(consensus::TestModuleAddress(), key);
}

TEST(Chainstate, StateAtHeightIsTheStateWhenThatBlockWasTheTip) {
  Node node;
  const Address module = consensus::TestModuleAddress();
  const Address late = AddressOf(51);
  const std::vector<Bytes> keys = {
      consensus::AccountKey(AddressOf(1)), consensus::AccountKey(AddressOf(2)),
      consensus::AccountKey(AddressOf(3)), consensus::AccountKey(AddressOf(50)),
      consensus::AccountKey(late),         consensus::AccountKey(module),
      consensus::AccountKey(AddressOf(9)),  // the miner: changes in every block
      TestModuleDepositKey(AddressOf(3)),
  };
  const Bytes deposit = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
  const Bytes withdraw = abi::Encoder()
                             .Uint(Uint256(7 * kWeiPerGwei))
                             .FinishCall(abi::SelectorOf("withdraw(uint256)"));
  const std::vector<std::vector<TxRef>> blocks = {
      {Transfer(1, 0, AddressOf(50), 5), SignedTx(3, 0, module, 7, 100000, deposit)},
      {Transfer(2, 0, AddressOf(50), 3), Transfer(1, 1, AddressOf(2), 1)},
      {Transfer(1, 2, late, 4)},
      // Empties the module's escrow: its account is deleted (EIP-161).
      {SignedTx(3, 1, module, 0, 100000, withdraw)},
      {Transfer(2, 1, AddressOf(1), 2)},
  };
  std::vector<std::vector<std::optional<Bytes>>> at_tip = {
      Values(*node.chain().StateAtTip(), keys)};
  std::vector<Hash256> hashes = {node.chain().Tip().hash};
  for (const auto& txs : blocks) {
    auto block = node.BuildAndSubmit(txs);
    auto receipts = node.chain().ReadReceipts(block->Hash());
    ASSERT_TRUE(receipts.ok());
    for (const Receipt& r : *receipts) ASSERT_EQ(r.status, 1);
    at_tip.push_back(Values(*node.chain().StateAtTip(), keys));
    hashes.push_back(block->Hash());
  }
  // What the test relies on: `late` appears in block 3, the module account
  // and the deposit exist in blocks 1 to 3 only.
  for (size_t h = 0; h < at_tip.size(); ++h) {
    EXPECT_EQ(at_tip[h][4].has_value(), h >= 3) << h;
    EXPECT_EQ(at_tip[h][5].has_value(), h >= 1 && h <= 3) << h;
    EXPECT_EQ(at_tip[h][7].has_value(), h >= 1 && h <= 3) << h;
  }
  for (uint64_t h = 0; h < at_tip.size(); ++h) {
    auto by_height = node.chain().StateAtHeight(h);
    ASSERT_TRUE(by_height.ok()) << by_height.status().ToString();
    EXPECT_EQ(Values(**by_height, keys), at_tip[h]) << "height " << h;
    auto by_hash = node.chain().StateAtBlock(hashes[h]);
    ASSERT_TRUE(by_hash.ok()) << by_hash.status().ToString();
    EXPECT_EQ(Values(**by_hash, keys), at_tip[h]) << "height " << h;
    EXPECT_FALSE((*by_height)->Get(consensus::AccountKey(AddressOf(99))).has_value());
  }
  // Undo is on disk: a restarted node answers the same.
  node.Reopen();
  for (uint64_t h = 0; h < at_tip.size(); ++h) {
    EXPECT_EQ(Values(*node.chain().StateAtHeight(h).value(), keys), at_tip[h]) << "height " << h;
  }
}

TEST(Chainstate, StateAtHeightReachesBackStateHistoryDepthBlocks) {
  consensus::ChainParams deep = Params();
  deep.max_reorg_depth = 5000;
  EXPECT_EQ(Node(deep).chain().StateHistoryDepth(), kMaxStateHistoryDepth);

  Node node;  // max_reorg_depth 20: the history reaches as far
  ASSERT_EQ(node.chain().StateHistoryDepth(), 20u);
  const Bytes miner = consensus::AccountKey(AddressOf(9));
  std::vector<std::optional<Bytes>> miner_at = {std::nullopt};
  for (int i = 0; i < 22; ++i) {
    node.BuildAndSubmit({});
    miner_at.push_back(node.chain().StateAtTip()->Get(miner));
  }
  auto oldest = node.chain().StateAtHeight(2);
  ASSERT_TRUE(oldest.ok()) << oldest.status().ToString();
  EXPECT_EQ((*oldest)->Get(miner), miner_at[2]);
  EXPECT_NE(miner_at[2], miner_at[22]);
  auto too_old = node.chain().StateAtHeight(1);
  ASSERT_FALSE(too_old.ok());
  EXPECT_EQ(too_old.status().code(), "state-too-old");
  EXPECT_EQ(node.chain().StateAtHeight(0).status().code(), "state-too-old");
  EXPECT_EQ(node.chain().StateAtBlock(Params().GenesisHash()).status().code(), "state-too-old");
  EXPECT_EQ(node.chain().StateAtHeight(23).status().code(), "block-not-found");
  EXPECT_EQ(node.chain().StateAtBlock(Hash256()).status().code(), "block-not-found");
  EXPECT_EQ(node.chain().StateAtHeight(22).value()->Get(miner), miner_at[22]);
}

TEST(Chainstate, StateAtHeightFollowsTheActiveChainAfterAReorg) {
  Node a, b;
  const std::vector<Bytes> keys = {
      consensus::AccountKey(AddressOf(1)),  consensus::AccountKey(AddressOf(2)),
      consensus::AccountKey(AddressOf(70)), consensus::AccountKey(AddressOf(71)),
      consensus::AccountKey(AddressOf(10)), consensus::AccountKey(AddressOf(11))};
  std::vector<std::shared_ptr<Block>> ba, bb;
  for (uint64_t i = 0; i < 2; ++i)
    ba.push_back(a.BuildAndSubmit({Transfer(1, i, AddressOf(70), 1)}, 10));
  for (uint64_t i = 0; i < 3; ++i)
    bb.push_back(b.BuildAndSubmit({Transfer(2, i, AddressOf(71), 2)}, 11));

  Node d;
  for (auto& blk : ba) ASSERT_TRUE(d.Submit(blk).ok());
  auto before_reorg = d.chain().StateAtHeight(1).value();
  EXPECT_TRUE(before_reorg->Get(consensus::AccountKey(AddressOf(70))).has_value());
  for (auto& blk : bb) ASSERT_TRUE(d.Submit(blk).ok());
  ASSERT_EQ(d.chain().Tip().hash, bb.back()->Hash());
  for (uint64_t h = 0; h <= 3; ++h) {
    EXPECT_EQ(Values(*d.chain().StateAtHeight(h).value(), keys),
              Values(*b.chain().StateAtHeight(h).value(), keys))
        << "height " << h;
  }
  EXPECT_FALSE(
      d.chain().StateAtHeight(1).value()->Get(consensus::AccountKey(AddressOf(70))).has_value());
  EXPECT_EQ(d.chain().StateAtBlock(ba[0]->Hash()).status().code(), "block-not-active");
  // A view taken before the reorg still reads the branch it was taken on.
  EXPECT_TRUE(before_reorg->Get(consensus::AccountKey(AddressOf(70))).has_value());
  EXPECT_FALSE(before_reorg->Get(consensus::AccountKey(AddressOf(71))).has_value());
}

TEST(Chainstate, StateAtHeightIsConsistentWhileBlocksConnect) {
  // Each new block creates an account; the state after block 1 must never
  // show one, however the reader interleaves with the connects.
  Node node;
  node.BuildAndSubmit({});
  constexpr int kBlocks = 12;
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::atomic<int> wrong{0};
  std::thread reader([&] {
    while (!stop.load()) {
      auto view = node.chain().StateAtHeight(1);
      ++reads;
      if (!view.ok()) {
        ++wrong;
        continue;
      }
      for (int i = 0; i < kBlocks; ++i) {
        if ((*view)->Get(consensus::AccountKey(AddressOf(100 + i)))) ++wrong;
      }
    }
  });
  for (int i = 0; i < kBlocks; ++i) {
    node.BuildAndSubmit({Transfer(1, static_cast<uint64_t>(i), AddressOf(100 + i), 1)});
  }
  while (reads.load() < 3) std::this_thread::yield();
  stop = true;
  reader.join();
  EXPECT_EQ(wrong.load(), 0);
}

}  // namespace
}  // namespace depin::chain
