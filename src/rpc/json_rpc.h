// JSON-RPC 2.0 protocol vocabulary shared by the dispatcher and by method
// handlers: error codes, RpcError, RpcResult (what a handler returns), and
// RpcCallContext (who is calling, over what).
//
// A handler returns either a JSON value or an RpcError:
//   return RpcResult::String("0x1");
//   return RpcError::InvalidParams("block not found");
//   return RpcError{3, "execution reverted", R"("0x08c379a0...")"};  // data is raw JSON
//   rapidjson::Document doc(rapidjson::kObjectType);
//   doc.AddMember("height", 7, doc.GetAllocator());
//   return RpcResult(std::move(doc));
//
// Thread-safety: plain values. RpcCallContext::session is a shared handle
// whose own methods are thread-safe (see rpc_session.h).
#pragma once

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "rpc/rpc_session.h"
#include "util/status.h"

namespace depin {

// Standard JSON-RPC 2.0 codes.
inline constexpr int kRpcParseError = -32700;
inline constexpr int kRpcInvalidRequest = -32600;
inline constexpr int kRpcMethodNotFound = -32601;
inline constexpr int kRpcInvalidParams = -32602;
inline constexpr int kRpcInternalError = -32603;
// Implementation-defined server errors (-32000..-32099). -32000 is what
// Ethereum clients use for "nonce too low", "insufficient funds" and the like.
inline constexpr int kRpcServerError = -32000;
// An admin method was called without (valid) credentials on the main port.
inline constexpr int kRpcUnauthorized = -32001;
// A websocket message could not be queued (worker queue full or rate limit).
inline constexpr int kRpcLimitExceeded = -32005;
// The node is still starting (loading or rebuilding the chainstate); the
// message says what it is doing. Bitcoin Core's RPC_IN_WARMUP.
inline constexpr int kRpcInWarmup = -28;
// Ethereum's eth_call / eth_estimateGas revert, data = revert bytes.
inline constexpr int kRpcExecutionReverted = 3;

struct RpcError {
  int code = kRpcInternalError;
  std::string message;
  // Serialized JSON for the optional "data" member, spliced in verbatim; it
  // must be a valid JSON value (for a string, include the quotes).
  std::optional<std::string> data_json;

  static RpcError InvalidParams(std::string message) {
    return RpcError{kRpcInvalidParams, std::move(message), std::nullopt};
  }
  static RpcError Internal(std::string message) {
    return RpcError{kRpcInternalError, std::move(message), std::nullopt};
  }
  static RpcError Server(std::string message) {
    return RpcError{kRpcServerError, std::move(message), std::nullopt};
  }
  // A failed Status as an error: message "code: message", so that the rule
  // name (e.g. "tx-nonce-too-low") reaches the caller.
  static RpcError FromStatus(const Status& status, int code = kRpcServerError) {
    return RpcError{code, status.ToString(), std::nullopt};
  }
};

class RpcResult {
 public:
  RpcResult(rapidjson::Document value)  // NOLINT(google-explicit-constructor)
      : v_(std::make_shared<rapidjson::Document>(std::move(value))) {}
  RpcResult(RpcError error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  // A result that is already serialized JSON (e.g. built with a
  // rapidjson::Writer for speed). It must be a valid JSON value.
  static RpcResult RawJson(std::string json) { return RpcResult(RawTag{std::move(json)}); }
  static RpcResult Null();
  static RpcResult Bool(bool v);
  static RpcResult Int(int64_t v);
  static RpcResult Uint(uint64_t v);
  static RpcResult String(std::string_view v);

  bool ok() const { return !std::holds_alternative<RpcError>(v_); }
  const RpcError& error() const { return std::get<RpcError>(v_); }

  // Writes the result value (not the envelope). Requires ok().
  void WriteValue(rapidjson::Writer<rapidjson::StringBuffer>& writer) const;

 private:
  struct RawTag {
    std::string json;
  };
  explicit RpcResult(RawTag raw) : v_(std::move(raw)) {}

  // The Document sits behind a shared_ptr so that RpcResult stays cheap to
  // move and copy; it is never mutated after the handler returns.
  std::variant<std::shared_ptr<rapidjson::Document>, RawTag, RpcError> v_;
};

// Who is calling and over which transport. Filled in by the server.
struct RpcCallContext {
  // Valid credentials were presented: admin methods may run.
  bool authenticated = false;
  // The call came in on the public listener: admin methods never run.
  bool public_port = false;
  // Peer IP address as text ("127.0.0.1", "::1").
  std::string remote_address;
  // Set for calls over a websocket: lets a handler (eth_subscribe) keep the
  // session to push notifications later. Null for plain HTTP.
  std::shared_ptr<RpcSession> session;
  // Set on the public listener: takes `cost` tokens from the caller's rate
  // limit (rate_limiter.h) and says whether they were granted. The
  // dispatcher charges one per request (each batch entry); a handler whose
  // work grows with its arguments charges the rest through Charge() and
  // refuses the call with kRpcLimitExceeded when it is not granted.
  std::function<bool(double cost)> charge;

  bool Charge(double cost) const { return !charge || charge(cost); }
};

}  // namespace depin
