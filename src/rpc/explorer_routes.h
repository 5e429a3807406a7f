// The web explorer at /explorer/ on the RPC ports (-explorer): a single-page
// app (src/rpc/explorer/) whose static files are built into the binary
// (explorer_assets.h) and that reads the chain through the same port's
// public JSON-RPC and WebSocket API, like any other client.
//
//   if (args.GetBool("explorer", false)) {
//     for (HttpRoute& r : ExplorerRoutes()) routes.push_back(std::move(r));
//   }
//
// Replies. GET/HEAD /explorer/<file> -> 200 with the file's content type,
// an ETag (a matching If-None-Match -> 304) and Cache-Control: no-cache (the
// names are not versioned, so browsers revalidate; the ETag keeps that
// cheap). "/explorer" -> 308 to "/explorer/"; "/explorer/" -> index.html;
// any other path under the prefix -> 404 with a page that links home (the
// app itself shows a not-found view for unknown #/ routes). Every reply
// carries a Content-Security-Policy that only lets the node's own scripts
// run (script-src 'self', no inline script, no eval), nosniff and
// no-referrer: a page that never renders chain data as HTML, and a policy
// that would stop a script if it ever did.
//
// Thread-safety: the handler is stateless; any thread.
#pragma once

#include <string_view>

#include "rpc/http_routes.h"

namespace depin {

// The Content-Security-Policy header value of every explorer reply.
inline constexpr std::string_view kExplorerCsp =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'";

// Whether the binary carries the explorer's files (DEPIN_EXPLORER at build).
bool ExplorerBuiltIn();

// The route serving /explorer and everything under it.
HttpRoutes ExplorerRoutes();

}  // namespace depin
