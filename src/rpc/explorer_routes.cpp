#include "rpc/explorer_routes.h"

#include <string>
#include <utility>

#include "rpc/explorer_assets.h"

namespace depin {
namespace {

constexpr std::string_view kPrefix = "/explorer";

const ExplorerAsset* FindAsset(std::string_view path) {
  for (const ExplorerAsset& a : ExplorerAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

void AddCommonHeaders(HttpReply& reply) {
  reply.headers.emplace_back("Content-Security-Policy", std::string(kExplorerCsp));
  reply.headers.emplace_back("X-Content-Type-Options", "nosniff");
  reply.headers.emplace_back("Referrer-Policy", "no-referrer");
}

// A whole If-None-Match list ("a", W/"b", *) against the asset's ETag.
bool EtagMatches(std::string_view if_none_match, std::string_view etag) {
  if (if_none_match == "*") return true;
  size_t pos = 0;
  while (pos < if_none_match.size()) {
    size_t comma = if_none_match.find(',', pos);
    if (comma == std::string_view::npos) comma = if_none_match.size();
    std::string_view tag = if_none_match.substr(pos, comma - pos);
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    if (tag.starts_with("W/")) tag.remove_prefix(2);
    if (tag == etag) return true;
    pos = comma + 1;
  }
  return false;
}

HttpReply NotFound() {
  HttpReply reply;
  reply.status = 404;
  if (const ExplorerAsset* page = FindAsset("404.html")) {
    reply.content_type = std::string(page->content_type);
    reply.body = std::string(page->data);
  } else {
    reply.body = "not found: the explorer starts at /explorer/\n";
  }
  reply.headers.emplace_back("Cache-Control", "no-cache");
  AddCommonHeaders(reply);
  return reply;
}

HttpReply Serve(const HttpRequest& request) {
  std::string_view path = request.path;
  if (path == kPrefix) {
    HttpReply reply = HttpReply::Text(308, "the explorer is at /explorer/");
    reply.headers.emplace_back("Location", "/explorer/");
    AddCommonHeaders(reply);
    return reply;
  }
  if (!path.starts_with("/explorer/")) return NotFound();
  std::string_view file = path.substr(kPrefix.size() + 1);
  if (file.empty()) file = "index.html";
  const ExplorerAsset* asset = FindAsset(file);
  if (asset == nullptr) return NotFound();
  HttpReply reply;
  reply.headers.emplace_back("ETag", std::string(asset->etag));
  reply.headers.emplace_back("Cache-Control", "no-cache");
  AddCommonHeaders(reply);
  if (auto inm = request.Header("if-none-match"); inm && EtagMatches(*inm, asset->etag)) {
    reply.status = 304;
    reply.content_type = std::string(asset->content_type);
    return reply;
  }
  reply.content_type = std::string(asset->content_type);
  reply.body = std::string(asset->data);
  return reply;
}

}  // namespace

bool ExplorerBuiltIn() { return !ExplorerAssets().empty(); }

HttpRoutes ExplorerRoutes() {
  HttpRoutes routes;
  routes.push_back({.prefix = std::string(kPrefix),
                    .methods = {"GET", "HEAD"},
                    .max_body_bytes = 0,
                    .handler = [](const HttpRequest& r) { return Serve(r); }});
  return routes;
}

}  // namespace depin
