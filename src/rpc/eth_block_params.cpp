#include "rpc/eth_block_params.h"

#include "consensus/state_cache.h"

namespace depin::eth_rpc {

Result<uint64_t> EthApi::ResolveHeight(const Value* v, uint64_t tip) const {
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

Result<std::optional<chain::BlockInfo>> EthApi::ResolveBlock(const Value* v) const {
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

std::optional<RpcError> EthApi::RequireBlock(const Value* v) const {
  if (IsTipTag(v)) return std::nullopt;
  auto block = ResolveBlock(v);
  if (!block) return Invalid(block.status().message());
  if (!*block) return Server("header not found");
  return std::nullopt;
}

std::optional<RpcError> EthApi::StateFor(const Value* v, QueryState& out) const {
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

consensus::Account EthApi::AccountAt(const QueryState& q, const Address& address) const {
  consensus::StateCache cache(*q.state);
  return cache.GetAccount(address);
}

RpcParam BlockParam(std::string default_json, std::string help) {
  return RpcParam::Optional("block", RpcType::kAny, std::move(default_json), std::move(help));
}

std::string StateBlockHelp() {
  return std::string(kBlockHelp) + " of the active chain; state is kept for the last " +
         std::to_string(chain::kMaxStateHistoryDepth) +
         " blocks (no more than the network's max_reorg_depth)";
}

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

std::optional<chain::BlockInfo> BlockByHashParam(const EthApi& api, const RpcRequest& req) {
  auto info = api.chain().LookupBlock(req.GetFixed<32>("blockHash"));
  if (!info || !info->have_data) return std::nullopt;
  return info;
}

}  // namespace depin::eth_rpc
