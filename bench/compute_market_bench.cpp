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
// State reads here cost a std::map lookup, not LevelDB's; BM_ExecuteBlock10kTransfers
// (chain_bench.cpp) is the same step on the LevelDB-backed state.
#include <benchmark/benchmark.h>

#include <map>
#include <memory>
#include <optional>
#include <vector>

#include "../tests/test_util/block_context.h"
#include "../tests/test_util/map_reader.h"
#include "bench_util.h"
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
  Market() : params_(consensus::RegtestParams()) {
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
        (next_order_ + leases + kBlockTxs + kGpusPerProvider - 1) / kGpusPerProvider);
    std::vector<TxRef> txs;
    for (uint32_t p = 0; p < providers; ++p) {
      Fund(AddressOf(p));
      txs.push_back(MarketTx(AddressOf(p),
                             Call("registerProvider(string,string)",
                                  abi::Encoder()
                                      .String("https://gpu.example")
                                      .String("gpu.vendor=nvidia;gpu.model=rtx-4090;gpu.count=" +
                                              std::to_string(kGpusPerProvider) +
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
  uint32_t TenantOf(uint64_t id) const { return 100000 + static_cast<uint32_t>(id % 97); }
  uint32_t ProviderOf(uint64_t id) const {
    return static_cast<uint32_t>((id - 1) / kGpusPerProvider);
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

}  // namespace
}  // namespace depin::market
