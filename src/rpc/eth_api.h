// Internal to the eth_ methods (rpc/eth_*.cpp): the state their handlers
// share (EthApi: the node's chainstate, mempool, filters and subscriptions)
// and the small helpers they all use to parse quantities and build
// go-ethereum's errors. Not for use outside rpc/eth_*.cpp; the public entry
// point is EthRpcTables in rpc/eth_methods.h.
//
// ParseU64 and ParseU256 are defined in eth_api.cpp, EthApi's out-of-line
// members beside the concept they serve: block parameter resolution and
// state-at-block in eth_block_params.cpp, the call context in eth_call.cpp,
// the suggested tip in eth_fees.cpp, log queries in eth_logs.cpp, block and
// receipt objects in eth_methods.cpp.
//
// Thread-safety: an EthApi is shared by handlers running concurrently on
// RPC worker threads; its members are const and the state they touch
// (chainstate, mempool, filters, subscriptions, the tip cache) is internally
// synchronised.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/executor.h"
#include "rpc/eth_filters.h"
#include "rpc/eth_json.h"
#include "rpc/eth_methods.h"
#include "rpc/eth_subscriptions.h"
#include "util/sync.h"

namespace depin::eth_rpc {

using rapidjson::Document;
using rapidjson::Value;

inline RpcError NotReady() { return RpcError::Internal("node is starting"); }

inline RpcError Invalid(std::string message) { return RpcError::InvalidParams(std::move(message)); }

// geth's code for everything a tx or query is refused for.
inline RpcError Server(std::string message) { return RpcError::Server(std::move(message)); }

inline RpcResult Json(Document doc) { return RpcResult(std::move(doc)); }

// Refused by the public port's rate limit (RpcCallContext::Charge).
inline RpcError RateLimited() {
  return RpcError{kRpcLimitExceeded, "rate limit exceeded", std::nullopt};
}

// What a query over `blocks` blocks costs on top of the request's own
// token: one per kBlocksPerToken blocks after the first kBlocksPerToken.
inline constexpr uint64_t kBlocksPerToken = 100;
inline double RangeCost(uint64_t blocks) {
  return blocks <= kBlocksPerToken ? 0.0 : static_cast<double>(blocks - 1) / kBlocksPerToken;
}

// A refused filter or subscription: -32005 when a limit was reached.
inline RpcError FilterLimit(const Status& status) {
  if (status.Is(StatusKind::kLimitExceeded)) {
    return RpcError{kRpcLimitExceeded, status.message(), std::nullopt};
  }
  return Server(status.message());
}

inline std::string_view View(const Value& v) { return {v.GetString(), v.GetStringLength()}; }

// A QUANTITY that fits 64 bits; also a JSON number, which some clients send.
Result<uint64_t> ParseU64(const Value& v);

Result<Uint256> ParseU256(const Value& v);

// The blocks, filters and subscriptions of one node, shared by the handlers.
class EthApi {
 public:
  explicit EthApi(const NodeRpcContext& ctx) : ctx_(ctx) {
    if (ctx.chainstate == nullptr) return;
    filters_ = std::make_shared<EthFilters>(ctx.chainstate, ctx.filter_limits);
    subs_ = std::make_shared<EthSubscriptions>(ctx.chainstate, ctx.subscriptions_per_connection);
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
  Result<uint64_t> ResolveHeight(const Value* v, uint64_t tip) const;

  // A block parameter as a block of the active chain (or any known block for
  // blockHash). Error status: bad parameter. nullopt: no such block.
  Result<std::optional<chain::BlockInfo>> ResolveBlock(const Value* v) const;

  // Ok when `v` names a block this node has (any block for the answers that
  // do not depend on state: code and storage).
  std::optional<RpcError> RequireBlock(const Value* v) const;

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
  std::optional<RpcError> StateFor(const Value* v, QueryState& out) const;

  consensus::Account AccountAt(const QueryState& q, const Address& address) const;

  // Context for a call simulated on `q`'s state: as at the tip, the block
  // that comes next. After an older block N that is the active chain's
  // block N+1 (its height, time, miner, base fee), whose txs ran on exactly
  // that state.
  std::optional<RpcError> CallContext(const QueryState& q, consensus::BlockContext& out) const;

  // The median effective tip paid in the last kTipSampleBlocks blocks, or
  // kDefaultSuggestedTipWei when they hold no txs; cached per tip.
  Uint256 SuggestedTip() const;

  // Appends the block object's body fields (size, transactions, uncles).
  RpcResult BlockObject(const chain::BlockInfo& info, bool full) const;

  // Receipts of a block as receipt objects (eth_getBlockReceipts), or the
  // one at `only_index`.
  RpcResult Receipts(const chain::BlockInfo& info, std::optional<uint32_t> only_index) const;

  // Logs of the active chain's blocks [from, to] matching `criteria`.
  Result<std::vector<eth_json::LocatedLog>> Logs(const LogCriteria& criteria, uint64_t from,
                                                 uint64_t to) const;

  Status AppendBlockLogs(const LogCriteria& criteria, const Hash256& hash,
                         std::vector<eth_json::LocatedLog>& out) const;

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

}  // namespace depin::eth_rpc
