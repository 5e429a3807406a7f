// A JSON-RPC 2.0 client over HTTP/1.1 for depin-cli: one POST per call with
// HTTP Basic auth (cookie or rpcuser/rpcpassword), a deadline over the whole
// exchange, and failures sorted into what a user can act on.
//
//   RpcClient client({.host = "127.0.0.1", .port = 8545, .credentials = cookie});
//   auto reply = client.Call("getblockcount", "[]");
//   if (!reply) ...            // transport: not running, bad credentials, timeout
//   else if (reply->is_error)  // the node answered with a JSON-RPC error
//
// Error codes: "rpc-connect" (refused, unreachable, unresolvable), "rpc-auth"
// (HTTP 401), "rpc-timeout", "rpc-http" (another HTTP status without a
// JSON-RPC body), "rpc-bad-response" (not a JSON-RPC response).
//
// Thread-safety: an RpcClient is used by one thread; each call opens and
// closes its own connection.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/status.h"

namespace depin::cli {

struct RpcClientOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;
  // "user:password" for HTTP Basic auth; empty sends no Authorization header
  // (public methods still work).
  std::string credentials;
  // Deadline for connect + request + response; zero means none.
  std::chrono::seconds timeout{900};
};

struct RpcResponse {
  bool is_error = false;
  int error_code = 0;
  std::string error_message;
  // The "result" member (null when is_error).
  rapidjson::Document result;
};

class RpcClient {
 public:
  explicit RpcClient(RpcClientOptions options) : options_(std::move(options)) {}

  // Sends {"jsonrpc":"2.0","id":n,"method":method,"params":params_json}.
  Result<RpcResponse> Call(std::string_view method, std::string_view params_json);

  // Call, with a JSON-RPC error turned into a Status ("rpc-error", message
  // "<message> (code N)") for callers that only want the result.
  Result<rapidjson::Document> CallResult(std::string_view method, std::string_view params_json);

  const RpcClientOptions& options() const { return options_; }

 private:
  // Raw exchange: the HTTP status and body.
  Status Post(const std::string& body, unsigned* http_status, std::string* response_body);

  RpcClientOptions options_;
  uint64_t next_id_ = 1;
};

// One plain HTTP exchange (a provider's deal upload or retrieval): a fresh
// connection, one deadline over connect + request + response. Errors as
// RpcClient's: rpc-connect, rpc-timeout, rpc-bad-response (also a body over
// max_response_bytes).
struct HttpEndpoint {
  std::string host;
  uint16_t port = 0;
  std::chrono::seconds timeout{900};
};
struct HttpRequestSpec {
  std::string method = "GET";
  std::string target = "/";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  size_t max_response_bytes = 64 << 20;
};
struct HttpResponse {
  unsigned status = 0;
  std::vector<std::pair<std::string, std::string>> headers;  // lower-case names
  std::string body;
};
Result<HttpResponse> SendHttp(const HttpEndpoint& to, const HttpRequestSpec& spec);

// "http://host[:port][/base/]" as a provider registers it: where to connect
// and the path its routes hang under (ends with '/'). "cli-bad-uri" for
// another scheme (https needs a proxy: depin-cli speaks plain HTTP).
struct HttpUri {
  HttpEndpoint endpoint;
  std::string base;
};
Result<HttpUri> ParseHttpUri(const std::string& uri);

// Base64 of `data` (RFC 4648 with padding), for the Authorization header.
std::string Base64Encode(std::string_view data);

}  // namespace depin::cli
