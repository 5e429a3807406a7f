#include "rpc/eth_methods.h"

#include <memory>

#include "chain/miner.h"
#include "crypto/keccak.h"
#include "rpc/eth_api.h"
#include "rpc/eth_block_params.h"
#include "rpc/eth_call.h"
#include "rpc/eth_compute.h"
#include "rpc/eth_fees.h"
#include "rpc/eth_logs.h"
#include "rpc/eth_ots.h"
#include "rpc/eth_storage.h"

namespace depin {

namespace eth_rpc {

using namespace eth_json;

RpcResult EthApi::BlockObject(const chain::BlockInfo& info, bool full) const {
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
      TxPosition pos{info.hash, info.header.height, static_cast<uint32_t>(i), info.header.base_fee};
      txs.PushBack(TxObject(vtx, &pos, a), a);
    } else {
      txs.PushBack(Data(vtx.hash.span(), a), a);
    }
  }
  doc.AddMember("transactions", txs, a);
  doc.AddMember("uncles", Value(rapidjson::kArrayType), a);
  return Json(std::move(doc));
}

RpcResult EthApi::Receipts(const chain::BlockInfo& info, std::optional<uint32_t> only_index) const {
  auto block = chain().ReadBlock(info.hash);
  if (!block) return RpcError::FromStatus(block.status(), kRpcInternalError);
  auto receipts = chain().ReadReceipts(info.hash);
  if (!receipts) return RpcError::FromStatus(receipts.status(), kRpcInternalError);
  // One per tx, then the system receipt when deferred work ran: it has no
  // tx, so eth_getBlockReceipts lists the txs' receipts only (its logs are
  // in eth_getLogs under the system tx hash).
  const size_t n = (*block)->txs.size();
  if (receipts->size() != n && receipts->size() != n + 1) {
    return RpcError::Internal("receipts do not match the block");
  }
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  uint64_t log_index = 0;
  for (size_t i = 0; i < n; ++i) {
    if (!only_index || *only_index == i) {
      TxPosition pos{info.hash, info.header.height, static_cast<uint32_t>(i), info.header.base_fee};
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

}  // namespace eth_rpc

namespace {

using namespace eth_json;
using namespace eth_rpc;

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

RpcResult SubscriptionResult(const Result<std::string>& id) {
  if (!id) return FilterLimit(id.status());
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

}  // namespace

std::vector<RpcTable> EthRpcTables(const NodeRpcContext& ctx) {
  auto api = std::make_shared<EthApi>(ctx);
  RpcTable t{"eth", {}};

  t.AddPublic("web3_clientVersion", {}, "Returns the node's name and version.",
              "string: depind/v<version>", [api](const RpcRequest&) -> RpcResult {
                std::string v = api->ctx().version.empty() ? "unknown" : api->ctx().version;
                return RpcResult::String("depind/v" + v);
              });
  t.AddPublic("web3_sha3", {RpcParam::Required("data", RpcType::kHexData, "bytes to hash")},
              "Returns keccak256 of the data.", "32-byte data",
              [](const RpcRequest& req) -> RpcResult {
                return RpcResult::String(crypto::Keccak256Hash(req.GetBytes("data")).Hex());
              });
  t.AddPublic("net_version", {}, "Returns the chain id as a decimal string.", "string",
              [api](const RpcRequest&) -> RpcResult {
                if (api->ctx().params == nullptr) return NotReady();
                return RpcResult::String(std::to_string(api->ctx().params->chain_id));
              });
  t.AddPublic("net_listening", {}, "Whether the node runs P2P (accepts peers).", "bool",
              [api](const RpcRequest&) -> RpcResult {
                return RpcResult::Bool(static_cast<bool>(api->ctx().peer_count));
              });
  t.AddPublic("net_peerCount", {}, "Returns the number of connected peers.", "quantity",
              [api](const RpcRequest&) -> RpcResult {
                uint64_t n = api->ctx().peer_count ? api->ctx().peer_count() : 0;
                return RpcResult::String(QuantityHex(n));
              });
  t.AddPublic("eth_chainId", {}, "Returns the chain id (EIP-695).", "quantity",
              [api](const RpcRequest&) -> RpcResult {
                if (api->ctx().params == nullptr) return NotReady();
                return RpcResult::String(QuantityHex(api->ctx().params->chain_id));
              });
  t.AddPublic("eth_blockNumber", {}, "Returns the height of the tip.", "quantity",
              [api](const RpcRequest&) -> RpcResult {
                if (!api->ready()) return NotReady();
                return RpcResult::String(QuantityHex(api->chain().Tip().height));
              });
  // The mining trio as go-ethereum answers them on a proof-of-work chain.
  t.AddPublic(
      "eth_coinbase", {},
      "Returns the address the built-in miner pays (-mineraddress; dev account 0 with -dev); "
      "an error when none is configured, as go-ethereum's etherbase.",
      "address", [api](const RpcRequest&) -> RpcResult {
        if (!api->ctx().miner_address) {
          return Server("etherbase must be explicitly specified");
        }
        return RpcResult::String(api->ctx().miner_address->ToChecksumHex());
      });
  t.AddPublic("eth_mining", {}, "Whether the built-in miner is running (-mine, -dev).", "bool",
              [api](const RpcRequest&) -> RpcResult {
                return RpcResult::Bool(api->ctx().miner != nullptr && api->ctx().miner->running());
              });
  t.AddPublic(
      "eth_hashrate", {},
      "Hashes per second of the built-in miner's last nonce search (0 when it has not mined).",
      "quantity", [api](const RpcRequest&) -> RpcResult {
        const double rate = api->ctx().miner != nullptr ? api->ctx().miner->hashrate() : 0.0;
        return RpcResult::String(QuantityHex(static_cast<uint64_t>(rate > 0 ? rate : 0)));
      });
  t.AddPublic(
      "eth_syncing", {},
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
  t.AddPublic("eth_accounts", {}, "Returns no accounts: keys stay in wallets, never in the node.",
              "empty array",
              [](const RpcRequest&) -> RpcResult { return RpcResult::RawJson("[]"); });
  t.AddPublic("eth_getBalance",
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
  t.AddPublic(
      "eth_getTransactionCount",
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
  t.AddPublic(
      "eth_getCode",
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
  t.AddPublic(
      "eth_getStorageAt",
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
  t.AddPublic("eth_gasPrice", {},
              "Suggested legacy gas price: the next block's base fee plus the suggested tip.",
              "quantity (wei)", [api](const RpcRequest&) -> RpcResult {
                if (!api->ready()) return NotReady();
                Uint256 price = SaturatingAdd(api->pool().NextBaseFee(), api->SuggestedTip());
                return RpcResult::String(price.ToQuantityHex());
              });
  t.AddPublic("eth_maxPriorityFeePerGas", {},
              "Suggested tip: the median effective tip of the txs in the last 20 blocks, or 1 gwei "
              "when they hold none.",
              "quantity (wei)", [api](const RpcRequest&) -> RpcResult {
                if (!api->ready()) return NotReady();
                return RpcResult::String(api->SuggestedTip().ToQuantityHex());
              });
  t.AddPublic(
      "eth_feeHistory",
      {RpcParam::Required("blockCount", RpcType::kAny, "number of blocks, at most 1024"),
       RpcParam::Required("newestBlock", RpcType::kAny, "newest block number or tag"),
       RpcParam::Optional("rewardPercentiles", RpcType::kArray, "",
                          "strictly increasing percentiles (at most 100, each in [0, 100]) of "
                          "effective tips, weighted by gas used")},
      "Returns base fees, gas used ratios and tip percentiles of a range of blocks. On the "
      "public port more than 100 blocks (50 with percentiles) cost one more rate-limit token "
      "per 100 blocks read.",
      "object: oldestBlock, baseFeePerGas (one more than blocks: the next block's), "
      "gasUsedRatio, reward",
      [api](const RpcRequest& req) { return FeeHistory(*api, req); });
  t.AddPublic(
      "eth_call",
      {RpcParam::Required("transaction", RpcType::kObject,
                          "call object: from, to, gas, value, input (or data)"),
       BlockParam("\"latest\"", StateBlockHelp()),
       RpcParam::Optional("stateOverrides", RpcType::kAny, "", "not supported; must be empty")},
      "Runs a module call (a view, or any call as a dry run) on the state after a block "
      "(default the tip), in the context of the block after it (the next block's for the tip; "
      "the active chain's for an older block), and returns its output. A failing call is error "
      "3 \"execution reverted: <reason>\" with the ABI-encoded Error(string) as data.",
      "data", [api](const RpcRequest& req) { return Call(*api, req); });
  t.AddPublic(
      "eth_estimateGas",
      {RpcParam::Required("transaction", RpcType::kObject,
                          "call object: from, to, gas (cap), value, input (or data)"),
       BlockParam("", StateBlockHelp())},
      "Estimates the gas a transfer or module call needs: the smallest gas limit at which it "
      "succeeds, on the state after a block (default the tip) as eth_call. A call that would "
      "fail is error 3 with the revert reason.",
      "quantity", [api](const RpcRequest& req) { return EstimateGas(*api, req); });
  t.AddPublic(
      "eth_sendRawTransaction",
      {RpcParam::Required("data", RpcType::kHexData, "the signed EIP-2718 envelope")},
      "Submits a signed transaction to the mempool. Rejections are -32000 with go-ethereum's "
      "message (nonce too low, nonce too high, insufficient funds for gas * price + value, "
      "replacement transaction underpriced, transaction underpriced, max fee per gas less than "
      "block base fee, intrinsic gas too low, already known, invalid chain id, ...).",
      "32-byte tx hash", [api](const RpcRequest& req) { return SendRawTransaction(*api, req); });
  t.AddPublic(
      "eth_getTransactionByHash",
      {RpcParam::Required("hash", RpcType::kHash, "the transaction hash")},
      "Returns a mined or pending transaction, or null. gasPrice is the effective price when "
      "mined and the fee cap when pending.",
      "transaction object or null",
      [api](const RpcRequest& req) { return GetTransactionByHash(*api, req); });
  t.AddPublic("eth_getTransactionReceipt",
              {RpcParam::Required("hash", RpcType::kHash, "the transaction hash")},
              "Returns the receipt of a transaction in the active chain, or null.",
              "receipt object or null",
              [api](const RpcRequest& req) { return GetTransactionReceipt(*api, req); });
  t.AddPublic(
      "eth_getBlockReceipts",
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
  t.AddPublic(
      "eth_getBlockByHash",
      {RpcParam::Required("blockHash", RpcType::kHash, "the block hash"),
       RpcParam::Required("full", RpcType::kBool, "true for tx objects, false for tx hashes")},
      "Returns a block, or null.", "block object or null",
      [api](const RpcRequest& req) -> RpcResult {
        if (!api->ready()) return NotReady();
        auto info = BlockByHashParam(*api, req);
        if (!info) return RpcResult::Null();
        return api->BlockObject(*info, req.GetBool("full"));
      });
  t.AddPublic(
      "eth_getBlockByNumber",
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
  t.AddPublic("eth_getBlockTransactionCountByHash",
              {RpcParam::Required("blockHash", RpcType::kHash, "the block hash")},
              "Returns the number of transactions in a block, or null.", "quantity or null",
              [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                auto info = BlockByHashParam(*api, req);
                if (!info) return RpcResult::Null();
                return RpcResult::String(QuantityHex(info->tx_count));
              });
  t.AddPublic("eth_getBlockTransactionCountByNumber",
              {RpcParam::Required("block", RpcType::kAny, "block number or tag")},
              "Returns the number of transactions in a block of the active chain, or null.",
              "quantity or null", [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                auto info = api->ResolveBlock(&req.Get("block"));
                if (!info) return Invalid(info.status().message());
                if (!*info) return RpcResult::Null();
                return RpcResult::String(QuantityHex((*info)->tx_count));
              });
  t.AddPublic("eth_getTransactionByBlockHashAndIndex",
              {RpcParam::Required("blockHash", RpcType::kHash, "the block hash"),
               RpcParam::Required("index", RpcType::kHexQuantity, "position in the block")},
              "Returns a transaction by block hash and position, or null.",
              "transaction object or null", [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                return TxByBlockAndIndex(*api, BlockByHashParam(*api, req), req.GetUint("index"));
              });
  t.AddPublic("eth_getTransactionByBlockNumberAndIndex",
              {RpcParam::Required("block", RpcType::kAny, "block number or tag"),
               RpcParam::Required("index", RpcType::kHexQuantity, "position in the block")},
              "Returns a transaction by block number and position, or null.",
              "transaction object or null", [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                auto info = api->ResolveBlock(&req.Get("block"));
                if (!info) return Invalid(info.status().message());
                return TxByBlockAndIndex(*api, *info, req.GetUint("index"));
              });
  t.AddPublic(
      "eth_getLogs",
      {RpcParam::Required("filter", RpcType::kObject,
                          "fromBlock, toBlock (default latest) or blockHash; address (one or a "
                          "list of at most 1000); topics (per position: null, a topic, or a "
                          "list of at most 1000 topics)")},
      "Returns the logs of the active chain matching a filter. A range may span at most 10000 "
      "blocks and return at most 10000 logs (error -32005 beyond). On the public port a range "
      "of more than 100 blocks costs one more rate-limit token per 100 blocks.",
      "array of log objects", [api](const RpcRequest& req) { return GetLogs(*api, req); });
  t.AddPublic(
      "eth_newFilter",
      {RpcParam::Required("filter", RpcType::kObject,
                          "fromBlock, toBlock, address, topics as eth_getLogs")},
      "Creates a log filter polled with eth_getFilterChanges; it collects logs of blocks "
      "connected from now on (and again, with removed true, if they leave the active chain). "
      "A filter not polled for -rpcfiltertimeout (5 minutes) is removed; each client IP may "
      "hold -rpcfiltersperclient filters.",
      "filter id", [api](const RpcRequest& req) { return NewFilter(*api, req); });
  t.AddPublic("eth_newBlockFilter", {}, "Creates a filter collecting the hashes of new blocks.",
              "filter id", [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                auto id = api->filters().NewBlockFilter(req.context().remote_address);
                if (!id) return FilterLimit(id.status());
                return RpcResult::String(*id);
              });
  t.AddPublic("eth_newPendingTransactionFilter", {},
              "Creates a filter collecting the hashes of txs admitted to the mempool.", "filter id",
              [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                auto id = api->filters().NewPendingTxFilter(req.context().remote_address);
                if (!id) return FilterLimit(id.status());
                return RpcResult::String(*id);
              });
  t.AddPublic("eth_getFilterChanges", {RpcParam::Required("id", RpcType::kString, "the filter id")},
              "Returns what a filter collected since the last poll.",
              "array of hashes (block and pending tx filters) or log objects",
              [api](const RpcRequest& req) { return GetFilterChanges(*api, req); });
  t.AddPublic(
      "eth_getFilterLogs", {RpcParam::Required("id", RpcType::kString, "a log filter's id")},
      "Returns every log matching a log filter's criteria and range (as eth_getLogs).",
      "array of log objects", [api](const RpcRequest& req) { return GetFilterLogs(*api, req); });
  t.AddPublic("eth_uninstallFilter", {RpcParam::Required("id", RpcType::kString, "the filter id")},
              "Removes a filter.", "bool: whether it existed",
              [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                return RpcResult::Bool(api->filters().Uninstall(req.GetString("id")));
              });
  t.AddPublic(
      "eth_subscribe",
      {RpcParam::Required("kind", RpcType::kString, "newHeads, logs or newPendingTransactions"),
       RpcParam::Optional("options", RpcType::kAny, "",
                          "for logs: {address, topics} as eth_getLogs; for "
                          "newPendingTransactions: true for whole txs instead of hashes")},
      "WebSocket only: subscribes to new block headers, matching logs (removed true after a "
      "reorg) or new mempool txs (hashes, or tx objects), pushed as eth_subscription "
      "notifications.",
      "subscription id", [api](const RpcRequest& req) { return Subscribe(*api, req); });
  t.AddPublic("eth_unsubscribe",
              {RpcParam::Required("id", RpcType::kString, "the subscription id")},
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
  tables.push_back(ComputeRpcTable(api));
  tables.push_back(OtsRpcTable(api));
  tables.push_back(StorageRpcTable(api));
  return tables;
}

}  // namespace depin
