// Metrics in the Prometheus text exposition format (version 0.0.4), for the
// node's -metrics endpoint. Two ways in:
//   - families a component updates as things happen: counters and
//     histograms, optionally with one label (`method`), each label value
//     created on first use;
//       CounterFamily& calls = registry.Counter("depin_rpc_requests_total",
//                                               "RPC requests handled.", "method");
//       calls.Inc("eth_call");
//   - collectors run at each scrape that report values kept elsewhere (the
//     chain tip, peers, a role's counters) into a MetricSink:
//       registry.AddCollector([&](MetricSink& out) {
//         out.Gauge("depin_mempool_transactions", "Txs in the mempool.", pool.size());
//       });
// A component that arrives later (GPU counters) registers its own collector
// or families; nothing here knows the names. Render() writes every family,
// then every collector's samples, each metric name with one # HELP and one
// # TYPE line.
//
// Thread-safety: Counter/Histogram/AddCollector may be called from any
// thread; Inc/Observe are lock-free once a label value exists. Render() may
// run concurrently with updates and calls the collectors on its own thread
// (they must not block for long). Families live as long as the registry.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace depin {

// One label name/value pair of a sample; empty name: no label.
struct MetricLabel {
  std::string name;
  std::string value;
};

// Where collectors report at scrape time. A counter's name ends in _total.
class MetricSink {
 public:
  void Gauge(std::string_view name, std::string_view help, double value,
             const MetricLabel& label = {});
  void Counter(std::string_view name, std::string_view help, double value,
               const MetricLabel& label = {});

 private:
  friend class MetricsRegistry;
  struct Sample {
    std::string name;
    std::string help;
    std::string type;
    MetricLabel label;
    double value = 0;
  };
  std::vector<Sample> samples_;
};

class CounterFamily {
 public:
  CounterFamily(std::string name, std::string help, std::string label_name);
  void Inc(std::string_view label_value = {}, uint64_t n = 1);
  uint64_t Value(std::string_view label_value = {}) const;
  void Render(std::string& out) const;

 private:
  const std::string name_, help_, label_name_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<std::atomic<uint64_t>>, std::less<>> values_;
};

class HistogramFamily {
 public:
  // `bounds`: the buckets' upper bounds, ascending (+Inf is implicit).
  HistogramFamily(std::string name, std::string help, std::string label_name,
                  std::vector<double> bounds);
  void Observe(double value, std::string_view label_value = {});
  uint64_t Count(std::string_view label_value = {}) const;
  void Render(std::string& out) const;

 private:
  struct Series {
    explicit Series(size_t buckets) : counts(buckets + 1) {}
    std::vector<std::atomic<uint64_t>> counts;  // per bucket (not cumulative), +Inf last
    std::atomic<uint64_t> count{0};
    std::mutex sum_mu;
    double sum = 0;
  };
  Series& SeriesFor(std::string_view label_value);

  const std::string name_, help_, label_name_;
  const std::vector<double> bounds_;
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Series>, std::less<>> series_;
};

// Latency buckets in seconds, 100 us to 10 s.
std::vector<double> LatencyBuckets();

class MetricsRegistry {
 public:
  // The family named `name`, created on first use (help and label as first
  // given).
  CounterFamily& Counter(const std::string& name, const std::string& help,
                         const std::string& label_name = "");
  HistogramFamily& Histogram(const std::string& name, const std::string& help,
                             const std::string& label_name = "",
                             std::vector<double> bounds = LatencyBuckets());
  void AddCollector(std::function<void(MetricSink&)> collect);

  // The exposition text ("text/plain; version=0.0.4").
  std::string Render() const;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<CounterFamily>> counters_;
  std::map<std::string, std::unique_ptr<HistogramFamily>> histograms_;
  std::vector<std::function<void(MetricSink&)>> collectors_;
};

}  // namespace depin
