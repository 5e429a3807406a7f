// The RPC server: HTTP/1.1 (keep-alive) and WebSocket listeners that feed
// JSON-RPC bodies to an RpcDispatcher. It knows nothing of the chain; node
// init builds the dispatcher from method tables and the options from
// arguments, then:
//   RpcDispatcher dispatcher(&logger);
//   dispatcher.AddTable(BlockchainRpcTable(chain));   // check the Status
//   RpcServer server(options, dispatcher, &logger);
//   if (Status s = server.Start(); !s.ok()) ...;
//   ...
//   server.Stop();
//
// Listeners. The main listener (bind_addresses:port) serves everything:
// public methods without credentials, admin methods with HTTP Basic auth
// (cookie or rpcauth). The optional public listener (public_port) serves
// public methods only, needs no auth (an Authorization header is ignored)
// and limits each client IP with a token bucket. Each listener checks its
// allow list when a connection is accepted; others get 403 and are closed.
//
// HTTP behaviour. POST "/" with Content-Type application/json (or none) is
// JSON-RPC: 200 with the response, or 204 when the body held only
// notifications. Other methods on "/" -> 405 (Allow: POST); other targets
// -> 404; another Content-Type -> 415; body over max_body_bytes -> 413;
// headers over max_header_bytes -> 431; work queue full -> 503; public rate
// limit -> 429; bad credentials -> 401 after auth_failure_delay (an Asio
// timer, so no thread waits) with no hint as to which part was wrong; an IP
// that failed auth_failure_budget times -> 429 with Retry-After, without its
// credentials being checked (auth_throttle.h); a Host header naming neither
// an IP nor one of vhosts -> 403; OPTIONS from a configured CORS origin ->
// 204 preflight (origin_policy.h). "Expect: 100-continue" is honoured. An
// idle connection waits read_timeout for its next request; a started
// request must complete its headers within header_timeout and its body
// within read_timeout (this bounds idle keep-alive connections and
// slowloris senders alike).
//
// Connections. Each listener has its own connection limit; the public one
// also limits connections per IP. Over a limit a connection is closed at
// accept.
//
// WebSocket. A GET "/" upgrade on either listener (when enabled) carries
// JSON-RPC messages through the same dispatcher; credentials, if any, are
// given on the upgrade request. An upgrade whose Origin is not allowed gets
// 403. Handlers see the connection as
// RpcCallContext::session (rpc_session.h) to push notifications. Requests on
// one session may complete out of order (match on id). Idle sessions are
// pinged; a peer that does not answer is dropped.
//
// Threads. Asio I/O runs on io_threads threads ("rpc-io"); handlers run on
// a fixed pool of `threads` workers ("rpc-worker") behind a queue of
// work_queue_depth requests; authenticated requests on the main listener
// have their own pool of admin_threads ("rpc-admin"), except a single small HTTP request for a
// method marked inline_ok (O(1) reads), which runs on the I/O thread to save
// the hand-off to a worker and back. Start() and Stop() are called from one
// controlling thread (node init/shutdown), never from a handler (a `stop`
// method asks the node to shut down instead); accessors are thread-safe.
// Stop() closes listeners, drops queued requests, waits for running
// handlers and delivers their replies, closes every connection and joins
// all threads; handlers must return promptly.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rpc/http_routes.h"
#include "util/status.h"

namespace depin {

class Logger;
class RpcDispatcher;

struct RpcServerOptions {
  // Main listener (-rpcbind, -rpcport). Port 0 picks a free port (tests).
  // Start() succeeds if at least one address binds.
  std::vector<std::string> bind_addresses = {"127.0.0.1", "::1"};
  uint16_t port = 8545;
  // -rpcallowip for the main listener: addresses and CIDR subnets.
  std::vector<std::string> allow_ips = {"127.0.0.0/8", "::1"};

  // Public listener (-rpcpublicport); none when unset.
  std::optional<uint16_t> public_port;
  std::vector<std::string> public_bind_addresses = {"127.0.0.1", "::1"};
  std::vector<std::string> public_allow_ips = {"0.0.0.0/0", "::/0"};
  // Per-IP token bucket on the public listener: sustained tokens per second
  // and burst. A request costs one token, a batch one per entry, and a
  // method whose work grows with its arguments more (RpcCallContext::charge).
  double public_rate_per_second = 20;
  double public_rate_burst = 40;

  size_t threads = 4;  // -rpcthreads
  // Workers for authenticated requests on the main listener (-rpcadminthreads),
  // so public load never delays an operator's call.
  size_t admin_threads = 2;
  size_t io_threads = 1;         // network I/O threads
  size_t work_queue_depth = 64;  // -rpcworkqueue: requests waiting for a worker
  size_t admin_work_queue_depth = 16;
  // Connections each listener holds at once; more are closed at accept. The
  // main and public listeners count separately so that a flood on the
  // public port never locks the operator out (-rpcmaxconnections,
  // -rpcpublicmaxconnections).
  size_t max_connections = 512;
  size_t public_max_connections = 512;
  // Connections one IP may hold on the public listener (-rpcpublicmaxperip).
  size_t public_max_connections_per_ip = 32;
  size_t max_body_bytes = 8 << 20;
  size_t max_header_bytes = 16 << 10;
  size_t max_batch = 1000;
  // An idle connection may wait read_timeout for its next request; once the
  // request's first byte arrived its headers must be complete within
  // header_timeout (-rpcheadertimeout) and its body within read_timeout.
  std::chrono::milliseconds read_timeout{30000};
  std::chrono::milliseconds header_timeout{5000};
  std::chrono::milliseconds write_timeout{30000};
  std::chrono::milliseconds auth_failure_delay{250};
  // Failed logins per IP before it is locked out, and the first lock-out
  // (doubling; auth_throttle.h) (-rpcauthfailures).
  size_t auth_failure_budget = 10;
  std::chrono::milliseconds auth_backoff{1000};

  // Browser checks (origin_policy.h): Host names served over HTTP besides IP
  // addresses (-rpcvhosts) and origins given CORS headers and websocket
  // access (-rpccorsdomain).
  std::vector<std::string> vhosts = {"localhost"};
  std::vector<std::string> cors_domains;

  // Directory for the .cookie file (the data directory); empty: no cookie.
  std::filesystem::path cookie_dir;
  // -rpcauth lines, "user:salt$hmac".
  std::vector<std::string> rpcauth;

  bool websocket = true;
  // Outbound messages a websocket session may have queued before it is
  // closed as too slow.
  size_t ws_max_queued_messages = 4096;
  // A silent websocket is pinged after half this time and closed after it.
  std::chrono::milliseconds ws_idle_timeout{60000};

  // False: no JSON-RPC at "/" (404), only the routes (SetRoutes): the
  // -metrics listener (node/metrics.h).
  bool json_rpc = true;

  // How long Stop() waits for connections to wind down before abandoning
  // them.
  std::chrono::milliseconds shutdown_timeout{5000};
};

class RpcServer {
 public:
  // `dispatcher` and `logger` (may be null) must outlive the server.
  RpcServer(RpcServerOptions options, const RpcDispatcher& dispatcher, Logger* logger);
  // Calls Stop().
  ~RpcServer();
  RpcServer(const RpcServer&) = delete;
  RpcServer& operator=(const RpcServer&) = delete;

  // Validates options, writes the cookie, binds listeners and starts the
  // threads. Errors: "rpc-bad-allowip", "rpc-bad-rpcauth", "rpc-cookie-failed",
  // "rpc-bind-failed", "rpc-already-started".
  Status Start();
  // Idempotent; see the header comment.
  void Stop();

  // Sends the requests that arrive from now on to `dispatcher` (which must
  // outlive the server, as must the one it replaces: requests already
  // running finish on it). depind starts the server with a warm-up
  // dispatcher and switches once the chainstate is loaded.
  void SetDispatcher(const RpcDispatcher& dispatcher);

  // Serves plain HTTP requests whose path starts with a route's prefix
  // (http_routes.h) from now on; null removes them. Other targets stay 404.
  void SetRoutes(std::shared_ptr<const HttpRoutes> routes);

  // Bound ports (the first bound address of each listener); 0 / nullopt
  // before Start().
  uint16_t port() const;
  std::optional<uint16_t> public_port() const;
  // "__cookie__:<hex>" when a cookie was written, else empty.
  std::string cookie() const;

  // Requests waiting for a worker; open connections (HTTP and websocket).
  size_t queued_requests() const;
  size_t open_connections() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depin
