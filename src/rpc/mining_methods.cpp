// Mining RPC methods: miner status, block templates for external miners,
// block submission and regtest block generation.
#include <chrono>

#include "rpc/node_methods.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;

// generatetoaddress mines synchronously on an RPC worker; keep one call short.
constexpr uint64_t kMaxGenerateBlocks = 1000;

RpcError NotReady() { return RpcError::Internal("node is starting"); }

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

RpcResult GetMiningInfo(const NodeRpcContext& ctx) {
  if (ctx.chainstate == nullptr || ctx.mempool == nullptr) return NotReady();
  chain::TipInfo tip = ctx.chainstate->Tip();
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("chain", Str(ctx.chainstate->params().name, a), a);
  doc.AddMember("blocks", tip.height, a);
  doc.AddMember("difficulty", Difficulty(tip.header.bits, ctx.chainstate->params()), a);
  doc.AddMember("mining", ctx.miner != nullptr && ctx.miner->running(), a);
  if (ctx.miner_address) {
    doc.AddMember("mineraddress", AddressValue(*ctx.miner_address, a), a);
  } else {
    doc.AddMember("mineraddress", Value(), a);
  }
  doc.AddMember("minethreads", ctx.miner_threads, a);
  // Dev mode's block interval in seconds (0: none) and automine, as they
  // are now (evm_setIntervalMining and evm_setAutomine change them).
  const int64_t interval_ms = ctx.miner != nullptr ? ctx.miner->block_interval().count() : 0;
  if (interval_ms % 1000 == 0) {
    doc.AddMember("devblocktime", interval_ms / 1000, a);
  } else {
    doc.AddMember("devblocktime", static_cast<double>(interval_ms) / 1000.0, a);
  }
  doc.AddMember("devautomine", ctx.miner != nullptr && ctx.miner->automine(), a);
  doc.AddMember("hashespersec", ctx.miner != nullptr ? ctx.miner->hashrate() : 0.0, a);
  doc.AddMember("blocksmined", ctx.miner != nullptr ? ctx.miner->blocks_mined() : 0, a);
  doc.AddMember("pooledtx", static_cast<uint64_t>(ctx.mempool->Size()), a);
  doc.AddMember("nextbasefee", Wei(ctx.mempool->NextBaseFee(), a), a);
  return RpcResult(std::move(doc));
}

RpcResult GetBlockTemplateRpc(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr || ctx.mempool == nullptr) return NotReady();
  Address payee;
  if (req.Has("mineraddress")) {
    payee = Address(req.GetFixed<20>("mineraddress"));
  } else if (ctx.miner_address) {
    payee = *ctx.miner_address;
  } else {
    return RpcError::InvalidParams("no mineraddress given and none configured (-mineraddress)");
  }
  auto tmpl = chain::GetBlockTemplate(*ctx.chainstate, ctx.mempool, payee, NowSeconds());
  if (!tmpl) return RpcError::FromStatus(tmpl.status());
  const Block& block = *tmpl->block;
  const BlockHeader& h = block.header;
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("version", h.version, a);
  doc.AddMember("height", h.height, a);
  doc.AddMember("previousblockhash", Hex(h.parent_hash.span(), a), a);
  char bits[9];
  std::snprintf(bits, sizeof(bits), "%08x", h.bits);
  doc.AddMember("bits", Str(bits, a), a);
  doc.AddMember("target", Hex(tmpl->target.ToHash().span(), a), a);
  doc.AddMember("mintime", tmpl->min_timestamp, a);
  doc.AddMember("curtime", h.timestamp, a);
  doc.AddMember("miner", AddressValue(h.miner, a), a);
  doc.AddMember("gaslimit", h.gas_limit, a);
  doc.AddMember("gasused", h.gas_used, a);
  doc.AddMember("basefee", Wei(h.base_fee, a), a);
  doc.AddMember("fees", Wei(tmpl->fees, a), a);
  doc.AddMember("subsidy", Wei(tmpl->subsidy, a), a);
  doc.AddMember("size", static_cast<uint64_t>(tmpl->serialized_size), a);
  Value txs(rapidjson::kArrayType);
  for (const TxRef& tx : block.txs) txs.PushBack(Hex(tx->hash.span(), a), a);
  doc.AddMember("transactions", txs, a);
  doc.AddMember("header", Hex(h.Serialize(), a), a);
  doc.AddMember("block", Hex(block.Serialize(), a), a);
  doc.AddMember("nonceoffset", static_cast<uint64_t>(BlockHeader::kNonceOffset), a);
  return RpcResult(std::move(doc));
}

RpcResult SubmitBlockRpc(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  Bytes raw = req.GetBytes("hexdata");
  chain::BlockAcceptance acceptance = chain::BlockAcceptance::kInvalid;
  Status s = chain::SubmitBlock(*ctx.chainstate, raw, &acceptance);
  if (!s.ok()) return RpcError::FromStatus(s);
  switch (acceptance) {
    case chain::BlockAcceptance::kAccepted:
      return RpcResult::Null();
    case chain::BlockAcceptance::kAlreadyKnown:
      return RpcResult::String("duplicate");
    case chain::BlockAcceptance::kOrphan:
      return RpcResult::String("inconclusive");
    case chain::BlockAcceptance::kInvalid:
    case chain::BlockAcceptance::kNotProcessed:
      break;
  }
  return RpcError::Server("block rejected");
}

RpcResult GenerateToAddress(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr || ctx.miner == nullptr) return NotReady();
  if (ctx.chainstate->params().network != consensus::Network::kRegtest) {
    return RpcError::Server("generatetoaddress is only available on regtest");
  }
  uint64_t n = req.GetUint("nblocks");
  if (n > kMaxGenerateBlocks) {
    return RpcError::InvalidParams("nblocks must be at most " + std::to_string(kMaxGenerateBlocks));
  }
  Address payee(req.GetFixed<20>("address"));
  auto hashes = ctx.miner->Generate(n, payee);
  if (!hashes) return RpcError::FromStatus(hashes.status());
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  for (const Hash256& h : *hashes) doc.PushBack(Hex(h.span(), a), a);
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable MiningRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"mining", {}};
  const NodeRpcContext* c = &ctx;
  t.methods.push_back(RpcMethod{
      .name = "getmininginfo",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Returns the built-in miner's state and the next block's difficulty and base fee.",
      .result = "object: chain, blocks, difficulty, mining, mineraddress, minethreads, "
                "devblocktime (seconds between dev blocks, 0 for none), devautomine (dev mode "
                "mines when a tx arrives), hashespersec, blocksmined, pooledtx, nextbasefee (wei)",
      .handler = [c](const RpcRequest&) { return GetMiningInfo(*c); }});
  t.methods.push_back(RpcMethod{
      .name = "getblocktemplate",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Optional("mineraddress", RpcType::kAddress, "",
                                    "payee of the subsidy and tips (default: -mineraddress)")},
      .help = "Builds the next block on the tip for an external miner. The miner varies the "
              "8-byte little-endian nonce at byte nonceoffset of the header (the same bytes "
              "start the block), checks SHA-256d(header) <= target, and calls submitblock.",
      .result = "object: version, height, previousblockhash, bits, target, mintime, curtime, "
                "miner, gaslimit, gasused, basefee, fees, subsidy (wei), size, transactions "
                "(hashes), header (hex, nonce 0), block (hex, nonce 0), nonceoffset",
      .handler = [c](const RpcRequest& req) { return GetBlockTemplateRpc(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "submitblock",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Required("hexdata", RpcType::kHexData, "the serialized block")},
      .help = "Submits a solved block. An invalid block is -32000 with the rule that failed "
              "(e.g. block-high-hash).",
      .result = "null when accepted, \"duplicate\" when already known, \"inconclusive\" when its "
                "parent is unknown",
      .handler = [c](const RpcRequest& req) { return SubmitBlockRpc(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "generatetoaddress",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Required("nblocks", RpcType::kUint, "how many blocks (at most 1000)"),
                 RpcParam::Required("address", RpcType::kAddress, "payee of the blocks")},
      .help = "Mines blocks now with the built-in miner (regtest only), including pooled txs.",
      .result = "array of 0x block hashes",
      .handler = [c](const RpcRequest& req) { return GenerateToAddress(*c, req); }});
  return t;
}

}  // namespace depin
