// The device paths (compute/gpu.h) against the CPU on the same machine:
// PoW nonce search, batch Merkle-path verification of PoSt proofs, and the
// trees of a sector. Each benchmark takes the backend as its first argument:
// 0 = the CPU (all cores), 1 = OpenCL (the first OpenCL device, PoCL's CPU
// device in CI), 2 = CUDA (the first CUDA device). A backend this machine
// lacks is reported as skipped with the reason. contrib/bench/gpu.sh runs
// the figures docs/BENCHMARKS.md records.
#include <benchmark/benchmark.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <random>
#include <thread>

#include "chain/miner.h"
#include "compute/gpu.h"
#include "crypto/sha256.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/parallel.h"
#include "synthetic_proofs.h"

namespace depin {
namespace {

using Clock = std::chrono::steady_clock;
using storage::proofs::SectorSize;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// The device of backend `arg` (1 OpenCL, 2 CUDA), opened once per process;
// null with the reason in `why` when there is none.
compute::Gpu* DeviceFor(int64_t arg, std::string* why) {
  static std::map<int64_t, std::unique_ptr<compute::Gpu>> opened;
  auto& slot = opened[arg];
  if (!slot) {
    compute::GpuOptions options;
    options.mode = arg == 2 ? compute::GpuMode::kCuda : compute::GpuMode::kOpenCl;
    options.min_batch = 1;
    slot = compute::Gpu::Open(options);
  }
  if (!slot->active()) {
    *why = std::string(arg == 2 ? "no CUDA device: " : "no OpenCL device: ") + slot->why_inactive();
    return nullptr;
  }
  return slot.get();
}

// Skips the benchmark when backend `arg` is missing; the Gpu otherwise
// (null for the CPU).
bool Backend(benchmark::State& state, compute::Gpu** gpu) {
  *gpu = nullptr;
  if (state.range(0) == 0) return true;
  std::string why;
  *gpu = DeviceFor(state.range(0), &why);
  if (*gpu == nullptr) {
    state.SkipWithError(why.c_str());
    return false;
  }
  state.SetLabel((*gpu)->device()->info().id() + " " + (*gpu)->device()->info().name);
  return true;
}

BlockHeader BenchHeader() {
  BlockHeader h;
  h.height = 1234;
  h.timestamp = 1'700'000'000;
  h.bits = 0x1d00ffff;
  for (size_t i = 0; i < 32; ++i) h.parent_hash[i] = static_cast<uint8_t>(i);
  return h;
}

// PoW: SHA-256d nonces per second against a target nothing meets, so every
// nonce of the range is hashed. arg1 = log2(nonces per iteration).
void BM_GpuPowSearch(benchmark::State& state) {
  compute::Gpu* gpu = nullptr;
  if (!Backend(state, &gpu)) return;
  const uint64_t nonces = uint64_t{1} << state.range(1);
  const BlockHeader header = BenchHeader();
  chain::HeaderHasher hasher(header);
  const uint32_t zero[8] = {};
  double seconds = 0, hashes = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    if (gpu == nullptr) {
      std::atomic<uint64_t> done{0};
      chain::SearchResult r = chain::SearchNonce(
          header, Uint256(0), 0, [&done, nonces] { return done.load() >= nonces; }, &done);
      hashes += static_cast<double>(r.hashes);
    } else {
      auto r = gpu->SearchNonce(hasher.midstate(), zero, 0, static_cast<uint32_t>(nonces));
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return;
      }
      hashes += static_cast<double>(nonces);
    }
    seconds += Seconds(t0, Clock::now());
  }
  state.counters["hash_per_s"] = hashes / seconds;
  if (gpu == nullptr) {
    state.SetLabel("cpu " + std::to_string(std::thread::hardware_concurrency()) + " threads " +
                   crypto::Sha256ImplName());
  }
}
BENCHMARK(BM_GpuPowSearch)
    ->Args({0, 24})
    ->Args({1, 24})
    ->Args({2, 30})
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// PoSt verification of `sectors` sector proofs of size 2^arg2 (16 challenges
// each, so 16 * sectors Merkle paths): 2,000 synthetic sector proofs (real
// paths through a virtual tree, bench/synthetic_proofs.h) repeated as
// separate PoSt proofs until there are `sectors`. arg1 = sectors.
void BM_GpuPoStVerify(benchmark::State& state) {
  using namespace storage::proofs;
  compute::Gpu* gpu = nullptr;
  if (!Backend(state, &gpu)) return;
  const uint64_t sectors = static_cast<uint64_t>(state.range(1));
  const SectorSize size = *SectorSize::FromLog2(static_cast<uint32_t>(state.range(2)));
  constexpr uint64_t kDistinct = 2000;
  static std::map<uint32_t, std::pair<PoStPublicInputs, PoStProof>> cache;
  auto& [in, proof] = cache[size.log2_bytes()];
  if (in.sectors.empty()) {
    in.randomness = crypto::Sha256Hash(ByteSpan(reinterpret_cast<const uint8_t*>("gpu"), 3));
    for (uint64_t i = 0; i < std::min(sectors, kDistinct); ++i) {
      auto [info, p] = SyntheticPoStSector(size, in.randomness, i);
      in.sectors.push_back(info);
      proof.sectors.push_back(std::move(p));
    }
  }
  double seconds = 0;
  uint64_t paths = 0;
  for (auto _ : state) {
    state.PauseTiming();
    BatchVerifier v(
        BatchVerifierOptions{.threads = 0, .hash = gpu != nullptr ? gpu->hash_backend() : nullptr});
    uint64_t added = 0;
    while (added < sectors) {
      const uint64_t take = std::min<uint64_t>(in.sectors.size(), sectors - added);
      PoStPublicInputs part{in.randomness, {in.sectors.begin(), in.sectors.begin() + take}};
      PoStProof part_proof;
      part_proof.sectors.assign(proof.sectors.begin(), proof.sectors.begin() + take);
      v.AddPoSt(std::move(part), std::move(part_proof));
      added += take;
    }
    state.ResumeTiming();
    const auto t0 = Clock::now();
    for (const Status& s : v.Verify()) {
      if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    }
    seconds += Seconds(t0, Clock::now());
    paths += v.last_stats().pair_hashes / size.tree_height();
  }
  state.counters["sector_proofs_per_s"] =
      static_cast<double>(sectors) * static_cast<double>(state.iterations()) / seconds;
  state.counters["paths_per_s"] = static_cast<double>(paths) / seconds;
  if (gpu != nullptr && gpu->counters().fallbacks > 0) {
    state.SkipWithError(("device fell back: " + gpu->counters().last_error).c_str());
  }
}
BENCHMARK(BM_GpuPoStVerify)
    ->Args({0, 10000, 29})
    ->Args({1, 10000, 29})
    ->Args({2, 10000, 29})
    ->Args({0, 100000, 29})
    ->Args({1, 100000, 29})
    ->Args({2, 100000, 29})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// The trees of one sector of 2^arg1 bytes as sealing builds them: tree_d over
// the data, the column hashes of 11 layers (one random layer read 11 times;
// the hashing is the same) in slices of 2^18 nodes, tree_c over the columns,
// tree_r over the replica.
void BM_GpuSectorTrees(benchmark::State& state) {
  compute::Gpu* gpu = nullptr;
  if (!Backend(state, &gpu)) return;
  const uint64_t bytes = uint64_t{1} << state.range(1);
  const uint64_t nodes = bytes / 32;
  constexpr uint32_t kLayers = 11;
  Bytes layer(bytes);
  std::mt19937_64 rng(5);
  for (size_t i = 0; i < bytes; i += 8) {
    const uint64_t v = rng();
    std::memcpy(&layer[i], &v, 8);
  }
  const crypto::HashBackend& hash =
      gpu != nullptr ? *gpu->hash_backend() : crypto::CpuHashBackend();
  const size_t threads = std::thread::hardware_concurrency();
  auto build = [&](ByteSpan leaves, Bytes& out) {
    if (gpu == nullptr || !hash.BuildTreeLevels(leaves.data(), leaves.size() / 32, out.data())) {
      storage::proofs::BuildTreeLevelsInto(leaves, out.data(), threads);
    }
  };
  Bytes levels(bytes - 32), columns(bytes);
  const uint64_t slice = std::min<uint64_t>(nodes, 1 << 18);
  Bytes msgs(slice * kLayers * 32);
  double seconds = 0;
  for (auto _ : state) {
    const auto t0 = Clock::now();
    build(layer, levels);  // tree_d
    for (uint64_t base = 0; base < nodes; base += slice) {
      for (uint64_t i = 0; i < slice; ++i) {
        for (uint32_t l = 0; l < kLayers; ++l) {
          std::memcpy(&msgs[(i * kLayers + l) * 32], &layer[(base + i) * 32], 32);
        }
      }
      if (gpu != nullptr) {
        hash.Sha256Batch(msgs.data(), kLayers * 32, slice, &columns[base * 32]);
      } else {
        storage::proofs::ParallelFor(slice, threads, 4096, [&](size_t b, size_t e) {
          crypto::Sha256Batch(&msgs[b * kLayers * 32], kLayers * 32, e - b,
                              &columns[(base + b) * 32]);
        });
      }
    }
    build(columns, levels);  // tree_c
    build(layer, levels);    // tree_r
    seconds += Seconds(t0, Clock::now());
    benchmark::DoNotOptimize(levels.data());
  }
  state.counters["sector_s"] = seconds / static_cast<double>(state.iterations());
  if (gpu != nullptr && gpu->counters().fallbacks > 0) {
    state.SkipWithError(("device fell back: " + gpu->counters().last_error).c_str());
  }
}
BENCHMARK(BM_GpuSectorTrees)
    ->Args({0, 23})
    ->Args({1, 23})
    ->Args({2, 23})
    ->Args({0, 29})
    ->Args({1, 29})
    ->Args({2, 29})
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace depin
