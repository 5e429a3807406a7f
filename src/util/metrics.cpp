#include "util/metrics.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

namespace depin {
namespace {

// HELP text: backslash and newline escaped.
std::string EscapeHelp(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

// Label values: backslash, double quote and newline escaped.
std::string EscapeLabel(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string FormatValue(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
  if (v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<int64_t>(v));
  }
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.9g", v);
  return buf;
}

void Header(std::string& out, std::string_view name, std::string_view help, std::string_view type) {
  out += "# HELP ";
  out += name;
  out += ' ';
  out += EscapeHelp(help);
  out += "\n# TYPE ";
  out += name;
  out += ' ';
  out += type;
  out += '\n';
}

// `name{label="value",extra}` or `name` / `name{extra}`.
std::string SeriesLine(std::string_view name, std::string_view label_name, std::string_view value,
                       std::string_view extra = {}) {
  std::string out(name);
  std::string labels;
  if (!label_name.empty()) {
    labels += label_name;
    labels += "=\"" + EscapeLabel(value) + "\"";
  }
  if (!extra.empty()) {
    if (!labels.empty()) labels += ',';
    labels += extra;
  }
  if (!labels.empty()) out += "{" + labels + "}";
  return out;
}

}  // namespace

void MetricSink::Gauge(std::string_view name, std::string_view help, double value,
                       const MetricLabel& label) {
  samples_.push_back({std::string(name), std::string(help), "gauge", label, value});
}

void MetricSink::Counter(std::string_view name, std::string_view help, double value,
                         const MetricLabel& label) {
  samples_.push_back({std::string(name), std::string(help), "counter", label, value});
}

CounterFamily::CounterFamily(std::string name, std::string help, std::string label_name)
    : name_(std::move(name)), help_(std::move(help)), label_name_(std::move(label_name)) {}

void CounterFamily::Inc(std::string_view label_value, uint64_t n) {
  std::atomic<uint64_t>* value = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = values_.find(label_value);
    if (it == values_.end()) {
      it = values_.emplace(std::string(label_value), std::make_unique<std::atomic<uint64_t>>(0))
               .first;
    }
    value = it->second.get();
  }
  value->fetch_add(n, std::memory_order_relaxed);
}

uint64_t CounterFamily::Value(std::string_view label_value) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = values_.find(label_value);
  return it == values_.end() ? 0 : it->second->load(std::memory_order_relaxed);
}

void CounterFamily::Render(std::string& out) const {
  Header(out, name_, help_, "counter");
  std::lock_guard<std::mutex> lock(mu_);
  // A family without a label always has its one series.
  if (label_name_.empty() && values_.empty()) out += name_ + " 0\n";
  for (const auto& [label, value] : values_) {
    out += SeriesLine(name_, label_name_, label) + " " +
           FormatValue(static_cast<double>(value->load(std::memory_order_relaxed))) + "\n";
  }
}

HistogramFamily::HistogramFamily(std::string name, std::string help, std::string label_name,
                                 std::vector<double> bounds)
    : name_(std::move(name)),
      help_(std::move(help)),
      label_name_(std::move(label_name)),
      bounds_(std::move(bounds)) {}

HistogramFamily::Series& HistogramFamily::SeriesFor(std::string_view label_value) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(label_value);
  if (it == series_.end()) {
    it = series_.emplace(std::string(label_value), std::make_unique<Series>(bounds_.size())).first;
  }
  return *it->second;
}

void HistogramFamily::Observe(double value, std::string_view label_value) {
  Series& s = SeriesFor(label_value);
  const size_t bucket = std::lower_bound(bounds_.begin(), bounds_.end(), value) - bounds_.begin();
  s.counts[bucket].fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard<std::mutex> lock(s.sum_mu);
    s.sum += value;
  }
  s.count.fetch_add(1, std::memory_order_relaxed);
}

uint64_t HistogramFamily::Count(std::string_view label_value) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = series_.find(label_value);
  return it == series_.end() ? 0 : it->second->count.load(std::memory_order_relaxed);
}

void HistogramFamily::Render(std::string& out) const {
  Header(out, name_, help_, "histogram");
  std::lock_guard<std::mutex> lock(mu_);
  for (const auto& [label, s] : series_) {
    // Buckets are cumulative; _count is their total so a concurrent
    // Observe never makes +Inf disagree with _count.
    uint64_t cumulative = 0;
    for (size_t i = 0; i <= bounds_.size(); ++i) {
      cumulative += s->counts[i].load(std::memory_order_relaxed);
      const std::string le =
          "le=\"" + (i < bounds_.size() ? FormatValue(bounds_[i]) : std::string("+Inf")) + "\"";
      out += SeriesLine(name_ + "_bucket", label_name_, label, le) + " " +
             FormatValue(static_cast<double>(cumulative)) + "\n";
    }
    double sum = 0;
    {
      std::lock_guard<std::mutex> sum_lock(s->sum_mu);
      sum = s->sum;
    }
    out += SeriesLine(name_ + "_sum", label_name_, label) + " " + FormatValue(sum) + "\n";
    out += SeriesLine(name_ + "_count", label_name_, label) + " " +
           FormatValue(static_cast<double>(cumulative)) + "\n";
  }
}

std::vector<double> LatencyBuckets() {
  return {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
          0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
}

CounterFamily& MetricsRegistry::Counter(const std::string& name, const std::string& help,
                                        const std::string& label_name) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = counters_[name];
  if (!slot) slot = std::make_unique<CounterFamily>(name, help, label_name);
  return *slot;
}

HistogramFamily& MetricsRegistry::Histogram(const std::string& name, const std::string& help,
                                            const std::string& label_name,
                                            std::vector<double> bounds) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = histograms_[name];
  if (!slot) slot = std::make_unique<HistogramFamily>(name, help, label_name, std::move(bounds));
  return *slot;
}

void MetricsRegistry::AddCollector(std::function<void(MetricSink&)> collect) {
  std::lock_guard<std::mutex> lock(mu_);
  collectors_.push_back(std::move(collect));
}

std::string MetricsRegistry::Render() const {
  std::vector<std::function<void(MetricSink&)>> collectors;
  std::string out;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [name, family] : counters_) family->Render(out);
    for (const auto& [name, family] : histograms_) family->Render(out);
    collectors = collectors_;
  }
  MetricSink sink;
  for (const auto& collect : collectors) collect(sink);
  // Group by name (stable, so label order is the collectors' order): one
  // HELP and TYPE per metric, its samples together.
  std::stable_sort(
      sink.samples_.begin(), sink.samples_.end(),
      [](const MetricSink::Sample& a, const MetricSink::Sample& b) { return a.name < b.name; });
  for (size_t i = 0; i < sink.samples_.size(); ++i) {
    const MetricSink::Sample& s = sink.samples_[i];
    if (i == 0 || sink.samples_[i - 1].name != s.name) Header(out, s.name, s.help, s.type);
    out += SeriesLine(s.name, s.label.name, s.label.value) + " " + FormatValue(s.value) + "\n";
  }
  return out;
}

}  // namespace depin
