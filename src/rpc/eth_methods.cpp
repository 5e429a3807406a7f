#include "rpc/eth_methods.h"

#include <algorithm>
#include <chrono>
#include <memory>

#include "consensus/executor.h"
#include "consensus/state_cache.h"
#include "crypto/keccak.h"
#include "rpc/eth_filters.h"
#include "rpc/eth_json.h"
#include "rpc/eth_subscriptions.h"
#include "util/sync.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace eth_json;

RpcError NotReady() { return RpcError::Internal("node is starting"); }

RpcError Invalid(std::string message) { return RpcError::InvalidParams(std::move(message)); }

// geth's code for everything a tx or query is refused for.
RpcError Server(std::string message) { return RpcError::Server(std::move(message)); }

RpcResult Json(Document doc) { return RpcResult(std::move(doc)); }

std::string_view View(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// A QUANTITY that fits 64 bits; also a JSON number, which some clients send.
Result<uint64_t> ParseU64(const Value& v) {
  if (v.IsUint64()) return v.GetUint64();
  if (!v.IsString()) return Status::Error("bad-quantity", "expected a hex quantity");
  auto q = ParseHexQuantity(View(v));
  if (!q) return Status::Error("bad-quantity", "bad hex quantity: " + q.status().message());
  Uint256 n = Uint256::FromBigEndian32(q->data());
  if (!n.FitsUint64()) return Status::Error("bad-quantity", "quantity exceeds 64 bits");
  return n.Low64();
}

Result<Uint256> ParseU256(const Value& v) {
  if (v.IsUint64()) return Uint256(v.GetUint64());
  if (!v.IsString()) return Status::Error("bad-quantity", "expected a hex quantity");
  auto q = ParseHexQuantity(View(v));
  if (!q) return Status::Error("bad-quantity", "bad hex quantity: " + q.status().message());
  return Uint256::FromBigEndian32(q->data());
}

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// The blocks, filters and subscriptions of one node, shared by the handlers.
class EthApi {
 public:
  explicit EthApi(const NodeRpcContext& ctx) : ctx_(ctx) {
    if (ctx.chainstate == nullptr) return;
    filters_ = std::make_shared<EthFilters>(ctx.chainstate);
    subs_ = std::make_shared<EthSubscriptions>(ctx.chainstate);
  }

  bool ready() const { return ctx_.chainstate != nullptr && ctx_.mempool != nullptr; }
  chain::Chainstate& chain() const { return *ctx_.chainstate; }
  chain::Mempool& pool() const { return *ctx_.mempool; }
  const NodeRpcContext& ctx() const { return ctx_; }
  EthFilters& filters() const { return *filters_; }
  EthSubscriptions& subs() const { return *subs_; }
  const std::shared_ptr<EthSubscriptions>& subs_ptr() const { return subs_; }

  // No block parameter, latest or pending: the tip.
  static bool IsTipTag(const Value* v) {
    return v == nullptr || (v->IsString() && (View(*v) == "latest" || View(*v) == "pending"));
  }

  // A block parameter as a height, which may lie past the tip. Tags are
  // resolved against `tip`. An EIP-1898 object with blockHash is resolved by
  // ResolveBlock, not here ("bad-block-param").
  Result<uint64_t> ResolveHeight(const Value* v, uint64_t tip) const {
    if (v == nullptr) return tip;
    if (v->IsObject()) {
      auto n = v->FindMember("blockNumber");
      if (n == v->MemberEnd()) return Status::Error("bad-block-param", "use blockHash");
      return ResolveHeight(&n->value, tip);
    }
    if (!v->IsString()) return Status::Error("bad-block-param", "expected a block number or tag");
    std::string_view s = View(*v);
    if (s == "latest" || s == "pending") return tip;
    if (s == "earliest") return uint64_t{0};
    if (s == "safe") return tip >= kSafeConfirmations ? tip - kSafeConfirmations : 0;
    if (s == "finalized") {
      uint64_t depth = ctx_.params != nullptr ? ctx_.params->max_reorg_depth : 0;
      return tip >= depth ? tip - depth : 0;
    }
    auto n = ParseU64(*v);
    if (!n) {
      return Status::Error("bad-block-param",
                           "expected a block number or latest, pending, earliest, safe, "
                           "finalized");
    }
    return *n;
  }

  // A block parameter as a block of the active chain (or any known block for
  // blockHash). Error status: bad parameter. nullopt: no such block.
  Result<std::optional<chain::BlockInfo>> ResolveBlock(const Value* v) const {
    if (v != nullptr && v->IsObject()) {
      auto h = v->FindMember("blockHash");
      if (h != v->MemberEnd()) {
        if (!h->value.IsString()) return Status::Error("bad-block-param", "bad blockHash");
        auto hash = Hash256::FromHex(View(h->value));
        if (!hash) return Status::Error("bad-block-param", "bad blockHash");
        auto info = chain().LookupBlock(*hash);
        if (!info || !info->have_data) return std::optional<chain::BlockInfo>();
        auto canonical = v->FindMember("requireCanonical");
        if (canonical != v->MemberEnd() && canonical->value.IsTrue() && !info->in_active_chain) {
          return std::optional<chain::BlockInfo>();
        }
        return std::optional<chain::BlockInfo>(*info);
      }
    }
    auto height = ResolveHeight(v, chain().Tip().height);
    if (!height) return height.status();
    auto hash = chain().GetBlockHashAtHeight(*height);
    if (!hash) return std::optional<chain::BlockInfo>();
    return std::optional<chain::BlockInfo>(chain().LookupBlock(*hash));
  }

  // Ok when `v` names a block this node has (any block for the answers that
  // do not depend on state: code and storage).
  std::optional<RpcError> RequireBlock(const Value* v) const {
    if (IsTipTag(v)) return std::nullopt;
    auto block = ResolveBlock(v);
    if (!block) return Invalid(block.status().message());
    if (!*block) return Server("header not found");
    return std::nullopt;
  }

  // The state a query's block parameter names.
  struct QueryState {
    std::shared_ptr<const consensus::StateReader> state;
    std::optional<chain::BlockInfo> block;  // empty: the tip, for latest and pending
  };

  // Absent, latest and pending are the tip; any other block of the active
  // chain is the state after it, rebuilt from undo up to
  // Chainstate::StateHistoryDepth() blocks back. Beyond that -32000
  // "historical state not available: ..."; an unknown block is geth's
  // "header not found".
  std::optional<RpcError> StateFor(const Value* v, QueryState& out) const {
    if (IsTipTag(v)) {
      out.state = chain().StateAtTip();
      return std::nullopt;
    }
    auto block = ResolveBlock(v);
    if (!block) return Invalid(block.status().message());
    if (!*block) return Server("header not found");
    if (!(*block)->in_active_chain) {
      return Server("historical state not available: block " + (*block)->hash.Hex() +
                    " is not in the active chain");
    }
    auto state = chain().StateAtBlock((*block)->hash);
    if (!state) {
      if (state.status().Is(StatusKind::kLimitExceeded)) {
        return Server("historical state not available: " + state.status().message());
      }
      // Reorganised away since it was resolved.
      if (state.status().Is(StatusKind::kNotFound)) return Server("header not found");
      return RpcError::FromStatus(state.status(), kRpcInternalError);
    }
    out.state = std::move(state).value();
    out.block = std::move(*block);
    return std::nullopt;
  }

  consensus::Account AccountAt(const QueryState& q, const Address& address) const {
    consensus::StateCache cache(*q.state);
    return cache.GetAccount(address);
  }

  // Context for a call simulated on `q`'s state: as at the tip, the block
  // that comes next. After an older block N that is the active chain's
  // block N+1 (its height, time, miner, base fee), whose txs ran on exactly
  // that state.
  std::optional<RpcError> CallContext(const QueryState& q, consensus::BlockContext& out) const {
    BlockHeader header;
    if (q.block && chain().Tip().hash != q.block->hash) {
      const chain::BlockInfo& block = *q.block;
      auto child = chain().GetBlockHashAtHeight(block.header.height + 1);
      auto info = child ? chain().LookupBlock(*child) : std::nullopt;
      if (!info || info->header.parent_hash != block.hash) return Server("header not found");
      header = info->header;
    } else {
      const chain::Chainstate::NextBlock next = chain().NextBlockContext();
      header = next.HeaderFor(Address(), std::max(NowSeconds(), next.min_timestamp));
    }
    auto ctx = chain().BlockContextFor(header);
    if (!ctx.ok()) return Server("header not found");
    out = std::move(ctx).value();
    return std::nullopt;
  }

  // The median effective tip paid in the last kTipSampleBlocks blocks, or
  // kDefaultSuggestedTipWei when they hold no txs; cached per tip.
  Uint256 SuggestedTip() const {
    chain::TipInfo tip = chain().Tip();
    {
      MutexLock lock(tip_mu_);
      if (tip_cache_hash_ == tip.hash && tip_cache_valid_) return tip_cache_;
    }
    std::vector<Uint256> tips;
    for (uint64_t i = 0; i < kTipSampleBlocks && i <= tip.height; ++i) {
      auto hash = chain().GetBlockHashAtHeight(tip.height - i);
      if (!hash) break;
      auto block = chain().ReadBlock(*hash);
      if (!block) break;
      for (const TxRef& tx : (*block)->txs) {
        tips.push_back(tx->tx.EffectiveTip((*block)->header.base_fee));
      }
    }
    Uint256 suggestion(kDefaultSuggestedTipWei);
    if (!tips.empty()) {
      std::sort(tips.begin(), tips.end());
      suggestion = tips[tips.size() / 2];
    }
    MutexLock lock(tip_mu_);
    tip_cache_hash_ = tip.hash;
    tip_cache_ = suggestion;
    tip_cache_valid_ = true;
    return suggestion;
  }

  // Appends the block object's body fields (size, transactions, uncles).
  RpcResult BlockObject(const chain::BlockInfo& info, bool full) const {
    auto block = chain().ReadBlock(info.hash);
    if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
    auto receipts = chain().ReadReceipts(info.hash);
    Bloom bloom;
    if (receipts) bloom = BlockBloom(*receipts);
    Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    AddHeaderFields(info.header, info.hash, info.chain_work, bloom, doc, a);
    doc.AddMember("size", Quantity(static_cast<uint64_t>((*block)->SerializedSize()), a), a);
    Value txs(rapidjson::kArrayType);
    for (size_t i = 0; i < (*block)->txs.size(); ++i) {
      const VerifiedTx& vtx = *(*block)->txs[i];
      if (full) {
        TxPosition pos{info.hash, info.header.height, static_cast<uint32_t>(i),
                       info.header.base_fee};
        txs.PushBack(TxObject(vtx, &pos, a), a);
      } else {
        txs.PushBack(Data(vtx.hash.span(), a), a);
      }
    }
    doc.AddMember("transactions", txs, a);
    doc.AddMember("uncles", Value(rapidjson::kArrayType), a);
    return Json(std::move(doc));
  }

  // Receipts of a block as receipt objects (eth_getBlockReceipts), or the
  // one at `only_index`.
  RpcResult Receipts(const chain::BlockInfo& info, std::optional<uint32_t> only_index) const {
    auto block = chain().ReadBlock(info.hash);
    if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
    auto receipts = chain().ReadReceipts(info.hash);
    if (!receipts) return RpcError::FromStatus(receipts.status(), kRpcInternalError);
    if (receipts->size() != (*block)->txs.size()) {
      return RpcError::Internal("receipts do not match the block");
    }
    Document doc(rapidjson::kArrayType);
    auto& a = doc.GetAllocator();
    uint64_t log_index = 0;
    for (size_t i = 0; i < receipts->size(); ++i) {
      if (!only_index || *only_index == i) {
        TxPosition pos{info.hash, info.header.height, static_cast<uint32_t>(i),
                       info.header.base_fee};
        Value r = ReceiptObject((*receipts)[i], *(*block)->txs[i], pos, log_index, a);
        if (only_index) {
          Document one(rapidjson::kObjectType);
          one.CopyFrom(r, one.GetAllocator());
          return Json(std::move(one));
        }
        doc.PushBack(r, a);
      }
      log_index += (*receipts)[i].logs.size();
    }
    return Json(std::move(doc));
  }

  // Logs of the active chain's blocks [from, to] matching `criteria`.
  Result<std::vector<LocatedLog>> Logs(const LogCriteria& criteria, uint64_t from,
                                       uint64_t to) const {
    std::vector<LocatedLog> out;
    for (uint64_t h = from; h <= to; ++h) {
      auto hash = chain().GetBlockHashAtHeight(h);
      if (!hash) break;
      DEPIN_RETURN_IF_ERROR(AppendBlockLogs(criteria, *hash, out));
    }
    return out;
  }

  Status AppendBlockLogs(const LogCriteria& criteria, const Hash256& hash,
                         std::vector<LocatedLog>& out) const {
    auto receipts = chain().ReadReceipts(hash);
    if (!receipts) return receipts.status();
    bool any = false;
    for (const Receipt& r : *receipts) any = any || (!r.logs.empty() && criteria.MayMatch(r.bloom));
    if (!any) return Status::Ok();
    auto block = chain().ReadBlock(hash);
    if (!block) return block.status();
    for (LocatedLog& l : BlockLogs(**block, hash, *receipts)) {
      if (!criteria.Matches(l.log)) continue;
      if (out.size() >= kMaxLogResults) {
        return Status::Error(StatusKind::kLimitExceeded, "too-many-results",
                             "query returned more than " + std::to_string(kMaxLogResults) +
                                 " results; narrow the block range");
      }
      out.push_back(std::move(l));
    }
    return Status::Ok();
  }

 private:
  const NodeRpcContext& ctx_;
  std::shared_ptr<EthFilters> filters_;
  std::shared_ptr<EthSubscriptions> subs_;

  // SuggestedTip's answer for the tip it was computed at.
  mutable Mutex tip_mu_;
  mutable Hash256 tip_cache_hash_ GUARDED_BY(tip_mu_);
  mutable Uint256 tip_cache_ GUARDED_BY(tip_mu_);
  mutable bool tip_cache_valid_ GUARDED_BY(tip_mu_) = false;
};

RpcResult LogsResult(const Result<std::vector<LocatedLog>>& logs) {
  if (!logs) {
    if (logs.status().Is(StatusKind::kLimitExceeded)) {
      return RpcError{kRpcLimitExceeded, logs.status().message(), std::nullopt};
    }
    return RpcError::FromStatus(logs.status(), kRpcInternalError);
  }
  Document doc(rapidjson::kArrayType);
  for (const LocatedLog& l : *logs)
    doc.PushBack(LogObject(l, doc.GetAllocator()), doc.GetAllocator());
  return Json(std::move(doc));
}

// A call object of eth_call / eth_estimateGas.
Result<consensus::CallRequest> ParseCallObject(const Value& v) {
  consensus::CallRequest call;
  if (!v.IsObject()) return Status::Error("bad-call", "transaction must be an object");
  if (auto it = v.FindMember("from"); it != v.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsString()) return Status::Error("bad-call", "bad from address");
    auto a = Address::Parse(View(it->value));
    if (!a) return Status::Error("bad-call", "bad from address: " + a.status().message());
    call.from = *a;
  }
  if (auto it = v.FindMember("to"); it != v.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsString()) return Status::Error("bad-call", "bad to address");
    auto a = Address::Parse(View(it->value));
    if (!a) return Status::Error("bad-call", "bad to address: " + a.status().message());
    call.to = *a;
  }
  if (auto it = v.FindMember("gas"); it != v.MemberEnd() && !it->value.IsNull()) {
    auto g = ParseU64(it->value);
    if (!g) return Status::Error("bad-call", "bad gas: " + g.status().message());
    call.gas_limit = *g;
  }
  if (auto it = v.FindMember("value"); it != v.MemberEnd() && !it->value.IsNull()) {
    auto value = ParseU256(it->value);
    if (!value) return Status::Error("bad-call", "bad value: " + value.status().message());
    call.value = *value;
  }
  std::optional<Bytes> input;
  for (const char* name : {"input", "data"}) {
    auto it = v.FindMember(name);
    if (it == v.MemberEnd() || it->value.IsNull()) continue;
    if (!it->value.IsString()) return Status::Error("bad-call", std::string("bad ") + name);
    auto bytes = HexDecode(View(it->value));
    if (!bytes) return Status::Error("bad-call", std::string("bad ") + name + ": not hex data");
    if (input && *input != *bytes) {
      return Status::Error("bad-call",
                           "both \"data\" and \"input\" are set and not equal. Please use "
                           "\"input\" to pass transaction call data");
    }
    input = std::move(*bytes);
  }
  if (input) call.data = std::move(*input);
  return call;
}

// The error of a reverted simulated call, as geth: code 3, data = the
// ABI-encoded Error(string).
RpcError Reverted(const std::string& reason) {
  std::string message = "execution reverted";
  if (!reason.empty()) message += ": " + reason;
  std::string data = "\"" + HexEncode(consensus::EncodeRevertReason(reason)) + "\"";
  return RpcError{kRpcExecutionReverted, std::move(message), std::move(data)};
}

// A module call that hit its gas allowance rather than one that reverted on
// its own.
bool RanOutOfGas(const consensus::TxOutcome& out) {
  return out.receipt.status == 0 && out.revert.Is(StatusKind::kOutOfGas);
}

// The state and block context a simulated call runs on.
struct CallSite {
  EthApi::QueryState at;
  consensus::BlockContext block;
};

std::optional<RpcError> ResolveCallSite(const EthApi& api, const RpcRequest& req, CallSite& out) {
  if (auto err = api.StateFor(req.Has("block") ? &req.Get("block") : nullptr, out.at)) return err;
  return api.CallContext(out.at, out.block);
}

Result<consensus::TxOutcome> Simulate(const EthApi& api, const CallSite& site,
                                      const consensus::CallRequest& call) {
  return consensus::SimulateCall(*site.at.state, site.block, call, api.chain().modules(),
                                 *api.ctx().params);
}

RpcResult Call(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto call = ParseCallObject(req.Get("transaction"));
  if (!call) return Invalid(call.status().message());
  if (req.Has("stateOverrides") &&
      !(req.Get("stateOverrides").IsObject() && req.Get("stateOverrides").ObjectEmpty())) {
    return Invalid("state overrides are not supported");
  }
  CallSite site;
  if (auto err = ResolveCallSite(api, req, site)) return *err;
  auto out = Simulate(api, site, *call);
  if (!out) return Server(out.status().message());
  if (out->receipt.status == 0) {
    if (RanOutOfGas(*out)) return Server("out of gas");  // geth's eth_call wording
    return Reverted(out->RevertReason());
  }
  return RpcResult::String(HexEncode(out->return_data));
}

// Gas used at the block gas limit (or the caller's gas), then the smallest
// limit at which the call still succeeds (a module may need more allowance
// than it ends up using), found by bisection.
RpcResult EstimateGas(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto call = ParseCallObject(req.Get("transaction"));
  if (!call) return Invalid(call.status().message());
  // Every probe runs on the same state and context.
  CallSite site;
  if (auto err = ResolveCallSite(api, req, site)) return *err;
  uint64_t cap = call->gas_limit != 0 ? call->gas_limit : api.ctx().params->block_gas_limit;
  consensus::CallRequest probe = *call;
  probe.gas_limit = cap;
  auto out = Simulate(api, site, probe);
  if (!out) return Server(out.status().message());
  if (out->receipt.status == 0) {
    if (RanOutOfGas(*out)) {
      return Server("gas required exceeds allowance (" + std::to_string(cap) + ")");
    }
    return Reverted(out->RevertReason());
  }
  uint64_t lo = out->receipt.gas_used;
  if (call->to && !api.chain().modules().IsModuleAddress(*call->to)) {
    return RpcResult::String(QuantityHex(lo));  // a transfer costs exactly its intrinsic gas
  }
  uint64_t hi = cap;
  probe.gas_limit = lo;
  auto at_used = Simulate(api, site, probe);
  if (at_used && at_used->receipt.status == 1) return RpcResult::String(QuantityHex(lo));
  while (lo + 1 < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    probe.gas_limit = mid;
    auto r = Simulate(api, site, probe);
    if (r && r->receipt.status == 1) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return RpcResult::String(QuantityHex(hi));
}

RpcResult SendRawTransaction(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  Bytes raw = req.GetBytes("data");
  auto tx = api.pool().AddRaw(raw);
  if (!tx) return Server(tx.status().message());
  return RpcResult::String((*tx)->hash.Hex());
}

RpcResult GetTransactionByHash(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  Hash256 hash = req.GetFixed<32>("hash");
  auto found = FindMinedTx(api.ctx(), hash);
  if (found.ok() && found->has_value()) {
    const chain::TxLocation* loc = &**found;
    auto block = api.chain().ReadBlock(loc->block_hash);
    if (!block || loc->index >= (*block)->txs.size()) {
      return RpcError::Internal("transaction index points at a missing block");
    }
    Document doc;
    TxPosition pos{loc->block_hash, loc->height, loc->index, (*block)->header.base_fee};
    Value v = TxObject(*(*block)->txs[loc->index], &pos, doc.GetAllocator());
    doc.CopyFrom(v, doc.GetAllocator());
    return Json(std::move(doc));
  }
  if (TxRef tx = api.pool().Get(hash)) {
    Document doc;
    Value v = TxObject(*tx, nullptr, doc.GetAllocator());
    doc.CopyFrom(v, doc.GetAllocator());
    return Json(std::move(doc));
  }
  // geth answers "transaction indexing is in progress" the same way.
  if (!found.ok()) return Server(found.status().message());
  return RpcResult::Null();
}

RpcResult GetTransactionReceipt(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  Hash256 hash = req.GetFixed<32>("hash");
  auto found = FindMinedTx(api.ctx(), hash);
  if (!found.ok()) {
    // A pending tx has no receipt yet, whatever the index says.
    if (api.pool().Contains(hash)) return RpcResult::Null();
    return Server(found.status().message());
  }
  const std::optional<chain::TxLocation>& loc = *found;
  if (!loc) return RpcResult::Null();
  auto info = api.chain().LookupBlock(loc->block_hash);
  if (!info) return RpcResult::Null();
  return api.Receipts(*info, loc->index);
}

RpcResult TxByBlockAndIndex(const EthApi& api, const std::optional<chain::BlockInfo>& info,
                            uint64_t index) {
  if (!info) return RpcResult::Null();
  auto block = api.chain().ReadBlock(info->hash);
  if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
  if (index >= (*block)->txs.size()) return RpcResult::Null();
  Document doc;
  TxPosition pos{info->hash, info->header.height, static_cast<uint32_t>(index),
                 info->header.base_fee};
  Value v = TxObject(*(*block)->txs[index], &pos, doc.GetAllocator());
  doc.CopyFrom(v, doc.GetAllocator());
  return Json(std::move(doc));
}

std::optional<chain::BlockInfo> BlockByHashParam(const EthApi& api, const RpcRequest& req) {
  auto info = api.chain().LookupBlock(req.GetFixed<32>("blockHash"));
  if (!info || !info->have_data) return std::nullopt;
  return info;
}

RpcResult FeeHistory(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto count = ParseU64(req.Get("blockCount"));
  if (!count) return Invalid(count.status().message());
  std::vector<double> percentiles;
  if (req.Has("rewardPercentiles")) {
    const Value& p = req.Get("rewardPercentiles");
    if (!p.IsArray()) return Invalid("rewardPercentiles must be an array");
    double prev = -1;
    for (const Value& x : p.GetArray()) {
      if (!x.IsNumber() || x.GetDouble() < 0 || x.GetDouble() > 100 || x.GetDouble() < prev) {
        return Invalid("rewardPercentiles must be increasing numbers in [0, 100]");
      }
      prev = x.GetDouble();
      percentiles.push_back(prev);
    }
  }
  auto newest = api.ResolveBlock(&req.Get("newestBlock"));
  if (!newest) return Invalid(newest.status().message());
  if (!*newest) return Server("header not found");
  uint64_t n = std::min(*count, kMaxFeeHistoryBlocks);
  uint64_t newest_height = (*newest)->header.height;
  n = std::min(n, newest_height + 1);
  uint64_t oldest = newest_height + 1 - n;
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value base_fees(rapidjson::kArrayType);
  Value ratios(rapidjson::kArrayType);
  Value rewards(rapidjson::kArrayType);
  BlockHeader last;
  for (uint64_t h = oldest; h <= newest_height && n > 0; ++h) {
    auto hash = api.chain().GetBlockHashAtHeight(h);
    if (!hash) return Server("header not found");
    auto block = api.chain().ReadBlock(*hash);
    if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
    const BlockHeader& header = (*block)->header;
    last = header;
    base_fees.PushBack(Quantity(header.base_fee, a), a);
    ratios.PushBack(header.gas_limit == 0 ? 0.0
                                          : static_cast<double>(header.gas_used) /
                                                static_cast<double>(header.gas_limit),
                    a);
    if (!percentiles.empty()) {
      // Tips weighted by gas used, as geth.
      std::vector<std::pair<Uint256, uint64_t>> tips;
      auto receipts = api.chain().ReadReceipts(*hash);
      for (size_t i = 0; i < (*block)->txs.size(); ++i) {
        uint64_t used = receipts && i < receipts->size() ? (*receipts)[i].gas_used : 0;
        tips.emplace_back((*block)->txs[i]->tx.EffectiveTip(header.base_fee), used);
      }
      std::sort(tips.begin(), tips.end(),
                [](const auto& x, const auto& y) { return x.first < y.first; });
      Value row(rapidjson::kArrayType);
      for (double p : percentiles) {
        if (tips.empty()) {
          row.PushBack(Quantity(uint64_t{0}, a), a);
          continue;
        }
        double threshold = static_cast<double>(header.gas_used) * p / 100.0;
        uint64_t sum = 0;
        size_t i = 0;
        for (; i + 1 < tips.size(); ++i) {
          sum += tips[i].second;
          if (static_cast<double>(sum) >= threshold) break;
        }
        row.PushBack(Quantity(tips[i].first, a), a);
      }
      rewards.PushBack(row, a);
    }
  }
  // The base fee of the block after the newest.
  if (n > 0) {
    base_fees.PushBack(Quantity(consensus::NextBaseFee(last, *api.ctx().params), a), a);
  }
  doc.AddMember("oldestBlock", Quantity(oldest, a), a);
  doc.AddMember("baseFeePerGas", base_fees, a);
  doc.AddMember("gasUsedRatio", ratios, a);
  if (!percentiles.empty()) doc.AddMember("reward", rewards, a);
  return Json(std::move(doc));
}

// A filter object's block range: [from, to] of the active chain, or one
// block by blockHash.
struct LogRange {
  bool by_hash = false;
  Hash256 block_hash;
  uint64_t from = 0;
  uint64_t to = 0;
};

Result<LogRange> ParseLogRange(const EthApi& api, const Value& filter) {
  LogRange range;
  uint64_t tip = api.chain().Tip().height;
  auto member = [&](const char* name) -> const Value* {
    auto it = filter.FindMember(name);
    return it == filter.MemberEnd() || it->value.IsNull() ? nullptr : &it->value;
  };
  if (const Value* h = member("blockHash")) {
    if (member("fromBlock") != nullptr || member("toBlock") != nullptr) {
      return Status::Error("bad-filter", "cannot specify both blockHash and fromBlock/toBlock");
    }
    if (!h->IsString()) return Status::Error("bad-filter", "bad blockHash");
    auto hash = Hash256::FromHex(View(*h));
    if (!hash) return Status::Error("bad-filter", "bad blockHash");
    range.by_hash = true;
    range.block_hash = *hash;
    return range;
  }
  auto from = api.ResolveHeight(member("fromBlock"), tip);
  if (!from) return Status::Error("bad-filter", "fromBlock: " + from.status().message());
  auto to = api.ResolveHeight(member("toBlock"), tip);
  if (!to) return Status::Error("bad-filter", "toBlock: " + to.status().message());
  range.from = *from;
  range.to = std::min(*to, tip);
  return range;
}

RpcResult GetLogsOver(const EthApi& api, const LogCriteria& criteria, const LogRange& range) {
  if (range.by_hash) {
    auto info = api.chain().LookupBlock(range.block_hash);
    if (!info || !info->have_data) return Server("unknown block");
    std::vector<LocatedLog> out;
    Status s = api.AppendBlockLogs(criteria, range.block_hash, out);
    if (!s.ok()) return LogsResult(s);
    return LogsResult(out);
  }
  if (range.from > range.to) return LogsResult(std::vector<LocatedLog>());
  if (range.to - range.from + 1 > kMaxLogBlockRange) {
    return RpcError{
        kRpcLimitExceeded,
        "block range too large: at most " + std::to_string(kMaxLogBlockRange) + " blocks per query",
        std::nullopt};
  }
  return LogsResult(api.Logs(criteria, range.from, range.to));
}

RpcResult GetLogs(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const Value& filter = req.Get("filter");
  auto criteria = ParseLogCriteria(filter);
  if (!criteria) return Invalid(criteria.status().message());
  auto range = ParseLogRange(api, filter);
  if (!range) return Invalid(range.status().message());
  return GetLogsOver(api, *criteria, *range);
}

RpcResult NewFilter(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const Value& filter = req.Get("filter");
  auto criteria = ParseLogCriteria(filter);
  if (!criteria) return Invalid(criteria.status().message());
  if (filter.HasMember("blockHash")) return Invalid("blockHash is not allowed in eth_newFilter");
  uint64_t tip = api.chain().Tip().height;
  auto bound = [&](const char* name, bool is_to) -> Result<std::optional<uint64_t>> {
    auto it = filter.FindMember(name);
    if (it == filter.MemberEnd() || it->value.IsNull()) {
      return is_to ? std::optional<uint64_t>() : std::optional<uint64_t>(tip);
    }
    if (is_to && it->value.IsString() &&
        (View(it->value) == "latest" || View(it->value) == "pending")) {
      return std::optional<uint64_t>();
    }
    auto h = api.ResolveHeight(&it->value, tip);
    if (!h) return h.status();
    return std::optional<uint64_t>(*h);
  };
  auto from = bound("fromBlock", false);
  if (!from) return Invalid(from.status().message());
  auto to = bound("toBlock", true);
  if (!to) return Invalid(to.status().message());
  auto id = api.filters().NewLogFilter(std::move(*criteria), **from, *to);
  if (!id) return Server(id.status().message());
  return RpcResult::String(*id);
}

RpcResult GetFilterChanges(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  // A client that sent a tx or saw a block through this node expects the
  // filter to hold it: wait for the events queued so far to reach it.
  if (api.chain().signals() != nullptr) api.chain().signals()->SyncWithValidationQueue();
  auto changes = api.filters().TakeChanges(req.GetString("id"));
  if (!changes) return Server("filter not found");
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  if (auto* hashes = std::get_if<std::vector<Hash256>>(&*changes)) {
    for (const Hash256& h : *hashes) doc.PushBack(Data(h.span(), a), a);
  } else {
    for (const LocatedLog& l : std::get<std::vector<LocatedLog>>(*changes)) {
      doc.PushBack(LogObject(l, a), a);
    }
  }
  return Json(std::move(doc));
}

RpcResult GetFilterLogs(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto spec = api.filters().GetLogFilter(req.GetString("id"));
  if (!spec) return Server("filter not found");
  LogRange range;
  range.from = spec->from;
  uint64_t tip = api.chain().Tip().height;
  range.to = spec->to ? std::min(*spec->to, tip) : tip;
  return GetLogsOver(api, spec->criteria, range);
}

RpcResult SubscriptionResult(const Result<std::string>& id) {
  if (!id) return RpcError{kRpcLimitExceeded, id.status().message(), std::nullopt};
  return RpcResult::String(*id);
}

RpcResult Subscribe(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const std::shared_ptr<RpcSession>& session = req.context().session;
  if (session == nullptr) return Server("notifications not supported");
  std::string kind = req.GetString("kind");
  if (kind == "newHeads") {
    return SubscriptionResult(api.subs().Subscribe(session, EthSubscriptions::Kind::kNewHeads));
  }
  if (kind == "newPendingTransactions") {
    bool full = false;
    if (req.Has("options")) {
      if (!req.Get("options").IsBool()) {
        return Invalid("newPendingTransactions takes true (whole txs) or false (hashes)");
      }
      full = req.Get("options").IsTrue();
    }
    return SubscriptionResult(
        api.subs().Subscribe(session, EthSubscriptions::Kind::kPendingTxs, {}, full));
  }
  if (kind == "logs") {
    LogCriteria criteria;
    if (req.Has("options")) {
      auto c = ParseLogCriteria(req.Get("options"));
      if (!c) return Invalid(c.status().message());
      criteria = std::move(*c);
    }
    return SubscriptionResult(
        api.subs().Subscribe(session, EthSubscriptions::Kind::kLogs, std::move(criteria)));
  }
  return Invalid("no \"" + kind +
                 "\" subscription in eth namespace (newHeads, logs, newPendingTransactions)");
}

RpcResult Unsubscribe(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const std::shared_ptr<RpcSession>& session = req.context().session;
  if (session == nullptr) return Server("notifications not supported");
  return RpcResult::Bool(api.subs().Unsubscribe(*session, req.GetString("id")));
}

RpcParam BlockParam(std::string default_json, std::string help) {
  return RpcParam::Optional("block", RpcType::kAny, std::move(default_json), std::move(help));
}

constexpr const char* kBlockHelp =
    "block number, tag (latest, pending, earliest, safe, finalized) or {blockHash} / "
    "{blockNumber}";

// For the methods that read state.
std::string StateBlockHelp() {
  return std::string(kBlockHelp) + " of the active chain; state is kept for the last " +
         std::to_string(chain::kMaxStateHistoryDepth) +
         " blocks (no more than the network's max_reorg_depth)";
}

// eth_getBalance / eth_getTransactionCount run on the I/O thread (O(1)) for
// the tip only: a past block's state reads the undo of every block since.
bool QueriesTipState(const Value* params) {
  const Value* block = nullptr;
  if (params != nullptr && params->IsArray() && params->Size() > 1) block = &(*params)[1];
  if (params != nullptr && params->IsObject()) {
    auto it = params->FindMember("block");
    if (it != params->MemberEnd()) block = &it->value;
  }
  return block == nullptr || block->IsNull() ||
         (block->IsString() && (View(*block) == "latest" || View(*block) == "pending"));
}

}  // namespace

std::vector<RpcTable> EthRpcTables(const NodeRpcContext& ctx) {
  auto api = std::make_shared<EthApi>(ctx);
  RpcTable t{"eth", {}};
  auto add = [&t](std::string name, std::vector<RpcParam> params, std::string help,
                  std::string result, RpcHandler handler) {
    t.methods.push_back(RpcMethod{.name = std::move(name),
                                  .access = RpcAccess::kPublic,
                                  .params = std::move(params),
                                  .help = std::move(help),
                                  .result = std::move(result),
                                  .handler = std::move(handler)});
  };

  add("web3_clientVersion", {}, "Returns the node's name and version.", "string: depind/v<version>",
      [api](const RpcRequest&) -> RpcResult {
        std::string v = api->ctx().version.empty() ? "unknown" : api->ctx().version;
        return RpcResult::String("depind/v" + v);
      });
  add("web3_sha3", {RpcParam::Required("data", RpcType::kHexData, "bytes to hash")},
      "Returns keccak256 of the data.", "32-byte data", [](const RpcRequest& req) -> RpcResult {
        return RpcResult::String(crypto::Keccak256Hash(req.GetBytes("data")).Hex());
      });
  add("net_version", {}, "Returns the chain id as a decimal string.", "string",
      [api](const RpcRequest&) -> RpcResult {
        if (api->ctx().params == nullptr) return NotReady();
        return RpcResult::String(std::to_string(api->ctx().params->chain_id));
      });
  add("net_listening", {}, "Whether the node runs P2P (accepts peers).", "bool",
      [api](const RpcRequest&) -> RpcResult {
        return RpcResult::Bool(static_cast<bool>(api->ctx().peer_count));
      });
  add("net_peerCount", {}, "Returns the number of connected peers.", "quantity",
      [api](const RpcRequest&) -> RpcResult {
        uint64_t n = api->ctx().peer_count ? api->ctx().peer_count() : 0;
        return RpcResult::String(QuantityHex(n));
      });
  add("eth_chainId", {}, "Returns the chain id (EIP-695).", "quantity",
      [api](const RpcRequest&) -> RpcResult {
        if (api->ctx().params == nullptr) return NotReady();
        return RpcResult::String(QuantityHex(api->ctx().params->chain_id));
      });
  add("eth_blockNumber", {}, "Returns the height of the tip.", "quantity",
      [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        return RpcResult::String(QuantityHex(api->chain().Tip().height));
      });
  add("eth_syncing", {},
      "Returns false when the node has every block of the best known header chain, else the "
      "sync progress.",
      "false, or object: startingBlock, currentBlock, highestBlock",
      [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        chain::TipInfo tip = api->chain().Tip();
        if (tip.best_header_height <= tip.height) return RpcResult::Bool(false);
        Document doc(rapidjson::kObjectType);
        auto& a = doc.GetAllocator();
        doc.AddMember("startingBlock", Quantity(uint64_t{0}, a), a);
        doc.AddMember("currentBlock", Quantity(tip.height, a), a);
        doc.AddMember("highestBlock", Quantity(tip.best_header_height, a), a);
        return Json(std::move(doc));
      });
  add("eth_accounts", {}, "Returns no accounts: keys stay in wallets, never in the node.",
      "empty array", [](const RpcRequest&) -> RpcResult { return RpcResult::RawJson("[]"); });
  add("eth_getBalance",
      {RpcParam::Required("address", RpcType::kAddress, "the account"),
       BlockParam("\"latest\"", StateBlockHelp())},
      "Returns an account's balance in wei after a block (default the tip).", "quantity",
      [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        EthApi::QueryState at;
        if (auto err = api->StateFor(&req.Get("block"), at)) return *err;
        Address address(req.GetFixed<20>("address"));
        return RpcResult::String(api->AccountAt(at, address).balance.ToQuantityHex());
      });
  add("eth_getTransactionCount",
      {RpcParam::Required("address", RpcType::kAddress, "the account"),
       BlockParam("\"latest\"", StateBlockHelp() + "; pending counts pooled txs")},
      "Returns an account's nonce after a block (default the tip); with pending, the next nonce "
      "counting the mempool's txs.",
      "quantity", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        Address address(req.GetFixed<20>("address"));
        const Value& block = req.Get("block");
        if (block.IsString() && View(block) == "pending") {
          return RpcResult::String(QuantityHex(api->pool().PendingNonce(address)));
        }
        EthApi::QueryState at;
        if (auto err = api->StateFor(&block, at)) return *err;
        return RpcResult::String(QuantityHex(api->AccountAt(at, address).nonce));
      });
  add("eth_getCode",
      {RpcParam::Required("address", RpcType::kAddress, "the account"),
       BlockParam("\"latest\"", kBlockHelp)},
      std::string("Returns 0x for plain accounts and ") + kModuleCodeMarker +
          " for native module addresses (there is no EVM code; the marker makes tools treat "
          "modules as contracts). Modules have fixed addresses, so the answer is the same at "
          "every block.",
      "data", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        if (auto err = api->RequireBlock(&req.Get("block"))) return *err;
        Address address(req.GetFixed<20>("address"));
        bool module = api->chain().modules().IsModuleAddress(address);
        return RpcResult::String(module ? kModuleCodeMarker : "0x");
      });
  add("eth_getStorageAt",
      {RpcParam::Required("address", RpcType::kAddress, "the account"),
       RpcParam::Required("position", RpcType::kHexU256, "the storage slot"),
       BlockParam("\"latest\"", kBlockHelp)},
      "Returns 32 zero bytes at every block: there is no EVM storage (modules keep their own "
      "state, read through their view functions with eth_call).",
      "32-byte data", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        if (auto err = api->RequireBlock(&req.Get("block"))) return *err;
        return RpcResult::String(Hash256().Hex());
      });
  add("eth_gasPrice", {},
      "Suggested legacy gas price: the next block's base fee plus the suggested tip.",
      "quantity (wei)", [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        Uint256 price = SaturatingAdd(api->pool().NextBaseFee(), api->SuggestedTip());
        return RpcResult::String(price.ToQuantityHex());
      });
  add("eth_maxPriorityFeePerGas", {},
      "Suggested tip: the median effective tip of the txs in the last 20 blocks, or 1 gwei "
      "when they hold none.",
      "quantity (wei)", [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        return RpcResult::String(api->SuggestedTip().ToQuantityHex());
      });
  add("eth_feeHistory",
      {RpcParam::Required("blockCount", RpcType::kAny, "number of blocks, at most 1024"),
       RpcParam::Required("newestBlock", RpcType::kAny, "newest block number or tag"),
       RpcParam::Optional("rewardPercentiles", RpcType::kArray, "",
                          "increasing percentiles of effective tips, weighted by gas used")},
      "Returns base fees, gas used ratios and tip percentiles of a range of blocks.",
      "object: oldestBlock, baseFeePerGas (one more than blocks: the next block's), "
      "gasUsedRatio, reward",
      [api](const RpcRequest& req) { return FeeHistory(*api, req); });
  add("eth_call",
      {RpcParam::Required("transaction", RpcType::kObject,
                          "call object: from, to, gas, value, input (or data)"),
       BlockParam("\"latest\"", StateBlockHelp()),
       RpcParam::Optional("stateOverrides", RpcType::kAny, "", "not supported; must be empty")},
      "Runs a module call (a view, or any call as a dry run) on the state after a block "
      "(default the tip), in the context of the block after it (the next block's for the tip; "
      "the active chain's for an older block), and returns its output. A failing call is error "
      "3 \"execution reverted: <reason>\" with the ABI-encoded Error(string) as data.",
      "data", [api](const RpcRequest& req) { return Call(*api, req); });
  add("eth_estimateGas",
      {RpcParam::Required("transaction", RpcType::kObject,
                          "call object: from, to, gas (cap), value, input (or data)"),
       BlockParam("", StateBlockHelp())},
      "Estimates the gas a transfer or module call needs: the smallest gas limit at which it "
      "succeeds, on the state after a block (default the tip) as eth_call. A call that would "
      "fail is error 3 with the revert reason.",
      "quantity", [api](const RpcRequest& req) { return EstimateGas(*api, req); });
  add("eth_sendRawTransaction",
      {RpcParam::Required("data", RpcType::kHexData, "the signed EIP-2718 envelope")},
      "Submits a signed transaction to the mempool. Rejections are -32000 with go-ethereum's "
      "message (nonce too low, nonce too high, insufficient funds for gas * price + value, "
      "replacement transaction underpriced, transaction underpriced, max fee per gas less than "
      "block base fee, intrinsic gas too low, already known, invalid chain id, ...).",
      "32-byte tx hash", [api](const RpcRequest& req) { return SendRawTransaction(*api, req); });
  add("eth_getTransactionByHash",
      {RpcParam::Required("hash", RpcType::kHash, "the transaction hash")},
      "Returns a mined or pending transaction, or null. gasPrice is the effective price when "
      "mined and the fee cap when pending.",
      "transaction object or null",
      [api](const RpcRequest& req) { return GetTransactionByHash(*api, req); });
  add("eth_getTransactionReceipt",
      {RpcParam::Required("hash", RpcType::kHash, "the transaction hash")},
      "Returns the receipt of a transaction in the active chain, or null.",
      "receipt object or null",
      [api](const RpcRequest& req) { return GetTransactionReceipt(*api, req); });
  add("eth_getBlockReceipts",
      {RpcParam::Required("block", RpcType::kAny, "block number, tag, hash or {blockHash}")},
      "Returns every receipt of a block, or null when there is no such block.",
      "array of receipt objects or null", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        const Value& v = req.Get("block");
        std::optional<chain::BlockInfo> info;
        if (v.IsString() && View(v).size() == 66) {
          auto hash = Hash256::FromHex(View(v));
          if (hash) info = api->chain().LookupBlock(*hash);
        } else {
          auto r = api->ResolveBlock(&v);
          if (!r) return Invalid(r.status().message());
          info = *r;
        }
        if (!info || !info->have_data) return RpcResult::Null();
        return api->Receipts(*info, std::nullopt);
      });
  add("eth_getBlockByHash",
      {RpcParam::Required("blockHash", RpcType::kHash, "the block hash"),
       RpcParam::Required("full", RpcType::kBool, "true for tx objects, false for tx hashes")},
      "Returns a block, or null.", "block object or null",
      [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto info = BlockByHashParam(*api, req);
        if (!info) return RpcResult::Null();
        return api->BlockObject(*info, req.GetBool("full"));
      });
  add("eth_getBlockByNumber",
      {RpcParam::Required("block", RpcType::kAny, "block number or tag"),
       RpcParam::Required("full", RpcType::kBool, "true for tx objects, false for tx hashes")},
      "Returns a block of the active chain, or null. pending is the tip (blocks are not built "
      "ahead of time).",
      "block object or null", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto info = api->ResolveBlock(&req.Get("block"));
        if (!info) return Invalid(info.status().message());
        if (!*info) return RpcResult::Null();
        return api->BlockObject(**info, req.GetBool("full"));
      });
  add("eth_getBlockTransactionCountByHash",
      {RpcParam::Required("blockHash", RpcType::kHash, "the block hash")},
      "Returns the number of transactions in a block, or null.", "quantity or null",
      [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto info = BlockByHashParam(*api, req);
        if (!info) return RpcResult::Null();
        return RpcResult::String(QuantityHex(info->tx_count));
      });
  add("eth_getBlockTransactionCountByNumber",
      {RpcParam::Required("block", RpcType::kAny, "block number or tag")},
      "Returns the number of transactions in a block of the active chain, or null.",
      "quantity or null", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto info = api->ResolveBlock(&req.Get("block"));
        if (!info) return Invalid(info.status().message());
        if (!*info) return RpcResult::Null();
        return RpcResult::String(QuantityHex((*info)->tx_count));
      });
  add("eth_getTransactionByBlockHashAndIndex",
      {RpcParam::Required("blockHash", RpcType::kHash, "the block hash"),
       RpcParam::Required("index", RpcType::kHexQuantity, "position in the block")},
      "Returns a transaction by block hash and position, or null.", "transaction object or null",
      [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        return TxByBlockAndIndex(*api, BlockByHashParam(*api, req), req.GetUint("index"));
      });
  add("eth_getTransactionByBlockNumberAndIndex",
      {RpcParam::Required("block", RpcType::kAny, "block number or tag"),
       RpcParam::Required("index", RpcType::kHexQuantity, "position in the block")},
      "Returns a transaction by block number and position, or null.", "transaction object or null",
      [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto info = api->ResolveBlock(&req.Get("block"));
        if (!info) return Invalid(info.status().message());
        return TxByBlockAndIndex(*api, *info, req.GetUint("index"));
      });
  add("eth_getLogs",
      {RpcParam::Required("filter", RpcType::kObject,
                          "fromBlock, toBlock (default latest) or blockHash; address (one or a "
                          "list); topics (per position: null, a topic, or a list of topics)")},
      "Returns the logs of the active chain matching a filter. A range may span at most 10000 "
      "blocks and return at most 10000 logs (error -32005 beyond).",
      "array of log objects", [api](const RpcRequest& req) { return GetLogs(*api, req); });
  add("eth_newFilter",
      {RpcParam::Required("filter", RpcType::kObject,
                          "fromBlock, toBlock, address, topics as eth_getLogs")},
      "Creates a log filter polled with eth_getFilterChanges; it collects logs of blocks "
      "connected from now on (and again, with removed true, if they leave the active chain). "
      "A filter not polled for 5 minutes is removed.",
      "filter id", [api](const RpcRequest& req) { return NewFilter(*api, req); });
  add("eth_newBlockFilter", {}, "Creates a filter collecting the hashes of new blocks.",
      "filter id", [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto id = api->filters().NewBlockFilter();
        if (!id) return Server(id.status().message());
        return RpcResult::String(*id);
      });
  add("eth_newPendingTransactionFilter", {},
      "Creates a filter collecting the hashes of txs admitted to the mempool.", "filter id",
      [api](const RpcRequest&) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto id = api->filters().NewPendingTxFilter();
        if (!id) return Server(id.status().message());
        return RpcResult::String(*id);
      });
  add("eth_getFilterChanges", {RpcParam::Required("id", RpcType::kString, "the filter id")},
      "Returns what a filter collected since the last poll.",
      "array of hashes (block and pending tx filters) or log objects",
      [api](const RpcRequest& req) { return GetFilterChanges(*api, req); });
  add("eth_getFilterLogs", {RpcParam::Required("id", RpcType::kString, "a log filter's id")},
      "Returns every log matching a log filter's criteria and range (as eth_getLogs).",
      "array of log objects", [api](const RpcRequest& req) { return GetFilterLogs(*api, req); });
  add("eth_uninstallFilter", {RpcParam::Required("id", RpcType::kString, "the filter id")},
      "Removes a filter.", "bool: whether it existed", [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        return RpcResult::Bool(api->filters().Uninstall(req.GetString("id")));
      });
  add("eth_subscribe",
      {RpcParam::Required("kind", RpcType::kString, "newHeads, logs or newPendingTransactions"),
       RpcParam::Optional("options", RpcType::kAny, "",
                          "for logs: {address, topics} as eth_getLogs; for "
                          "newPendingTransactions: true for whole txs instead of hashes")},
      "WebSocket only: subscribes to new block headers, matching logs (removed true after a "
      "reorg) or new mempool txs (hashes, or tx objects), pushed as eth_subscription "
      "notifications.",
      "subscription id", [api](const RpcRequest& req) { return Subscribe(*api, req); });
  add("eth_unsubscribe", {RpcParam::Required("id", RpcType::kString, "the subscription id")},
      "WebSocket only: ends a subscription of this connection.", "bool: whether it existed",
      [api](const RpcRequest& req) { return Unsubscribe(*api, req); });

  // O(1) reads (the tip, the chain id, one account at the tip) that the
  // server may run on its I/O thread (RpcMethod::inline_ok).
  for (RpcMethod& m : t.methods) {
    const bool account = m.name == "eth_getBalance" || m.name == "eth_getTransactionCount";
    m.inline_ok = account || m.name == "eth_chainId" || m.name == "net_version" ||
                  m.name == "eth_blockNumber";
    if (account) m.inline_if = QueriesTipState;
  }

  std::vector<RpcTable> tables;
  tables.push_back(std::move(t));
  return tables;
}

}  // namespace depin
