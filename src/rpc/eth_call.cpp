#include "rpc/eth_call.h"

#include "consensus/tx_validation.h"

#include <algorithm>
#include <chrono>

namespace depin::eth_rpc {

using namespace eth_json;

namespace {

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

}  // namespace

std::optional<RpcError> EthApi::CallContext(const QueryState& q,
                                            consensus::BlockContext& out) const {
  BlockHeader header;
  if (q.block && chain().Tip().hash != q.block->hash) {
    const chain::BlockInfo& block = *q.block;
    auto child = chain().GetBlockHashAtHeight(block.header.height + 1);
    auto info = child ? chain().LookupBlock(*child) : std::nullopt;
    if (!info || info->header.parent_hash != block.hash) return Server("header not found");
    header = info->header;
  } else {
    const chain::Chainstate::NextBlock next = chain().NextBlockContext();
    header = next.HeaderFor(Address(), std::max(NowSeconds(), next.min_timestamp));
  }
  auto ctx = chain().BlockContextFor(header);
  if (!ctx.ok()) return Server("header not found");
  out = std::move(ctx).value();
  return std::nullopt;
}

namespace {

// A call object of eth_call / eth_estimateGas.
Result<consensus::CallRequest> ParseCallObject(const Value& v) {
  consensus::CallRequest call;
  if (!v.IsObject()) return Status::Error("bad-call", "transaction must be an object");
  if (auto it = v.FindMember("from"); it != v.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsString()) return Status::Error("bad-call", "bad from address");
    auto a = Address::Parse(View(it->value));
    if (!a) return Status::Error("bad-call", "bad from address: " + a.status().message());
    call.from = *a;
  }
  if (auto it = v.FindMember("to"); it != v.MemberEnd() && !it->value.IsNull()) {
    if (!it->value.IsString()) return Status::Error("bad-call", "bad to address");
    auto a = Address::Parse(View(it->value));
    if (!a) return Status::Error("bad-call", "bad to address: " + a.status().message());
    call.to = *a;
  }
  if (auto it = v.FindMember("gas"); it != v.MemberEnd() && !it->value.IsNull()) {
    auto g = ParseU64(it->value);
    if (!g) return Status::Error("bad-call", "bad gas: " + g.status().message());
    call.gas_limit = *g;
  }
  if (auto it = v.FindMember("value"); it != v.MemberEnd() && !it->value.IsNull()) {
    auto value = ParseU256(it->value);
    if (!value) return Status::Error("bad-call", "bad value: " + value.status().message());
    call.value = *value;
  }
  std::optional<Bytes> input;
  for (const char* name : {"input", "data"}) {
    auto it = v.FindMember(name);
    if (it == v.MemberEnd() || it->value.IsNull()) continue;
    if (!it->value.IsString()) return Status::Error("bad-call", std::string("bad ") + name);
    auto bytes = HexDecode(View(it->value));
    if (!bytes) return Status::Error("bad-call", std::string("bad ") + name + ": not hex data");
    if (input && *input != *bytes) {
      return Status::Error("bad-call",
                           "both \"data\" and \"input\" are set and not equal. Please use "
                           "\"input\" to pass transaction call data");
    }
    input = std::move(*bytes);
  }
  if (input) call.data = std::move(*input);
  return call;
}

// The error of a reverted simulated call, as geth: code 3, data = the
// ABI-encoded Error(string).
RpcError Reverted(const std::string& reason) {
  std::string message = "execution reverted";
  if (!reason.empty()) message += ": " + reason;
  std::string data = "\"" + HexEncode(consensus::EncodeRevertReason(reason)) + "\"";
  return RpcError{kRpcExecutionReverted, std::move(message), std::move(data)};
}

// A module call that hit its gas allowance rather than one that reverted on
// its own.
bool RanOutOfGas(const consensus::TxOutcome& out) {
  return out.receipt.status == 0 && out.revert.Is(StatusKind::kOutOfGas);
}

// The state and block context a simulated call runs on.
struct CallSite {
  EthApi::QueryState at;
  consensus::BlockContext block;
};

std::optional<RpcError> ResolveCallSite(const EthApi& api, const RpcRequest& req, CallSite& out) {
  if (auto err = api.StateFor(req.Has("block") ? &req.Get("block") : nullptr, out.at)) return err;
  return api.CallContext(out.at, out.block);
}

Result<consensus::TxOutcome> Simulate(const EthApi& api, const CallSite& site,
                                      const consensus::CallRequest& call) {
  return consensus::SimulateCall(*site.at.state, site.block, call, api.chain().modules(),
                                 *api.ctx().params);
}

// A call no tx could make (data to a plain address, a contract creation)
// answers as a revert whose reason names the rule: ethers v6 and viem show a
// revert's reason in their error messages (ethers' shortMessage
// 'execution reverted: "tx-data-to-non-module: ..."', viem's "Execution
// reverted with reason: ..."), where a plain -32000 would be hidden behind
// "missing revert data". Wallets estimate gas before they send, so this is
// where a developer meets the rule.
std::optional<RpcError> CheckTarget(const EthApi& api, const consensus::CallRequest& call) {
  Status s = consensus::CheckCallTarget(call.to, call.data, api.chain().modules());
  if (s.ok()) return std::nullopt;
  return Reverted(s.ToString());
}

}  // namespace

RpcResult Call(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto call = ParseCallObject(req.Get("transaction"));
  if (!call) return Invalid(call.status().message());
  if (auto err = CheckTarget(api, *call)) return *err;
  if (req.Has("stateOverrides") &&
      !(req.Get("stateOverrides").IsObject() && req.Get("stateOverrides").ObjectEmpty())) {
    return Invalid("state overrides are not supported");
  }
  CallSite site;
  if (auto err = ResolveCallSite(api, req, site)) return *err;
  auto out = Simulate(api, site, *call);
  if (!out) return Server(out.status().message());
  if (out->receipt.status == 0) {
    if (RanOutOfGas(*out)) return Server("out of gas");  // geth's eth_call wording
    return Reverted(out->RevertReason());
  }
  return RpcResult::String(HexEncode(out->return_data));
}

RpcResult EstimateGas(const EthApi& api, const RpcRequest& req) {
  if (!api.ready()) return NotReady();
  auto call = ParseCallObject(req.Get("transaction"));
  if (!call) return Invalid(call.status().message());
  if (auto err = CheckTarget(api, *call)) return *err;
  // Every probe runs on the same state and context.
  CallSite site;
  if (auto err = ResolveCallSite(api, req, site)) return *err;
  uint64_t cap = call->gas_limit != 0 ? call->gas_limit : api.ctx().params->block_gas_limit;
  consensus::CallRequest probe = *call;
  probe.gas_limit = cap;
  auto out = Simulate(api, site, probe);
  if (!out) return Server(out.status().message());
  if (out->receipt.status == 0) {
    if (RanOutOfGas(*out)) {
      return Server("gas required exceeds allowance (" + std::to_string(cap) + ")");
    }
    return Reverted(out->RevertReason());
  }
  uint64_t lo = out->receipt.gas_used;
  if (call->to && !api.chain().modules().IsModuleAddress(*call->to)) {
    return RpcResult::String(QuantityHex(lo));  // a transfer costs exactly its intrinsic gas
  }
  uint64_t hi = cap;
  probe.gas_limit = lo;
  auto at_used = Simulate(api, site, probe);
  if (at_used && at_used->receipt.status == 1) return RpcResult::String(QuantityHex(lo));
  while (lo + 1 < hi) {
    uint64_t mid = lo + (hi - lo) / 2;
    probe.gas_limit = mid;
    auto r = Simulate(api, site, probe);
    if (r && r->receipt.status == 1) {
      hi = mid;
    } else {
      lo = mid;
    }
  }
  return RpcResult::String(QuantityHex(hi));
}

}  // namespace depin::eth_rpc
