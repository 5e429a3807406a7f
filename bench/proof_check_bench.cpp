// Connecting a block of 100 proof-carrying txs (the regtest test module's
// provePoSt, each a PoSt over 4 sealed 8 MiB sectors) three ways, in one run:
//   - BM_ConnectPoStBlock/batch: the block's checks in one ProofCheckQueue,
//     split over every core, beside execution (what the node does);
//   - BM_ConnectPoStBlock/one_tx_at_a_time: each tx's proofs checked on their
//     own, one tx after the other on one thread, then the block connected
//     (what checking proofs inside each call would cost);
//   - BM_ConnectPoStBlock/cached: the proofs already verified at mempool
//     admission, so connecting checks none.
// Each iteration connects the block on a fresh copy of a one-block chain
// (without fsync, so the figures show CPU work). BM_CheckPoStBlockProofs
// times the proof checks alone: the batch queue against one tx at a time.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "chain/block_assembler.h"
#include "chain/chainstate.h"
#include "chain/proof_check_queue.h"
#include "consensus/abi.h"
#include "consensus/params.h"
#include "consensus/test_module.h"
#include "crypto/secp256k1.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"

namespace depin {
namespace {

constexpr size_t kTxs = 100;
constexpr size_t kSectors = 10;
constexpr size_t kSectorsPerProof = 4;

crypto::PrivateKey ProverKey(uint32_t i) { return bench::Key(0x44, i); }

struct PoStFixture {
  consensus::ChainParams params;
  consensus::ModuleRegistry modules;
  std::shared_ptr<const Block> block;
  std::filesystem::path base;
};

// No fsync: the block's one synced write would hide the proof work.
std::unique_ptr<chain::Chainstate> OpenChain(const PoStFixture& f, const std::string& dir) {
  return bench::OpenChain(f.params, f.modules, dir, /*sync_writes=*/false);
}

std::string BaseDir() {
  return (std::filesystem::temp_directory_path() /
          ("depin-bench-postblock-" + std::to_string(::getpid())))
      .string();
}

const PoStFixture& GetPoStFixture() {
  static PoStFixture* fixture = [] {
    namespace proofs = storage::proofs;
    auto* f = new PoStFixture;
    f->params = consensus::RegtestParams();
    for (uint32_t i = 0; i < kTxs; ++i) {
      f->params.genesis_alloc.push_back(
          {Address::FromPublicKey(ProverKey(i).GetPublicKey()), Dpn(10)});
    }
    f->modules.Register(consensus::MakeTestModule());
    f->base = BaseDir();
    std::filesystem::remove_all(f->base);
    std::filesystem::create_directories(f->base);
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(BaseDir(), ec);
    });
    const proofs::SectorSize size = proofs::SectorSize::Size8MiB();
    std::vector<std::unique_ptr<proofs::SectorStore>> stores;
    std::vector<proofs::PoStSectorInfo> infos;
    for (uint32_t s = 0; s < kSectors; ++s) {
      auto store = proofs::SectorStore::Open((f->base / ("sector" + std::to_string(s))).string());
      if (!store.ok()) std::abort();
      stores.push_back(std::make_unique<proofs::SectorStore>(std::move(store).value()));
      Bytes data(size.bytes());
      for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 131 + s);
      proofs::SealInputs in;
      in.size = size;
      in.sector_number = s;
      in.data = data;
      auto sealed = proofs::SealSector(in, *stores.back());
      if (!sealed.ok()) std::abort();
      infos.push_back({s, size, sealed->comm_r});
    }
    auto chain = OpenChain(*f, (f->base / "template").string());
    // Lookback 1 from block 1: the genesis hash is the challenge randomness.
    const Hash256 randomness = chain->Tip().hash;
    std::vector<TxRef> txs;
    for (uint32_t i = 0; i < kTxs; ++i) {
      proofs::PoStPublicInputs inputs{randomness, {}};
      std::vector<const proofs::SectorStore*> window;
      for (size_t k = 0; k < kSectorsPerProof; ++k) {
        const size_t s = (i + k) % kSectors;
        inputs.sectors.push_back(infos[s]);
        window.push_back(stores[s].get());
      }
      const Bytes proof = proofs::EncodePoStProof(proofs::GeneratePoSt(randomness, window).proof);
      Transaction tx;
      tx.chain_id = f->params.chain_id;
      tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
      tx.max_fee_per_gas = Uint256(10 * kWeiPerGwei);
      tx.gas_limit = 1'000'000;
      tx.to = consensus::TestModuleAddress();
      tx.data = abi::Encoder()
                    .Uint(Uint256(1))
                    .Bytes(proofs::EncodePoStPublicInputs(inputs))
                    .Bytes(proof)
                    .FinishCall(abi::SelectorOf("provePoSt(uint256,bytes,bytes)"));
      tx.Sign(ProverKey(i));
      txs.push_back(MakeVerifiedTx(tx).value());
    }
    auto built =
        chain::BuildBlock(*chain, chain->NextBlockContext(), *chain->StateAtTip(), std::move(txs),
                          Address(), f->params.genesis_time + 15, Hash256());
    if (!built.ok()) std::abort();
    BlockHeader& h = built->block->header;
    const Uint256 target = CompactToTarget(h.bits).value();
    while (!HashMeetsTarget(h.Hash(), target)) ++h.nonce;
    f->block = built->block;
    return f;
  }();
  return *fixture;
}

enum Mode : int64_t { kBatch = 0, kOneTxAtATime = 1, kCached = 2 };

void BM_ConnectPoStBlock(benchmark::State& state) {
  const PoStFixture& f = GetPoStFixture();
  const auto mode = static_cast<Mode>(state.range(0));
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = (f.base / ("run" + std::to_string(run++))).string();
    auto chain = OpenChain(f, dir);
    if (mode == kCached) {
      for (const TxRef& tx : f.block->txs) {
        if (!chain::CheckTxProofs(*tx, f.modules, &chain->proof_cache(), {}).ok()) std::abort();
      }
    }
    state.ResumeTiming();
    if (mode == kOneTxAtATime) {
      // Each tx on its own, one thread; the block then finds them cached.
      for (const TxRef& tx : f.block->txs) {
        Status s = chain::CheckTxProofs(*tx, f.modules, &chain->proof_cache(),
                                        {.threads = 1, .hash = nullptr, .device_min_checks = 4});
        if (!s.ok()) std::abort();
      }
    }
    if (!bench::ConnectFirstBlock(state, *chain, f.block)) break;
    state.PauseTiming();
    chain.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kTxs));
  state.counters["threads"] = std::max(1u, std::thread::hardware_concurrency());
}
BENCHMARK(BM_ConnectPoStBlock)
    ->ArgName("mode")
    ->Arg(kBatch)
    ->Arg(kOneTxAtATime)
    ->Arg(kCached)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10)
    ->UseRealTime();

void BM_CheckPoStBlockProofs(benchmark::State& state) {
  const PoStFixture& f = GetPoStFixture();
  const bool batch = state.range(0) == kBatch;
  for (auto _ : state) {
    if (batch) {
      Status s = chain::CheckBlockProofs(f.block->txs, f.modules, nullptr, {});
      if (!s.ok()) std::abort();
    } else {
      for (const TxRef& tx : f.block->txs) {
        Status s = chain::CheckTxProofs(*tx, f.modules, nullptr,
                                        {.threads = 1, .hash = nullptr, .device_min_checks = 4});
        if (!s.ok()) std::abort();
      }
    }
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kTxs));
}
BENCHMARK(BM_CheckPoStBlockProofs)
    ->ArgName("mode")
    ->Arg(kBatch)
    ->Arg(kOneTxAtATime)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace
}  // namespace depin
