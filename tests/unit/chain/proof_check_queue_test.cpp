// Proof checks: the queue's verdicts (first failure in tx order, whatever
// the thread count), malformed proof calls, the verified-proof cache shared
// by the mempool and block connection, and the block rule "block-bad-proof".
#include "chain/proof_check_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <vector>

#include "chain/mempool.h"
#include "chain/proof_cache.h"
#include "compute/gpu.h"
#include "consensus/abi.h"
#include "consensus/test_module.h"
#include "crypto/sha256.h"
#include "mempool_test_env.h"
#include "storage/proofs/post.h"
#include "unit/storage/proofs/proofs_test_util.h"

namespace depin::chain {
namespace {

using testing::ChainEnv;
using testing::TestKey;
using testing::TestParams;

// A module whose calls carry proofs: calldata is a list of 64-byte records
// (32 bytes of public input, 32 bytes of proof); a proof is valid when it is
// SHA-256 of its input. Counts the proofs it verifies. Its calls are not ABI
// calldata, so they revert in execution (no function table): only the
// stateless checks matter here.
class ProofModule final : public consensus::Module {
 public:
  Address address() const override { return ModuleAddress(0x0F10); }
  std::string_view name() const override { return "proof-test"; }
  const consensus::FunctionTable& functions() const override { return table_; }
  Result<std::vector<consensus::ProofCheck>> ProofChecks(ByteSpan calldata) const override {
    if (calldata.size() % 64 != 0) {
      return Status::Error("prooftest-malformed", "calldata is not whole 64-byte records");
    }
    std::vector<consensus::ProofCheck> checks;
    for (size_t i = 0; i < calldata.size(); i += 64) {
      consensus::ProofCheck c;
      c.kind = 1;
      c.public_inputs.assign(calldata.begin() + i, calldata.begin() + i + 32);
      c.proof.assign(calldata.begin() + i + 32, calldata.begin() + i + 64);
      checks.push_back(std::move(c));
    }
    return checks;
  }
  std::vector<Status> VerifyProofs(const std::vector<const consensus::ProofCheck*>& checks,
                                   const consensus::ProofCheckOptions&) const override {
    std::vector<Status> out;
    for (const consensus::ProofCheck* c : checks) {
      verified += 1;
      const Hash256 want = crypto::Sha256Hash(c->public_inputs);
      out.push_back(Bytes(want.begin(), want.end()) == c->proof
                        ? Status::Ok()
                        : Status::Error("prooftest-bad-proof", "proof is not H(input)"));
    }
    return out;
  }
  mutable std::atomic<uint64_t> verified{0};

 private:
  consensus::FunctionTable table_{{}, {}};
};

// A signed EIP-1559 call of `to` by test key `key`.
TxRef SignedCall(const ChainEnv& env, uint8_t key, uint64_t nonce, const Address& to, Bytes data,
                 uint64_t gas) {
  Transaction tx;
  tx.type = TxType::kDynamicFee;
  tx.chain_id = env.params().chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = Uint256(testing::kGwei);
  tx.max_fee_per_gas = Uint256(100 * testing::kGwei);
  tx.gas_limit = gas;
  tx.to = to;
  tx.data = std::move(data);
  tx.Sign(TestKey(key));
  return MakeVerifiedTx(std::move(tx)).value();
}

Bytes Record(uint8_t seed, bool valid) {
  Bytes input(32, seed);
  const Hash256 h = crypto::Sha256Hash(input);
  Bytes rec = input;
  rec.insert(rec.end(), h.begin(), h.end());
  if (!valid) rec.back() ^= 1;
  return rec;
}

Bytes Records(std::initializer_list<std::pair<uint8_t, bool>> list) {
  Bytes out;
  for (auto [seed, valid] : list) {
    Bytes r = Record(seed, valid);
    out.insert(out.end(), r.begin(), r.end());
  }
  return out;
}

class ProofChecks : public ::testing::Test {
 protected:
  ProofChecks() : module_(std::make_shared<ProofModule>()), env_(TestParams(), {module_}) {}

  TxRef ProofTx(uint8_t key, uint64_t nonce, Bytes calldata) {
    return SignedCall(env_, key, nonce, module_->address(), std::move(calldata), 200000);
  }
  consensus::ModuleRegistry Registry() {
    consensus::ModuleRegistry r;
    r.Register(module_);
    return r;
  }

  std::shared_ptr<ProofModule> module_;
  ChainEnv env_;
};

TEST_F(ProofChecks, FirstFailureInTxOrderWhateverTheThreadCount) {
  consensus::ModuleRegistry modules = Registry();
  std::vector<TxRef> txs = {
      ProofTx(1, 0, Records({{1, true}, {2, true}})),
      env_.Transfer(TestKey(2), 0, Uint256(testing::kGwei), Uint256(100 * testing::kGwei)),
      ProofTx(3, 0, Records({{3, true}, {4, false}})),
      ProofTx(4, 0, Records({{5, false}})),
  };
  for (unsigned threads : {1u, 2u, 7u}) {
    ProofCheckStats stats;
    Status s =
        CheckBlockProofs(txs, modules, nullptr,
                         {.threads = threads, .hash = nullptr, .device_min_checks = 4}, &stats);
    EXPECT_EQ(s.code(), "block-bad-proof") << threads;
    EXPECT_EQ(s.kind(), StatusKind::kInvalid);
    EXPECT_NE(s.message().find("tx 2 (" + txs[2]->hash.Hex() + "): prooftest-bad-proof"),
              std::string::npos)
        << s.message();
    EXPECT_EQ(stats.checks, 5u);
    EXPECT_EQ(stats.verified, 5u);
  }
  txs.resize(2);
  EXPECT_TRUE(CheckBlockProofs(txs, modules, nullptr, {}).ok());
}

TEST_F(ProofChecks, MalformedOrTooManyProofsFailCleanly) {
  consensus::ModuleRegistry modules = Registry();
  Bytes malformed = Records({{1, true}});
  malformed.pop_back();
  Status s = CheckTxProofs(*ProofTx(1, 0, malformed), modules, nullptr, {});
  EXPECT_EQ(s.code(), "prooftest-malformed");
  EXPECT_EQ(s.kind(), StatusKind::kInvalid);
  EXPECT_EQ(CheckBlockProofs({ProofTx(1, 0, malformed)}, modules, nullptr, {}).code(),
            "prooftest-malformed");
  Bytes many;
  for (size_t i = 0; i <= consensus::kMaxProofChecksPerTx; ++i) {
    Bytes r = Record(static_cast<uint8_t>(i), true);
    many.insert(many.end(), r.begin(), r.end());
  }
  EXPECT_EQ(CheckTxProofs(*ProofTx(1, 0, many), modules, nullptr, {}).code(), "tx-too-many-proofs");
  EXPECT_EQ(module_->verified.load(), 0u) << "nothing verified for a refused tx";
}

TEST_F(ProofChecks, CacheSkipsVerifiedProofsAndNeverHoldsFailures) {
  consensus::ModuleRegistry modules = Registry();
  VerifiedProofCache cache;
  TxRef good = ProofTx(1, 0, Records({{1, true}, {2, true}}));
  TxRef bad = ProofTx(2, 0, Records({{3, true}, {4, false}}));
  ASSERT_TRUE(CheckTxProofs(*good, modules, &cache, {}).ok());
  EXPECT_EQ(cache.size(), 2u);
  EXPECT_EQ(CheckTxProofs(*bad, modules, &cache, {}).code(), "tx-bad-proof");
  EXPECT_EQ(cache.size(), 3u) << "the good proof of the bad tx is cached, the bad one is not";
  module_->verified = 0;

  ProofCheckStats stats;
  ASSERT_TRUE(CheckBlockProofs({good}, modules, &cache, {}, &stats).ok());
  EXPECT_EQ(stats.cache_hits, 2u);
  EXPECT_EQ(stats.verified, 0u);
  EXPECT_EQ(module_->verified.load(), 0u);
  EXPECT_EQ(cache.size(), 1u) << "a block consumes the proofs it used";
  // The bad proof is checked (and fails) every time.
  EXPECT_EQ(CheckBlockProofs({bad}, modules, &cache, {}, &stats).code(), "block-bad-proof");
  EXPECT_EQ(stats.cache_hits, 1u);
  EXPECT_EQ(stats.verified, 1u);
}

TEST(VerifiedProofCache, ForgetsTheOldestBeyondItsBound) {
  VerifiedProofCache cache(/*max_entries=*/3);
  auto id = [](uint8_t i) { return crypto::Sha256Hash(Bytes(1, i)); };
  for (uint8_t i = 0; i < 5; ++i) cache.Insert(id(i));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_FALSE(cache.Contains(id(0)));
  EXPECT_FALSE(cache.Contains(id(1)));
  EXPECT_TRUE(cache.Contains(id(4)));
  EXPECT_TRUE(cache.Erase(id(4)));
  EXPECT_FALSE(cache.Erase(id(4)));
  for (uint8_t i = 10; i < 40; ++i) cache.Insert(id(i));
  EXPECT_EQ(cache.size(), 3u);
  EXPECT_TRUE(cache.Contains(id(39)));
}

TEST_F(ProofChecks, MempoolRefusesABadProofAndTheBlockReusesTheCache) {
  Mempool pool(MempoolOptions{}, env_.chain());
  Status bad = pool.Add(ProofTx(1, 0, Records({{1, false}})));
  EXPECT_EQ(bad.code(), "tx-bad-proof");
  EXPECT_EQ(bad.kind(), StatusKind::kInvalid);
  ASSERT_TRUE(pool.Add(ProofTx(2, 0, Records({{2, true}, {3, true}}))).ok());
  EXPECT_EQ(module_->verified.load(), 3u);
  auto block = env_.MineBlock(&pool, testing::AddressOf(TestKey(9)));
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(block->txs.size(), 1u);
  EXPECT_EQ(env_.chain().Tip().hash, block->Hash());
  EXPECT_EQ(module_->verified.load(), 3u) << "connecting the block checked no proof again";
  EXPECT_EQ(env_.chain().proof_cache().size(), 0u);
}

TEST_F(ProofChecks, BlockWithABadProofIsInvalid) {
  // Build a block around a tx the mempool would refuse: the chainstate must
  // refuse it on its own.
  Mempool pool(MempoolOptions{}, env_.chain());
  TxRef tx = ProofTx(1, 0, Records({{7, true}}));
  ASSERT_TRUE(pool.Add(tx).ok());
  auto good = env_.MineBlock(&pool, testing::AddressOf(TestKey(9)));
  ASSERT_NE(good, nullptr);

  ChainEnv other(TestParams(), {module_});
  TxRef bad_tx = ProofTx(1, 0, Records({{7, false}}));
  auto next = other.chain().NextBlockContext();
  auto built = BuildBlock(other.chain(), next, *other.chain().StateAtTip(), {bad_tx},
                          testing::AddressOf(TestKey(9)), static_cast<uint64_t>(std::time(nullptr)),
                          Hash256());
  ASSERT_TRUE(built.ok()) << built.status().ToString();
  std::shared_ptr<Block> block = built->block;
  SearchResult found = SearchNonce(
      block->header, CompactToTarget(block->header.bits).value(), 1, [] { return false; }, nullptr);
  ASSERT_TRUE(found.found);
  block->header.nonce = found.nonce;
  BlockAcceptance acceptance;
  Status s = other.chain().ProcessBlock(block, &acceptance);
  EXPECT_EQ(s.code(), "block-bad-proof");
  EXPECT_EQ(acceptance, BlockAcceptance::kInvalid);
  EXPECT_EQ(other.chain().Tip().height, 0u);
}

// The regtest test module's provePoSt: a real PoSt checked by the
// storage/proofs BatchVerifier before execution, then its randomness
// compared with the chain's during execution.
class ProvePoSt : public ::testing::Test {
 protected:
  ProvePoSt()
      : env_(TestParams(), {consensus::MakeTestModule()}), pool_(MempoolOptions{}, env_.chain()) {
    using namespace storage::proofs;
    store_ = std::make_unique<SectorStore>(*SectorStore::Open(dir_.Sub("sector")));
    auto sealed =
        SealSector(storage::proofs::testing::TestInputs(
                       SectorSize::Size2KiB(), storage::proofs::testing::PatternData(2048, 5), 12),
                   *store_);
    EXPECT_TRUE(sealed.ok());
    comm_r_ = sealed->comm_r;
  }

  // provePoSt(lookback, inputs, proof) with a proof for `randomness`.
  TxRef Tx(uint8_t key, uint64_t nonce, uint64_t lookback, const Hash256& randomness,
           bool corrupt = false) {
    using namespace storage::proofs;
    PoStPublicInputs in{randomness, {{12, SectorSize::Size2KiB(), comm_r_}}};
    const std::vector<const SectorStore*> stores = {store_.get()};
    Bytes proof = EncodePoStProof(GeneratePoSt(randomness, stores).proof);
    if (corrupt) proof[proof.size() - 3] ^= 1;
    return Call(key, nonce,
                abi::Encoder()
                    .Uint(Uint256(lookback))
                    .Bytes(EncodePoStPublicInputs(in))
                    .Bytes(proof)
                    .FinishCall(abi::SelectorOf("provePoSt(uint256,bytes,bytes)")));
  }
  TxRef Call(uint8_t key, uint64_t nonce, Bytes data) {
    return SignedCall(env_, key, nonce, consensus::TestModuleAddress(), std::move(data), 500000);
  }

  storage::proofs::testing::ScratchDir dir_;
  std::unique_ptr<storage::proofs::SectorStore> store_;
  Hash256 comm_r_;
  ChainEnv env_;
  Mempool pool_;
};

TEST_F(ProvePoSt, ValidProofForTheChainsRandomnessSucceeds) {
  const Hash256 tip = env_.chain().Tip().hash;  // lookback 1 from the next block
  TxRef good = Tx(1, 0, /*lookback=*/1, tip);
  ASSERT_TRUE(pool_.Add(good).ok());
  EXPECT_EQ(env_.chain().proof_cache().size(), 1u);
  auto block = env_.MineBlock(&pool_, testing::AddressOf(TestKey(9)));
  ASSERT_NE(block, nullptr);
  auto receipts = env_.chain().ReadReceipts(block->Hash());
  ASSERT_TRUE(receipts.ok());
  ASSERT_GE(receipts->size(), 1u);
  EXPECT_EQ((*receipts)[0].status, 1);
  ASSERT_EQ((*receipts)[0].logs.size(), 1u);
  EXPECT_EQ((*receipts)[0].logs[0].topics[0],
            abi::EventTopic("PoStProven(address,bytes32,uint256)"));
  EXPECT_EQ(env_.chain().proof_cache().size(), 0u) << "the block consumed the cached proof";
}

TEST_F(ProvePoSt, ValidProofForOtherRandomnessRevertsWithTheFeeCharged) {
  // The proof itself is sound, so the tx is valid; its public inputs do not
  // match the chain, so the call reverts (status 0).
  TxRef stale = Tx(1, 0, /*lookback=*/1, crypto::Sha256Hash(Bytes{1, 2, 3}));
  ASSERT_TRUE(pool_.Add(stale).ok());
  auto block = env_.MineBlock(&pool_, testing::AddressOf(TestKey(9)));
  ASSERT_NE(block, nullptr);
  ASSERT_EQ(block->txs.size(), 1u);
  auto receipts = env_.chain().ReadReceipts(block->Hash());
  ASSERT_TRUE(receipts.ok());
  EXPECT_EQ((*receipts)[0].status, 0);
  EXPECT_GT((*receipts)[0].gas_used, 21000u);
}

TEST_F(ProvePoSt, BadOrMalformedProofsMakeTheTxInvalid) {
  const Hash256 tip = env_.chain().Tip().hash;
  Status bad = pool_.Add(Tx(1, 0, 1, tip, /*corrupt=*/true));
  EXPECT_EQ(bad.code(), "tx-bad-proof");
  EXPECT_NE(bad.message().find("post-"), std::string::npos) << bad.message();
  Bytes truncated = Tx(2, 0, 1, tip)->tx.data;
  truncated.resize(truncated.size() - 40);
  Status malformed = pool_.Add(Call(2, 0, truncated));
  EXPECT_EQ(malformed.code(), "testmod-bad-post-call");
  EXPECT_EQ(malformed.kind(), StatusKind::kInvalid);
  // Garbage public inputs decode as a proof check and fail cleanly.
  Status garbage =
      pool_.Add(Call(3, 0,
                     abi::Encoder()
                         .Uint(Uint256(1))
                         .Bytes(Bytes(7, 0xEE))
                         .Bytes(Bytes(9, 0xEE))
                         .FinishCall(abi::SelectorOf("provePoSt(uint256,bytes,bytes)"))));
  EXPECT_EQ(garbage.code(), "tx-bad-proof");
  EXPECT_EQ(pool_.Size(), 0u);
  EXPECT_EQ(env_.chain().proof_cache().size(), 0u);
}

// A block's proofs on a real OpenCL device (PoCL in CI): the same verdict as
// on the CPU, a batch under the device threshold stays on the CPU, and a
// device that fails mid-batch leaves the verdict unchanged.
TEST_F(ProvePoSt, DeviceBatchesGiveTheCpuVerdict) {
  compute::GpuOptions gpu_options;
  gpu_options.mode = compute::GpuMode::kOpenCl;
  gpu_options.min_batch = 1;
  auto gpu = compute::Gpu::Open(gpu_options);
  ASSERT_TRUE(gpu->active()) << gpu->why_inactive();
  const Hash256 tip = env_.chain().Tip().hash;
  std::vector<TxRef> txs;
  for (uint8_t key = 1; key <= 6; ++key) txs.push_back(Tx(key, 0, 1, tip, /*corrupt=*/key == 4));
  const consensus::ModuleRegistry& modules = env_.chain().modules();
  const Status cpu = CheckBlockProofs(txs, modules, nullptr,
                                      {.threads = 2, .hash = nullptr, .device_min_checks = 4});
  EXPECT_EQ(cpu.code(), "block-bad-proof");
  const consensus::ProofCheckOptions on_device{
      .threads = 2, .hash = gpu->hash_backend(), .device_min_checks = 4};
  EXPECT_EQ(CheckBlockProofs(txs, modules, nullptr, on_device).ToString(), cpu.ToString());
  EXPECT_GE(gpu->counters().device_batches, 1u);
  // Two checks: under device_min_checks, the CPU threads verify them.
  const uint64_t before = gpu->counters().device_batches;
  const std::vector<TxRef> two = {txs[0], txs[1]};
  EXPECT_TRUE(CheckBlockProofs(two, modules, nullptr, on_device).ok());
  EXPECT_EQ(gpu->counters().device_batches, before);
  // Every device call fails: the batch is redone on the CPU, same verdict.
  gpu->device()->InjectFaults(1000);
  EXPECT_EQ(CheckBlockProofs(txs, modules, nullptr, on_device).ToString(), cpu.ToString());
  EXPECT_GE(gpu->counters().fallbacks, 1u);
  gpu->device()->InjectFaults(0);
}

}  // namespace
}  // namespace depin::chain
