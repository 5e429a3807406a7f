// Blockchain RPC methods: chain summary, blocks, headers, transactions and
// accounts, read from the Chainstate (and the mempool for unconfirmed txs).
#include <algorithm>
#include <chrono>

#include "consensus/executor.h"
#include "index/base_index.h"
#include "net/net_manager.h"
#include "rpc/node_methods.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;

// A tip older than this means the node is still catching up (Bitcoin Core's
// default -maxtipage).
constexpr uint64_t kMaxTipAgeSeconds = 24 * 60 * 60;

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

RpcError NotReady() { return RpcError::Internal("node is starting"); }

RpcError BlockNotFound() { return RpcError{kRpcNotFound, "block not found", std::nullopt}; }

RpcResult GetBlockchainInfo(const NodeRpcContext& ctx) {
  if (ctx.chainstate == nullptr) return NotReady();
  const chain::Chainstate& cs = *ctx.chainstate;
  chain::TipInfo tip = cs.Tip();
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("chain", Str(cs.params().name, a), a);
  doc.AddMember("chainid", cs.params().chain_id, a);
  doc.AddMember("blocks", tip.height, a);
  doc.AddMember("headers", tip.best_header_height, a);
  doc.AddMember("bestblockhash", Hex(tip.hash.span(), a), a);
  doc.AddMember("difficulty", Difficulty(tip.header.bits, cs.params()), a);
  doc.AddMember("chainwork", Str(tip.chain_work.ToQuantityHex(), a), a);
  doc.AddMember("stateroot", Hex(cs.StateRoot().span(), a), a);
  doc.AddMember("time", tip.header.timestamp, a);
  doc.AddMember("mediantime", tip.median_time_past, a);
  doc.AddMember("basefee", Wei(tip.header.base_fee, a), a);
  bool ibd = tip.best_header_height > tip.height ||
             tip.header.timestamp + kMaxTipAgeSeconds < NowSeconds();
  doc.AddMember("initialblockdownload", ibd, a);
  // Blocks connected out of the best header height known (from peers when
  // P2P runs, else from the header tree).
  uint64_t tip_height = tip.height;
  uint64_t best_height = tip.best_header_height;
  if (ctx.net != nullptr) {
    net::SyncProgress p = ctx.net->Progress();
    tip_height = p.tip_height;
    best_height = std::max(best_height, p.best_header_height);
  }
  double progress = best_height == 0 || tip_height >= best_height
                        ? 1.0
                        : static_cast<double>(tip_height) / static_cast<double>(best_height);
  doc.AddMember("verificationprogress", progress, a);
  doc.AddMember("size_on_disk", cs.SizeOnDisk(), a);
  return RpcResult(std::move(doc));
}

// Resolves the "blockhash" parameter to a known block.
Result<chain::BlockInfo> LookupBlockParam(const NodeRpcContext& ctx, const RpcRequest& req) {
  Hash256 hash = req.GetFixed<32>("blockhash");
  auto info = ctx.chainstate->LookupBlock(hash);
  if (!info) return Status::Error("not-found");
  return *info;
}

RpcResult GetBlockHeader(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  auto info = LookupBlockParam(ctx, req);
  if (!info) return BlockNotFound();
  if (!req.GetBool("verbose")) return RpcResult::String(HexEncode(info->header.Serialize()));
  Document doc(rapidjson::kObjectType);
  AddHeaderFields(*info, *ctx.chainstate, doc, doc.GetAllocator());
  return RpcResult(std::move(doc));
}

RpcResult GetBlock(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr) return NotReady();
  uint64_t verbosity = req.GetUint("verbosity");
  if (verbosity > 2) return RpcError::InvalidParams("verbosity must be 0, 1 or 2");
  auto info = LookupBlockParam(ctx, req);
  if (!info) return BlockNotFound();
  if (!info->have_data) return RpcError{kRpcNotFound, "block data not available", std::nullopt};
  if (verbosity == 0) {
    auto raw = ctx.chainstate->ReadRawBlock(info->hash);
    if (!raw) return RpcError::FromStatus(raw.status(), kRpcInternalError);
    return RpcResult::String(HexEncode(*raw));
  }
  auto block = ctx.chainstate->ReadBlock(info->hash);
  if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  AddHeaderFields(*info, *ctx.chainstate, doc, a);
  doc.AddMember("size", static_cast<uint64_t>((*block)->SerializedSize()), a);
  Value txs(rapidjson::kArrayType);
  if (verbosity == 1) {
    for (const TxRef& tx : (*block)->txs) txs.PushBack(Hex(tx->hash.span(), a), a);
  } else {
    auto receipts = ctx.chainstate->ReadReceipts(info->hash);
    if (!receipts) return RpcError::FromStatus(receipts.status(), kRpcInternalError);
    // One per tx, then the system receipt when deferred work ran.
    const size_t n = (*block)->txs.size();
    if (receipts->size() != n && receipts->size() != n + 1) {
      return RpcError::Internal("receipts do not match the block");
    }
    uint64_t log_index = 0;
    for (size_t i = 0; i < (*block)->txs.size(); ++i) {
      const VerifiedTx& vtx = *(*block)->txs[i];
      Value t = TxToJson(vtx.tx, vtx.hash, &vtx.sender, vtx.size, a);
      t.AddMember("receipt",
                  ReceiptToJson((*receipts)[i], vtx.tx, info->header.base_fee, log_index, a), a);
      log_index += (*receipts)[i].logs.size();
      txs.PushBack(t, a);
    }
    if (receipts->size() > n) {
      // Deferred work at the end of the block: its gas and logs, under the
      // system tx hash eth_getLogs gives them.
      const Receipt& sys = receipts->back();
      Value deferred(rapidjson::kObjectType);
      deferred.AddMember("txhash", Hex(consensus::SystemTxHash(info->hash).span(), a), a);
      deferred.AddMember("gasused", sys.gas_used, a);
      deferred.AddMember("logs", static_cast<uint64_t>(sys.logs.size()), a);
      doc.AddMember("deferred", deferred, a);
    }
  }
  doc.AddMember("tx", txs, a);
  return RpcResult(std::move(doc));
}

RpcResult GetIndexInfo(const NodeRpcContext& ctx, const RpcRequest& req) {
  const std::string only = req.GetString("index_name");
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  for (const index::BaseIndex* index : ctx.indexes) {
    if (!only.empty() && index->name() != only) continue;
    const index::IndexSummary s = index->Summary();
    Value v(rapidjson::kObjectType);
    v.AddMember("synced", s.synced, a);
    v.AddMember("best_block_height", s.best_block_height, a);
    v.AddMember("best_block_hash", Hex(s.best_block_hash.span(), a), a);
    doc.AddMember(Value(s.name.c_str(), a), v, a);
  }
  return RpcResult(std::move(doc));
}

RpcResult GetRawTransaction(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr || ctx.mempool == nullptr) return NotReady();
  Hash256 hash = req.GetFixed<32>("txid");
  bool verbose = req.GetBool("verbose");
  // Confirmed first: a tx can briefly be in both around a block connect.
  auto found = FindMinedTx(ctx, hash);
  if (found.ok() && found->has_value()) {
    const chain::TxLocation* loc = &**found;
    auto block = ctx.chainstate->ReadBlock(loc->block_hash);
    if (!block || loc->index >= (*block)->txs.size()) {
      return RpcError::Internal("transaction index points at a missing block");
    }
    const VerifiedTx& vtx = *(*block)->txs[loc->index];
    if (!verbose) return RpcResult::String(HexEncode(vtx.tx.Encode()));
    Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    Value t = TxToJson(vtx.tx, vtx.hash, &vtx.sender, vtx.size, a);
    for (auto& m : t.GetObject()) doc.AddMember(m.name, m.value, a);
    doc.AddMember("hex", Hex(vtx.tx.Encode(), a), a);
    doc.AddMember("blockhash", Hex(loc->block_hash.span(), a), a);
    doc.AddMember("height", loc->height, a);
    doc.AddMember("index", loc->index, a);
    chain::TipInfo tip = ctx.chainstate->Tip();
    doc.AddMember("confirmations", tip.height - loc->height + 1, a);
    doc.AddMember("blocktime", (*block)->header.timestamp, a);
    auto receipts = ctx.chainstate->ReadReceipts(loc->block_hash);
    if (receipts && loc->index < receipts->size()) {
      uint64_t log_index = 0;
      for (uint32_t i = 0; i < loc->index; ++i) log_index += (*receipts)[i].logs.size();
      doc.AddMember(
          "receipt",
          ReceiptToJson((*receipts)[loc->index], vtx.tx, (*block)->header.base_fee, log_index, a),
          a);
    }
    return RpcResult(std::move(doc));
  }
  if (TxRef tx = ctx.mempool->Get(hash)) {
    if (!verbose) return RpcResult::String(HexEncode(tx->tx.Encode()));
    Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    Value t = TxToJson(tx->tx, tx->hash, &tx->sender, tx->size, a);
    for (auto& m : t.GetObject()) doc.AddMember(m.name, m.value, a);
    doc.AddMember("hex", Hex(tx->tx.Encode(), a), a);
    doc.AddMember("confirmations", 0, a);
    doc.AddMember("inmempool", true, a);
    return RpcResult(std::move(doc));
  }
  if (!found.ok()) {
    if (found.status().Is(StatusKind::kUnavailable)) {
      return RpcError{kRpcNotFound, "no such mempool transaction; " + found.status().message(),
                      std::nullopt};
    }
    return RpcError::FromStatus(found.status(), kRpcInternalError);
  }
  return RpcError{kRpcNotFound, "no such mempool or blockchain transaction", std::nullopt};
}

RpcResult DecodeRawTransaction(const RpcRequest& req) {
  Bytes raw = req.GetBytes("hexstring");
  auto tx = DecodeTransaction(raw);
  if (!tx) return RpcError::FromStatus(tx.status(), kRpcServerError);
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  auto sender = tx->RecoverSender();
  Value t = TxToJson(*tx, tx->Hash(), sender ? &*sender : nullptr, raw.size(), a);
  for (auto& m : t.GetObject()) doc.AddMember(m.name, m.value, a);
  if (!sender) doc.AddMember("signatureerror", Str(sender.status().ToString(), a), a);
  return RpcResult(std::move(doc));
}

RpcResult GetAccount(const NodeRpcContext& ctx, const RpcRequest& req) {
  if (ctx.chainstate == nullptr || ctx.mempool == nullptr) return NotReady();
  Address address(req.GetFixed<20>("address"));
  consensus::Account account = ctx.chainstate->GetAccount(address);
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("address", AddressValue(address, a), a);
  doc.AddMember("balance", Wei(account.balance, a), a);
  doc.AddMember("nonce", account.nonce, a);
  doc.AddMember("pendingnonce", ctx.mempool->PendingNonce(address), a);
  doc.AddMember("ismodule", ctx.chainstate->modules().IsModuleAddress(address), a);
  doc.AddMember("height", ctx.chainstate->Tip().height, a);
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable BlockchainRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"blockchain", {}};
  const NodeRpcContext* c = &ctx;
  t.methods.push_back(RpcMethod{
      .name = "getblockchaininfo",
      .access = RpcAccess::kPublic,
      .params = {},
      .help = "Returns the state of the active chain.",
      .result = "object: chain, chainid, blocks, headers, bestblockhash, difficulty, chainwork, "
                "stateroot, time, mediantime, basefee (wei), initialblockdownload, "
                "verificationprogress (0..1), "
                "size_on_disk",
      .handler = [c](const RpcRequest&) { return GetBlockchainInfo(*c); }});
  t.methods.push_back(
      RpcMethod{.name = "getblockcount",
                .access = RpcAccess::kPublic,
                .params = {},
                .help = "Returns the height of the active chain's tip (genesis is 0).",
                .result = "number",
                .handler = [c](const RpcRequest&) -> RpcResult {
                  if (c->chainstate == nullptr) return NotReady();
                  return RpcResult::Uint(c->chainstate->Tip().height);
                },
                .inline_ok = true});
  t.methods.push_back(RpcMethod{.name = "getbestblockhash",
                                .access = RpcAccess::kPublic,
                                .params = {},
                                .help = "Returns the hash of the active chain's tip.",
                                .result = "string: 0x block hash",
                                .handler = [c](const RpcRequest&) -> RpcResult {
                                  if (c->chainstate == nullptr) return NotReady();
                                  return RpcResult::String(c->chainstate->Tip().hash.Hex());
                                },
                                .inline_ok = true});
  t.methods.push_back(RpcMethod{
      .name = "getblockhash",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("height", RpcType::kUint, "height in the active chain")},
      .help = "Returns the hash of the block at a height of the active chain.",
      .result = "string: 0x block hash",
      .handler = [c](const RpcRequest& req) -> RpcResult {
        if (c->chainstate == nullptr) return NotReady();
        auto hash = c->chainstate->GetBlockHashAtHeight(req.GetUint("height"));
        if (!hash) return RpcError::InvalidParams("block height out of range");
        return RpcResult::String(hash->Hex());
      }});
  t.methods.push_back(RpcMethod{
      .name = "getblockheader",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("blockhash", RpcType::kHash, "the block hash"),
                 RpcParam::Optional("verbose", RpcType::kBool, "true",
                                    "true for an object, false for the 260-byte header as hex")},
      .help = "Returns a block header. Headers of blocks off the active chain have "
              "confirmations -1.",
      .result = "object: hash, confirmations, height, version, previousblockhash, "
                "nextblockhash, txroot, receiptsroot, stateroot, miner, time, bits, difficulty, "
                "chainwork, gaslimit, gasused, basefee (wei), extra, nonce, ntx; or hex string",
      .handler = [c](const RpcRequest& req) { return GetBlockHeader(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getblock",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("blockhash", RpcType::kHash, "the block hash"),
                 RpcParam::Optional("verbosity", RpcType::kUint, "1",
                                    "0: serialized block as hex; 1: header fields and tx hashes; "
                                    "2: header fields and full txs with receipts")},
      .help = "Returns a block.",
      .result = "verbosity 0: hex string; 1: the getblockheader object plus size and tx (hashes); "
                "2: as 1 with tx as objects, each with its receipt, and deferred {txhash, gasused, "
                "logs} when deferred work ran at the end of the block (its logs are in eth_getLogs "
                "under that system tx hash)",
      .handler = [c](const RpcRequest& req) { return GetBlock(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getrawtransaction",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("txid", RpcType::kHash, "the transaction hash"),
                 RpcParam::Optional("verbose", RpcType::kBool, "false",
                                    "false for the envelope as hex, true for an object")},
      .help = "Returns a transaction from the active chain or the mempool.",
      .result = "hex string, or object: the decoded tx plus hex, blockhash, height, index, "
                "confirmations, blocktime and receipt (confirmations 0 and inmempool for pending "
                "txs)",
      .handler = [c](const RpcRequest& req) { return GetRawTransaction(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getindexinfo",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("index_name", RpcType::kString, "\"\"",
                                    "only this index (e.g. txindex); all when empty")},
      .help = "Returns the state of the optional indexes (-txindex), as Bitcoin Core does. An "
              "index is synced once it has caught up with the chain; it then follows every "
              "block.",
      .result = "object: one member per running index: {synced, best_block_height, "
                "best_block_hash}; empty when no index runs",
      .handler = [c](const RpcRequest& req) { return GetIndexInfo(*c, req); },
      .inline_ok = true});
  t.methods.push_back(RpcMethod{
      .name = "decoderawtransaction",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("hexstring", RpcType::kHexData, "the signed tx envelope")},
      .help = "Decodes a signed transaction for any chain id without checking it against the "
              "chain; a signature that does not recover gives from null and signatureerror.",
      .result = "object: hash, type, chainid, nonce, from, to, value (wei), gas, fee fields, data, "
                "yparity, r, s, size",
      .handler = [](const RpcRequest& req) { return DecodeRawTransaction(req); }});
  t.methods.push_back(RpcMethod{
      .name = "getaccount",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("address", RpcType::kAddress, "the account address")},
      .help = "Returns an account's balance and nonce at the tip, and its next nonce counting "
              "pending txs.",
      .result = "object: address, balance (wei), nonce, pendingnonce, ismodule, height",
      .handler = [c](const RpcRequest& req) { return GetAccount(*c, req); },
      .inline_ok = true});
  return t;
}

}  // namespace depin
