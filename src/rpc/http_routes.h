// Plain HTTP resources served beside JSON-RPC on the RPC listeners: a node
// part (the storage provider's deal uploads and retrievals) registers routes
// by path prefix, and the RPC server hands it the requests whose target
// starts with one. The server keeps its listener rules for them: allow
// lists, connection limits, Host checks, the public port's rate limit (one
// token per request) and its timeouts; it reads a body of at most the
// route's max_body_bytes and runs the handler on its worker pool.
//
//   HttpRoutes routes;
//   routes.push_back({.prefix = "/piece/", .methods = {"GET", "HEAD"},
//                     .handler = [](const HttpRequest& r) { ... }});
//   server.SetRoutes(std::make_shared<const HttpRoutes>(std::move(routes)));
//
// A reply is either a body held in memory or a byte range of a file, which
// the server streams in chunks (a 32 GiB piece never sits in memory). For
// HEAD the server sends the headers of the GET reply without its body.
//
// Thread-safety: handlers run on RPC worker threads, several at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace depin {

struct HttpRequest {
  std::string method;  // "GET", "HEAD", "PUT", ...
  std::string path;    // the target without its query
  std::string query;   // after '?', or empty
  // Header fields by lower-case name (the ones a route may read).
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  bool public_port = false;
  bool authenticated = false;
  std::string remote_address;

  // The first field named `lower_name`, or nullopt.
  std::optional<std::string> Header(const std::string& lower_name) const {
    for (const auto& [name, value] : headers) {
      if (name == lower_name) return value;
    }
    return std::nullopt;
  }
};

struct HttpFileRange {
  std::string path;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct HttpReply {
  unsigned status = 200;
  std::string content_type = "text/plain";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // When set, the reply's body is this range of a file instead of `body`.
  std::optional<HttpFileRange> file;

  static HttpReply Text(unsigned status, std::string text) {
    HttpReply r;
    r.status = status;
    r.body = std::move(text);
    if (!r.body.empty() && r.body.back() != '\n') r.body += '\n';
    return r;
  }
  static HttpReply Json(unsigned status, std::string json) {
    HttpReply r;
    r.status = status;
    r.content_type = "application/json";
    r.body = std::move(json);
    return r;
  }
};

struct HttpRoute {
  std::string prefix;                // the path starts with it ("/storage/deals/")
  std::vector<std::string> methods;  // others -> 405 with Allow
  size_t max_body_bytes = 0;         // larger bodies -> 413 before they are read
  std::function<HttpReply(const HttpRequest&)> handler;
};

using HttpRoutes = std::vector<HttpRoute>;

}  // namespace depin
