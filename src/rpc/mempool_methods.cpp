// Mempool RPC methods: submitting signed txs, inspecting the pool, and fee
// suggestions.
#include <algorithm>

#include "rpc/node_methods.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;

RpcError NotReady() { return RpcError::Internal("node is starting"); }

RpcResult SendRawTransaction(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.mempool == nullptr) return NotReady();
  Bytes raw = req.GetBytes("hexstring");
  auto tx = ctx.mempool->AddRaw(raw);
  if (!tx) return RpcError::FromStatus(tx.status());
  return RpcResult::String((*tx)->hash.Hex());
}

RpcResult GetMempoolInfo(const NodeRpcContext& ctx, uint64_t max_bytes) {
  if (ctx.mempool == nullptr) return NotReady();
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("size", static_cast<uint64_t>(ctx.mempool->Size()), a);
  doc.AddMember("bytes", static_cast<uint64_t>(ctx.mempool->Bytes()), a);
  doc.AddMember("ready", static_cast<uint64_t>(ctx.mempool->ReadyCount()), a);
  doc.AddMember("future", static_cast<uint64_t>(ctx.mempool->FutureCount()), a);
  doc.AddMember("maxmempool", max_bytes, a);
  doc.AddMember("nextbasefee", Wei(ctx.mempool->NextBaseFee(), a), a);
  return RpcResult(std::move(doc));
}

RpcResult GetRawMempool(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.mempool == nullptr) return NotReady();
  std::vector<TxRef> txs = ctx.mempool->All();
  if (!req.GetBool("verbose")) {
    Document doc(rapidjson::kArrayType);
    auto& a = doc.GetAllocator();
    for (const TxRef& tx : txs) doc.PushBack(Hex(tx->hash.span(), a), a);
    return RpcResult(std::move(doc));
  }
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Uint256 base_fee = ctx.mempool->NextBaseFee();
  for (const TxRef& tx : txs) {
    Value o(rapidjson::kObjectType);
    o.AddMember("from", AddressValue(tx->sender, a), a);
    o.AddMember("nonce", tx->tx.nonce, a);
    o.AddMember("gas", tx->tx.gas_limit, a);
    o.AddMember("maxfeepergas", Wei(tx->tx.max_fee_per_gas, a), a);
    o.AddMember("maxpriorityfeepergas", Wei(tx->tx.max_priority_fee_per_gas, a), a);
    o.AddMember("effectivetip", Wei(tx->tx.EffectiveTip(base_fee), a), a);
    o.AddMember("size", static_cast<uint64_t>(tx->size), a);
    doc.AddMember(Str(tx->hash.Hex(), a), o, a);
  }
  return RpcResult(std::move(doc));
}

// Suggests fees for inclusion within `blocks` blocks: the tip is the median
// effective tip paid in the recent blocks (or the pool's, when blocks were
// empty), and the fee cap leaves room for the base fee to rise by 12.5% per
// block for `blocks` blocks, as the EIP-1559 update allows at most.
RpcResult EstimateFee(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr || ctx.mempool == nullptr) return NotReady();
  uint64_t blocks = req.GetUint("blocks");
  if (blocks < 1 || blocks > 1024) return RpcError::InvalidParams("blocks must be 1..1024");
  constexpr uint64_t kLookback = 20;
  chain::TipInfo tip = ctx.chainstate->Tip();
  std::vector<Uint256> tips;
  for (uint64_t i = 0; i < kLookback && i <= tip.height; ++i) {
    auto hash = ctx.chainstate->GetBlockHashAtHeight(tip.height - i);
    if (!hash) break;
    auto block = ctx.chainstate->ReadBlock(*hash);
    if (!block) break;
    for (const TxRef& tx : (*block)->txs) {
      tips.push_back(tx->tx.EffectiveTip((*block)->header.base_fee));
    }
  }
  Uint256 base_fee = ctx.mempool->NextBaseFee();
  Uint256 tip_fee;
  bool from_history = !tips.empty();
  if (from_history) {
    std::sort(tips.begin(), tips.end());
    tip_fee = tips[tips.size() / 2];
  } else {
    // No history: one gwei, what wallets default to on an idle chain.
    tip_fee = Uint256(kWeiPerGwei);
  }
  Uint256 cap = base_fee;
  for (uint64_t i = 0; i < blocks && i < 64; ++i) {
    cap = SaturatingAdd(cap, cap / Uint256(8));
  }
  cap = SaturatingAdd(cap, tip_fee);
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("basefee", Wei(base_fee, a), a);
  doc.AddMember("maxpriorityfeepergas", Wei(tip_fee, a), a);
  doc.AddMember("maxfeepergas", Wei(cap, a), a);
  doc.AddMember("blocks", blocks, a);
  doc.AddMember("fromhistory", from_history, a);
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable MempoolRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"mempool", {}};
  const NodeRpcContext* c = &ctx;
  t.methods.push_back(RpcMethod{
      .name = "sendrawtransaction",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("hexstring", RpcType::kHexData, "the signed tx envelope")},
      .help = "Submits a signed transaction to the mempool. A tx with the same sender and nonce "
              "as a pooled one replaces it if both fee caps are at least 10% higher. Rejections "
              "are -32000 with the rule, e.g. tx-sig-invalid, tx-wrong-chain-id, "
              "tx-nonce-too-low, tx-insufficient-funds, tx-fee-cap-below-base-fee, "
              "tx-data-to-non-module, txpool-replacement-underpriced.",
      .result = "string: 0x tx hash",
      .handler = [c](const RpcRequest& req) { return SendRawTransaction(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getmempoolinfo",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Returns the mempool's size and limits.",
      .result = "object: size, bytes, ready, future, maxmempool (bytes), nextbasefee (wei)",
      .handler = [c](const RpcRequest&) { return GetMempoolInfo(*c, c->mempool_max_bytes); }});
  t.methods.push_back(RpcMethod{
      .name = "getrawmempool",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("verbose", RpcType::kBool, "false",
                                    "false for tx hashes, true for an object keyed by hash")},
      .help = "Lists the txs in the mempool, by sender and nonce.",
      .result = "array of 0x hashes, or object: hash -> {from, nonce, gas, maxfeepergas, "
                "maxpriorityfeepergas, effectivetip, size}",
      .handler = [c](const RpcRequest& req) { return GetRawMempool(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "estimatefee",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("blocks", RpcType::kUint, "3",
                                    "blocks within which the tx should be included")},
      .help = "Suggests EIP-1559 fee fields: the median tip of recent blocks (1 gwei without "
              "history) and a fee cap that covers the base fee's largest possible rise over "
              "`blocks` blocks.",
      .result = "object: basefee, maxpriorityfeepergas, maxfeepergas (wei), blocks, fromhistory",
      .handler = [c](const RpcRequest& req) { return EstimateFee(*c, req); }});
  return t;
}

}  // namespace depin
