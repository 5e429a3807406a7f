#include "util/metrics.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace depin {
namespace {

TEST(Metrics, CounterFamilyRendersPerLabelValue) {
  MetricsRegistry registry;
  CounterFamily& calls = registry.Counter("x_requests_total", "Requests.", "method");
  calls.Inc("b");
  calls.Inc("a", 2);
  calls.Inc("b");
  EXPECT_EQ(calls.Value("a"), 2u);
  EXPECT_EQ(calls.Value("b"), 2u);
  EXPECT_EQ(calls.Value("c"), 0u);
  EXPECT_EQ(registry.Render(),
            "# HELP x_requests_total Requests.\n"
            "# TYPE x_requests_total counter\n"
            "x_requests_total{method=\"a\"} 2\n"
            "x_requests_total{method=\"b\"} 2\n");
  // The same name gives the same family.
  EXPECT_EQ(&registry.Counter("x_requests_total", "other", "method"), &calls);
}

TEST(Metrics, UnlabelledCounterAlwaysHasItsSeries) {
  MetricsRegistry registry;
  registry.Counter("x_total", "Things.");
  EXPECT_EQ(registry.Render(),
            "# HELP x_total Things.\n"
            "# TYPE x_total counter\n"
            "x_total 0\n");
}

TEST(Metrics, HistogramBucketsAreCumulativeWithSumAndCount) {
  MetricsRegistry registry;
  HistogramFamily& h = registry.Histogram("x_seconds", "Latency.", "", {0.1, 1});
  h.Observe(0.05);
  h.Observe(0.1);  // on a bound: that bucket (le is "less than or equal")
  h.Observe(0.5);
  h.Observe(7);
  EXPECT_EQ(h.Count(), 4u);
  EXPECT_EQ(registry.Render(),
            "# HELP x_seconds Latency.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{le=\"0.1\"} 2\n"
            "x_seconds_bucket{le=\"1\"} 3\n"
            "x_seconds_bucket{le=\"+Inf\"} 4\n"
            "x_seconds_sum 7.65\n"
            "x_seconds_count 4\n");
}

TEST(Metrics, LabelledHistogramPutsTheLabelBeforeLe) {
  MetricsRegistry registry;
  registry.Histogram("x_seconds", "Latency.", "method", {1}).Observe(2, "eth_call");
  EXPECT_EQ(registry.Render(),
            "# HELP x_seconds Latency.\n"
            "# TYPE x_seconds histogram\n"
            "x_seconds_bucket{method=\"eth_call\",le=\"1\"} 0\n"
            "x_seconds_bucket{method=\"eth_call\",le=\"+Inf\"} 1\n"
            "x_seconds_sum{method=\"eth_call\"} 2\n"
            "x_seconds_count{method=\"eth_call\"} 1\n");
}

TEST(Metrics, CollectorsAreGroupedByNameWithOneHeader) {
  MetricsRegistry registry;
  registry.AddCollector([](MetricSink& out) {
    out.Gauge("x_peers", "Peers.", 3, {"direction", "inbound"});
    out.Gauge("x_height", "Height.", 12);
  });
  registry.AddCollector([](MetricSink& out) {
    out.Gauge("x_peers", "Peers.", 8, {"direction", "outbound"});
    out.Counter("x_posts_total", "PoSts.", 1.5);
  });
  EXPECT_EQ(registry.Render(),
            "# HELP x_height Height.\n"
            "# TYPE x_height gauge\n"
            "x_height 12\n"
            "# HELP x_peers Peers.\n"
            "# TYPE x_peers gauge\n"
            "x_peers{direction=\"inbound\"} 3\n"
            "x_peers{direction=\"outbound\"} 8\n"
            "# HELP x_posts_total PoSts.\n"
            "# TYPE x_posts_total counter\n"
            "x_posts_total 1.5\n");
}

TEST(Metrics, HelpAndLabelValuesAreEscaped) {
  MetricsRegistry registry;
  registry.Counter("x_total", "a \\ b\nc \"q\"", "m").Inc("say \"hi\"\\\n");
  EXPECT_EQ(registry.Render(),
            "# HELP x_total a \\\\ b\\nc \"q\"\n"
            "# TYPE x_total counter\n"
            "x_total{m=\"say \\\"hi\\\"\\\\\\n\"} 1\n");
}

TEST(Metrics, ConcurrentUpdatesAreAllCounted) {
  MetricsRegistry registry;
  CounterFamily& c = registry.Counter("x_total", "X.", "t");
  HistogramFamily& h = registry.Histogram("x_seconds", "X.", "t");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 1000; ++i) {
        c.Inc(i % 2 ? "odd" : "even");
        h.Observe(0.001, "all");
        if (i % 100 == 0) registry.Render();  // scrapes meanwhile
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(c.Value("odd") + c.Value("even"), 4000u);
  EXPECT_EQ(h.Count("all"), 4000u);
}

}  // namespace
}  // namespace depin
