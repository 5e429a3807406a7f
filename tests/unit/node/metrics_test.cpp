#include "node/metrics.h"

#include <gtest/gtest.h>

namespace depin::node {
namespace {

TEST(MetricsAddress, ParsesHostAndPort) {
  auto v4 = ParseMetricsAddress("127.0.0.1:9645");
  ASSERT_TRUE(v4.ok()) << v4.status().ToString();
  EXPECT_EQ(v4->host, "127.0.0.1");
  EXPECT_EQ(v4->port, 9645);
  auto any = ParseMetricsAddress("0.0.0.0:65535");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->port, 65535);
  auto v6 = ParseMetricsAddress("[::1]:1");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->port, 1);
}

TEST(MetricsAddress, RefusesWhatIsNotAddrPort) {
  for (const char* bad :
       {"", "9645", ":9645", "127.0.0.1", "127.0.0.1:", "127.0.0.1:0", "127.0.0.1:65536",
        "127.0.0.1:123456", "127.0.0.1:96x5", "::1:9645", "[::1:9645", "[]:9645", "127.0.0.1:-1"}) {
    auto r = ParseMetricsAddress(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "args-bad-value") << bad;
  }
}

}  // namespace
}  // namespace depin::node
