// Runs a native module's view for the native market methods (storage_*,
// compute_*) through the same path as eth_call, at the request's "block"
// parameter, and reads its ABI output word by word. Internal to
// rpc/eth_*.cpp.
//
// Thread-safety: as the eth_ handlers.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

struct ModuleViewResult {
  Bytes output;
  std::optional<RpcError> error;  // not ready, module not active, bad block, the view's revert
};

// `calldata` against the module at `module`, as eth_call runs it. A revert is
// -32000 with the rule name first; `inactive` is the message when the
// network has no such module.
ModuleViewResult RunModuleView(const EthApi& api, const RpcRequest& req, const Address& module,
                               std::string_view inactive, Bytes calldata);

Bytes ModuleCallData(std::string_view signature, const abi::Encoder& args);

// The words of a view's ABI output, read in order; dynamic values through
// the offset word that comes next. Out-of-range reads give zero / empty.
class AbiWords {
 public:
  explicit AbiWords(const Bytes& out) : out_(out) {}
  Uint256 Next() { return At(i_++); }
  uint64_t Next64() { return Next().Low64(); }
  bool NextBool() { return !Next().IsZero(); }
  Hash256 NextHash() { return Next().ToHash(); }
  Address NextAddress();
  std::vector<Uint256> NextUintArray();
  std::vector<Address> NextAddressArray();
  std::vector<std::string> NextStringArray();
  std::string NextString();
  Bytes NextBytes();

 private:
  Uint256 At(uint64_t word) const;
  // The payload of a length-prefixed value at byte `offset`.
  Bytes DynamicAt(uint64_t offset) const;
  const Bytes& out_;
  size_t i_ = 0;
};

}  // namespace depin::eth_rpc
