// The -metrics listener: Prometheus text at GET /metrics and a health check
// at GET /health, on their own address and port (an RpcServer without
// JSON-RPC serving these two routes), never on the RPC ports.
//
// /metrics (docs/operations.md lists every name):
//   - chain: tip height and time, best header height, initial block
//     download; block connect time (histogram, from the validation signals);
//   - peers in and out; mempool transactions and bytes;
//   - RPC requests, errors and handler latency by method (the dispatcher's
//     call observer);
//   - what each role reports (Role::ReportMetrics: the storage provider's
//     sectors by stage and PoSts); a later component (GPU counters) adds a
//     collector or families to registry().
// /health: 200 {"status":"ok",...} when the node is synced (out of initial
// block download: no better header known, the tip under a day old or a
// dev node) and a probe file written and fsynced in the datadir, else 503
// {"status":"unavailable","reason":"..."}; 503 while the node is starting.
//
// Use (node/init): Start() right after the RPC server (the endpoints answer
// "starting" meanwhile), SetReady() once every component exists, Stop()
// first thing at shutdown, before any component it reads goes away.
//
// Thread-safety: Start, SetReady and Stop from the main thread; the
// endpoints run on the listener's worker; BlockConnected on the signals
// thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "chain/validation_signals.h"
#include "rpc/http_routes.h"
#include "rpc/http_server.h"
#include "rpc/rpc_dispatcher.h"
#include "util/metrics.h"
#include "util/status.h"

namespace depin::node {

struct NodeContext;

// -metrics=ADDR:PORT ("127.0.0.1:9645", "[::1]:9645", "0.0.0.0:9645");
// "args-bad-value" otherwise.
struct MetricsAddress {
  std::string host;
  uint16_t port = 0;
};
Result<MetricsAddress> ParseMetricsAddress(const std::string& text);

class NodeMetrics : public chain::ValidationInterface {
 public:
  // `node` outlives this object.
  NodeMetrics(NodeContext& node, MetricsAddress address, std::vector<std::string> allow_ips);
  ~NodeMetrics() override;

  Status Start();
  // Every component exists: collectors read them, the RPC dispatcher reports
  // calls, block connect times are heard.
  void SetReady();
  void Stop();

  uint16_t port() const;
  MetricsRegistry& registry() { return registry_; }
  // For RpcDispatcher::SetCallObserver: counts and times each call by method.
  RpcDispatcher::CallObserver RpcObserver();

  void BlockConnected(const chain::BlockEvent& event) override;

  // The endpoints' answers.
  HttpReply Metrics() const;
  HttpReply Health() const;

 private:
  void Collect(MetricSink& out) const;

  NodeContext& node_;
  MetricsAddress address_;
  std::vector<std::string> allow_ips_;
  MetricsRegistry registry_;
  HistogramFamily& connect_time_;
  CounterFamily& rpc_requests_;
  CounterFamily& rpc_errors_;
  HistogramFamily& rpc_latency_;
  std::atomic<bool> ready_{false};
  bool subscribed_ = false;
  RpcDispatcher no_json_rpc_;  // the listener serves no JSON-RPC
  std::unique_ptr<RpcServer> server_;
};

}  // namespace depin::node
