// RPC method tables: the one source of truth for every JSON-RPC method. A
// method declares its name, access level (public or admin), parameters
// (name, type, required or default, help), help text, result description
// and handler. The dispatcher checks arguments against the table before a
// handler runs, so handlers read already-validated values; `help` and
// docs/rpc.md are rendered from the same tables.
//
// Writing a table (e.g. in src/rpc/blockchain_methods.cpp):
//   RpcTable BlockchainRpcTable(ChainState& chain) {
//     RpcTable t{"blockchain", {}};
//     t.methods.push_back(RpcMethod{
//         .name = "getblock",
//         .access = RpcAccess::kPublic,
//         .params = {RpcParam::Required("blockhash", RpcType::kHash, "the block hash"),
//                    RpcParam::Optional("verbosity", RpcType::kUint, "1", "0, 1 or 2")},
//         .help = "Returns a block.",
//         .result = "object: the block",
//         .handler = [&chain](const RpcRequest& req) -> RpcResult {
//           Hash256 hash = req.GetFixed<32>("blockhash");
//           uint64_t verbosity = req.GetUint("verbosity");
//           ...
//         }});
//     return t;
//   }
// Give every field up to .handler, in order (`.params = {}` when there are
// none): GCC's -Wmissing-field-initializers flags gaps in designated
// initializers. Params may arrive positionally (["0xab..", 2]) or by name
// ({"blockhash": "0xab..", "verbosity": 2}); a positional null counts as
// "not given".
//
// Thread-safety: tables are built before the server starts and are read-only
// afterwards; handlers run concurrently on the RPC worker threads and must
// synchronise access to what they capture.
#pragma once

#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rpc/json_rpc.h"
#include "util/bytes.h"

namespace depin {

// kDev: the test-node methods of a dev node (evm_*, anvil_*, hardhat_*):
// registered only with -dev, callable without credentials on the main port
// (as on Hardhat and Anvil; a dev node binds RPC and P2P to loopback), never
// on the public port.
enum class RpcAccess { kPublic, kAdmin, kDev };

enum class RpcType {
  kString,
  kInteger,  // JSON integer that fits int64
  kUint,     // JSON integer >= 0 that fits uint64
  kNumber,   // any JSON number
  kBool,
  kObject,
  kArray,
  kAny,             // any JSON value, checked by the handler
  kHexQuantity,     // Ethereum QUANTITY: "0x0", "0x1f", no leading zeros, <= 64 bits
  kUintOrQuantity,  // a JSON integer >= 0 or a QUANTITY, <= 64 bits (test-node tools send both)
  kHexU256,         // Ethereum QUANTITY up to 256 bits (wei amounts)
  kHexData,         // Ethereum DATA: "0x" + even number of hex digits
  kHash,            // 32-byte DATA
  kAddress,         // 20-byte DATA (checksum case not enforced here)
};

// "string", "hex quantity", ... as shown in help and errors.
std::string_view RpcTypeName(RpcType type);

struct RpcParam {
  std::string name;
  RpcType type = RpcType::kAny;
  bool required = true;
  // Default as JSON text ("\"latest\"", "false", "10"); empty for none.
  std::string default_json;
  std::string help;

  static RpcParam Required(std::string name, RpcType type, std::string help) {
    return RpcParam{std::move(name), type, true, {}, std::move(help)};
  }
  // `default_json` empty: the handler sees the parameter as absent (Has()).
  static RpcParam Optional(std::string name, RpcType type, std::string default_json,
                           std::string help) {
    return RpcParam{std::move(name), type, false, std::move(default_json), std::move(help)};
  }
};

class RpcRequest;
using RpcHandler = std::function<RpcResult(const RpcRequest&)>;

struct RpcMethod {
  std::string name;
  RpcAccess access = RpcAccess::kPublic;
  std::vector<RpcParam> params;
  std::string help;
  // What the result is, in words and/or a JSON sketch.
  std::string result;
  RpcHandler handler;
  // Skip table-driven argument checks and hand the raw params to the
  // handler (RpcRequest::raw_params()); for the rare method whose shape a
  // table cannot say. The params list is then documentation only.
  bool raw_params = false;
  // The handler is O(1) and short (it reads the tip, one state key or one
  // sender's pool nonce): the server may run it on the I/O thread instead of
  // handing it to a worker, which saves two thread wake-ups per request.
  // Never set it on a handler that can take long or block on I/O for long.
  bool inline_ok = false;
  // With inline_ok, for a method whose cost depends on its arguments: when
  // set, a request runs inline only if this returns true for its "params"
  // (null when absent; an array or an object, not yet checked against the
  // table), e.g. a state read at the tip but not one at a past block.
  std::function<bool(const rapidjson::Value* params)> inline_if = nullptr;
};

struct RpcTable {
  // Group name used in help and docs ("blockchain", "eth", "storage").
  std::string category;
  std::vector<RpcMethod> methods;

  // Adds a public method (the eth_, market and ots_ tables' shorthand).
  void AddPublic(std::string name, std::vector<RpcParam> params, std::string help,
                 std::string result, RpcHandler handler) {
    methods.push_back(RpcMethod{.name = std::move(name),
                                .access = RpcAccess::kPublic,
                                .params = std::move(params),
                                .help = std::move(help),
                                .result = std::move(result),
                                .handler = std::move(handler)});
  }
};

// A call whose params have been checked against its method's table entry.
// Getters take a declared parameter name; asking for an undeclared name or
// for the wrong C++ type for the declared RpcType is a programming error
// (asserts). Getting an optional parameter with no default that was not
// given is a programming error too: check Has() first.
class RpcRequest {
 public:
  RpcRequest(const RpcMethod& method, const RpcCallContext& context,
             const rapidjson::Value* raw_params, std::vector<const rapidjson::Value*> values)
      : method_(method), context_(context), raw_params_(raw_params), values_(std::move(values)) {}

  const RpcMethod& method() const { return method_; }
  const RpcCallContext& context() const { return context_; }
  // The params member as sent (array, object) or null if absent.
  const rapidjson::Value* raw_params() const { return raw_params_; }

  // Given by the caller, or defaulted by the table.
  bool Has(std::string_view name) const { return values_[Index(name)] != nullptr; }
  const rapidjson::Value& Get(std::string_view name) const;

  std::string GetString(std::string_view name) const;
  int64_t GetInt(std::string_view name) const;
  // kUint, kHexQuantity or kUintOrQuantity.
  uint64_t GetUint(std::string_view name) const;
  double GetNumber(std::string_view name) const;
  bool GetBool(std::string_view name) const;
  // kHexU256 (or kHexQuantity) as 32 big-endian bytes.
  Hash256 GetU256(std::string_view name) const;
  // kHexData, kHash, kAddress.
  Bytes GetBytes(std::string_view name) const;
  template <size_t N>
  FixedBytes<N> GetFixed(std::string_view name) const {
    Bytes b = GetBytes(name);
    return *FixedBytes<N>::FromSpan(b);
  }

 private:
  size_t Index(std::string_view name) const;

  const RpcMethod& method_;
  const RpcCallContext& context_;
  const rapidjson::Value* raw_params_;
  // One entry per declared param: the caller's value, the default, or null.
  std::vector<const rapidjson::Value*> values_;
};

// Checks that `value` has `type`. On failure returns a short reason such as
// "expected hex quantity" for the -32602 message.
std::optional<std::string> CheckRpcType(RpcType type, const rapidjson::Value& value);

// Parses an Ethereum QUANTITY of up to 256 bits into 32 big-endian bytes.
Result<Hash256> ParseHexQuantity(std::string_view s);

// One-line synopsis: `getblock "blockhash" ( verbosity )`.
std::string RpcMethodSynopsis(const RpcMethod& method);
// Full help text for one method: synopsis, description, arguments, result.
std::string RenderRpcMethodHelp(const RpcMethod& method);
// Markdown reference for docs/rpc.md: one section per table, one
// subsection per method, in table order.
std::string RenderRpcMarkdown(const std::vector<const RpcTable*>& tables);

}  // namespace depin
