#include "rpc/eth_logs.h"

#include <algorithm>
#include <variant>

namespace depin::eth_rpc {

using namespace eth_json;

Result<std::vector<LocatedLog>> EthApi::Logs(const LogCriteria& criteria, uint64_t from,
                                             uint64_t to) const {
  std::vector<LocatedLog> out;
  for (uint64_t h = from; h <= to; ++h) {
    auto hash = chain().GetBlockHashAtHeight(h);
    if (!hash) break;
    DEPIN_RETURN_IF_ERROR(AppendBlockLogs(criteria, *hash, out));
  }
  return out;
}

Status EthApi::AppendBlockLogs(const LogCriteria& criteria, const Hash256& hash,
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

namespace {

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

RpcResult GetLogsOver(const EthApi& api, const LogCriteria& criteria, const LogRange& range,
                      const RpcCallContext& context) {
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
  // The request paid one token; a range pays for its blocks beyond the first
  // kBlocksPerToken.
  if (!context.Charge(RangeCost(range.to - range.from + 1))) return RateLimited();
  return LogsResult(api.Logs(criteria, range.from, range.to));
}

}  // namespace

RpcResult GetLogs(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  const Value& filter = req.Get("filter");
  auto criteria = ParseLogCriteria(filter);
  if (!criteria) return Invalid(criteria.status().message());
  auto range = ParseLogRange(api, filter);
  if (!range) return Invalid(range.status().message());
  return GetLogsOver(api, *criteria, *range, req.context());
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
  auto id =
      api.filters().NewLogFilter(req.context().remote_address, std::move(*criteria), **from, *to);
  if (!id) return FilterLimit(id.status());
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
  return GetLogsOver(api, spec->criteria, range, req.context());
}

}  // namespace depin::eth_rpc
