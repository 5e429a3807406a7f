#include "rpc/eth_ots.h"

#include <map>

#include "consensus/executor.h"
#include "consensus/params.h"
#include "consensus/state_cache.h"
#include "index/address_index.h"

namespace depin::eth_rpc {

namespace {

using namespace eth_json;

constexpr uint64_t kOtsApiLevel = 8;
// Page sizes: Otterscan asks for 25.
constexpr uint64_t kOtsMaxPageSize = 100;
// Index entries one search may walk (a page plus the rest of its last
// block; end-of-block entries are skipped without a tx).
constexpr size_t kOtsMaxScanEntries = 20000;
// Blocks ots_getTransactionBySenderAndNonce walks back without the address
// index.
constexpr uint64_t kNonceScanMaxBlocks = 10000;

struct LoadedBlock {
  chain::BlockInfo info;
  std::shared_ptr<const Block> block;
  std::vector<Receipt> receipts;
};

Result<std::optional<LoadedBlock>> LoadBlockAt(const EthApi& api, uint64_t height) {
  auto hash = api.chain().GetBlockHashAtHeight(height);
  if (!hash) return std::optional<LoadedBlock>();
  auto info = api.chain().LookupBlock(*hash);
  if (!info || !info->have_data) return std::optional<LoadedBlock>();
  LoadedBlock out;
  out.info = *info;
  auto block = api.chain().ReadBlock(*hash);
  if (!block.ok()) return block.status();
  out.block = *block;
  auto receipts = api.chain().ReadReceipts(*hash);
  if (!receipts.ok()) return receipts.status();
  out.receipts = std::move(receipts).value();
  if (out.receipts.size() < out.block->txs.size()) {
    return Status::Corruption("receipts-mismatch", "receipts do not match the block");
  }
  return std::optional<LoadedBlock>(std::move(out));
}

struct MinedTx {
  LoadedBlock block;
  uint32_t index = 0;
  const VerifiedTx& tx() const { return *block.block->txs[index]; }
};

// The mined tx, nullopt when the chain holds none; errors as FindMinedTx.
Result<std::optional<MinedTx>> LoadMinedTx(const EthApi& api, const Hash256& hash) {
  auto found = FindMinedTx(api.ctx(), hash);
  if (!found.ok()) return found.status();
  if (!found->has_value()) return std::optional<MinedTx>();
  auto block = LoadBlockAt(api, (*found)->height);
  if (!block.ok()) return block.status();
  if (!block->has_value() || (**block).info.hash != (*found)->block_hash ||
      (*found)->index >= (**block).block->txs.size()) {
    return std::optional<MinedTx>();  // its block just left the active chain
  }
  return std::optional<MinedTx>(MinedTx{std::move(**block), (*found)->index});
}

RpcError FromStatus(const Status& s) {
  if (s.Is(StatusKind::kLimitExceeded)) {
    return RpcError{kRpcLimitExceeded, s.ToString(), std::nullopt};
  }
  return RpcError::FromStatus(s, kRpcServerError);
}

uint64_t FirstLogIndex(const LoadedBlock& b, uint32_t index) {
  uint64_t n = 0;
  for (uint32_t i = 0; i < index && i < b.receipts.size(); ++i) n += b.receipts[i].logs.size();
  return n;
}

TxPosition PositionOf(const LoadedBlock& b, uint32_t index) {
  return TxPosition{b.info.hash, b.info.header.height, index, b.info.header.base_fee};
}

Uint256 TotalFees(const LoadedBlock& b) {
  Uint256 total;
  for (size_t i = 0; i < b.block->txs.size(); ++i) {
    const Uint256 price = EffectiveGasPrice(b.block->txs[i]->tx, b.info.header.base_fee);
    auto fee = CheckedMul(Uint256(b.receipts[i].gas_used), price);
    total = SaturatingAdd(total, fee ? *fee : Uint256());
  }
  return total;
}

// Header fields plus what Otterscan's block objects carry: size, uncles,
// transactionCount; logsBloom null (Otterscan's spec trims it).
Value BlockHeaderObject(const EthApi& api, const LoadedBlock& b, Alloc& a) {
  Value o(rapidjson::kObjectType);
  AddHeaderFields(b.info.header, b.info.hash, b.info.chain_work, Bloom(), o, a);
  o.RemoveMember("logsBloom");
  o.AddMember("logsBloom", Value(), a);
  o.AddMember("size", Quantity(static_cast<uint64_t>(b.block->SerializedSize()), a), a);
  o.AddMember("uncles", Value(rapidjson::kArrayType), a);
  o.AddMember("transactionCount", static_cast<uint64_t>(b.block->txs.size()), a);
  (void)api;
  return o;
}

// A receipt as Otterscan's lists carry it: logs and logsBloom null.
Value TrimmedReceipt(const LoadedBlock& b, uint32_t index, Alloc& a) {
  Value r = ReceiptObject(b.receipts[index], *b.block->txs[index], PositionOf(b, index),
                          FirstLogIndex(b, index), a);
  r.RemoveMember("logs");
  r.AddMember("logs", Value(), a);
  r.RemoveMember("logsBloom");
  r.AddMember("logsBloom", Value(), a);
  return r;
}

// Resolves a block number parameter (JSON number or hex quantity).
Result<std::optional<LoadedBlock>> BlockParam(const EthApi& api, const RpcRequest& req,
                                              std::string_view name) {
  return LoadBlockAt(api, req.GetUint(name));
}

RpcResult GetBlockDetails(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto b = BlockParam(api, req, "number");
  if (!b.ok()) return FromStatus(b.status());
  if (!b->has_value()) return RpcResult::Null();
  const LoadedBlock& block = **b;
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("block", BlockHeaderObject(api, block, a), a);
  const Uint256 subsidy = consensus::BlockSubsidy(block.info.header.height, *api.ctx().params);
  Value issuance(rapidjson::kObjectType);
  issuance.AddMember("blockReward", Quantity(subsidy, a), a);
  issuance.AddMember("uncleReward", Quantity(uint64_t{0}, a), a);
  issuance.AddMember("issuance", Quantity(subsidy, a), a);
  doc.AddMember("issuance", issuance, a);
  doc.AddMember("totalFees", Quantity(TotalFees(block), a), a);
  return Json(std::move(doc));
}

RpcResult GetBlockTransactions(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const uint64_t page = req.GetUint("pageNumber");
  const uint64_t size = req.GetUint("pageSize");
  if (size == 0 || size > kOtsMaxPageSize) {
    return Invalid("ots-bad-page-size: pageSize must be 1 to " + std::to_string(kOtsMaxPageSize));
  }
  auto b = BlockParam(api, req, "number");
  if (!b.ok()) return FromStatus(b.status());
  if (!b->has_value()) return RpcResult::Null();
  const LoadedBlock& block = **b;
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value full = BlockHeaderObject(api, block, a);
  Value txs(rapidjson::kArrayType);
  Value receipts(rapidjson::kArrayType);
  const uint64_t count = block.block->txs.size();
  // A page past the end is empty; no page costs more than its size.
  const uint64_t start = page > count / size ? count : page * size;
  for (uint64_t i = start; i < count && i < start + size; ++i) {
    const uint32_t index = static_cast<uint32_t>(i);
    const TxPosition pos = PositionOf(block, index);
    Value tx = TxObject(*block.block->txs[index], &pos, a);
    const Bytes& data = block.block->txs[index]->tx.data;
    tx.RemoveMember("input");
    tx.AddMember("input", Data(ByteSpan(data.data(), std::min<size_t>(data.size(), 4)), a), a);
    txs.PushBack(tx, a);
    receipts.PushBack(TrimmedReceipt(block, index, a), a);
  }
  full.AddMember("transactions", txs, a);
  doc.AddMember("fullblock", full, a);
  doc.AddMember("receipts", receipts, a);
  return Json(std::move(doc));
}

std::optional<RpcError> RequireAddressIndex(const EthApi& api) {
  const index::AddressIndex* index = api.ctx().address_index;
  if (index == nullptr) {
    return Server(
        "addressindex-disabled: the address index is off; start the node with -addressindex");
  }
  if (!index->BlockUntilSyncedToCurrentChain()) {
    return Server("addressindex-syncing: the address index is still being built (at height " +
                  std::to_string(index->Summary().best_block_height) + ")");
  }
  return std::nullopt;
}

// One tx of a stored block, its sender recovered for it alone (a search page
// touches one tx in many blocks: decoding whole blocks would recover every
// sender in them).
Result<TxRef> ReadTxAt(const EthApi& api, const Hash256& block_hash, uint32_t index) {
  auto raw = api.chain().ReadRawBlock(block_hash);
  if (!raw.ok()) return raw.status();
  auto bad = [] { return Status::Corruption("block-bad-encoding", "stored block is damaged"); };
  ByteSpan rest(*raw);
  if (rest.size() < BlockHeader::kSerializedSize + 4) return bad();
  rest = rest.subspan(BlockHeader::kSerializedSize);
  const uint32_t count = ReadLE32(rest.data());
  rest = rest.subspan(4);
  if (index >= count) return bad();
  for (uint32_t i = 0;; ++i) {
    if (rest.size() < 4) return bad();
    const uint32_t len = ReadLE32(rest.data());
    rest = rest.subspan(4);
    if (len > rest.size()) return bad();
    if (i == index) return DecodeAndVerifyTransaction(rest.first(len));
    rest = rest.subspan(len);
  }
}

RpcResult SearchTransactions(const EthApi& api, const RpcRequest& req, bool before) {
  if (!api.ready()) return NotReady();
  const Address address(req.GetFixed<20>("address"));
  const uint64_t height = req.GetUint("blockNumber");
  const uint64_t size = req.GetUint("pageSize");
  if (size == 0 || size > kOtsMaxPageSize) {
    return Invalid("ots-bad-page-size: pageSize must be 1 to " + std::to_string(kOtsMaxPageSize));
  }
  if (auto err = RequireAddressIndex(api)) return *err;
  bool more = false;
  auto found =
      before ? api.ctx().address_index->TxsBefore(address, height, size, kOtsMaxScanEntries, &more)
             : api.ctx().address_index->TxsAfter(address, height, size, kOtsMaxScanEntries, &more);
  if (!found.ok()) return FromStatus(found.status());
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  Value txs(rapidjson::kArrayType);
  Value receipts(rapidjson::kArrayType);
  struct Found {
    chain::BlockInfo info;
    std::vector<Receipt> receipts;
  };
  std::map<uint64_t, Found> blocks;
  for (const index::AddressTx& t : *found) {
    auto it = blocks.find(t.height);
    if (it == blocks.end()) {
      auto hash = api.chain().GetBlockHashAtHeight(t.height);
      auto info = hash ? api.chain().LookupBlock(*hash) : std::nullopt;
      if (!info || !info->have_data) continue;  // left the active chain meanwhile
      auto block_receipts = api.chain().ReadReceipts(*hash);
      if (!block_receipts.ok()) return FromStatus(block_receipts.status());
      it = blocks.emplace(t.height, Found{*info, std::move(block_receipts).value()}).first;
    }
    const Found& b = it->second;
    if (t.position >= b.receipts.size()) continue;
    auto tx = ReadTxAt(api, b.info.hash, t.position);
    if (!tx.ok()) return FromStatus(tx.status());
    if ((*tx)->hash != t.tx_hash) continue;
    const TxPosition pos{b.info.hash, b.info.header.height, t.position, b.info.header.base_fee};
    uint64_t first_log = 0;
    for (uint32_t i = 0; i < t.position; ++i) first_log += b.receipts[i].logs.size();
    txs.PushBack(TxObject(**tx, &pos, a), a);
    Value r = ReceiptObject(b.receipts[t.position], **tx, pos, first_log, a);
    r.AddMember("timestamp", Quantity(b.info.header.timestamp, a), a);
    receipts.PushBack(r, a);
  }
  doc.AddMember("txs", txs, a);
  doc.AddMember("receipts", receipts, a);
  // As Otterscan's spec: the page from the tip is the first, the page from
  // genesis the last; otherwise whether the search ran out.
  doc.AddMember("firstPage", before ? height == 0 : !more, a);
  doc.AddMember("lastPage", before ? !more : height == 0, a);
  return Json(std::move(doc));
}

RpcResult GetTransactionBySenderAndNonce(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const Address sender(req.GetFixed<20>("sender"));
  const uint64_t nonce = req.GetUint("nonce");
  if (api.chain().GetAccount(sender).nonce <= nonce) return RpcResult::Null();
  const index::AddressIndex* index = api.ctx().address_index;
  if (index != nullptr && index->BlockUntilSyncedToCurrentChain()) {
    auto hash = index->TxBySenderNonce(sender, nonce);
    if (!hash.ok()) return FromStatus(hash.status());
    if (!hash->has_value()) return RpcResult::Null();
    return RpcResult::String((*hash)->Hex());
  }
  // Without the index: walk back from the tip, a bounded number of blocks.
  const uint64_t tip = api.chain().Tip().height;
  for (uint64_t h = tip, walked = 0; h > 0; --h, ++walked) {
    if (walked == kNonceScanMaxBlocks) {
      return RpcError{kRpcLimitExceeded,
                      "ots-scan-limit: not within the last " + std::to_string(kNonceScanMaxBlocks) +
                          " blocks; start the node with -addressindex to find older txs",
                      std::nullopt};
    }
    auto hash = api.chain().GetBlockHashAtHeight(h);
    if (!hash) break;
    auto block = api.chain().ReadBlock(*hash);
    if (!block.ok()) return FromStatus(block.status());
    for (const TxRef& tx : (*block)->txs) {
      if (tx->sender == sender && tx->tx.nonce == nonce) return RpcResult::String(tx->hash.Hex());
    }
  }
  return RpcResult::Null();
}

RpcResult GetTransactionError(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto mined = LoadMinedTx(api, req.GetFixed<32>("hash"));
  if (!mined.ok()) return FromStatus(mined.status());
  if (!mined->has_value()) return RpcResult::Null();
  const MinedTx& m = **mined;
  if (m.block.receipts[m.index].status == 1) return RpcResult::String("0x");
  // The receipt keeps no revert data: replay the block up to the tx on the
  // state before it.
  const uint64_t height = m.block.info.header.height;
  auto state = api.chain().StateAtHeight(height - 1);
  if (!state.ok()) {
    return Server("historical state not available: " + state.status().ToString());
  }
  auto ctx = api.chain().BlockContextFor(m.block.info.header);
  if (!ctx.ok()) return FromStatus(ctx.status());
  consensus::StateCache cache(**state);
  uint64_t cumulative = 0;
  for (uint32_t i = 0; i <= m.index; ++i) {
    auto out = consensus::ApplyTransaction(cache, *ctx, *m.block.block->txs[i],
                                           api.chain().modules(), *api.ctx().params, cumulative);
    if (!out.ok()) return Server("replay failed: " + out.status().ToString());
    cumulative = out->receipt.cumulative_gas_used;
    if (i == m.index) {
      if (out->revert.ok()) return RpcResult::String("0x");
      return RpcResult::String(HexEncode(consensus::EncodeRevertReason(out->RevertReason())));
    }
  }
  return RpcResult::String("0x");
}

// The tx's trace records, or an error when its block has none.
Result<std::vector<consensus::TraceRecord>> TxTrace(const EthApi& api, const MinedTx& m) {
  auto trace = api.chain().ReadModuleTrace(m.block.info.hash);
  if (!trace.ok()) return trace.status();
  if (!trace->has_value()) {
    return Status::Error(StatusKind::kUnavailable, "trace-unavailable",
                         "block " + m.block.info.hash.Hex() +
                             " was connected before module traces were kept; -reindex fills it");
  }
  std::vector<consensus::TraceRecord> out;
  for (const consensus::BlockTraceEntry& e : **trace) {
    if (e.position == m.index) out.push_back(e.record);
  }
  return out;
}

RpcResult GetInternalOperations(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto mined = LoadMinedTx(api, req.GetFixed<32>("hash"));
  if (!mined.ok()) return FromStatus(mined.status());
  if (!mined->has_value()) return RpcResult::Null();
  auto records = TxTrace(api, **mined);
  if (!records.ok()) return FromStatus(records.status());
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  for (const consensus::TraceRecord& r : *records) {
    if (r.kind != consensus::TraceKind::kTransfer) continue;
    Value op(rapidjson::kObjectType);
    op.AddMember("type", 0, a);
    op.AddMember("from", AddressValue(r.from, a), a);
    op.AddMember("to", AddressValue(r.to, a), a);
    op.AddMember("value", Quantity(r.value, a), a);
    doc.PushBack(op, a);
  }
  return Json(std::move(doc));
}

RpcResult TraceTransaction(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto mined = LoadMinedTx(api, req.GetFixed<32>("hash"));
  if (!mined.ok()) return FromStatus(mined.status());
  if (!mined->has_value()) return RpcResult::Null();
  const MinedTx& m = **mined;
  auto records = TxTrace(api, m);
  if (!records.ok()) return FromStatus(records.status());
  Document doc(rapidjson::kArrayType);
  auto& a = doc.GetAllocator();
  auto frame = [&a](uint64_t depth, const Address& from, const Address& to, const Uint256& value,
                    ByteSpan input) {
    Value f(rapidjson::kObjectType);
    f.AddMember("type", "CALL", a);
    f.AddMember("depth", depth, a);
    f.AddMember("from", AddressValue(from, a), a);
    f.AddMember("to", AddressValue(to, a), a);
    f.AddMember("value", Quantity(value, a), a);
    f.AddMember("input", Data(input, a), a);
    return f;
  };
  const Transaction& tx = m.tx().tx;
  doc.PushBack(frame(0, m.tx().sender, tx.to ? *tx.to : Address(), tx.value, tx.data), a);
  for (const consensus::TraceRecord& r : *records) {
    if (r.kind != consensus::TraceKind::kCall) continue;
    doc.PushBack(frame(r.depth, r.from, r.to, r.value, r.input), a);
  }
  return Json(std::move(doc));
}

RpcResult GetHeaderByNumber(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto hash = api.chain().GetBlockHashAtHeight(req.GetUint("number"));
  if (!hash) return RpcResult::Null();
  auto info = api.chain().LookupBlock(*hash);
  if (!info) return RpcResult::Null();
  auto receipts = api.chain().ReadReceipts(*hash);
  Bloom bloom;
  if (receipts.ok()) bloom = BlockBloom(*receipts);
  Document doc(rapidjson::kObjectType);
  AddHeaderFields(info->header, info->hash, info->chain_work, bloom, doc, doc.GetAllocator());
  return Json(std::move(doc));
}

}  // namespace

RpcTable OtsRpcTable(std::shared_ptr<EthApi> api) {
  RpcTable t{"otterscan", {}};
  const auto number = [](std::string name, std::string help) {
    return RpcParam::Required(std::move(name), RpcType::kUintOrQuantity, std::move(help));
  };
  const auto hash = RpcParam::Required("hash", RpcType::kHash, "the transaction hash");

  t.AddPublic("ots_getApiLevel", {}, "Returns the Otterscan API level this node implements (8).",
              "number",
              [](const RpcRequest&) -> RpcResult { return RpcResult::Uint(kOtsApiLevel); });
  t.AddPublic("ots_hasCode",
              {RpcParam::Required("address", RpcType::kAddress, "the address"),
               RpcParam::Optional("block", RpcType::kAny, "\"latest\"", "block number or tag")},
              "Whether the address has code: true for a native module's address (this chain has no "
              "EVM; modules stand where contracts would).",
              "bool", [api](const RpcRequest& req) -> RpcResult {
                if (!api->ready()) return NotReady();
                if (auto err = api->RequireBlock(&req.Get("block"))) return *err;
                return RpcResult::Bool(
                    api->chain().modules().IsModuleAddress(Address(req.GetFixed<20>("address"))));
              });
  t.AddPublic(
      "ots_getBlockDetails", {number("number", "block number")},
      "A block of the active chain without its txs: header fields, size, transactionCount, "
      "logsBloom null; issuance (blockReward = subsidy, uncleReward 0, issuance) and totalFees "
      "(what senders paid, base fee included). Null for a block past the tip.",
      "object: {block, issuance: {blockReward, uncleReward, issuance}, totalFees} or null",
      [api](const RpcRequest& req) { return GetBlockDetails(*api, req); });
  t.AddPublic(
      "ots_getBlockTransactions",
      {number("number", "block number"), number("pageNumber", "page, from 0"),
       number("pageSize", "txs per page, 1 to 100")},
      "One page of a block's txs with their receipts: input cut to the 4-byte selector, "
      "receipts' logs and logsBloom null. Error ots-bad-page-size (-32602).",
      "object: {fullblock: {header fields, transactionCount, transactions}, receipts} or null",
      [api](const RpcRequest& req) { return GetBlockTransactions(*api, req); });
  const std::vector<RpcParam> search = {
      RpcParam::Required("address", RpcType::kAddress, "the address"),
      number("blockNumber", "search from this block, exclusive (0: from the tip / genesis)"),
      number("pageSize", "txs per page, 1 to 100 (a page ends with whole blocks)")};
  t.AddPublic(
      "ots_searchTransactionsBefore", search,
      "Txs the address took part in (sent, received, module calls and transfers touching it) "
      "in blocks before blockNumber, newest first, from the address index. Errors: "
      "addressindex-disabled, addressindex-syncing (-32000), ots-bad-page-size (-32602), "
      "addressindex-scan-limit (-32005).",
      "object: {txs, receipts (with timestamp), firstPage, lastPage}",
      [api](const RpcRequest& req) { return SearchTransactions(*api, req, /*before=*/true); });
  t.AddPublic(
      "ots_searchTransactionsAfter", search,
      "As ots_searchTransactionsBefore, for blocks after blockNumber (oldest first found, "
      "returned newest first).",
      "object: {txs, receipts (with timestamp), firstPage, lastPage}",
      [api](const RpcRequest& req) { return SearchTransactions(*api, req, /*before=*/false); });
  t.AddPublic(
      "ots_getTransactionBySenderAndNonce",
      {RpcParam::Required("sender", RpcType::kAddress, "the sender"), number("nonce", "its nonce")},
      "The hash of the sender's mined tx with that nonce, or null. From the address index when "
      "it runs; otherwise a walk back over at most 10000 blocks (ots-scan-limit, -32005).",
      "32-byte data or null",
      [api](const RpcRequest& req) { return GetTransactionBySenderAndNonce(*api, req); });
  t.AddPublic("ots_getContractCreator",
              {RpcParam::Required("address", RpcType::kAddress, "the address")},
              "Always null: txs never create contracts on this chain (modules are built in).",
              "null", [](const RpcRequest&) -> RpcResult { return RpcResult::Null(); });
  t.AddPublic(
      "ots_getTransactionError", {hash},
      "\"0x\" for a successful tx; for a failed one the revert data, Solidity's "
      "Error(string) of the module's rule (\"rule-name: message\"), from a replay of its block "
      "up to it (within the state history kept). Null for an unknown tx.",
      "data or null", [api](const RpcRequest& req) { return GetTransactionError(*api, req); });
  t.AddPublic(
      "ots_getInternalOperations", {hash},
      "Value modules moved during the tx (payouts, refunds, nested calls' value), in order: "
      "type 0 (transfer), from, to, value. Reverted transfers are not listed. Null for an "
      "unknown tx; trace-unavailable for a block connected before traces were kept.",
      "array of {type, from, to, value}",
      [api](const RpcRequest& req) { return GetInternalOperations(*api, req); });
  t.AddPublic(
      "ots_traceTransaction", {hash},
      "The tx's call tree: its own call (depth 0) then each nested module call it made "
      "(Multicall3), in order, with depth, from, to, value and input. A nested call that "
      "failed is listed; what it did inside was reverted and is not. No return data is kept.",
      "array of {type: CALL, depth, from, to, value, input}",
      [api](const RpcRequest& req) { return TraceTransaction(*api, req); });
  t.AddPublic(
      "erigon_getHeaderByNumber", {number("number", "block number")},
      "The header of a block of the active chain, as eth_getBlockByNumber's fields without the "
      "body; null past the tip.",
      "header object or null",
      [api](const RpcRequest& req) { return GetHeaderByNumber(*api, req); });
  return t;
}

}  // namespace depin::eth_rpc
