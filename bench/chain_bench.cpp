// Connecting a block of 10,000 transfers: decode with parallel sender
// recovery, execute, LtHash state root, undo and one synced LevelDB batch.
// Compare with BM_Secp256k1RawRecover x cores from the same run.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/chainstate.h"
#include "consensus/executor.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"

namespace depin {
namespace {

constexpr size_t kTxs = 10000;

crypto::PrivateKey BenchKey(uint32_t i) {
  Bytes secret(32, 0x33);
  WriteBE32(secret.data() + 28, i + 1);
  return crypto::PrivateKey::FromBytes(secret).value();
}

struct Fixture {
  consensus::ChainParams params;
  consensus::ModuleRegistry modules;
  Bytes raw_block;
  std::filesystem::path base;
};

std::unique_ptr<chain::Chainstate> OpenChain(const Fixture& f, const std::string& dir) {
  chain::ChainstateOptions options;
  options.datadir = dir;
  options.sync_writes = true;
  auto opened = chain::Chainstate::Open(f.params, f.modules, options);
  if (!opened.ok()) std::abort();
  return std::move(opened).value();
}

// Builds (once) a regtest chain whose genesis funds kTxs senders and a block
// in which each sends one transfer to a fresh address.
const Fixture& GetFixture() {
  static Fixture* fixture = [] {
    auto* f = new Fixture;
    f->params = consensus::RegtestParams();
    std::vector<crypto::PrivateKey> keys;
    for (uint32_t i = 0; i < kTxs; ++i) {
      keys.push_back(BenchKey(i));
      f->params.genesis_alloc.push_back(
          {Address::FromPublicKey(keys.back().GetPublicKey()), Dpn(10)});
    }
    f->base = std::filesystem::temp_directory_path() /
              ("depin-bench-connect-" + std::to_string(::getpid()));
    std::filesystem::remove_all(f->base);
    // The template chain and the execute benchmark's copy go at exit.
    std::atexit([] {
      std::error_code ec;
      std::filesystem::remove_all(std::filesystem::temp_directory_path() /
                                      ("depin-bench-connect-" + std::to_string(::getpid())),
                                  ec);
    });
    auto chain = OpenChain(*f, (f->base / "template").string());
    std::vector<TxRef> txs;
    for (uint32_t i = 0; i < kTxs; ++i) {
      Transaction tx;
      tx.chain_id = f->params.chain_id;
      tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
      tx.max_fee_per_gas = Uint256(10 * kWeiPerGwei);
      tx.gas_limit = 21000;
      Address to;
      WriteBE32(to.data() + 16, 0x10000000 + i);
      tx.to = to;
      tx.value = Uint256(1000);
      tx.Sign(keys[i]);
      txs.push_back(MakeVerifiedTx(tx).value());
    }
    auto built =
        chain::BuildBlock(*chain, chain->NextBlockContext(), *chain->StateAtTip(), std::move(txs),
                          Address(), f->params.genesis_time + 15, Hash256());
    if (!built.ok()) std::abort();
    Block& block = *built->block;
    BlockHeader& h = block.header;
    const Uint256 target = CompactToTarget(h.bits).value();
    while (!HashMeetsTarget(h.Hash(), target)) ++h.nonce;
    f->raw_block = block.Serialize();
    return f;
  }();
  return *fixture;
}

void BM_ConnectBlock10kTransfers(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  int run = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::string dir = (f.base / ("run" + std::to_string(run++))).string();
    auto chain = OpenChain(f, dir);
    state.ResumeTiming();
    auto block = DecodeBlock(f.raw_block, f.params.max_block_size, threads);
    if (!block.ok()) {
      state.SkipWithError(block.status().ToString().c_str());
      break;
    }
    Status s = chain->ProcessBlock(std::make_shared<const Block>(std::move(block).value()));
    if (!s.ok() || chain->Tip().height != 1) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
    state.PauseTiming();
    chain.reset();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kTxs));
  state.counters["threads"] = threads;
}
BENCHMARK(BM_ConnectBlock10kTransfers)->Unit(benchmark::kMillisecond)->Iterations(5)->UseRealTime();

// The execution step of the same block alone (state reads through the
// LevelDB-backed tip view, StateCache, receipts, diff), without decoding,
// state root or writes.
void BM_ExecuteBlock10kTransfers(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const std::string dir = (f.base / "execute").string();
  auto chain = OpenChain(f, dir);
  auto block = DecodeBlock(f.raw_block, f.params.max_block_size, 2);
  if (!block.ok()) {
    state.SkipWithError(block.status().ToString().c_str());
    return;
  }
  auto ctx = chain->BlockContextFor(block->header);
  if (!ctx.ok()) {
    state.SkipWithError(ctx.status().ToString().c_str());
    return;
  }
  auto view = chain->StateAtTip();
  for (auto _ : state) {
    auto exec = consensus::ExecuteBlock(*view, *ctx, block->txs, f.modules, f.params);
    if (!exec.ok()) {
      state.SkipWithError(exec.status().ToString().c_str());
      break;
    }
    benchmark::DoNotOptimize(exec->gas_used);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kTxs));
}
BENCHMARK(BM_ExecuteBlock10kTransfers)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace depin
