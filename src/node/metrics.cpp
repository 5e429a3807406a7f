#include "node/metrics.h"

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <mutex>

#include "node/node_context.h"
#include "util/file.h"

namespace depin::node {
namespace {

// A tip older than this means the node is still catching up (as
// getblockchaininfo's initialblockdownload).
constexpr uint64_t kMaxTipAgeSeconds = 24 * 60 * 60;
constexpr const char* kProbeFile = ".health-probe";

uint64_t NowSeconds() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string JsonString(std::string_view s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += c;
    } else if (static_cast<unsigned char>(c) < 0x20) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out + "\"";
}

HttpReply Unavailable(const std::string& reason) {
  return HttpReply::Json(503,
                         "{\"status\":\"unavailable\",\"reason\":" + JsonString(reason) + "}\n");
}

// Serializes the probe: two scrapes at once would write one file.
std::mutex& ProbeMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

Result<MetricsAddress> ParseMetricsAddress(const std::string& text) {
  auto bad = [&text] {
    return Status::Error(
        "args-bad-value",
        "-metrics=" + text + " is not ADDR:PORT (e.g. 127.0.0.1:9645, [::1]:9645)");
  };
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad();
  std::string host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.size() < 3 || host.back() != ']') return bad();
    host = host.substr(1, host.size() - 2);
  } else if (host.find(':') != std::string::npos) {
    return bad();  // a bare IPv6 address needs brackets
  }
  const std::string port_text = text.substr(colon + 1);
  if (port_text.empty() || port_text.size() > 5 ||
      !std::all_of(port_text.begin(), port_text.end(),
                   [](char c) { return c >= '0' && c <= '9'; })) {
    return bad();
  }
  const unsigned long port = std::stoul(port_text);
  if (port == 0 || port > 65535) return bad();
  return MetricsAddress{std::move(host), static_cast<uint16_t>(port)};
}

NodeMetrics::NodeMetrics(NodeContext& node, MetricsAddress address,
                         std::vector<std::string> allow_ips)
    : node_(node),
      address_(std::move(address)),
      allow_ips_(std::move(allow_ips)),
      connect_time_(registry_.Histogram(
          "depin_block_connect_seconds",
          "Time to connect a block to the active chain: execution, proof checks, roots and the "
          "synced write.")),
      rpc_requests_(
          registry_.Counter("depin_rpc_requests_total", "RPC calls handled, by method.", "method")),
      rpc_errors_(registry_.Counter("depin_rpc_errors_total",
                                    "RPC calls that answered with an error, by method.", "method")),
      rpc_latency_(registry_.Histogram("depin_rpc_request_duration_seconds",
                                       "Time the RPC handler took, by method.", "method")) {
  registry_.AddCollector([this](MetricSink& out) { Collect(out); });
}

NodeMetrics::~NodeMetrics() { Stop(); }

Status NodeMetrics::Start() {
  RpcServerOptions o;
  o.bind_addresses = {address_.host};
  o.port = address_.port;
  o.allow_ips = allow_ips_;
  o.json_rpc = false;
  o.websocket = false;
  o.threads = 1;
  o.admin_threads = 1;
  o.work_queue_depth = 16;
  o.admin_work_queue_depth = 1;
  o.max_connections = 64;
  o.max_body_bytes = 4096;  // GETs only: a POST gets 404 or 405, not 413
  // Scrapers name the node however they like; no browser state is here.
  o.vhosts = {"*"};
  server_ = std::make_unique<RpcServer>(std::move(o), no_json_rpc_, node_.logger.get());
  DEPIN_RETURN_IF_ERROR(server_->Start());
  HttpRoutes routes;
  // A route matches a prefix: "/metrics" exactly, anything longer is 404.
  auto exact = [](std::string path, std::function<HttpReply()> answer) {
    return HttpRoute{.prefix = path,
                     .methods = {"GET"},
                     .max_body_bytes = 0,
                     .handler = [path, answer = std::move(answer)](const HttpRequest& r) {
                       return r.path == path ? answer() : HttpReply::Text(404, "not found");
                     }};
  };
  routes.push_back(exact("/metrics", [this] { return Metrics(); }));
  routes.push_back(exact("/health", [this] { return Health(); }));
  server_->SetRoutes(std::make_shared<const HttpRoutes>(std::move(routes)));
  return Status::Ok();
}

void NodeMetrics::SetReady() {
  if (node_.signals && !subscribed_) {
    node_.signals->Register(this);
    subscribed_ = true;
  }
  ready_.store(true);
}

RpcDispatcher::CallObserver NodeMetrics::RpcObserver() {
  return [this](const std::string& method, std::chrono::nanoseconds elapsed, bool ok) {
    rpc_requests_.Inc(method);
    if (!ok) rpc_errors_.Inc(method);
    rpc_latency_.Observe(std::chrono::duration<double>(elapsed).count(), method);
  };
}

void NodeMetrics::Stop() {
  if (server_) server_->Stop();
  if (subscribed_ && node_.signals) node_.signals->Unregister(this);
  subscribed_ = false;
  ready_.store(false);
}

uint16_t NodeMetrics::port() const { return server_ ? server_->port() : 0; }

void NodeMetrics::BlockConnected(const chain::BlockEvent& event) {
  connect_time_.Observe(std::chrono::duration<double>(event.connect_time).count());
}

void NodeMetrics::Collect(MetricSink& out) const {
  const bool ready = ready_.load();
  out.Gauge("depin_node_ready", "1 once the node has started (chainstate loaded, P2P and RPC up).",
            ready ? 1 : 0);
  if (!ready) return;
  const chain::TipInfo tip = node_.chainstate->Tip();
  uint64_t best = tip.best_header_height;
  size_t inbound = 0;
  size_t outbound = 0;
  if (node_.net) {
    best = std::max(best, node_.net->Progress().best_header_height);
    inbound = node_.net->ConnectionCount(/*inbound=*/true, /*outbound=*/false);
    outbound = node_.net->ConnectionCount(/*inbound=*/false, /*outbound=*/true);
  }
  const bool ibd = best > tip.height ||
                   (!node_.dev_mode && tip.header.timestamp + kMaxTipAgeSeconds < NowSeconds());
  out.Gauge("depin_chain_tip_height", "Height of the active chain's tip.",
            static_cast<double>(tip.height));
  out.Gauge("depin_chain_tip_timestamp_seconds", "Timestamp of the tip block, Unix seconds.",
            static_cast<double>(tip.header.timestamp));
  out.Gauge("depin_chain_header_height", "Height of the best header known.",
            static_cast<double>(best));
  out.Gauge("depin_chain_initial_block_download",
            "1 while the node is catching up (a better header known, or the tip over a day old).",
            ibd ? 1 : 0);
  out.Gauge("depin_peers", "Connected P2P peers by direction.", static_cast<double>(inbound),
            {"direction", "inbound"});
  out.Gauge("depin_peers", "Connected P2P peers by direction.", static_cast<double>(outbound),
            {"direction", "outbound"});
  if (node_.mempool) {
    out.Gauge("depin_mempool_transactions", "Transactions in the mempool.",
              static_cast<double>(node_.mempool->Size()));
    out.Gauge("depin_mempool_bytes", "Bytes of the mempool's transactions (envelope sizes).",
              static_cast<double>(node_.mempool->Bytes()));
  }
  for (const auto& role : node_.roles.all()) role->ReportMetrics(out);
}

HttpReply NodeMetrics::Metrics() const {
  HttpReply reply = HttpReply::Text(200, registry_.Render());
  reply.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return reply;
}

HttpReply NodeMetrics::Health() const {
  if (!ready_.load()) return Unavailable("node is starting");
  const chain::TipInfo tip = node_.chainstate->Tip();
  uint64_t best = tip.best_header_height;
  if (node_.net) best = std::max(best, node_.net->Progress().best_header_height);
  if (best > tip.height) {
    return Unavailable("initial block download: tip at height " + std::to_string(tip.height) +
                       ", best header at " + std::to_string(best));
  }
  const uint64_t now = NowSeconds();
  if (!node_.dev_mode && tip.header.timestamp + kMaxTipAgeSeconds < now) {
    return Unavailable("initial block download: the tip (height " + std::to_string(tip.height) +
                       ") is " + std::to_string(now - tip.header.timestamp) + " s old");
  }
  // A real write: the database lives in this folder, and a full or
  // read-only disk fails here before it fails a block.
  {
    std::lock_guard<std::mutex> lock(ProbeMutex());
    const std::filesystem::path probe = node_.network_dir / kProbeFile;
    const std::string text = std::to_string(now) + "\n";
    Status written = WriteFileDurably(probe, AsSpan(text), "health-probe-failed");
    std::error_code ec;
    std::filesystem::remove(probe, ec);
    if (!written.ok()) return Unavailable("datadir not writable: " + written.message());
  }
  return HttpReply::Json(
      200, "{\"status\":\"ok\",\"height\":" + std::to_string(tip.height) + ",\"tip_age_seconds\":" +
               std::to_string(now > tip.header.timestamp ? now - tip.header.timestamp : 0) + "}\n");
}

}  // namespace depin::node
