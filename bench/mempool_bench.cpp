// Mempool admission throughput: 20,000 signed EIP-1559 transfers from 2,000
// senders (10 nonces each) admitted into an empty pool on a chainstate whose
// genesis funds the senders. Admission cost is dominated by sender recovery,
// so the figure to compare with is raw secp256k1_ecdsa_recover per second on
// the same number of threads, measured in the same run (BM_RawEcdsaRecover,
// and the `vs_raw_recover` counter: admission rate / parallel raw recover
// rate; the goal is >= 0.8).
//
// Run: depin_bench --benchmark_filter='Mempool|RawEcdsaRecover'
#include <benchmark/benchmark.h>
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "consensus/module.h"
#include "consensus/params.h"
#include "crypto/secp256k1.h"
#include "primitives/transaction.h"

namespace depin::chain {
namespace {

constexpr int kSenders = 2000;
constexpr int kNoncesPerSender = 10;
constexpr size_t kRecoverSamples = 1024;

unsigned Cores() { return std::max(1u, std::thread::hardware_concurrency()); }

// One recoverable signature over a digest, in libsecp256k1's input form.
struct RecoverSample {
  uint8_t digest[32];
  secp256k1_ecdsa_recoverable_signature sig;
};

// Built once per process: the chain, the signed envelopes and samples for
// raw recovery. Benchmarks share it read-only.
class AdmissionFixture {
 public:
  AdmissionFixture() {
    ctx_ = secp256k1_context_create(SECP256K1_CONTEXT_NONE);
    consensus::ChainParams params = consensus::RegtestParams();
    std::vector<crypto::PrivateKey> keys;
    keys.reserve(kSenders);
    for (int i = 0; i < kSenders; ++i) {
      Bytes secret(32, 0x22);
      secret[30] = static_cast<uint8_t>((i + 1) >> 8);
      secret[31] = static_cast<uint8_t>(i + 1);
      keys.push_back(crypto::PrivateKey::FromBytes(secret).value());
      params.genesis_alloc.push_back(
          {Address::FromPublicKey(keys.back().GetPublicKey()), Dpn(1000)});
    }
    dir_ = std::filesystem::temp_directory_path() /
           ("depin-mempool-bench-" + std::to_string(::getpid()));
    std::filesystem::remove_all(dir_);
    ChainstateOptions options;
    options.datadir = dir_.string();
    options.sync_writes = false;
    auto chain = Chainstate::Open(params, modules_, options);
    if (!chain.ok()) throw std::runtime_error(chain.status().ToString());
    chain_ = std::move(chain).value();

    // Sign on all cores: 20,000 RFC 6979 signatures take a while on one.
    envelopes_.resize(static_cast<size_t>(kSenders) * kNoncesPerSender);
    const Address to = Address::FromPublicKey(keys.front().GetPublicKey());
    auto sign = [&](int begin, int end) {
      for (int s = begin; s < end; ++s) {
        for (int n = 0; n < kNoncesPerSender; ++n) {
          Transaction tx;
          tx.chain_id = params.chain_id;
          tx.nonce = static_cast<uint64_t>(n);
          tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
          tx.max_fee_per_gas = Uint256(50 * kWeiPerGwei);
          tx.gas_limit = 21000;
          tx.to = to;
          tx.value = Uint256(1000 + static_cast<uint64_t>(s));
          tx.Sign(keys[static_cast<size_t>(s)]);
          // Sender-major order: each sender's nonces in sequence.
          envelopes_[static_cast<size_t>(s) * kNoncesPerSender + static_cast<size_t>(n)] =
              tx.Encode();
        }
      }
    };
    RunOnThreads(Cores(), kSenders, sign);

    // Raw recovery inputs from the same txs.
    for (size_t i = 0; i < kRecoverSamples; ++i) {
      Transaction tx = DecodeTransaction(envelopes_[i * 7 % envelopes_.size()]).value();
      RecoverSample sample;
      const Hash256 digest = tx.SigningHash();
      std::copy(digest.begin(), digest.end(), sample.digest);
      uint8_t compact[64];
      tx.r.ToBigEndian32(compact);
      tx.s.ToBigEndian32(compact + 32);
      if (!secp256k1_ecdsa_recoverable_signature_parse_compact(ctx_, &sample.sig, compact,
                                                               tx.y_parity)) {
        throw std::runtime_error("bad sample signature");
      }
      samples_.push_back(sample);
    }
  }
  ~AdmissionFixture() {
    chain_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
    secp256k1_context_destroy(ctx_);
  }

  // Splits [0, count) into contiguous ranges, one per thread.
  template <typename Fn>
  static void RunOnThreads(unsigned threads, int count, Fn fn) {
    std::vector<std::thread> pool;
    const int chunk = (count + static_cast<int>(threads) - 1) / static_cast<int>(threads);
    for (unsigned t = 0; t < threads; ++t) {
      const int begin = static_cast<int>(t) * chunk;
      const int end = std::min(count, begin + chunk);
      if (begin < end) pool.emplace_back(fn, begin, end);
    }
    for (auto& thread : pool) thread.join();
  }

  bool Recover(size_t i) const {
    const RecoverSample& sample = samples_[i % samples_.size()];
    secp256k1_pubkey pub;
    return secp256k1_ecdsa_recover(ctx_, &pub, &sample.sig, sample.digest) == 1;
  }

  // Raw recoveries per second with `threads` threads recovering at once.
  double ParallelRecoverRate(unsigned threads) const {
    constexpr size_t kPerThread = 4000;
    std::atomic<bool> ok{true};
    const auto start = std::chrono::steady_clock::now();
    std::vector<std::thread> pool;
    for (unsigned t = 0; t < threads; ++t) {
      pool.emplace_back([&, t] {
        for (size_t i = 0; i < kPerThread; ++i) {
          if (!Recover(i + t * 97)) ok = false;
        }
      });
    }
    for (auto& thread : pool) thread.join();
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!ok) throw std::runtime_error("raw recovery failed");
    return static_cast<double>(kPerThread * threads) / seconds;
  }

  Chainstate& chain() { return *chain_; }
  const std::vector<Bytes>& envelopes() const { return envelopes_; }

 private:
  secp256k1_context* ctx_ = nullptr;
  consensus::ModuleRegistry modules_;
  std::filesystem::path dir_;
  std::unique_ptr<Chainstate> chain_;
  std::vector<Bytes> envelopes_;
  std::vector<RecoverSample> samples_;
};

AdmissionFixture& Fixture() {
  static AdmissionFixture fixture;
  return fixture;
}

// Raw libsecp256k1 recovery, the lower bound on admission cost. With
// ->Threads(n) and real time, items_per_second is the n-thread total.
void BM_RawEcdsaRecover(benchmark::State& state) {
  const AdmissionFixture& fixture = Fixture();
  size_t i = static_cast<size_t>(state.thread_index()) * 131;
  for (auto _ : state) benchmark::DoNotOptimize(fixture.Recover(i++));
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations()));
}
BENCHMARK(BM_RawEcdsaRecover)->Threads(1)->Threads(static_cast<int>(Cores()))->UseRealTime();

void ReportAdmission(benchmark::State& state, double seconds_total, unsigned threads) {
  const double txs = static_cast<double>(Fixture().envelopes().size());
  const double rate = txs * static_cast<double>(state.iterations()) / seconds_total;
  const double raw = Fixture().ParallelRecoverRate(threads);
  state.counters["tx_per_s"] = rate;
  state.counters["raw_recover_per_s"] = raw;
  state.counters["vs_raw_recover"] = rate / raw;
  state.counters["threads"] = threads;
}

// AddRawBatch: decode + recover on all cores outside the lock, then one
// locked insert of the whole batch.
void BM_MempoolAdmitRawBatch(benchmark::State& state) {
  AdmissionFixture& fixture = Fixture();
  const unsigned threads = Cores();
  MempoolOptions options;
  options.verify_threads = threads;
  double seconds = 0;
  for (auto _ : state) {
    Mempool pool(options, fixture.chain());
    const auto start = std::chrono::steady_clock::now();
    auto results = pool.AddRawBatch(fixture.envelopes());
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += elapsed;
    state.SetIterationTime(elapsed);
    for (const auto& r : results) {
      if (!r.ok()) {
        state.SkipWithError(r.status().ToString().c_str());
        return;
      }
    }
    if (pool.ReadyCount() != fixture.envelopes().size()) state.SkipWithError("not all ready");
  }
  ReportAdmission(state, seconds, threads);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(fixture.envelopes().size()));
}
BENCHMARK(BM_MempoolAdmitRawBatch)->Unit(benchmark::kMillisecond)->UseManualTime()->Iterations(5);

// One AddRaw call per tx from every core at once (RPC and P2P threads): each
// thread owns a contiguous range of senders so nonces arrive in order.
void BM_MempoolAdmitRawConcurrent(benchmark::State& state) {
  AdmissionFixture& fixture = Fixture();
  const unsigned threads = Cores();
  double seconds = 0;
  std::atomic<size_t> failures{0};
  for (auto _ : state) {
    Mempool pool(MempoolOptions{}, fixture.chain());
    const auto start = std::chrono::steady_clock::now();
    AdmissionFixture::RunOnThreads(threads, kSenders, [&](int begin, int end) {
      for (int s = begin; s < end; ++s) {
        for (int n = 0; n < kNoncesPerSender; ++n) {
          const size_t i = static_cast<size_t>(s) * kNoncesPerSender + static_cast<size_t>(n);
          if (!pool.AddRaw(fixture.envelopes()[i]).ok()) ++failures;
        }
      }
    });
    const double elapsed =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    seconds += elapsed;
    state.SetIterationTime(elapsed);
    if (failures != 0) {
      state.SkipWithError("admission failed");
      return;
    }
  }
  ReportAdmission(state, seconds, threads);
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(fixture.envelopes().size()));
}
BENCHMARK(BM_MempoolAdmitRawConcurrent)
    ->Unit(benchmark::kMillisecond)
    ->UseManualTime()
    ->Iterations(5);

}  // namespace
}  // namespace depin::chain

namespace depin::chain {
namespace {

// The serial part of admission alone: AddBatch of already recovered txs
// (account reads, rule checks and index inserts under the lock).
void BM_MempoolInsertRecovered(benchmark::State& state) {
  AdmissionFixture& fixture = Fixture();
  std::vector<TxRef> txs;
  txs.reserve(fixture.envelopes().size());
  for (const Bytes& envelope : fixture.envelopes()) {
    txs.push_back(DecodeAndVerifyTransaction(envelope).value());
  }
  for (auto _ : state) {
    state.PauseTiming();
    auto pool = std::make_unique<Mempool>(MempoolOptions{}, fixture.chain());
    state.ResumeTiming();
    auto results = pool->AddBatch(txs);
    benchmark::DoNotOptimize(results);
    state.PauseTiming();
    pool.reset();
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * static_cast<int64_t>(txs.size()));
}
BENCHMARK(BM_MempoolInsertRecovered)->Unit(benchmark::kMillisecond)->Iterations(5);

}  // namespace
}  // namespace depin::chain

namespace depin::chain {
namespace {

// The miner's inner loop: midstate SHA-256d per nonce, one thread, against
// an unreachable target so every nonce is hashed (hashes per second).
void BM_MinerSearchNonce(benchmark::State& state) {
  BlockHeader header;
  header.height = 1;
  header.timestamp = 1'700'000'000;
  header.bits = 0x1d00ffff;
  uint64_t hashes = 0;
  for (auto _ : state) {
    int polls = 0;
    // 64 polls of 4096 nonces each per iteration.
    SearchResult result = SearchNonce(header, Uint256(0), 1, [&polls] { return ++polls > 64; });
    hashes += result.hashes;
    header.nonce += 1;  // a different low half each iteration
  }
  state.SetItemsProcessed(static_cast<int64_t>(hashes));
}
BENCHMARK(BM_MinerSearchNonce)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace depin::chain
