#include "rpc/explorer_routes.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "rpc/explorer_assets.h"

namespace depin {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

HttpReply Get(const std::string& path,
              std::vector<std::pair<std::string, std::string>> headers = {}) {
  HttpRoutes routes = ExplorerRoutes();
  EXPECT_EQ(routes.size(), 1u);
  HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.headers = std::move(headers);
  return routes[0].handler(r);
}

std::string HeaderOf(const HttpReply& reply, const std::string& name) {
  for (const auto& [k, v] : reply.headers) {
    if (k == name) return v;
  }
  return "";
}

const ExplorerAsset* Find(std::string_view path) {
  for (const ExplorerAsset& a : ExplorerAssets()) {
    if (a.path == path) return &a;
  }
  return nullptr;
}

TEST(ExplorerRoutes, ServesTheAppUnderOnePrefixForGetAndHead) {
  ASSERT_TRUE(ExplorerBuiltIn());
  HttpRoutes routes = ExplorerRoutes();
  ASSERT_EQ(routes.size(), 1u);
  EXPECT_EQ(routes[0].prefix, "/explorer");
  EXPECT_EQ(routes[0].methods, (std::vector<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(routes[0].max_body_bytes, 0u);
}

TEST(ExplorerRoutes, IndexCarriesContentTypeEtagAndAPolicyThatAllowsOnlyOwnScripts) {
  HttpReply reply = Get("/explorer/");
  EXPECT_EQ(reply.status, 200u);
  EXPECT_EQ(reply.content_type, "text/html; charset=utf-8");
  EXPECT_EQ(reply.body, std::string(Find("index.html")->data));
  EXPECT_NE(reply.body.find("<script type=\"module\" src=\"app.js\">"), std::string::npos);
  const std::string csp = HeaderOf(reply, "Content-Security-Policy");
  EXPECT_EQ(csp, kExplorerCsp);
  EXPECT_NE(csp.find("script-src 'self'"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-inline"), std::string::npos);
  EXPECT_EQ(csp.find("unsafe-eval"), std::string::npos);
  EXPECT_EQ(HeaderOf(reply, "X-Content-Type-Options"), "nosniff");
  EXPECT_EQ(HeaderOf(reply, "Cache-Control"), "no-cache");
  EXPECT_EQ(HeaderOf(reply, "ETag"), Find("index.html")->etag);
  EXPECT_EQ(Get("/explorer/index.html").body, reply.body);
}

TEST(ExplorerRoutes, EachFileGetsItsContentType) {
  EXPECT_EQ(Get("/explorer/app.js").content_type, "text/javascript; charset=utf-8");
  EXPECT_EQ(Get("/explorer/explorer.css").content_type, "text/css; charset=utf-8");
  EXPECT_EQ(Get("/explorer/abi/compute.json").content_type, "application/json");
  EXPECT_EQ(Get("/explorer/favicon.svg").content_type, "image/svg+xml");
}

TEST(ExplorerRoutes, EmbedsTheSourceFilesTheAbisAndChartJs) {
  const std::string src = DEPIN_SOURCE_DIR;
  size_t own = 0;
  for (const ExplorerAsset& a : ExplorerAssets()) {
    if (a.path.starts_with("vendor/") || a.path.starts_with("abi/")) continue;
    EXPECT_EQ(a.data, ReadFile(src + "/src/rpc/explorer/" + std::string(a.path))) << a.path;
    ++own;
  }
  EXPECT_GE(own, 8u);  // index.html, 404.html, css, svg and the modules
  for (const char* abi : {"compute", "storage"}) {
    const ExplorerAsset* a = Find("abi/" + std::string(abi) + ".json");
    ASSERT_NE(a, nullptr) << abi;
    EXPECT_EQ(a->data, ReadFile(src + "/docs/abi/" + abi + ".json"));
  }
  const ExplorerAsset* chart = Find("vendor/chart.umd.js");
  ASSERT_NE(chart, nullptr);
  EXPECT_NE(chart->data.substr(0, 200).find("Chart.js v"), std::string_view::npos);
  EXPECT_GT(chart->data.size(), 100'000u);
}

// The explorer renders chain data as text: no script of its own may parse
// HTML from a string (innerHTML and friends) or evaluate one.
TEST(ExplorerRoutes, NoScriptParsesHtmlOrEvaluatesStrings) {
  size_t scripts = 0;
  for (const ExplorerAsset& a : ExplorerAssets()) {
    if (!a.path.ends_with(".js") || a.path.starts_with("vendor/")) continue;
    ++scripts;
    for (const char* banned :
         {".innerHTML", ".outerHTML", "insertAdjacentHTML", "document.write", "DOMParser",
          "createContextualFragment", "eval(", "new Function", "srcdoc"}) {
      EXPECT_EQ(a.data.find(banned), std::string_view::npos) << a.path << " uses " << banned;
    }
  }
  EXPECT_GE(scripts, 5u);
}

TEST(ExplorerRoutes, AMatchingIfNoneMatchGets304WithoutABody) {
  const std::string etag(Find("app.js")->etag);
  for (const std::string& inm : {etag, "W/" + etag, "\"other\", " + etag, std::string("*")}) {
    HttpReply reply = Get("/explorer/app.js", {{"if-none-match", inm}});
    EXPECT_EQ(reply.status, 304u) << inm;
    EXPECT_TRUE(reply.body.empty());
    EXPECT_EQ(HeaderOf(reply, "ETag"), etag);
  }
  EXPECT_EQ(Get("/explorer/app.js", {{"if-none-match", "\"stale\""}}).status, 200u);
}

TEST(ExplorerRoutes, UnknownPathsGetTheNotFoundPageWithThePolicy) {
  for (const char* path :
       {"/explorer/nope.js", "/explorer/../secret", "/explorer/abi/", "/explorer/vendor/",
        "/explorerx", "/explorer//app.js", "/explorer/app.js/"}) {
    HttpReply reply = Get(path);
    EXPECT_EQ(reply.status, 404u) << path;
    EXPECT_EQ(reply.content_type, "text/html; charset=utf-8") << path;
    EXPECT_NE(reply.body.find("Not found"), std::string::npos) << path;
    EXPECT_NE(reply.body.find("href=\"/explorer/\""), std::string::npos) << path;
    EXPECT_EQ(HeaderOf(reply, "Content-Security-Policy"), kExplorerCsp) << path;
  }
}

TEST(ExplorerRoutes, ThePrefixWithoutSlashRedirects) {
  HttpReply reply = Get("/explorer");
  EXPECT_EQ(reply.status, 308u);
  EXPECT_EQ(HeaderOf(reply, "Location"), "/explorer/");
}

}  // namespace
}  // namespace depin
