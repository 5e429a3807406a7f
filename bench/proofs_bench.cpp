// Storage proofs against the machine's SHA-256 limit. The limit is OpenSSL's
// SHA-256 over 16 KiB buffers in 64-byte blocks per second on one core
// (BM_OpenSSLSha256_16KiB in crypto_bench.cpp measures the same; each
// benchmark here also measures it once and reports x_limit = its own blocks/s
// divided by that limit, per core where the target is per core).
//  - Labeling (sequential, one core): target x_limit >= 0.7 at 8 MiB, with
//    the parents in memory and from the memory-mapped cache file (page cache
//    warm, and cold: dropped before each layer so labeling reads it from disk).
//  - Opening the parent cache file: generating it, and validating it (full
//    digest) when it exists.
//  - Tree building: target >= 0.8 per core, scaling with threads.
//  - PoSt verification on all cores: target >= 0.6 x (limit x cores).
//  - Seal times at 8 MiB and 512 MiB, with the 32 GiB time extrapolated.
//  - PoRep verification time per sector and proof sizes at every size.
// PoRep and PoSt verification at 512 MiB and 32 GiB use synthetic proofs built
// over sparse virtual trees: the verifier does exactly the hashing it does for
// a real sector of that size, without sealing one.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <time.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <random>
#include <set>

#include "crypto/sha256.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/graph.h"
#include "storage/proofs/huge_buffer.h"
#include "storage/proofs/labels.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/parallel.h"
#include "storage/proofs/parent_cache.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"
#include "synthetic_proofs.h"

namespace depin::storage::proofs {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double>(b - a).count();
}

// CPU seconds of the calling thread / of the whole process. The ratios use
// CPU time so they stay meaningful on a machine shared with other work; the
// wall-clock figures are reported beside them.
double CpuSeconds(clockid_t clock) {
  timespec ts;
  clock_gettime(clock, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}
double ThreadCpu() { return CpuSeconds(CLOCK_THREAD_CPUTIME_ID); }
double ProcessCpu() { return CpuSeconds(CLOCK_PROCESS_CPUTIME_ID); }

Bytes RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  Bytes b(n);
  for (size_t i = 0; i + 8 <= n; i += 8) {
    uint64_t v = rng();
    std::memcpy(&b[i], &v, 8);
  }
  return b;
}

// OpenSSL SHA-256 blocks per CPU-second on one core over 16 KiB buffers,
// measured once per process.
double ShaLimit() {
  static const double limit = [] {
    const Bytes buf = RandomBytes(16 * 1024, 1);
    uint8_t out[32];
    unsigned int len = 0;
    uint64_t iters = 0;
    const double start = ThreadCpu();
    while (ThreadCpu() - start < 0.5) {
      for (int i = 0; i < 64; ++i) {
        EVP_Digest(buf.data(), buf.size(), out, &len, EVP_sha256(), nullptr);
      }
      iters += 64;
      benchmark::DoNotOptimize(out);
    }
    return static_cast<double>(iters * (buf.size() / 64)) / (ThreadCpu() - start);
  }();
  return limit;
}

// blocks_per_cpu_s / limit is the per-core ratio the targets speak of;
// blocks_per_s is wall-clock throughput.
void ReportBlocks(benchmark::State& state, double blocks, double cpu_seconds, double wall_seconds) {
  state.counters["limit_blocks_per_s"] = ShaLimit();
  state.counters["blocks_per_cpu_s"] = blocks / cpu_seconds;
  state.counters["blocks_per_s"] = blocks / wall_seconds;
  state.counters["x_limit_per_core"] = blocks / cpu_seconds / ShaLimit();
}

SectorSize SizeArg(int64_t log2) { return *SectorSize::FromLog2(static_cast<uint32_t>(log2)); }

// A scratch folder removed with its contents when the object dies.
class BenchDir {
 public:
  BenchDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "depin-bench-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) != nullptr) path_ = tmpl;
  }
  ~BenchDir() {
    std::error_code ec;
    if (!path_.empty()) std::filesystem::remove_all(path_, ec);
  }
  BenchDir(const BenchDir&) = delete;
  BenchDir& operator=(const BenchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Labels one layer with `parents` per iteration, calling `before` (untimed)
// first. Layer 1 costs 4 compressions per label, later layers 8 (plus one
// per layer for the shared first block).
void LabelLayerWith(benchmark::State& state, const ParentCache& parents, uint32_t layer,
                    SectorSize size, const std::function<void()>& before) {
  const Bytes random = RandomBytes(size.bytes(), 2);
  HugeBuffer below(size.bytes()), out(size.bytes());
  std::memcpy(below.data(), random.data(), random.size());
  const Hash256 replica_id = crypto::Sha256Hash(random);
  double wall = 0, cpu = 0, blocks = 0;
  for (auto _ : state) {
    if (before) {
      state.PauseTiming();
      before();
      state.ResumeTiming();
    }
    auto t0 = Clock::now();
    const double c0 = ThreadCpu();
    LabelLayer(parents, replica_id, layer, below.data(), out.data());
    cpu += ThreadCpu() - c0;
    wall += Seconds(t0, Clock::now());
    blocks += static_cast<double>(size.nodes() * LabelSequentialBlocks(layer) + 1);
    benchmark::DoNotOptimize(out.data());
  }
  ReportBlocks(state, blocks, cpu, wall);
  state.counters["labeling_s"] = wall / static_cast<double>(state.iterations());
  state.SetLabel(crypto::Sha256ImplName());
}

// Labeling one layer on one core, parents in memory: args (layer, log2
// sector bytes).
void BM_ProofsLabelLayer(benchmark::State& state) {
  const uint32_t layer = static_cast<uint32_t>(state.range(0));
  const SectorSize size = SizeArg(state.range(1));
  const ParentCache parents(StackedGraph(size), HardwareThreads());
  LabelLayerWith(state, parents, layer, size, nullptr);
}
BENCHMARK(BM_ProofsLabelLayer)->Args({1, 23})->Args({2, 23})->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProofsLabelLayer)->Args({2, 29})->Iterations(1)->Unit(benchmark::kMillisecond);

// The same with the parents in a memory-mapped cache file (ParentCache::
// OpenFileBacked in a scratch folder): args (layer, log2 sector bytes,
// cold). Warm: the file's pages are in the page cache, as after opening it.
// Cold: before each layer they are unmapped and dropped from the page cache
// (MADV_DONTNEED, POSIX_FADV_DONTNEED), so labeling streams the file from
// disk, as a 32 GiB seal does when the 56 GiB file does not fit in RAM.
void BM_ProofsLabelLayerMapped(benchmark::State& state) {
  const uint32_t layer = static_cast<uint32_t>(state.range(0));
  const SectorSize size = SizeArg(state.range(1));
  const bool cold = state.range(2) != 0;
  BenchDir dir;
  auto parents = ParentCache::OpenFileBacked(StackedGraph(size), dir.path(), HardwareThreads());
  if (!parents) {
    state.SkipWithError(parents.status().ToString().c_str());
    return;
  }
  // The table starts one page into the page-aligned mapping.
  void* table = const_cast<uint32_t*>(parents->Parents(0));
  const size_t table_bytes = parents->nodes() * kParentCount * sizeof(uint32_t);
  const size_t page = static_cast<size_t>(::sysconf(_SC_PAGESIZE));
  std::vector<unsigned char> pages((table_bytes + page - 1) / page);
  double resident = 0;
  std::function<void()> before = [&] {
    if (cold) {
      ::madvise(table, table_bytes, MADV_DONTNEED);
      const int fd = ::open(parents->path().c_str(), O_RDONLY | O_CLOEXEC);
      if (fd >= 0) {
        ::posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
        ::close(fd);
      }
    }
    // How much of the table is in the page cache as the layer starts.
    if (::mincore(table, table_bytes, pages.data()) == 0) {
      resident += static_cast<double>(std::count_if(pages.begin(), pages.end(),
                                                    [](unsigned char p) { return p & 1; })) /
                  static_cast<double>(pages.size());
    }
  };
  LabelLayerWith(state, *parents, layer, size, before);
  state.counters["cold"] = cold ? 1 : 0;
  state.counters["resident_at_start"] = resident / static_cast<double>(state.iterations());
}
BENCHMARK(BM_ProofsLabelLayerMapped)
    ->Args({1, 23, 0})
    ->Args({2, 23, 0})
    ->Args({2, 23, 1})
    ->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProofsLabelLayerMapped)
    ->Args({2, 29, 0})
    ->Args({2, 29, 1})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// The parent cache on all cores: building it in memory, generating the file
// (written, fsynced, renamed) and opening the existing file (mapped, every
// header field checked, the whole table hashed, 64 nodes recomputed); arg =
// log2(sector bytes). The 32 GiB figures scale by 64 from 512 MiB.
void BM_ProofsParentCacheOpen(benchmark::State& state) {
  const SectorSize size = SizeArg(state.range(0));
  const StackedGraph graph(size);
  const size_t threads = HardwareThreads();
  double build = 0, generate = 0, open = 0;
  for (auto _ : state) {
    BenchDir dir;
    auto t0 = Clock::now();
    { const ParentCache memory(graph, threads); }
    auto t1 = Clock::now();
    auto made = ParentCache::OpenFileBacked(graph, dir.path(), threads);
    auto t2 = Clock::now();
    auto reopened = ParentCache::OpenFileBacked(graph, dir.path(), threads);
    auto t3 = Clock::now();
    if (!made || !reopened || !made->generated() || reopened->generated()) {
      state.SkipWithError("parent cache not generated, then reused");
      return;
    }
    build += Seconds(t0, t1);
    generate += Seconds(t1, t2);
    open += Seconds(t2, t3);
  }
  const double iters = static_cast<double>(state.iterations());
  const double bytes =
      static_cast<double>(kParentCacheHeaderSize + graph.nodes() * kParentCount * 4);
  state.counters["threads"] = static_cast<double>(threads);
  state.counters["file_bytes"] = bytes;
  state.counters["in_memory_build_s"] = build / iters;
  state.counters["generate_s"] = generate / iters;
  state.counters["open_s"] = open / iters;
  state.counters["open_bytes_per_s"] = bytes * iters / open;
}
BENCHMARK(BM_ProofsParentCacheOpen)->Arg(23)->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ProofsParentCacheOpen)
    ->Arg(29)
    ->Iterations(1)
    ->UseRealTime()
    ->Unit(benchmark::kSecond);

// Building the interior of a tree over 64 MiB of leaves (2M leaves) with
// `threads` workers.
void BM_ProofsTreeBuild(benchmark::State& state) {
  const size_t threads = static_cast<size_t>(state.range(0));
  const Bytes leaves = RandomBytes(64 << 20, 3);
  Bytes levels(leaves.size() - kNodeSize);
  double wall = 0, cpu = 0, blocks = 0;
  for (auto _ : state) {
    auto t0 = Clock::now();
    const double c0 = ProcessCpu();
    BuildTreeLevelsInto(leaves, levels.data(), threads);
    cpu += ProcessCpu() - c0;
    wall += Seconds(t0, Clock::now());
    blocks += 2.0 * static_cast<double>(leaves.size() / kNodeSize - 1);
    benchmark::DoNotOptimize(levels.data());
  }
  ReportBlocks(state, blocks, cpu, wall);
  state.SetLabel(crypto::Sha256BatchImplName());
}
BENCHMARK(BM_ProofsTreeBuild)->Arg(1)->Arg(2)->Arg(4)->UseRealTime()->Unit(benchmark::kMillisecond);

// Whole seal into a scratch directory (all files synced), arg = log2(size).
// Reports the time spent labeling and the 32 GiB time extrapolated from the
// per-node cost (same 11 layers at 512 MiB).
void BM_ProofsSeal(benchmark::State& state) {
  const SectorSize size = SizeArg(state.range(0));
  const ProofParams params = ParamsFor(size);
  const Bytes data = RandomBytes(size.bytes(), 4);
  std::string tmpl = (std::filesystem::temp_directory_path() / "depin-seal-bench-XXXXXX").string();
  if (::mkdtemp(tmpl.data()) == nullptr) {
    state.SkipWithError("mkdtemp failed");
    return;
  }
  double total = 0, labeling = 0, labeling_cpu = 0, minor_faults = 0;
  uint64_t n = 0;
  for (auto _ : state) {
    state.PauseTiming();
    // Each seal gets a store of its own, kept until the end: a provider keeps
    // its sealed files, so its seals write into page cache the kernel must
    // find afresh. Deleting the last seal's files would hand their warm pages
    // straight back, which on a VM that lends memory lazily (as here) makes
    // the writes an order of magnitude cheaper than a provider's.
    SectorStore store = *SectorStore::Open(tmpl + "/s" + std::to_string(n));
    SealInputs in;
    in.size = size;
    in.sector_number = n++;
    in.data = data;
    Clock::time_point label_start, label_end;
    double cpu_start = 0, cpu_end = 0;
    SealOptions options;
    // Labeling runs on this thread between these two reports; its layer
    // files are written (and synced) in between too, which counts in wall
    // time but hardly in CPU time.
    options.progress = [&](const SealProgress& p) {
      if (p.stage == SealStage::kLabeling && p.layer == 0) {
        label_start = Clock::now();
        cpu_start = ThreadCpu();
      }
      if (p.stage == SealStage::kTreeC) {
        label_end = Clock::now();
        cpu_end = ThreadCpu();
      }
      return true;
    };
    state.ResumeTiming();
    struct rusage ru0, ru1;
    ::getrusage(RUSAGE_SELF, &ru0);
    auto t0 = Clock::now();
    auto out = SealSector(in, store, options);
    ::getrusage(RUSAGE_SELF, &ru1);
    minor_faults += static_cast<double>(ru1.ru_minflt - ru0.ru_minflt);
    total += Seconds(t0, Clock::now());
    labeling += Seconds(label_start, label_end);
    labeling_cpu += cpu_end - cpu_start;
    if (!out.ok()) state.SkipWithError(out.status().ToString().c_str());
  }
  std::filesystem::remove_all(tmpl);
  const double iters = static_cast<double>(state.iterations());
  state.counters["seal_s"] = total / iters;
  state.counters["labeling_s"] = labeling / iters;
  state.counters["labeling_cpu_s"] = labeling_cpu / iters;
  // Pages of its own buffers the seal touched first, each a fault (the page
  // cache of the files it writes is the kernel's and not counted).
  state.counters["minor_faults"] = minor_faults / iters;
  double blocks = static_cast<double>(size.nodes()) *
                  static_cast<double>(LabelSequentialBlocks(1) +
                                      (params.layers - 1) * LabelSequentialBlocks(2));
  ReportBlocks(state, blocks * iters, labeling_cpu, labeling);
  if (params.layers == ParamsFor(SectorSize::Size32GiB()).layers) {
    const double scale =
        static_cast<double>(SectorSize::Size32GiB().nodes()) / static_cast<double>(size.nodes());
    state.counters["extrapolated_32GiB_s"] = total / iters * scale;
    // The same from CPU time, which a loaded machine does not inflate.
    state.counters["extrapolated_32GiB_labeling_cpu_s"] = labeling_cpu / iters * scale;
  }
}
BENCHMARK(BM_ProofsSeal)->Arg(23)->Iterations(3)->Unit(benchmark::kSecond);
BENCHMARK(BM_ProofsSeal)->Arg(29)->Iterations(1)->Unit(benchmark::kSecond);
// One seal, run alone in a process of its own (contrib/bench/sealing.sh runs
// `--benchmark_filter=BM_ProofsSealAlone/23/`), as the provider role seals
// in a node: the memory it writes and the heap it fills are as fresh as the
// role's, where back-to-back seals hand each other warm pages.
void BM_ProofsSealAlone(benchmark::State& state) { BM_ProofsSeal(state); }
BENCHMARK(BM_ProofsSealAlone)->Arg(23)->Iterations(1)->Unit(benchmark::kSecond);
BENCHMARK(BM_ProofsSealAlone)->Arg(29)->Iterations(1)->Unit(benchmark::kSecond);

// A PoRep proof that verifies for a sector of `size` that was never sealed:
// parent columns are random, challenged labels are computed from them, and
// the three trees are virtual.
std::pair<PoRepPublicInputs, PoRepProof> SyntheticPoRep(SectorSize size, uint64_t salt) {
  const ProofParams params = ParamsFor(size);
  const StackedGraph graph(size);
  std::mt19937_64 rng(salt);
  PoRepPublicInputs in{size, RandomHash(rng), RandomHash(rng), {}, {}};
  const auto challenges = PoRepPartitionChallenges(in.replica_id, in.seed, size, 0);
  std::set<uint64_t> challenged(challenges.begin(), challenges.end());
  std::map<uint64_t, std::vector<Hash256>> columns;
  std::map<uint64_t, NodeParents> parents;
  for (uint64_t c : challenged) {
    parents[c] = graph.Parents(c);
    for (uint32_t p : parents[c]) columns[p].resize(params.layers);
    columns[c].resize(params.layers);
  }
  for (auto& [node, labels] : columns) {
    for (auto& l : labels) l = RandomHash(rng);
  }
  // Challenged labels layer by layer, nodes in order: a challenged parent's
  // label is then final before any child reads it.
  for (uint32_t layer = 1; layer <= params.layers; ++layer) {
    for (uint64_t c : challenged) {
      uint8_t drg[kDrgDegree * kNodeSize], exp[kExpanderDegree * kNodeSize];
      const NodeParents& p = parents[c];
      for (size_t k = 0; k < kDrgDegree; ++k) {
        std::memcpy(drg + k * kNodeSize, columns[p[k]][layer - 1].data(), kNodeSize);
      }
      for (size_t k = 0; layer > 1 && k < kExpanderDegree; ++k) {
        std::memcpy(exp + k * kNodeSize, columns[p[kDrgDegree + k]][layer - 2].data(), kNodeSize);
      }
      Bytes msg(LabelMessageSize(layer));
      WriteLabelMessage(in.replica_id, layer, c, drg, exp, msg.data());
      columns[c][layer - 1] = crypto::Sha256Hash(msg);
    }
  }
  const uint32_t height = size.tree_height();
  VirtualTree tree_d(height, salt * 3 + 1), tree_r(height, salt * 3 + 2), tree_c(height, salt * 3);
  std::map<uint64_t, Hash256> data;
  for (uint64_t c : challenged) {
    data[c] = RandomHash(rng);
    Hash256 replica = data[c];
    for (size_t b = 0; b < 32; ++b) replica[b] ^= columns[c][params.layers - 1][b];
    tree_d.SetLeaf(c, data[c]);
    tree_r.SetLeaf(c, replica);
  }
  for (auto& [node, labels] : columns) {
    Bytes msg;
    for (auto& l : labels) msg.insert(msg.end(), l.begin(), l.end());
    tree_c.SetLeaf(node, crypto::Sha256Hash(msg));
  }
  PoRepProof proof;
  proof.size = size;
  proof.layers = params.layers;
  proof.comm_c = tree_c.Root();
  proof.comm_r_last = tree_r.Root();
  in.comm_d = tree_d.Root();
  in.comm_r = crypto::Sha256Pair(proof.comm_c, proof.comm_r_last);
  for (uint64_t c : challenges) {
    PoRepChallengeProof cp;
    cp.node = c;
    cp.data_leaf = data[c];
    cp.data_path = tree_d.Path(c);
    cp.replica_path = tree_r.Path(c);
    cp.replica_leaf = cp.data_leaf;
    for (size_t b = 0; b < 32; ++b) cp.replica_leaf[b] ^= columns[c][params.layers - 1][b];
    for (size_t k = 0; k < kColumnsPerChallenge; ++k) {
      uint64_t node = k == 0 ? c : parents[c][k - 1];
      cp.columns[k].labels = columns[node];
      cp.columns[k].path = tree_c.Path(node);
    }
    proof.challenges.push_back(std::move(cp));
  }
  return {in, proof};
}

// PoRep verification of 8 one-partition proofs at once on all cores;
// arg = log2(size). Per-sector figures multiply by the partition count.
void BM_ProofsPoRepVerify(benchmark::State& state) {
  const SectorSize size = SizeArg(state.range(0));
  constexpr int kProofs = 8;
  std::vector<std::pair<PoRepPublicInputs, PoRepProof>> proofs;
  for (int i = 0; i < kProofs; ++i) proofs.push_back(SyntheticPoRep(size, 100 + i));
  double seconds = 0, cpu = 0, blocks = 0;
  for (auto _ : state) {
    state.PauseTiming();
    BatchVerifier v;
    for (auto& [in, proof] : proofs) v.AddPoRep(in, proof);
    state.ResumeTiming();
    auto t0 = Clock::now();
    const double c0 = ProcessCpu();
    auto verdicts = v.Verify();
    cpu += ProcessCpu() - c0;
    seconds += Seconds(t0, Clock::now());
    for (auto& s : verdicts) {
      if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    }
    blocks += 2.0 * static_cast<double>(v.last_stats().pair_hashes) +
              static_cast<double>(v.last_stats().message_blocks);
  }
  const double sectors = kProofs * static_cast<double>(state.iterations());
  const double partitions = ParamsFor(size).porep_partitions;
  state.counters["ms_per_sector"] = seconds * 1e3 / sectors * partitions;
  state.counters["cpu_ms_per_sector"] = cpu * 1e3 / sectors * partitions;
  state.counters["bytes_per_sector"] = static_cast<double>(PoRepProofBytes(size)) * partitions;
  ReportBlocks(state, blocks, cpu, seconds);
}
BENCHMARK(BM_ProofsPoRepVerify)
    ->Arg(11)
    ->Arg(23)
    ->Arg(29)
    ->Arg(35)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// PoSt verification of one proof covering 2,000 sectors on all cores;
// arg = log2(size). Blocks counted: path steps (2 each), challenge
// derivation (1 each) and the CommR check (2 per sector).
void BM_ProofsPoStVerify(benchmark::State& state) {
  const SectorSize size = SizeArg(state.range(0));
  constexpr int kSectors = 2000;
  const Hash256 randomness = crypto::Sha256Hash(AsSpan("post bench"));
  PoStPublicInputs in{randomness, {}};
  PoStProof proof;
  for (int i = 0; i < kSectors; ++i) {
    auto [info, p] = SyntheticPoStSector(size, randomness, static_cast<uint64_t>(i));
    in.sectors.push_back(info);
    proof.sectors.push_back(std::move(p));
  }
  const uint32_t k = ParamsFor(size).post_challenges;
  double seconds = 0, cpu = 0, blocks = 0;
  for (auto _ : state) {
    state.PauseTiming();
    BatchVerifier v;
    v.AddPoSt(in, proof);
    state.ResumeTiming();
    auto t0 = Clock::now();
    const double c0 = ProcessCpu();
    Status s = v.Verify().front();
    cpu += ProcessCpu() - c0;
    seconds += Seconds(t0, Clock::now());
    if (!s.ok()) state.SkipWithError(s.ToString().c_str());
    blocks += 2.0 * static_cast<double>(v.last_stats().pair_hashes) + kSectors * (k + 2.0);
  }
  const double sectors = kSectors * static_cast<double>(state.iterations());
  state.counters["sector_proofs_per_s"] = sectors / seconds;
  state.counters["sector_proofs_per_cpu_s"] = sectors / cpu;
  state.counters["bytes_per_sector"] = static_cast<double>(PoStProofBytesPerSector(size));
  ReportBlocks(state, blocks, cpu, seconds);
}
BENCHMARK(BM_ProofsPoStVerify)
    ->Arg(11)
    ->Arg(23)
    ->Arg(29)
    ->Arg(35)
    ->UseRealTime()
    ->Unit(benchmark::kMillisecond);

// Encoded proof sizes per sector (no timing of interest).
void BM_ProofsProofSizes(benchmark::State& state) {
  const SectorSize size = SizeArg(state.range(0));
  for (auto _ : state) benchmark::DoNotOptimize(PoRepProofBytes(size));
  state.counters["porep_bytes_per_partition"] = static_cast<double>(PoRepProofBytes(size));
  state.counters["porep_bytes_per_sector"] =
      static_cast<double>(PoRepProofBytes(size) * ParamsFor(size).porep_partitions);
  state.counters["porep_partitions"] = ParamsFor(size).porep_partitions;
  state.counters["post_bytes_per_sector"] = static_cast<double>(PoStProofBytesPerSector(size));
  state.counters["porep_challenges"] = ParamsFor(size).porep_challenges;
  state.counters["post_challenges"] = ParamsFor(size).post_challenges;
  state.counters["layers"] = ParamsFor(size).layers;
}
BENCHMARK(BM_ProofsProofSizes)->Arg(11)->Arg(23)->Arg(29)->Arg(35)->Iterations(1);

}  // namespace
}  // namespace depin::storage::proofs
