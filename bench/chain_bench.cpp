// Connecting a block of 10,000 transfers: decode with parallel sender
// recovery, execute, LtHash state root, undo and one synced LevelDB batch.
// Compare with BM_Secp256k1RawRecover x cores from the same run.
// BM_ConnectBlock10kTransfersSignals/0 and /3: the same through a chainstate
// with validation signals and no subscriber, next to three real ones (the
// tx index, eth_newFilter filters with a block and a log filter, a relay-like
// header collector); the connect must not wait for them (target >= 0.97x).
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "bench_util.h"
#include "chain/block_assembler.h"
#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "consensus/executor.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "index/tx_index.h"
#include "rpc/eth_filters.h"

namespace depin {
namespace {

constexpr size_t kTxs = 10000;

crypto::PrivateKey BenchKey(uint32_t i) { return bench::Key(0x33, i); }

struct Fixture {
  consensus::ChainParams params;
  consensus::ModuleRegistry modules;
  Bytes raw_block;
  std::filesystem::path base;
};

std::unique_ptr<chain::Chainstate> OpenChain(const Fixture& f, const std::string& dir,
                                             chain::ValidationSignals* signals = nullptr) {
  return bench::OpenChain(f.params, f.modules, dir, /*sync_writes=*/true, signals);
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
    if (!bench::DecodeAndConnectFirstBlock(state, *chain, f.raw_block, f.params.max_block_size,
                                           threads)) {
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

// Collects connected headers, as relay does before announcing them.
class HeaderCollector : public chain::ValidationInterface {
 public:
  void BlockConnected(const chain::BlockEvent& event) override {
    headers_.push_back(event.block->header);
  }
  size_t size() const { return headers_.size(); }

 private:
  std::vector<BlockHeader> headers_;
};

void BM_ConnectBlock10kTransfersSignals(benchmark::State& state) {
  const Fixture& f = GetFixture();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  const int64_t subscribers = state.range(0);
  int run = 0;
  double delivery_ms = 0;
  for (auto _ : state) {
    state.PauseTiming();
    const std::filesystem::path dir = f.base / ("signals" + std::to_string(run++));
    chain::ValidationSignals signals(chain::ValidationSignalsOptions{});
    auto chain = OpenChain(f, dir.string(), &signals);
    std::unique_ptr<index::TxIndex> tx_index;
    std::unique_ptr<EthFilters> filters;
    HeaderCollector headers;
    if (subscribers >= 3) {
      index::IndexOptions o;
      o.datadir = dir;
      tx_index = std::make_unique<index::TxIndex>(*chain, o);
      if (!tx_index->Start().ok()) std::abort();
      while (!tx_index->synced()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
      filters = std::make_unique<EthFilters>(chain.get());
      if (!filters->NewBlockFilter("bench").ok() ||
          !filters->NewLogFilter("bench", {}, 0, std::nullopt).ok()) {
        std::abort();
      }
      signals.Register(&headers);
    }
    state.ResumeTiming();
    if (!bench::DecodeAndConnectFirstBlock(state, *chain, f.raw_block, f.params.max_block_size,
                                           threads)) {
      break;
    }
    state.PauseTiming();
    // Not part of the connect: how long the subscribers then take.
    const auto delivered_from = std::chrono::steady_clock::now();
    signals.SyncWithValidationQueue();
    delivery_ms +=
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - delivered_from)
            .count();
    if (subscribers >= 3) {
      if (headers.size() != 1 || tx_index->Summary().best_block_height != 1) std::abort();
      signals.Unregister(&headers);
    }
    filters.reset();
    tx_index.reset();
    chain.reset();
    signals.Stop();
    std::filesystem::remove_all(dir);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kTxs));
  state.counters["subscribers"] = static_cast<double>(subscribers);
  state.counters["delivery_ms"] =
      state.iterations() > 0 ? delivery_ms / static_cast<double>(state.iterations()) : 0;
}
BENCHMARK(BM_ConnectBlock10kTransfersSignals)
    ->Arg(0)
    ->Arg(3)
    ->Unit(benchmark::kMillisecond)
    ->Iterations(5)
    ->UseRealTime();

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
