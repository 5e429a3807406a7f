// The web explorer's static files (HTML, CSS, JS modules, the module ABIs
// and Chart.js), embedded into the binary at build time by
// src/rpc/explorer/embed_explorer.cmake, so a node serves its explorer
// without files on disk or a CDN. explorer_routes.h serves them.
//
// Thread-safety: immutable; any thread.
#pragma once

#include <span>
#include <string_view>

namespace depin {

struct ExplorerAsset {
  std::string_view path;          // under /explorer/: "index.html", "vendor/chart.umd.js"
  std::string_view content_type;  // "text/javascript; charset=utf-8"
  std::string_view etag;          // quoted, from the file's SHA-256: "\"3f2a...\""
  std::string_view data;
};

// Every embedded file; empty when the build left the explorer out
// (-DDEPIN_EXPLORER=OFF).
std::span<const ExplorerAsset> ExplorerAssets();

}  // namespace depin
