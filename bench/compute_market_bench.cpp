// The compute market's cost in block execution (issue 12's benchmarks), on
// the real executor (consensus::ExecuteBlock: txs, deferred work, the state
// diff) over an in-memory sorted-map state, the same harness for every
// figure so the ratios compare like with like:
//   BM_ComputeBlock/<op>: a block of 1,000 txs of one kind (0 transfers,
//     1 createOrder, 2 bid, 3 acceptBid, 4 withdrawLease) on a state that
//     already holds 1,000 active leases; items/s is ops per second.
//   BM_ComputeSettlement/<leases>/<spread>: a block of 1,000 withdrawLease
//     txs, each settling a different lease (spread over all ids, or the
//     first 1,000), on a state holding 1,000 or 100,000 active leases. Settlement is O(1) per touch
//     (docs/markets.md), so the time must not grow with the number of leases (target: 100k / 1k
//     <= 1.1). Counters give the state reads, scans and writes per tx, which are the algorithm's
//     work; the time also carries the store's own growth (a sorted map 100x larger: deeper, and no
//     longer in cache).
//   BM_ComputeSettlementRatio/<spread>/<gpus_per_provider>/<cold>/<leveldb>:
//     the ratio itself, from one process holding both states, the same
//     block run on each in turn (details at the benchmark).
// State reads here cost a std::map lookup, not LevelDB's, except in
// BM_ComputeSettlementRatio's leveldb:1 runs, which read the same state
// through chain::StateStore; BM_ExecuteBlock10kTransfers (chain_bench.cpp)
// is the same step on the LevelDB-backed state for transfers.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "../tests/test_util/block_context.h"
#include "../tests/test_util/map_reader.h"
#include "bench_util.h"
#include "chain/chain_db.h"
#include "chain/state_store.h"
#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/params.h"
#include "crypto/sha256.h"
#include "market/compute_market.h"

namespace depin::market {
namespace {

constexpr size_t kBlockTxs = 1000;
constexpr uint64_t kGpusPerProvider = 1024;
const Uint256 kPrice(1'000'000'000);
constexpr uint64_t kDuration = 5000;

Bytes Call(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}

// A market state grown by real calls, and blocks executed on it.
class Market {
 public:
  // Providers each register `gpus_per_provider` GPUs; lease i runs on
  // provider (i - 1) / gpus_per_provider.
  explicit Market(uint64_t gpus_per_provider = kGpusPerProvider)
      : params_(consensus::RegtestParams()), gpus_per_provider_(gpus_per_provider) {
    params_.compute.activation_height = 0;
    params_.compute.max_bids_per_order = 8;
    params_.block_gas_limit = uint64_t{1} << 40;  // a block takes whatever a benchmark puts in it
    params_.deferred_gas_per_block = uint64_t{1} << 40;
    modules_.Register(MakeComputeMarket(params_.compute));
    hashes_.push_back(test_util::TestBlockHash(0));
  }

  static crypto::PrivateKey Key(uint32_t i) { return bench::Key(0x4c, i); }
  static Address AddressOf(uint32_t i) { return Address::FromPublicKey(Key(i).GetPublicKey()); }

  void Fund(const Address& a) {
    consensus::Account acc;
    acc.balance = Dpn(1'000'000'000);
    state_.map_[consensus::AccountKey(a)] = consensus::EncodeAccount(acc);
  }

  TxRef Tx(const Address& from, const Address& to, const Bytes& data, const Uint256& value) {
    VerifiedTx v;
    v.sender = from;
    v.tx.chain_id = params_.chain_id;
    v.tx.nonce = nonces_[from]++;
    v.tx.to = to;
    v.tx.value = value;
    v.tx.data = data;
    v.tx.gas_limit = data.empty() ? 21000 : 2'000'000;
    v.hash = v.tx.Hash();
    v.size = v.tx.Encode().size();
    return std::make_shared<const VerifiedTx>(std::move(v));
  }
  TxRef MarketTx(const Address& from, const Bytes& data, const Uint256& value = Uint256()) {
    return Tx(from, ComputeMarketAddress(), data, value);
  }

  consensus::BlockContext Next() const {
    return test_util::NextTestBlock(params_, hashes_, AddressOf(0xfffff));
  }

  // Executes and applies a block; the receipts' outputs.
  Result<std::vector<Bytes>> Mine(const std::vector<TxRef>& txs) {
    const consensus::BlockContext block = Next();
    auto exec = consensus::ExecuteBlock(state_, block, txs, modules_, params_);
    if (!exec.ok()) return exec.status();
    std::vector<Bytes> outputs;
    for (const Receipt& r : exec->receipts) {
      if (r.status != 1) {
        return Status::Error("bench-revert",
                             "a setup tx reverted at height " + std::to_string(block.height));
      }
    }
    state_.Apply(exec->diff);
    hashes_.push_back(test_util::TestBlockHash(block.height));
    return outputs;
  }

  // Grows the state to `leases` active leases: providers with 1024 GPUs
  // each, tenants placing orders that one provider bids on and the tenant
  // accepts, in blocks of kBlockTxs. Lease ids are order ids, 1..leases.
  Status GrowTo(uint64_t leases) {
    // GPUs for these leases and for one more block of them (BM_ComputeBlock).
    const uint32_t providers = static_cast<uint32_t>(
        (next_order_ + leases + kBlockTxs + gpus_per_provider_ - 1) / gpus_per_provider_);
    std::vector<TxRef> txs;
    for (uint32_t p = 0; p < providers; ++p) {
      Fund(AddressOf(p));
      txs.push_back(MarketTx(AddressOf(p),
                             Call("registerProvider(string,string)",
                                  abi::Encoder()
                                      .String("https://gpu.example")
                                      .String("gpu.vendor=nvidia;gpu.model=rtx-4090;gpu.count=" +
                                              std::to_string(gpus_per_provider_) +
                                              ";gpu.vramGiB=24;gpu.interface=pcie")),
                             Dpn(1)));
    }
    DEPIN_RETURN_IF_ERROR(Mine(txs).status());
    for (uint64_t first = next_order_; first < next_order_ + leases; first += kBlockTxs) {
      const uint64_t n = std::min<uint64_t>(kBlockTxs, next_order_ + leases - first);
      std::vector<TxRef> orders, bids, accepts;
      for (uint64_t id = first; id < first + n; ++id) orders.push_back(OrderTx(id));
      DEPIN_RETURN_IF_ERROR(Mine(orders).status());
      for (uint64_t id = first; id < first + n; ++id) bids.push_back(BidTx(id));
      DEPIN_RETURN_IF_ERROR(Mine(bids).status());
      for (uint64_t id = first; id < first + n; ++id) accepts.push_back(AcceptTx(id));
      DEPIN_RETURN_IF_ERROR(Mine(accepts).status());
    }
    next_order_ += leases;
    return Status::Ok();
  }

  // Txs for order id (ids are assigned in order, from 1).
  // Tenant keys sit above any provider's and the miner's (0xfffff).
  uint32_t TenantOf(uint64_t id) const { return 0x1000000 + static_cast<uint32_t>(id % 97); }
  uint32_t ProviderOf(uint64_t id) const {
    return static_cast<uint32_t>((id - 1) / gpus_per_provider_);
  }
  TxRef OrderTx(uint64_t id) {
    const uint32_t t = TenantOf(id);
    if (!funded_.count(t)) {
      Fund(AddressOf(t));
      funded_[t] = true;
    }
    const crypto::PublicKey pub = Key(t).GetPublicKey();
    return MarketTx(
        AddressOf(t),
        Call("createOrder(string,uint256,uint256,uint256,address[],uint256,bytes32,bytes)",
             abi::Encoder()
                 .String("model=rtx-4090;count=1")
                 .Uint(kPrice)
                 .Uint(kDuration)
                 .Uint(params_.compute.max_bidding_window_blocks)
                 .AddressArray({})
                 .Uint(0)
                 .Bytes32(Hash256())
                 .Bytes(Bytes(pub.begin(), pub.end()))),
        *CheckedMul(kPrice, Uint256(kDuration)));
  }
  TxRef BidTx(uint64_t id) {
    // Bid ids follow order ids while every order gets exactly one bid.
    return MarketTx(AddressOf(ProviderOf(id)),
                    Call("bid(uint256,uint256,string)",
                         abi::Encoder().Uint(id).Uint(kPrice).String("rtx-4090")),
                    params_.compute.bid_deposit);
  }
  TxRef AcceptTx(uint64_t id) {
    return MarketTx(AddressOf(TenantOf(id)), Call("acceptBid(uint256)", abi::Encoder().Uint(id)));
  }
  TxRef WithdrawTx(uint64_t id) {
    return MarketTx(AddressOf(ProviderOf(id)),
                    Call("withdrawLease(uint256)", abi::Encoder().Uint(id)));
  }

  const consensus::ChainParams& params() const { return params_; }
  const consensus::ModuleRegistry& modules() const { return modules_; }
  const test_util::MapReader& state() const { return state_; }
  uint64_t next_order() const { return next_order_; }

 private:
  consensus::ChainParams params_;
  uint64_t gpus_per_provider_;
  consensus::ModuleRegistry modules_;
  test_util::MapReader state_;
  std::vector<Hash256> hashes_;
  std::map<Address, uint64_t> nonces_;
  std::map<uint32_t, bool> funded_;
  uint64_t next_order_ = 1;
};

// The state as ExecuteBlock reads it, counting the reads: the work a
// block does on the state whatever the store behind it.
class CountingReader : public consensus::StateReader {
 public:
  explicit CountingReader(const consensus::StateReader& inner) : inner_(inner) {}
  std::optional<Bytes> Get(ByteSpan key) const override {
    ++gets_;
    keys_.emplace_back(key.begin(), key.end());
    return inner_.Get(key);
  }
  std::vector<consensus::StateEntry> Scan(ByteSpan prefix, ByteSpan start_after,
                                          size_t limit) const override {
    ++scans_;
    return inner_.Scan(prefix, start_after, limit);
  }
  uint64_t gets() const { return gets_; }
  uint64_t scans() const { return scans_; }
  // Every key Get was asked for, in order.
  const std::vector<Bytes>& keys() const { return keys_; }

 private:
  const consensus::StateReader& inner_;
  mutable std::vector<Bytes> keys_;
  mutable uint64_t gets_ = 0;
  mutable uint64_t scans_ = 0;
};

// Times ExecuteBlock of `txs` on the market's state (not applied: every
// iteration runs the same block on the same state). Counters: state reads
// and scans per tx, and state entries written per tx (the diff).
void TimeBlock(benchmark::State& state, const Market& m, const std::vector<TxRef>& txs) {
  const consensus::BlockContext block = m.Next();
  {
    CountingReader counting(m.state());
    auto exec = consensus::ExecuteBlock(counting, block, txs, m.modules(), m.params());
    if (exec.ok()) {
      const double n = static_cast<double>(txs.size());
      state.counters["reads_per_tx"] = static_cast<double>(counting.gets()) / n;
      state.counters["scans_per_tx"] = static_cast<double>(counting.scans()) / n;
      state.counters["writes_per_tx"] = static_cast<double>(exec->diff.size()) / n;
    }
  }
  for (auto _ : state) {
    auto exec = consensus::ExecuteBlock(m.state(), block, txs, m.modules(), m.params());
    if (!exec.ok()) {
      state.SkipWithError(exec.status().ToString().c_str());
      return;
    }
    for (const Receipt& r : exec->receipts) {
      if (r.status != 1) {
        state.SkipWithError("a benchmarked tx reverted");
        return;
      }
    }
    benchmark::DoNotOptimize(exec->gas_used);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * txs.size()));
}

void BM_ComputeBlock(benchmark::State& state) {
  Market m;
  if (Status s = m.GrowTo(kBlockTxs); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  const uint64_t first = m.next_order();
  std::vector<TxRef> txs;
  const int64_t op = state.range(0);
  if (op == 2 || op == 3) {
    // Bids and accepts need open orders (and, for accepts, bids) first.
    std::vector<TxRef> orders;
    for (uint64_t id = first; id < first + kBlockTxs; ++id) orders.push_back(m.OrderTx(id));
    if (!m.Mine(orders).ok()) return state.SkipWithError("orders failed");
    if (op == 3) {
      std::vector<TxRef> bids;
      for (uint64_t id = first; id < first + kBlockTxs; ++id) bids.push_back(m.BidTx(id));
      if (!m.Mine(bids).ok()) return state.SkipWithError("bids failed");
    }
  }
  for (uint64_t i = 0; i < kBlockTxs; ++i) {
    switch (op) {
      case 0: {
        Address to;
        WriteBE32(to.data() + 16, static_cast<uint32_t>(0x20000000 + i));
        txs.push_back(m.Tx(Market::AddressOf(m.TenantOf(i + 1)), to, Bytes(), Uint256(1000)));
        break;
      }
      case 1:
        txs.push_back(m.OrderTx(first + i));
        break;
      case 2:
        txs.push_back(m.BidTx(first + i));
        break;
      case 3:
        txs.push_back(m.AcceptTx(first + i));
        break;
      default:
        txs.push_back(m.WithdrawTx(i + 1));
        break;
    }
  }
  TimeBlock(state, m, txs);
  static const char* const kNames[] = {"transfer", "createOrder", "bid", "acceptBid",
                                       "withdrawLease"};
  state.SetLabel(kNames[op]);
}
BENCHMARK(BM_ComputeBlock)
    ->DenseRange(0, 4)
    ->ArgName("op")
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10);

void BM_ComputeSettlement(benchmark::State& state) {
  Market m;
  const uint64_t leases = static_cast<uint64_t>(state.range(0));
  if (Status s = m.GrowTo(leases); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  std::vector<TxRef> txs;
  // spread=1: leases across the whole id range; 0: the first 1,000 (the
  // same records and accounts touched whatever the total).
  const uint64_t stride = state.range(1) != 0 ? leases / kBlockTxs : 1;
  for (uint64_t i = 0; i < kBlockTxs; ++i) txs.push_back(m.WithdrawTx(1 + i * stride));
  TimeBlock(state, m, txs);
  state.counters["state_entries"] = static_cast<double>(m.state().map_.size());
}
// The store's share of BM_ComputeSettlement: the same block's reads of the
// base state (the keys ExecuteBlock asked for, in its order), alone. What a
// lookup costs grows with the store (a sorted map 100x larger, deeper and
// out of cache), whatever the market does; settlement minus this is the
// market's and the executor's own time.
void BM_ComputeSettlementStoreReads(benchmark::State& state) {
  Market m;
  const uint64_t leases = static_cast<uint64_t>(state.range(0));
  if (Status s = m.GrowTo(leases); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  std::vector<TxRef> txs;
  const uint64_t stride = state.range(1) != 0 ? leases / kBlockTxs : 1;
  for (uint64_t i = 0; i < kBlockTxs; ++i) txs.push_back(m.WithdrawTx(1 + i * stride));
  CountingReader counting(m.state());
  auto exec = consensus::ExecuteBlock(counting, m.Next(), txs, m.modules(), m.params());
  if (!exec.ok()) return state.SkipWithError(exec.status().ToString().c_str());
  const std::vector<Bytes> keys = counting.keys();
  for (auto _ : state) {
    for (const Bytes& key : keys) benchmark::DoNotOptimize(m.state().Get(key));
  }
  state.counters["reads"] = static_cast<double>(keys.size());
}
BENCHMARK(BM_ComputeSettlementStoreReads)
    ->Args({1000, 1})
    ->Args({100000, 1})
    ->Args({1000, 0})
    ->Args({100000, 0})
    ->ArgNames({"leases", "spread"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10);

BENCHMARK(BM_ComputeSettlement)
    ->Args({1000, 1})
    ->Args({100000, 1})
    ->Args({1000, 0})
    ->Args({100000, 0})
    ->ArgNames({"leases", "spread"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(10);

// The settlement ratio measured the way noise cannot fake: both states are
// built in one process, and the same block (1,000 withdrawLease txs) runs on
// each in turn, alternating which goes first, kRatioRounds times after a
// warm-up. Another process on the machine slows whichever run it meets, so
// the ratio of the medians (and of the fastest runs, each state's best case)
// compares like with like. Counters: each state's median and fastest block
// in ms, the two ratios (100k / 1k), and the state entries a block reads
// and writes on each (the same work on both when they are equal).
//   spread:0: the first 1,000 leases, the same records on both states.
//   spread:1, 1024 GPUs per provider: leases across all ids; the 100k
//     block also touches 98 provider accounts where the 1k block touches 2.
//   spread:1, 1 GPU per provider: leases across all ids, each on a provider
//     of its own, so both blocks touch 1,000 leases and 1,000 providers.
constexpr int kRatioRounds = 60;

// The market's state copied into the node's own store: LevelDB through
// chain::StateStore, with the node's default block cache and Bloom filters,
// in a temporary folder removed at the end.
class LevelDbState {
 public:
  static Result<std::unique_ptr<LevelDbState>> From(const test_util::MapReader& map) {
    static int n = 0;
    auto dir = std::filesystem::temp_directory_path() /
               ("depin-settle-bench-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir);
    chain::ChainDbOptions options;
    options.path = dir;
    auto db = chain::ChainDb::Open(options);
    if (!db.ok()) return db.status();
    auto out = std::unique_ptr<LevelDbState>(new LevelDbState(dir, std::move(*db)));
    consensus::StateDiff diff;
    for (const auto& [key, value] : map.map_) {
      diff.push_back({key, std::nullopt, value});
      if (diff.size() == 10000) DEPIN_RETURN_IF_ERROR(out->Write(diff));
    }
    DEPIN_RETURN_IF_ERROR(out->Write(diff));
    return out;
  }
  ~LevelDbState() {
    store_.reset();
    db_.reset();
    std::filesystem::remove_all(dir_);
  }
  const consensus::StateReader& reader() const { return *store_; }

 private:
  LevelDbState(std::filesystem::path dir, std::unique_ptr<chain::ChainDb> db)
      : dir_(std::move(dir)), db_(std::move(db)), store_(new chain::StateStore(*db_)) {}
  Status Write(consensus::StateDiff& diff) {
    chain::WriteBatch batch;
    chain::StateStore::WriteDiff(batch, diff);
    diff.clear();
    return db_->Write(batch, false);
  }
  std::filesystem::path dir_;
  std::unique_ptr<chain::ChainDb> db_;
  std::unique_ptr<chain::StateStore> store_;
};

double MedianOf(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

void BM_ComputeSettlementRatio(benchmark::State& state) {
  const bool spread = state.range(0) != 0;
  const uint64_t gpus_per_provider = static_cast<uint64_t>(state.range(1));
  Market small(gpus_per_provider), large(gpus_per_provider);
  if (Status s = small.GrowTo(1000); !s.ok()) return state.SkipWithError(s.ToString().c_str());
  if (Status s = large.GrowTo(100000); !s.ok()) return state.SkipWithError(s.ToString().c_str());
  struct Run {
    Market* m;
    std::vector<TxRef> txs;
    consensus::BlockContext block;
    std::vector<double> ms;
    std::unique_ptr<LevelDbState> db;  // set when the block reads LevelDB
    const consensus::StateReader* reader = nullptr;
  };
  std::vector<Run> runs;
  for (Market* m : {&small, &large}) {
    const uint64_t leases = m == &small ? 1000 : 100000;
    const uint64_t stride = spread ? leases / kBlockTxs : 1;
    Run r{m, {}, m->Next(), {}, nullptr, &m->state()};
    if (state.range(3) != 0) {
      auto db = LevelDbState::From(m->state());
      if (!db.ok()) return state.SkipWithError(db.status().ToString().c_str());
      r.db = std::move(*db);
      r.reader = &r.db->reader();
    }
    for (uint64_t i = 0; i < kBlockTxs; ++i) r.txs.push_back(m->WithdrawTx(1 + i * stride));
    runs.push_back(std::move(r));
  }
  // Evicts the caches (a buffer well past this machine's 32 MiB L3): a
  // node meets each block's state cold, 15 s after the last one.
  std::vector<uint64_t> evict((size_t{128} << 20) / sizeof(uint64_t));
  const bool cold = state.range(2) != 0;
  const auto execute = [&](Run& r) -> bool {
    if (cold) {
      for (size_t i = 0; i < evict.size(); i += 8) evict[i] += i;
      benchmark::DoNotOptimize(evict.data());
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto exec =
        consensus::ExecuteBlock(r.m->state(), r.block, r.txs, r.m->modules(), r.m->params());
    const auto t1 = std::chrono::steady_clock::now();
    if (!exec.ok() || exec->receipts.size() != r.txs.size()) return false;
    for (const Receipt& receipt : exec->receipts) {
      if (receipt.status != 1) return false;
    }
    r.ms.push_back(std::chrono::duration<double, std::milli>(t1 - t0).count());
    return true;
  };
  const char* const names[] = {"1k", "100k"};
  for (size_t i = 0; i < runs.size(); ++i) {
    CountingReader counting(*runs[i].reader);
    auto exec = consensus::ExecuteBlock(counting, runs[i].block, runs[i].txs, runs[i].m->modules(),
                                        runs[i].m->params());
    if (!exec.ok()) return state.SkipWithError(exec.status().ToString().c_str());
    state.counters[std::string("reads_") + names[i]] = static_cast<double>(counting.gets());
    state.counters[std::string("writes_") + names[i]] = static_cast<double>(exec->diff.size());
  }
  for (auto _ : state) {
    for (int round = 0; round < kRatioRounds + 3; ++round) {
      const bool small_first = round % 2 == 0;
      if (!execute(runs[small_first ? 0 : 1]) || !execute(runs[small_first ? 1 : 0])) {
        return state.SkipWithError("a settlement reverted");
      }
    }
  }
  for (Run& r : runs) r.ms.erase(r.ms.begin(), r.ms.begin() + 6);  // the warm-up's
  const double small_median = MedianOf(runs[0].ms), large_median = MedianOf(runs[1].ms);
  const double small_min = *std::min_element(runs[0].ms.begin(), runs[0].ms.end());
  const double large_min = *std::min_element(runs[1].ms.begin(), runs[1].ms.end());
  state.counters["ms_1k_median"] = small_median;
  state.counters["ms_100k_median"] = large_median;
  state.counters["ms_1k_min"] = small_min;
  state.counters["ms_100k_min"] = large_min;
  state.counters["ratio_median"] = large_median / small_median;
  state.counters["ratio_min"] = large_min / small_min;
}
BENCHMARK(BM_ComputeSettlementRatio)
    ->Args({0, kGpusPerProvider, 0, 0})
    ->Args({1, kGpusPerProvider, 0, 0})
    ->Args({1, 1, 0, 0})
    ->Args({1, 1, 1, 0})
    ->Args({0, kGpusPerProvider, 0, 1})
    ->Args({1, 1, 0, 1})
    ->Args({1, 1, 1, 1})
    ->ArgNames({"spread", "gpus_per_provider", "cold", "leveldb"})
    ->Unit(benchmark::kSecond)
    ->Iterations(1);

}  // namespace
}  // namespace depin::market
