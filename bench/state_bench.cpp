// State-root and state-store throughput for a block of 20,000 changes:
//  - LtHash16 ApplyDiff (remove old + add new entry per change) on one thread
//    and on every core, in entries per second. Each entry costs 65 SHA-256
//    compressions (one for key || value, 64 for the counter blocks), so
//    BM_Sha256CounterBlocks (the counter-mode fast path) divided by 64 is
//    the single-thread ceiling; BM_Sha256Batch_36B hashes the same messages
//    through the generic batch path, for comparison.
//  - WriteDiff of 20,000 account changes plus the tip lanes, written as one
//    synced LevelDB batch, as a block connect does.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstring>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "chain/chain_db.h"
#include "chain/state_store.h"
#include "consensus/state.h"
#include "consensus/state_root.h"
#include "crypto/lthash.h"
#include "crypto/sha256.h"

namespace depin {
namespace {

constexpr size_t kChanges = 20000;

Address BenchAddress(uint32_t i) {
  Address a;
  WriteBE32(a.data() + 16, i);
  a[0] = 0x42;
  return a;
}

// Account updates: every change has a before and an after (2 entries).
consensus::StateDiff AccountDiff(uint64_t round) {
  consensus::StateDiff diff;
  diff.reserve(kChanges);
  for (uint32_t i = 0; i < kChanges; ++i) {
    consensus::Account before{round, Uint256(1000000 + i)};
    consensus::Account after{round + 1, Uint256(999000 + i)};
    diff.push_back({consensus::AccountKey(BenchAddress(i)), consensus::EncodeAccount(before),
                    consensus::EncodeAccount(after)});
  }
  return diff;
}

void BM_LtHashApplyDiff(benchmark::State& state) {
  const unsigned threads = static_cast<unsigned>(state.range(0));
  const consensus::StateDiff diff = AccountDiff(0);
  crypto::LtHash16 lanes;
  for (auto _ : state) {
    consensus::ApplyDiff(lanes, diff, threads);
    benchmark::DoNotOptimize(lanes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * 2 * kChanges));
  state.counters["changes/s"] = benchmark::Counter(
      static_cast<double>(state.iterations() * kChanges), benchmark::Counter::kIsRate);
  state.SetLabel(std::to_string(threads) + " thread(s), " + crypto::Sha256BatchImplName() +
                 "; items = entries");
}
BENCHMARK(BM_LtHashApplyDiff)
    ->Arg(1)
    ->Arg(static_cast<int64_t>(std::max(1u, std::thread::hardware_concurrency())))
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// The SHA-256 work of one entry's expansion, alone: 64 one-block messages.
void BM_Sha256CounterBlocks(benchmark::State& state) {
  constexpr size_t kSeeds = 64;
  std::vector<uint8_t> out(crypto::LtHash16::kExpandBlocks * 32);
  uint8_t seed[32];
  std::memset(seed, 0x5a, sizeof(seed));
  for (auto _ : state) {
    for (size_t i = 0; i < kSeeds; ++i) {
      seed[0] = static_cast<uint8_t>(i);
      crypto::Sha256CounterBlocks(seed, crypto::LtHash16::kExpandBlocks, out.data());
      benchmark::DoNotOptimize(out.data());
    }
  }
  state.SetItemsProcessed(
      static_cast<int64_t>(state.iterations() * kSeeds * crypto::LtHash16::kExpandBlocks));
  state.SetLabel(crypto::Sha256BatchImplName() + "; items = 64-byte blocks");
}
BENCHMARK(BM_Sha256CounterBlocks);

void BM_Sha256Batch_36B(benchmark::State& state) {
  constexpr size_t kMessages = 4096;
  std::vector<uint8_t> in(kMessages * 36, 0x5a);
  std::vector<uint8_t> out(kMessages * 32);
  for (auto _ : state) {
    crypto::Sha256Batch(in.data(), 36, kMessages, out.data());
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kMessages));
  state.SetLabel(crypto::Sha256BatchImplName() + "; items = 64-byte blocks");
}
BENCHMARK(BM_Sha256Batch_36B);

void BM_LtHashAddEntry(benchmark::State& state) {
  const Bytes key = consensus::AccountKey(BenchAddress(1));
  const Bytes value = consensus::EncodeAccount(consensus::Account{1, Uint256(5)});
  crypto::LtHash16 lanes;
  for (auto _ : state) {
    lanes.Add(key, value);
    benchmark::DoNotOptimize(lanes);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_LtHashAddEntry);

void BM_StateWriteDiffSynced(benchmark::State& state) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("depin_state_bench_" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  {
    chain::ChainDbOptions options;
    options.path = dir;
    auto db = chain::ChainDb::Open(options);
    if (!db.ok()) {
      state.SkipWithError(db.status().ToString().c_str());
      return;
    }
    crypto::LtHash16 lanes;
    uint64_t round = 0;
    for (auto _ : state) {
      state.PauseTiming();
      const consensus::StateDiff diff = AccountDiff(round++);
      state.ResumeTiming();
      chain::WriteBatch batch;
      chain::StateStore::WriteDiff(batch, diff);
      chain::StateStore::WriteTipLtHash(batch, lanes);
      const Status s = (*db)->Write(batch, /*sync=*/true);
      if (!s.ok()) {
        state.SkipWithError(s.ToString().c_str());
        break;
      }
    }
    state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * kChanges));
    state.SetLabel("items = account changes, one synced batch per iteration");
  }
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StateWriteDiffSynced)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace depin
