// getaddresshistory and getaddresssummary: an address's history from the
// address index (-addressindex), in the native style (wei as decimal
// strings, heights as integers).
#include <rapidjson/document.h>

#include "crypto/sha256.h"
#include "index/address_index.h"
#include "index/market_index.h"
#include "rpc/node_methods.h"

namespace depin {

namespace {

using rapidjson::Document;
using rapidjson::Value;
using namespace rpc_json;

constexpr uint64_t kHistoryMaxCount = 100;
constexpr const char* kCursorTag = "depin-addresshistory-cursor";

// The cursor: the last entry's position and a check bound to the address, so
// that a string we did not issue (or one for another address) is refused.
std::string EncodeCursor(const Address& address, const index::AddressEntryPos& pos) {
  Bytes body(16);
  for (int i = 0; i < 8; ++i) body[i] = static_cast<uint8_t>(pos.height >> (56 - 8 * i));
  for (int i = 0; i < 4; ++i) body[8 + i] = static_cast<uint8_t>(pos.position >> (24 - 8 * i));
  for (int i = 0; i < 4; ++i) body[12 + i] = static_cast<uint8_t>(pos.seq >> (24 - 8 * i));
  Bytes preimage(kCursorTag, kCursorTag + std::char_traits<char>::length(kCursorTag));
  preimage.insert(preimage.end(), address.begin(), address.end());
  preimage.insert(preimage.end(), body.begin(), body.end());
  const Hash256 check = crypto::Sha256Hash(preimage);
  body.insert(body.end(), check.begin(), check.begin() + 4);
  return HexEncode(body, /*prefix=*/false);
}

std::optional<index::AddressEntryPos> DecodeCursor(const Address& address, std::string_view text) {
  if (text.size() != 40) return std::nullopt;
  auto raw = HexDecode(text);
  if (!raw.ok() || raw->size() != 20) return std::nullopt;
  index::AddressEntryPos pos;
  for (int i = 0; i < 8; ++i) pos.height = (pos.height << 8) | (*raw)[i];
  for (int i = 0; i < 4; ++i) pos.position = (pos.position << 8) | (*raw)[8 + i];
  for (int i = 0; i < 4; ++i) pos.seq = (pos.seq << 8) | (*raw)[12 + i];
  if (EncodeCursor(address, pos) != HexEncode(*raw, /*prefix=*/false)) return std::nullopt;
  return pos;
}

RpcError IndexError(const Status& status) {
  if (status.Is(StatusKind::kLimitExceeded)) {
    return RpcError{kRpcLimitExceeded, status.ToString(), std::nullopt};
  }
  return RpcError::FromStatus(status, kRpcServerError);
}

// Null index -> "addressindex-disabled"; catching up -> "addressindex-syncing".
std::optional<RpcError> RequireAddressIndex(const NodeRpcContext& ctx) {
  if (ctx.chainstate == nullptr) return RpcError::Internal("node is starting");
  if (ctx.address_index == nullptr) {
    return RpcError::FromStatus(Status::Error(StatusKind::kUnavailable, "addressindex-disabled",
                                              "the address index is off; start the node with "
                                              "-addressindex"));
  }
  if (!ctx.address_index->BlockUntilSyncedToCurrentChain()) {
    return RpcError::FromStatus(
        Status::Error(StatusKind::kUnavailable, "addressindex-syncing",
                      "the address index is still being built (at height " +
                          std::to_string(ctx.address_index->Summary().best_block_height) + " of " +
                          std::to_string(ctx.chainstate->Tip().height) +
                          "); try again once getindexinfo reports addressindex synced"));
  }
  return std::nullopt;
}

Value EntryToJson(const index::AddressEntry& e, Alloc& a) {
  Value o(rapidjson::kObjectType);
  o.AddMember("height", e.pos.height, a);
  o.AddMember("blockhash", Hex(e.block_hash.span(), a), a);
  if (e.pos.position == index::AddressIndex::kEndOfBlock) {
    o.AddMember("txindex", Value(), a);
  } else {
    o.AddMember("txindex", e.pos.position, a);
  }
  o.AddMember("txhash", e.tx_hash ? Hex(e.tx_hash->span(), a) : Value(), a);
  o.AddMember("kind", Str(index::AddressEntryKindName(e.kind), a), a);
  o.AddMember("direction", Str(index::AddressDirectionName(e.direction), a), a);
  o.AddMember("counterparty", AddressValue(e.counterparty, a), a);
  o.AddMember("value", Wei(e.value, a), a);
  o.AddMember("module", e.module ? AddressValue(*e.module, a) : Value(), a);
  o.AddMember("method", e.method ? Hex(ByteSpan(e.method->data(), 4), a) : Value(), a);
  return o;
}

Value SeenToJson(const std::optional<index::AddressEntry>& e, Alloc& a) {
  if (!e) return Value();
  Value o(rapidjson::kObjectType);
  o.AddMember("height", e->pos.height, a);
  o.AddMember("txhash", e->tx_hash ? Hex(e->tx_hash->span(), a) : Value(), a);
  return o;
}

RpcResult GetAddressHistory(const NodeRpcContext& ctx, const RpcRequest& req) {
  const Address address(req.GetFixed<20>("address"));
  const uint64_t count = req.GetUint("count");
  if (count == 0 || count > kHistoryMaxCount) {
    return RpcError::InvalidParams("addressindex-bad-count: count must be 1 to " +
                                   std::to_string(kHistoryMaxCount) + ", got " +
                                   std::to_string(count));
  }
  std::optional<index::AddressEntryPos> before;
  if (req.Has("cursor")) {
    before = DecodeCursor(address, req.GetString("cursor"));
    if (!before) {
      return RpcError::InvalidParams(
          "addressindex-bad-cursor: not a cursor getaddresshistory issued for this address");
    }
  }
  if (auto err = RequireAddressIndex(ctx)) return *err;
  bool more = false;
  auto page = ctx.address_index->History(address, count, before, &more);
  if (!page.ok()) return IndexError(page.status());
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("address", AddressValue(address, a), a);
  Value entries(rapidjson::kArrayType);
  for (const index::AddressEntry& e : *page) entries.PushBack(EntryToJson(e, a), a);
  doc.AddMember("entries", entries, a);
  if (more && !page->empty()) {
    doc.AddMember("next", Str(EncodeCursor(address, page->back().pos), a), a);
  } else {
    doc.AddMember("next", Value(), a);
  }
  return RpcResult(std::move(doc));
}

RpcResult GetAddressSummary(const NodeRpcContext& ctx, const RpcRequest& req) {
  const Address address(req.GetFixed<20>("address"));
  if (auto err = RequireAddressIndex(ctx)) return *err;
  auto counters = ctx.address_index->Counters(address);
  if (!counters.ok()) return IndexError(counters.status());
  auto first = ctx.address_index->Oldest(address);
  if (!first.ok()) return IndexError(first.status());
  auto last = ctx.address_index->Newest(address);
  if (!last.ok()) return IndexError(last.status());
  const consensus::Account account = ctx.chainstate->GetAccount(address);
  Document doc(rapidjson::kObjectType);
  auto& a = doc.GetAllocator();
  doc.AddMember("address", AddressValue(address, a), a);
  doc.AddMember("balance", Wei(account.balance, a), a);
  doc.AddMember("nonce", account.nonce, a);
  doc.AddMember("ismodule", ctx.chainstate->modules().IsModuleAddress(address), a);
  doc.AddMember("txcount", counters->txs, a);
  doc.AddMember("sent", Wei(counters->sent, a), a);
  doc.AddMember("received", Wei(counters->received, a), a);
  doc.AddMember("firstseen", SeenToJson(*first, a), a);
  doc.AddMember("lastseen", SeenToJson(*last, a), a);
  // Counts from the market index (-marketindex) when it runs and has caught
  // up: the objects the address ever took part in, in any role.
  const bool market = ctx.market_index != nullptr && ctx.market_index->synced() &&
                      ctx.market_index->BlockUntilSyncedToCurrentChain();
  for (const auto& [name, kind] : {std::pair{"leases", index::MarketKind::kLease},
                                   std::pair{"orders", index::MarketKind::kOrder},
                                   std::pair{"deals", index::MarketKind::kDeal}}) {
    Value count;
    if (market) {
      auto n = ctx.market_index->CountFor(address, kind);
      if (!n.ok()) return IndexError(n.status());
      count.SetUint64(*n);
    }
    doc.AddMember(rapidjson::StringRef(name), count, a);
  }
  return RpcResult(std::move(doc));
}

}  // namespace

RpcTable AddressRpcTable(const NodeRpcContext& ctx) {
  RpcTable t{"explorer", {}};
  const NodeRpcContext* c = &ctx;
  t.methods.push_back(RpcMethod{
      .name = "getaddresshistory",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("address", RpcType::kAddress, "the address"),
                 RpcParam::Optional("count", RpcType::kUint, "25", "entries per page, 1 to 100"),
                 RpcParam::Optional("cursor", RpcType::kString, "",
                                    "the next cursor of the previous page")},
      .help = "Returns an address's history from the address index (-addressindex), newest "
              "first: txs it sent or received (kind tx), module calls that touched it (call: an "
              "event naming it, a nested module call to it, events of deferred work), and value "
              "modules paid it or it paid as a module (transfer). txindex and txhash are null "
              "for work at the end of a block. Errors: addressindex-disabled, "
              "addressindex-syncing (-32000), addressindex-bad-count, addressindex-bad-cursor "
              "(-32602).",
      .result = "object: {address, entries: [{height, blockhash, txindex, txhash, kind "
                "(tx|call|transfer), direction (in|out|self), counterparty, value (wei), module, "
                "method (4-byte selector)}], next (cursor for the next page, or null)}",
      .handler = [c](const RpcRequest& req) { return GetAddressHistory(*c, req); }});
  t.methods.push_back(RpcMethod{
      .name = "getaddresssummary",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Required("address", RpcType::kAddress, "the address")},
      .help = "Returns an address's balance and nonce at the tip with totals from the address "
              "index (-addressindex): txs it took part in, plain value of successful txs it "
              "sent and received, and its first and last appearance. leases, orders and deals "
              "count the market objects it ever took part in, in any role, from the market "
              "index (-marketindex); null without it or while it catches up. Errors as "
              "getaddresshistory.",
      .result = "object: {address, balance (wei), nonce, ismodule, txcount, sent (wei), received "
                "(wei), firstseen {height, txhash}|null, lastseen {height, txhash}|null, "
                "leases, orders, deals}",
      .handler = [c](const RpcRequest& req) { return GetAddressSummary(*c, req); }});
  return t;
}

}  // namespace depin
