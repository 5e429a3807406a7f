#include "rpc/eth_module_view.h"

#include "consensus/abi.h"

namespace depin::eth_rpc {

ModuleViewResult RunModuleView(const EthApi& api, const RpcRequest& req, const Address& module,
                               std::string_view inactive, Bytes calldata) {
  ModuleViewResult out;
  if (!api.ready()) {
    out.error = NotReady();
    return out;
  }
  if (api.chain().modules().Find(module) == nullptr) {
    out.error = Server(std::string(inactive));
    return out;
  }
  EthApi::QueryState at;
  if (auto err = api.StateFor(req.Has("block") ? &req.Get("block") : nullptr, at)) {
    out.error = err;
    return out;
  }
  consensus::BlockContext block;
  if (auto err = api.CallContext(at, block)) {
    out.error = err;
    return out;
  }
  consensus::CallRequest call;
  call.to = module;
  call.data = std::move(calldata);
  auto result =
      consensus::SimulateCall(*at.state, block, call, api.chain().modules(), *api.ctx().params);
  if (!result) {
    out.error = Server(result.status().message());
  } else if (result->receipt.status == 0) {
    out.error = Server(result->RevertReason());
  } else {
    out.output = std::move(result->return_data);
  }
  return out;
}

Bytes ModuleCallData(std::string_view signature, const abi::Encoder& args) {
  return args.FinishCall(abi::SelectorOf(signature));
}

Uint256 AbiWords::At(uint64_t word) const {
  if (word >= out_.size() / 32) return Uint256();
  return Uint256::FromBigEndian32(out_.data() + 32 * word);
}

Bytes AbiWords::DynamicAt(uint64_t offset) const {
  if (offset % 32 != 0) return {};
  const Uint256 n = At(offset / 32);
  if (!n.FitsUint64() || offset + 32 > out_.size() || out_.size() - offset - 32 < n.Low64()) {
    return {};
  }
  const auto begin = out_.begin() + static_cast<ptrdiff_t>(offset + 32);
  return Bytes(begin, begin + static_cast<ptrdiff_t>(n.Low64()));
}

Address AbiWords::NextAddress() {
  const Hash256 h = NextHash();
  return Address(h.data() + 12);
}

std::vector<Uint256> AbiWords::NextUintArray() {
  const uint64_t offset = Next64() / 32;
  const uint64_t n = At(offset).Low64();
  std::vector<Uint256> v;
  for (uint64_t k = 0; k < n && (offset + 1 + k + 1) * 32 <= out_.size(); ++k) {
    v.push_back(At(offset + 1 + k));
  }
  return v;
}

std::vector<Address> AbiWords::NextAddressArray() {
  std::vector<Address> v;
  for (const Uint256& w : NextUintArray()) {
    const Hash256 h = w.ToHash();
    v.emplace_back(h.data() + 12);
  }
  return v;
}

std::vector<std::string> AbiWords::NextStringArray() {
  const uint64_t base = Next64();
  const uint64_t n = At(base / 32).Low64();
  std::vector<std::string> v;
  for (uint64_t k = 0; k < n && base + 32 * (k + 2) <= out_.size(); ++k) {
    const Bytes b = DynamicAt(base + 32 + At(base / 32 + 1 + k).Low64());
    v.emplace_back(b.begin(), b.end());
  }
  return v;
}

std::string AbiWords::NextString() {
  const Bytes b = NextBytes();
  return std::string(b.begin(), b.end());
}

Bytes AbiWords::NextBytes() { return DynamicAt(Next64()); }

}  // namespace depin::eth_rpc
