// Operator overrides of the chain (Bitcoin Core's invalidateblock and
// reconsiderblock): the "chain admin" table, over Chainstate's
// InvalidateBlock / ReconsiderBlock.
#include "rpc/node_methods.h"

namespace depin {

namespace {

RpcResult ChainAdminResult(const Status& s) {
  if (s.ok()) return RpcResult::Null();
  if (s.Is(StatusKind::kNotFound)) return RpcError{kRpcNotFound, s.ToString(), std::nullopt};
  return RpcError::FromStatus(s);
}

}  // namespace

RpcTable ChainAdminRpcTable(const NodeRpcContext& ctx) {
  const NodeRpcContext* c = &ctx;
  RpcTable t{"chain admin", {}};
  t.methods.push_back(RpcMethod{
      .name = "invalidateblock",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Required("blockhash", RpcType::kHash, "the block to mark invalid")},
      .help = "Marks a block and its descendants invalid, as if it broke a rule, and moves the "
              "chain to the most-work valid block (disconnecting the block if it is active, "
              "however deep). The mark is stored and survives restarts; reconsiderblock "
              "undoes it. Errors: -5 for an unknown block, -32000 \"invalidate-genesis\".",
      .result = "null",
      .handler = [c](const RpcRequest& req) -> RpcResult {
        if (c->chainstate == nullptr) return RpcError::Internal("node is starting");
        const Hash256 hash = req.GetFixed<32>("blockhash");
        return ChainAdminResult(c->chainstate->InvalidateBlock(hash));
      }});
  t.methods.push_back(RpcMethod{
      .name = "reconsiderblock",
      .access = RpcAccess::kAdmin,
      .params = {RpcParam::Required("blockhash", RpcType::kHash, "the block to reconsider")},
      .help = "Clears the invalid marks of a block, its ancestors and its descendants (set by "
              "invalidateblock or by a failed rule) and activates the most-work chain. A block "
              "that does break a rule fails again: the error names the rule.",
      .result = "null",
      .handler = [c](const RpcRequest& req) -> RpcResult {
        if (c->chainstate == nullptr) return RpcError::Internal("node is starting");
        const Hash256 hash = req.GetFixed<32>("blockhash");
        return ChainAdminResult(c->chainstate->ReconsiderBlock(hash));
      }});
  return t;
}

}  // namespace depin
