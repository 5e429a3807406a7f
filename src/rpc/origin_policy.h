// Which browsers may talk to the RPC server: the defence against DNS
// rebinding and cross-site requests, after go-ethereum's --http.vhosts,
// --http.corsdomain and --ws.origins.
//
// - Host: a page on evil.example whose name an attacker re-points at
//   127.0.0.1 sends "Host: evil.example". An HTTP request is served only
//   when its Host header is absent, an IP address (any), or one of
//   `vhosts` ("*": any), compared without the port and case-insensitively.
//   -rpcvhosts defaults to localhost.
// - CORS: browsers let a page read a cross-origin reply only when the reply
//   carries Access-Control-Allow-Origin. The server adds it (and answers
//   preflight OPTIONS requests) only for origins in `cors_domains`
//   (-rpccorsdomain, "*": any); without the option no CORS header is ever
//   sent.
// - WebSocket: browsers do not apply CORS to websockets but always send
//   Origin, so an upgrade carrying an Origin header is accepted only for an
//   origin in `cors_domains`, or, when none is configured, a localhost origin
//   (localhost, 127.0.0.1, [::1], any scheme and port). Clients outside a
//   browser send no Origin and are not affected. A page this port served
//   itself (the web explorer, -explorer) may always open one: an Origin
//   whose host and port are the request's Host, when that Host passes the
//   Host check (so a rebound name still fails).
//
// A rule is "*", "host", "host:port", "scheme://host" or
// "scheme://host:port"; the parts a rule names must match the origin's.
//
// Thread-safety: immutable after construction; any thread.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace depin {

class OriginPolicy {
 public:
  OriginPolicy(std::vector<std::string> vhosts, std::vector<std::string> cors_domains);

  // `host` is the Host header's value ("" when absent).
  bool HostAllowed(std::string_view host) const;
  // The value for Access-Control-Allow-Origin in reply to a request from
  // `origin`, or "" when no CORS header is to be sent.
  std::string CorsAllowOrigin(std::string_view origin) const;
  // Whether a websocket upgrade from `origin` (the Origin header's value)
  // is accepted; `has_origin` false: no Origin header (not a browser).
  bool WebSocketOriginAllowed(bool has_origin, std::string_view origin) const;
  // Whether `origin` (http or https) names the same host and port as the
  // request's Host header `host`, and that Host is allowed: a page served by
  // this listener.
  bool SameOrigin(std::string_view origin, std::string_view host) const;

 private:
  std::vector<std::string> vhosts_;        // lower case
  std::vector<std::string> cors_domains_;  // lower case
};

}  // namespace depin
