// Explorer RPC methods: per-block and chain-wide statistics (getblockstats,
// getchaintxstats), the market index's lists and counters (getmarketobjects,
// getmarketstats, getstoragestats) and one search box (search). Native style
// (rpc/node_methods.h): wei as decimal strings, heights as numbers, hashes
// and addresses 0x hex.
//
// Bounded work: every method reads a bounded number of blocks, index
// entries and module views per call; the bounds are in the help text. An
// object's state is never stored by the market index: it comes from the
// module's own view at the tip (lazy but never stale).
#include <algorithm>
#include <chrono>
#include <map>

#include "consensus/abi.h"
#include "consensus/executor.h"
#include "index/market_index.h"
#include "market/compute_market.h"
#include "rpc/node_methods.h"
#include "storage/market.h"
#include "util/sync.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;
using index::MarketKind;
using index::MarketModule;
using index::MarketObjectRef;

constexpr uint64_t kMaxMarketWindow = 100000;
constexpr uint64_t kDefaultMarketWindow = 1000;
// Leases read for getmarketstats' medians (the newest of the window's
// first ones past this are left out; the help text says so).
constexpr size_t kMaxPriceSamples = 10000;
constexpr uint64_t kMaxFaultPeriods = 1000;
// Storage providers whose views getstoragestats reads.
constexpr size_t kMaxStatsProviders = 1000;
constexpr uint64_t kMaxObjectsPage = 100;
// Index entries one getmarketobjects call reads (a state filter skips some).
constexpr size_t kMaxObjectsExamined = 1000;
constexpr size_t kMaxSearchLength = 256;
constexpr size_t kMaxSearchSectors = 20;

RpcError NotReady() { return RpcError::Internal("node is starting"); }

RpcError Rule(int code, std::string_view rule, const std::string& message) {
  return RpcError{code, std::string(rule) + ": " + message, std::nullopt};
}
RpcError BadParam(std::string_view rule, const std::string& message) {
  return Rule(kRpcInvalidParams, rule, message);
}
RpcError Internal(const Status& s) { return RpcError::FromStatus(s, kRpcInternalError); }

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The market index, synced to the tip a caller saw; else why not.
std::optional<RpcError> RequireMarketIndex(const NodeRpcContext& ctx) {
  if (ctx.market_index == nullptr) {
    return Rule(kRpcServerError, "marketindex-disabled",
                "the market index is off; start the node with -marketindex");
  }
  if (!ctx.market_index->BlockUntilSyncedToCurrentChain()) {
    return Rule(kRpcServerError, "marketindex-syncing",
                "the market index is still being built (at height " +
                    std::to_string(ctx.market_index->Summary().best_block_height) +
                    "); try again once getindexinfo reports marketindex synced");
  }
  return std::nullopt;
}

// Runs module views on the state at the tip, as eth_call does.
class TipViews {
 public:
  explicit TipViews(const chain::Chainstate& cs) : cs_(cs), state_(cs.StateAtTip()) {
    const chain::Chainstate::NextBlock next = cs.NextBlockContext();
    auto block =
        cs.BlockContextFor(next.HeaderFor(Address(), std::max(NowSeconds(), next.min_timestamp)));
    if (block.ok()) block_ = std::move(block).value();
  }
  bool ok() const { return state_ != nullptr && block_.has_value(); }

  // The view's output; nullopt when it reverts (no such object) or the
  // module is not active.
  std::optional<Bytes> Run(const Address& module, std::string_view signature,
                           const abi::Encoder& args) const {
    if (!ok() || cs_.modules().ActiveAt(module, block_->height) == nullptr) return std::nullopt;
    consensus::CallRequest call;
    call.to = module;
    call.data = args.FinishCall(abi::SelectorOf(signature));
    auto out = consensus::SimulateCall(*state_, *block_, call, cs_.modules(), cs_.params());
    if (!out.ok() || out->receipt.status == 0) return std::nullopt;
    return std::move(out->return_data);
  }

 private:
  const chain::Chainstate& cs_;
  std::shared_ptr<const consensus::StateReader> state_;
  std::optional<consensus::BlockContext> block_;
};

Uint256 WordOf(const Bytes& out, size_t i) {
  if (out.size() < 32 * (i + 1)) return Uint256();
  return Uint256::FromBigEndian32(out.data() + 32 * i);
}
uint64_t Word64(const Bytes& out, size_t i) {
  const Uint256 v = WordOf(out, i);
  return v.FitsUint64() ? v.Low64() : UINT64_MAX;
}

std::string StateName(MarketKind kind, uint64_t v) {
  const auto b = static_cast<uint8_t>(v);
  switch (kind) {
    case MarketKind::kOrder:
      return std::string(market::OrderStateName(static_cast<market::OrderState>(b)));
    case MarketKind::kBid:
      return std::string(market::BidStateName(static_cast<market::BidState>(b)));
    case MarketKind::kLease:
      return std::string(market::LeaseStateName(static_cast<market::LeaseState>(b)));
    case MarketKind::kDeal:
      return std::string(storage::DealStateName(static_cast<storage::DealState>(b)));
    case MarketKind::kSector:
      return std::string(storage::SectorStateName(static_cast<storage::SectorState>(b)));
    case MarketKind::kProvider:
      return v != 0 ? "registered" : "deregistered";
  }
  return "unknown";
}

// Every state name getmarketobjects' filter accepts.
std::vector<std::string> AllStateNames() {
  std::vector<std::string> names;
  for (uint64_t v = 1; v <= 6; ++v) {
    for (MarketKind k : {MarketKind::kOrder, MarketKind::kBid, MarketKind::kLease,
                         MarketKind::kDeal, MarketKind::kSector}) {
      std::string n = StateName(k, v);
      if (n != "unknown" && std::find(names.begin(), names.end(), n) == names.end()) {
        names.push_back(n);
      }
    }
  }
  names.push_back("registered");
  names.push_back("deregistered");
  return names;
}

// The object's current state from its module's view; nullopt when the
// module does not answer (an object of a rewound branch).
std::optional<std::string> CurrentState(const TipViews& views, const MarketObjectRef& ref) {
  const Address compute = market::ComputeMarketAddress();
  const Address storage_market = storage::StorageMarketAddress();
  std::optional<Bytes> out;
  size_t word = 0;
  switch (ref.kind) {
    case MarketKind::kOrder:
      out = views.Run(compute, "getOrder(uint256)", abi::Encoder().Uint(ref.id));
      word = 10;
      break;
    case MarketKind::kBid:
      out = views.Run(compute, "getBid(uint256)", abi::Encoder().Uint(ref.id));
      word = 5;
      break;
    case MarketKind::kLease:
      out = views.Run(compute, "getLease(uint256)", abi::Encoder().Uint(ref.id));
      word = 8;
      break;
    case MarketKind::kDeal:
      out = views.Run(storage_market, "getDeal(uint256)", abi::Encoder().Uint(ref.id));
      word = 7;
      break;
    case MarketKind::kSector:
      out = views.Run(storage_market, "getSector(address,uint256)",
                      abi::Encoder().Address(ref.address).Uint(ref.id));
      word = 0;
      break;
    case MarketKind::kProvider:
      out = views.Run(ref.module == MarketModule::kCompute ? compute : storage_market,
                      "getProvider(address)", abi::Encoder().Address(ref.address));
      word = 0;
      break;
  }
  if (!out) return std::nullopt;
  return StateName(ref.kind, Word64(*out, word));
}

// ---- getblockstats -------------------------------------------------------

Result<chain::BlockInfo> ResolveHashOrHeight(const NodeRpcContext& ctx, const Value& v,
                                             RpcError* error) {
  const chain::Chainstate& cs = *ctx.chainstate;
  if (v.IsUint64()) {
    auto hash = cs.GetBlockHashAtHeight(v.GetUint64());
    if (!hash) {
      *error = Rule(kRpcNotFound, "not-found",
                    "no block at height " + std::to_string(v.GetUint64()) + " (the tip is at " +
                        std::to_string(cs.Tip().height) + ")");
      return Status::Error("not-found");
    }
    auto info = cs.LookupBlock(*hash);
    if (!info) return Status::Error("not-found");
    return *info;
  }
  if (v.IsString()) {
    const std::string_view s(v.GetString(), v.GetStringLength());
    auto hash = Hash256::FromHex(s);
    if (!hash.ok() || s.size() != 66) {
      *error = BadParam("bad-hash-or-height",
                        "expected a height (a number >= 0) or a 0x-prefixed 32-byte block hash");
      return Status::Error("bad-param");
    }
    auto info = cs.LookupBlock(*hash);
    if (!info) {
      *error = Rule(kRpcNotFound, "not-found", "no block " + std::string(s));
      return Status::Error("not-found");
    }
    return *info;
  }
  *error = BadParam("bad-hash-or-height",
                    "expected a height (a number >= 0) or a 0x-prefixed 32-byte block hash");
  return Status::Error("bad-param");
}

RpcResult GetBlockStats(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  const chain::Chainstate& cs = *ctx.chainstate;
  RpcError error;
  auto info = ResolveHashOrHeight(ctx, req.Get("hash_or_height"), &error);
  if (!info.ok()) return error;
  if (!info->have_data) return Rule(kRpcNotFound, "not-found", "block data not available");
  auto block = cs.ReadBlock(info->hash);
  if (!block.ok()) return Internal(block.status());
  auto receipts = cs.ReadReceipts(info->hash);
  if (!receipts.ok()) return Internal(receipts.status());
  const BlockHeader& h = info->header;
  Uint256 fees;
  uint64_t proofs = 0;
  for (size_t i = 0; i < (*block)->txs.size() && i < receipts->size(); ++i) {
    const VerifiedTx& vtx = *(*block)->txs[i];
    const Uint256 tip = vtx.tx.EffectiveTip(h.base_fee);
    fees =
        SaturatingAdd(fees, CheckedMul(tip, Uint256((*receipts)[i].gas_used)).value_or(Uint256()));
    if (vtx.tx.to) {
      if (const consensus::Module* m = cs.modules().Find(*vtx.tx.to)) {
        auto checks = m->ProofChecks(vtx.tx.data);
        if (checks.ok() && !checks->empty()) ++proofs;
      }
    }
  }
  const Uint256 burned = CheckedMul(h.base_fee, Uint256(h.gas_used)).value_or(Uint256());
  const Uint256 subsidy = consensus::BlockSubsidy(h.height, cs.params());
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("height", h.height, a);
  doc.AddMember("hash", Hex(info->hash.span(), a), a);
  doc.AddMember("time", h.timestamp, a);
  doc.AddMember("txs", static_cast<uint64_t>((*block)->txs.size()), a);
  doc.AddMember("size", static_cast<uint64_t>((*block)->SerializedSize()), a);
  doc.AddMember("gasused", h.gas_used, a);
  doc.AddMember("gaslimit", h.gas_limit, a);
  doc.AddMember("basefee", Wei(h.base_fee, a), a);
  doc.AddMember("burned", Wei(burned, a), a);
  doc.AddMember("fees", Wei(fees, a), a);
  doc.AddMember("subsidy", Wei(subsidy, a), a);
  doc.AddMember("minerreward", Wei(CheckedAdd(subsidy, fees).value_or(subsidy), a), a);
  doc.AddMember("proofs", proofs, a);
  Value interval;  // null for genesis
  if (h.height > 0) {
    auto parent = cs.LookupBlock(h.parent_hash);
    if (parent) {
      interval.SetInt64(static_cast<int64_t>(h.timestamp) -
                        static_cast<int64_t>(parent->header.timestamp));
    }
  }
  doc.AddMember("interval", interval, a);
  return RpcResult(std::move(doc));
}

// ---- getchaintxstats -----------------------------------------------------

// Txs in the active chain up to and including each height, extended as the
// chain grows: one pass over new blocks only (the block tree is in memory).
class ChainTxCounts {
 public:
  // Txs in blocks 0..height of the active chain, `hash` being the block at
  // `height`.
  Result<uint64_t> Through(const chain::Chainstate& cs, uint64_t height, const Hash256& hash) {
    MutexLock lock(mu_);
    // Drop what a reorg replaced: the cached hash at the top must still be
    // in the active chain.
    while (!hashes_.empty()) {
      auto active = cs.GetBlockHashAtHeight(hashes_.size() - 1);
      if (active && *active == hashes_.back()) break;
      hashes_.pop_back();
      totals_.pop_back();
    }
    while (hashes_.size() <= height) {
      const uint64_t h = hashes_.size();
      auto at = cs.GetBlockHashAtHeight(h);
      auto info = at ? cs.LookupBlock(*at) : std::nullopt;
      if (!info) return Status::NotFound("not-found", "block at height " + std::to_string(h));
      hashes_.push_back(info->hash);
      totals_.push_back((totals_.empty() ? 0 : totals_.back()) + info->tx_count);
    }
    if (hashes_[height] != hash) {
      return Status::NotFound("not-found", "block " + hash.Hex() + " left the active chain");
    }
    return totals_[height];
  }

 private:
  Mutex mu_;
  std::vector<Hash256> hashes_ GUARDED_BY(mu_);
  std::vector<uint64_t> totals_ GUARDED_BY(mu_);
};

RpcResult GetChainTxStats(const NodeRpcContext& ctx, const RpcRequest& req, ChainTxCounts& counts) {
  if (ctx.chainstate == nullptr) return NotReady();
  const chain::Chainstate& cs = *ctx.chainstate;
  std::optional<chain::BlockInfo> final_block;
  if (req.Has("blockhash")) {
    const Hash256 hash = req.GetFixed<32>("blockhash");
    final_block = cs.LookupBlock(hash);
    if (!final_block) return Rule(kRpcNotFound, "not-found", "block not found");
    if (!final_block->in_active_chain) {
      return Rule(kRpcNotFound, "not-found", "block is not in the active chain");
    }
  } else {
    final_block = cs.LookupBlock(cs.Tip().hash);
    if (!final_block) return NotReady();
  }
  const uint64_t height = final_block->header.height;
  // Bitcoin Core's default: one month of blocks.
  const uint64_t spacing = std::max<uint64_t>(cs.params().target_spacing, 1);
  uint64_t nblocks = std::min<uint64_t>(30 * 24 * 60 * 60 / spacing, height > 0 ? height - 1 : 0);
  if (req.Has("nblocks")) {
    nblocks = req.GetUint("nblocks");
    if (height == 0 ? nblocks > 0 : nblocks > height - 1) {
      return BadParam("bad-nblocks",
                      "invalid block count: should be between 0 and the block's "
                      "height - 1 (" +
                          std::to_string(height == 0 ? 0 : height - 1) + ")");
    }
  }
  auto total = counts.Through(cs, height, final_block->hash);
  if (!total.ok()) return Rule(kRpcNotFound, "not-found", total.status().message());
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("time", final_block->header.timestamp, a);
  doc.AddMember("txcount", *total, a);
  doc.AddMember("window_final_block_hash", Hex(final_block->hash.span(), a), a);
  doc.AddMember("window_final_block_height", height, a);
  doc.AddMember("window_block_count", nblocks, a);
  if (nblocks > 0) {
    auto start_hash = cs.GetBlockHashAtHeight(height - nblocks);
    auto start = start_hash ? cs.LookupBlock(*start_hash) : std::nullopt;
    auto start_total = counts.Through(cs, height - nblocks, start ? start->hash : Hash256());
    if (!start || !start_total.ok()) return Rule(kRpcNotFound, "not-found", "window start moved");
    const uint64_t window_txs = *total - *start_total;
    const int64_t interval = static_cast<int64_t>(final_block->header.timestamp) -
                             static_cast<int64_t>(start->header.timestamp);
    doc.AddMember("window_tx_count", window_txs, a);
    doc.AddMember("window_interval", interval, a);
    if (interval > 0) {
      doc.AddMember("txrate", static_cast<double>(window_txs) / static_cast<double>(interval), a);
    }
  }
  return RpcResult(std::move(doc));
}

// ---- getmarketobjects ----------------------------------------------------

std::string CursorOf(const MarketObjectRef& ref) { return HexEncode(ref.Encode()); }

RpcResult GetMarketObjects(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  const Address address(req.GetFixed<20>("address"));
  std::optional<MarketKind> kind;
  if (req.Has("kind")) {
    const std::string k = req.GetString("kind");
    if (!k.empty()) {
      kind = index::ParseMarketKind(k);
      if (!kind) {
        return BadParam("bad-kind",
                        "kind must be order, bid, lease, provider, deal or sector, "
                        "not \"" +
                            k.substr(0, 32) + "\"");
      }
    }
  }
  std::optional<std::string> state;
  if (req.Has("state")) {
    std::string s = req.GetString("state");
    if (!s.empty()) {
      const auto names = AllStateNames();
      if (std::find(names.begin(), names.end(), s) == names.end()) {
        std::string all;
        for (const auto& n : names) all += (all.empty() ? "" : ", ") + n;
        return BadParam("bad-state", "state must be one of " + all);
      }
      state = std::move(s);
    }
  }
  const uint64_t count = req.GetUint("count");
  if (count == 0 || count > kMaxObjectsPage) {
    return BadParam("bad-count", "count must be 1.." + std::to_string(kMaxObjectsPage));
  }
  std::optional<MarketObjectRef> after;
  if (req.Has("afterid")) {
    const Value& v = req.Get("afterid");
    if (v.IsUint64()) {
      if (!kind || *kind == MarketKind::kProvider || *kind == MarketKind::kSector) {
        return BadParam("bad-cursor",
                        "a numeric afterid needs kind order, bid, lease or deal; "
                        "else pass the next cursor of the previous page");
      }
      after = MarketObjectRef{*kind, v.GetUint64(), Address(), MarketModule::kCompute};
    } else if (v.IsString()) {
      auto bytes = HexDecode(std::string_view(v.GetString(), v.GetStringLength()));
      if (bytes.ok()) after = MarketObjectRef::Decode(*bytes);
      if (!after || (kind && after->kind != *kind)) {
        return BadParam("bad-cursor", "afterid is not a cursor this node issued for this query");
      }
    } else if (!v.IsNull()) {
      return BadParam("bad-cursor", "afterid must be a next cursor (string) or an id (number)");
    }
  }
  if (auto err = RequireMarketIndex(ctx)) return *err;
  TipViews views(*ctx.chainstate);
  if (!views.ok()) return NotReady();
  std::map<Bytes, std::string> states;  // by ref, for the page
  auto accept = [&](const index::MarketParticipation& p) {
    auto s = CurrentState(views, p.object);
    if (!s) return false;  // a rewound object the index still lists: skip
    if (state && *s != *state) return false;
    states[p.object.Encode()] = *s;
    return true;
  };
  auto page = ctx.market_index->ListFor(address, kind, after, count, kMaxObjectsExamined, accept);
  if (!page.ok()) return Internal(page.status());
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value objects(rapidjson::kArrayType);
  for (const auto& e : page->entries) {
    for (uint8_t bit = 1; bit != 0 && bit <= index::kRoleAuditor;
         bit = static_cast<uint8_t>(bit << 1)) {
      if ((e.roles & bit) == 0) continue;
      Value o(rapidjson::kObjectType);
      o.AddMember("kind", Str(index::MarketKindName(e.object.kind), a), a);
      if (e.object.kind == MarketKind::kProvider) {
        o.AddMember("id", AddressValue(e.object.address, a), a);
        o.AddMember("module",
                    Str(e.object.module == MarketModule::kCompute ? "compute" : "storage", a), a);
      } else {
        o.AddMember("id", e.object.id, a);
        if (e.object.kind == MarketKind::kSector) {
          o.AddMember("provider", AddressValue(e.object.address, a), a);
        }
      }
      o.AddMember("role", Str(index::MarketRoleName(bit), a), a);
      o.AddMember("state", Str(states[e.object.Encode()], a), a);
      o.AddMember("height", e.height, a);
      objects.PushBack(o, a);
    }
  }
  doc.AddMember("objects", objects, a);
  Value next;
  if (page->next) next = Str(CursorOf(*page->next), a);
  doc.AddMember("next", next, a);
  return RpcResult(std::move(doc));
}

// ---- getmarketstats ------------------------------------------------------

RpcResult GetMarketStats(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  const uint64_t window = req.GetUint("window");
  if (window == 0 || window > kMaxMarketWindow) {
    return BadParam("bad-window",
                    "window must be 1.." + std::to_string(kMaxMarketWindow) + " blocks");
  }
  if (auto err = RequireMarketIndex(ctx)) return *err;
  const index::MarketIndex& mi = *ctx.market_index;
  // One view: the counters, the models and the prices of one block.
  auto view = mi.Snapshot();
  if (!view) return NotReady();
  auto at = mi.Height(view.get());
  if (!at.ok()) return Internal(at.status());
  const uint64_t height = *at;
  auto counters = mi.Counters(view.get());
  if (!counters.ok()) return Internal(counters.status());
  auto gpus = mi.Gpus(index::MarketIndex::kMaxModels, view.get());
  if (!gpus.ok()) return Internal(gpus.status());
  const uint64_t from = height >= window ? height - window + 1 : 0;
  auto started = mi.LeasesStarted(from, height, kMaxPriceSamples, view.get());
  if (!started.ok()) return Internal(started.status());
  std::map<std::string, std::vector<Uint256>> prices;
  for (const auto& s : *started) prices[s.model].push_back(s.price);

  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("height", height, a);
  doc.AddMember("window", window, a);
  doc.AddMember("openorders", counters->open_orders, a);
  doc.AddMember("activeleases", counters->active_leases, a);
  doc.AddMember("providers", counters->compute_providers, a);
  Value gv(rapidjson::kArrayType);
  for (const auto& g : *gpus) {
    if (g.registered == 0 && g.leased == 0) continue;
    Value o(rapidjson::kObjectType);
    o.AddMember("model", Str(g.model, a), a);
    o.AddMember("registered", g.registered, a);
    o.AddMember("leased", g.leased, a);
    gv.PushBack(o, a);
  }
  doc.AddMember("gpus", gv, a);
  Value pv(rapidjson::kArrayType);
  for (auto& [model, list] : prices) {
    std::sort(list.begin(), list.end());
    Value o(rapidjson::kObjectType);
    o.AddMember("model", Str(model, a), a);
    // The lower middle for an even count: a price some lease really paid.
    o.AddMember("median", Wei(list[(list.size() - 1) / 2], a), a);
    o.AddMember("leases", static_cast<uint64_t>(list.size()), a);
    pv.PushBack(o, a);
  }
  doc.AddMember("prices", pv, a);
  return RpcResult(std::move(doc));
}

// ---- getstoragestats -----------------------------------------------------

RpcResult GetStorageStats(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  const uint64_t periods = req.GetUint("periods");
  if (periods == 0 || periods > kMaxFaultPeriods) {
    return BadParam("bad-periods", "periods must be 1.." + std::to_string(kMaxFaultPeriods));
  }
  if (auto err = RequireMarketIndex(ctx)) return *err;
  const index::MarketIndex& mi = *ctx.market_index;
  auto providers = mi.StorageProviders(kMaxStatsProviders);
  if (!providers.ok()) return Internal(providers.status());
  TipViews views(*ctx.chainstate);
  if (!views.ok()) return NotReady();
  uint64_t registered = 0;
  uint64_t active = 0;
  Uint256 proven;
  for (const Address& p : *providers) {
    auto out = views.Run(storage::StorageMarketAddress(), "getProvider(address)",
                         abi::Encoder().Address(p));
    if (!out || Word64(*out, 0) == 0) continue;
    ++registered;
    const uint64_t sectors = Word64(*out, 8);
    active += sectors;
    proven =
        SaturatingAdd(proven, CheckedMul(Uint256(sectors), WordOf(*out, 4)).value_or(Uint256()));
  }
  const uint64_t height = ctx.chainstate->Tip().height;
  const uint64_t period_len = ctx.chainstate->params().storage.proving_period_blocks;
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("height", height, a);
  doc.AddMember("providers", registered, a);
  doc.AddMember("activesectors", active, a);
  doc.AddMember("provenbytes", Wei(proven, a), a);
  Value faults(rapidjson::kArrayType);
  if (period_len > 0) {
    const uint64_t current = height / period_len;
    for (uint64_t i = 0; i < periods && i <= current; ++i) {
      const uint64_t period = current - i;
      auto n = mi.FaultsInPeriod(period);
      if (!n.ok()) return Internal(n.status());
      Value o(rapidjson::kObjectType);
      o.AddMember("period", period, a);
      o.AddMember("faultysectors", *n, a);
      faults.PushBack(o, a);
    }
  }
  doc.AddMember("faults", faults, a);
  return RpcResult(std::move(doc));
}

// ---- search --------------------------------------------------------------

bool AllDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

RpcResult Search(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr || ctx.mempool == nullptr) return NotReady();
  const chain::Chainstate& cs = *ctx.chainstate;
  std::string q = req.GetString("query");
  while (!q.empty() && (q.back() == ' ' || q.back() == '\t')) q.pop_back();
  size_t lead = 0;
  while (lead < q.size() && (q[lead] == ' ' || q[lead] == '\t')) ++lead;
  q.erase(0, lead);
  if (q.empty()) return BadParam("bad-query", "the query is empty");
  if (q.size() > kMaxSearchLength) {
    return BadParam("bad-query",
                    "the query is longer than " + std::to_string(kMaxSearchLength) + " characters");
  }
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value results(rapidjson::kArrayType);
  auto add = [&](std::string_view kind, std::string label) {
    Value o(rapidjson::kObjectType);
    o.AddMember("kind", Str(kind, a), a);
    o.AddMember("label", Str(label, a), a);
    return o;
  };
  TipViews views(cs);
  const Address compute = market::ComputeMarketAddress();
  const Address storage_market = storage::StorageMarketAddress();

  const bool hex = q.size() > 2 && q[0] == '0' && (q[1] == 'x' || q[1] == 'X');
  if (AllDigits(q)) {
    if (q.size() > 20) return BadParam("bad-query", "the number does not fit 64 bits");
    uint64_t n = 0;
    bool fits = true;
    for (char c : q) {
      const uint64_t d = static_cast<uint64_t>(c - '0');
      if (n > (UINT64_MAX - d) / 10) fits = false;
      n = n * 10 + d;
    }
    if (!fits) return BadParam("bad-query", "the number does not fit 64 bits");
    if (auto hash = cs.GetBlockHashAtHeight(n)) {
      Value o = add("block", "block " + std::to_string(n));
      o.AddMember("height", n, a);
      o.AddMember("hash", Hex(hash->span(), a), a);
      results.PushBack(o, a);
    }
    const std::pair<MarketKind, std::pair<Address, std::string_view>> kinds[] = {
        {MarketKind::kOrder, {compute, "getOrder(uint256)"}},
        {MarketKind::kLease, {compute, "getLease(uint256)"}},
        {MarketKind::kDeal, {storage_market, "getDeal(uint256)"}},
    };
    for (const auto& [kind, view] : kinds) {
      if (!views.Run(view.first, view.second, abi::Encoder().Uint(n))) continue;
      const std::string name(index::MarketKindName(kind));
      Value o = add(name, name + " " + std::to_string(n));
      o.AddMember("id", n, a);
      results.PushBack(o, a);
    }
    if (ctx.market_index != nullptr && ctx.market_index->synced()) {
      auto providers = ctx.market_index->SectorProviders(n, kMaxSearchSectors);
      if (!providers.ok()) return Internal(providers.status());
      for (const Address& p : *providers) {
        Value o = add("sector", "sector " + std::to_string(n) + " of " + p.ToChecksumHex());
        o.AddMember("id", n, a);
        o.AddMember("provider", AddressValue(p, a), a);
        results.PushBack(o, a);
      }
    }
  } else if (hex && q.size() == 66) {
    auto hash = Hash256::FromHex(q);
    if (!hash.ok()) return BadParam("bad-query", "not a hash: bad hex digits");
    if (auto info = cs.LookupBlock(*hash)) {
      Value o = add("block", std::string(info->in_active_chain ? "block " : "stale block ") +
                                 std::to_string(info->header.height));
      o.AddMember("height", info->header.height, a);
      o.AddMember("hash", Hex(hash->span(), a), a);
      results.PushBack(o, a);
    }
    auto mined = FindMinedTx(ctx, *hash);
    if (mined.ok() && mined->has_value()) {
      Value o = add("tx", "tx in block " + std::to_string((*mined)->height));
      o.AddMember("hash", Hex(hash->span(), a), a);
      o.AddMember("height", (*mined)->height, a);
      results.PushBack(o, a);
    } else if (ctx.mempool->Contains(*hash)) {
      Value o = add("tx", "pending tx (in the mempool)");
      o.AddMember("hash", Hex(hash->span(), a), a);
      o.AddMember("height", Value(), a);
      results.PushBack(o, a);
    }
  } else if (hex && q.size() == 42) {
    auto address = Address::Parse(q);
    if (!address.ok())
      return BadParam("bad-query", "not an address: " + address.status().message());
    Value o = add("address", cs.modules().IsModuleAddress(*address) ? "module account" : "address");
    o.AddMember("address", AddressValue(*address, a), a);
    results.PushBack(o, a);
    for (const auto& [module, name] :
         {std::pair{compute, "compute"}, std::pair{storage_market, "storage"}}) {
      auto out = views.Run(module, "getProvider(address)", abi::Encoder().Address(*address));
      if (!out || Word64(*out, 0) == 0) continue;
      Value p = add("provider", std::string(name) + " provider");
      p.AddMember("address", AddressValue(*address, a), a);
      p.AddMember("module", Str(name, a), a);
      results.PushBack(p, a);
    }
  } else {
    return BadParam("bad-query",
                    "expected a height or object id (digits), a 0x-prefixed 32-byte block or tx "
                    "hash, or a 0x-prefixed 20-byte address");
  }
  doc.AddMember("query", Str(q, a), a);
  doc.AddMember("results", results, a);
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable ExplorerRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"explorer", {}};
  const NodeRpcContext* c = &ctx;
  auto counts = std::make_shared<ChainTxCounts>();
  t.methods.push_back(RpcMethod{
      .name = "getblockstats",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("hash_or_height", RpcType::kAny,
                                    "a block height (number) or a 0x block hash")},
      .help = "Returns one block's statistics: fees are the miners' tips (effective tip x gas "
              "used per tx), burned = basefee x gasused, minerreward = subsidy + fees, proofs "
              "counts the txs that carry a proof, interval is seconds since the parent (null "
              "for genesis). Reads one block and its receipts.",
      .result = "object: height, hash, time, txs, size, gasused, gaslimit, basefee (wei), burned "
                "(wei), fees (wei), subsidy (wei), minerreward (wei), proofs, interval",
      .handler = [c](const RpcRequest& req) { return GetBlockStats(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getchaintxstats",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("nblocks", RpcType::kUint, "",
                                    "window size in blocks (default: one month of blocks)"),
                 RpcParam::Optional("blockhash", RpcType::kHash, "",
                                    "the window's last block (default: the tip)")},
      .help = "Returns statistics about the total number and rate of transactions in the chain, "
              "as Bitcoin Core does. Cumulative counts are kept in memory and extended as the "
              "chain grows (the first call walks the block tree once).",
      .result = "object: time, txcount, window_final_block_hash, window_final_block_height, "
                "window_block_count, window_tx_count, window_interval, txrate (txs per second; "
                "the last three only when window_block_count > 0, txrate only when the "
                "interval is positive)",
      .handler = [c, counts](const RpcRequest& req) { return GetChainTxStats(*c, req, *counts); }});
  t.methods.push_back(RpcMethod{
      .name = "getmarketobjects",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("address", RpcType::kAddress, "the participant"),
                 RpcParam::Optional("kind", RpcType::kString, "\"\"",
                                    "order, bid, lease, provider, deal or sector; all when empty"),
                 RpcParam::Optional("state", RpcType::kString, "\"\"",
                                    "only objects in this state now (e.g. open, active, leased, "
                                    "closed, registered); all when empty"),
                 RpcParam::Optional("count", RpcType::kUint, "25", "page size, 1..100"),
                 RpcParam::Optional("afterid", RpcType::kAny, "",
                                    "the previous page's next cursor, or (with kind order, bid, "
                                    "lease or deal) an id to start after")},
      .help = "Lists the market objects an address takes part in, from -marketindex, ordered by "
              "kind then id; one entry per role. state is the object's state now, from the "
              "module's view (never stale). One call reads at most 1000 index entries: with a "
              "state filter a page may hold fewer than count objects while next is not null. "
              "Errors: marketindex-disabled, marketindex-syncing (-32000); bad-kind, bad-state, "
              "bad-count, bad-cursor (-32602).",
      .result = "object: objects [{kind, id (a number; an address for providers), role (tenant, "
                "provider, client, bidder or auditor), state, height (first seen), provider "
                "(sectors), module (providers)}], next (cursor string or null)",
      .handler = [c](const RpcRequest& req) { return GetMarketObjects(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getmarketstats",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("window", RpcType::kUint, "1000",
                                    "blocks back from the tip for the prices, 1..100000")},
      .help = "Returns the compute market's running counters from -marketindex (open orders, "
              "active leases, registered providers, GPUs registered and under lease per "
              "normalized model) and the median price per block per model of the leases that "
              "started in the last `window` blocks (the lower middle for an even count). Bounded: "
              "counters are O(1), at most 1000 models and the first 10000 leases of the window "
              "are read. Errors: marketindex-disabled, marketindex-syncing (-32000); bad-window "
              "(-32602).",
      .result = "object: height, window, openorders, activeleases, providers, gpus [{model, "
                "registered, leased}], prices [{model, median (wei per block), leases}]",
      .handler = [c](const RpcRequest& req) { return GetMarketStats(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getstoragestats",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("periods", RpcType::kUint, "10",
                                    "proving periods back from the current one, 1..1000")},
      .help = "Returns the storage market's registered providers, active sectors and proven "
              "bytes (active sectors x sector size) from each provider's view at the tip, and "
              "the faulty sectors per proving period (SectorFaulty events) for the last "
              "`periods` periods, newest first, from -marketindex. Bounded: at most 1000 "
              "providers are read. Errors: marketindex-disabled, marketindex-syncing (-32000); "
              "bad-periods (-32602).",
      .result = "object: height, providers, activesectors, provenbytes (decimal string), faults "
                "[{period, faultysectors}]",
      .handler = [c](const RpcRequest& req) { return GetStorageStats(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "search",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("query", RpcType::kString,
                                    "a height or id, a block or tx hash, or an address")},
      .help = "Finds what a query names: digits are a height and also an order, lease, deal or "
              "sector id (all that exist are returned; sectors need -marketindex); a 32-byte hash "
              "is a block or a tx (mined or in the mempool); a 20-byte address is an address "
              "(and a provider when registered). A query of another shape is bad-query (-32602); "
              "a well-formed one that matches nothing gives no results.",
      .result = "object: query, results [{kind (block, tx, address, order, lease, deal, sector "
                "or provider), label, and height/hash, hash/height, address, id (and provider "
                "for sectors, module for providers)}]",
      .handler = [c](const RpcRequest& req) { return Search(*c, req); }});
  return t;
}

}  // namespace depin
