#include "rpc/origin_policy.h"

#include <gtest/gtest.h>

namespace depin {
namespace {

TEST(OriginPolicy, HostMustBeAnIpOrAConfiguredName) {
  OriginPolicy p({"localhost"}, {});
  for (const char* ok :
       {"", "localhost", "localhost:8545", "LOCALHOST:8545", "localhost.", "127.0.0.1",
        "127.0.0.1:8545", "[::1]:8545", "[::1]", "::1", "203.0.113.9:80"}) {
    EXPECT_TRUE(p.HostAllowed(ok)) << ok;
  }
  // DNS rebinding: an attacker's name pointed at 127.0.0.1.
  for (const char* bad : {"evil.example", "evil.example:8545", "localhost.evil.example",
                          "127.0.0.1.nip.io", "[evil]:1", "x:y:z"}) {
    EXPECT_FALSE(p.HostAllowed(bad)) << bad;
  }
  EXPECT_TRUE(OriginPolicy({"rpc.example.org"}, {}).HostAllowed("RPC.example.org:443"));
  EXPECT_FALSE(OriginPolicy({"rpc.example.org"}, {}).HostAllowed("localhost"));
  EXPECT_TRUE(OriginPolicy({"*"}, {}).HostAllowed("anything.example"));
  EXPECT_FALSE(OriginPolicy({}, {}).HostAllowed("localhost"));
}

TEST(OriginPolicy, CorsHeadersOnlyForConfiguredOrigins) {
  OriginPolicy none({"localhost"}, {});
  EXPECT_EQ(none.CorsAllowOrigin("http://localhost:3000"), "");
  OriginPolicy some({"localhost"}, {"http://localhost:3000", "wallet.example"});
  EXPECT_EQ(some.CorsAllowOrigin("http://localhost:3000"), "http://localhost:3000");
  EXPECT_EQ(some.CorsAllowOrigin("http://localhost:3001"), "");
  EXPECT_EQ(some.CorsAllowOrigin("https://localhost:3000"), "");
  EXPECT_EQ(some.CorsAllowOrigin("https://wallet.example"), "https://wallet.example");
  EXPECT_EQ(some.CorsAllowOrigin("https://evil.example"), "");
  EXPECT_EQ(some.CorsAllowOrigin("null"), "");
  EXPECT_EQ(some.CorsAllowOrigin(""), "");
  EXPECT_EQ(OriginPolicy({}, {"*"}).CorsAllowOrigin("https://any.example"), "*");
}

TEST(OriginPolicy, WebSocketOriginsDefaultToLocalhost) {
  OriginPolicy p({"localhost"}, {});
  EXPECT_TRUE(p.WebSocketOriginAllowed(/*has_origin=*/false, ""));
  for (const char* ok : {"http://localhost", "http://localhost:3000", "https://127.0.0.1:8080",
                         "http://[::1]:5173"}) {
    EXPECT_TRUE(p.WebSocketOriginAllowed(true, ok)) << ok;
  }
  for (const char* bad : {"https://evil.example", "null", "", "http://localhost.evil.example"}) {
    EXPECT_FALSE(p.WebSocketOriginAllowed(true, bad)) << bad;
  }
  // With -rpccorsdomain the configured origins replace the default.
  OriginPolicy cors({"localhost"}, {"https://wallet.example"});
  EXPECT_TRUE(cors.WebSocketOriginAllowed(true, "https://wallet.example"));
  EXPECT_FALSE(cors.WebSocketOriginAllowed(true, "http://wallet.example"));
  EXPECT_FALSE(cors.WebSocketOriginAllowed(true, "http://localhost:3000"));
  EXPECT_TRUE(OriginPolicy({}, {"*"}).WebSocketOriginAllowed(true, "https://any.example"));
}

TEST(OriginPolicy, APageServedByThisPortMayOpenAWebSocket) {
  OriginPolicy p({"localhost"}, {});
  // The explorer opened as http://203.0.113.9:8545/explorer/.
  EXPECT_TRUE(p.SameOrigin("http://203.0.113.9:8545", "203.0.113.9:8545"));
  EXPECT_TRUE(p.SameOrigin("https://[2001:db8::1]:8545", "[2001:db8::1]:8545"));
  EXPECT_TRUE(p.SameOrigin("http://LOCALHOST:8545", "localhost:8545"));
  EXPECT_TRUE(p.SameOrigin("http://203.0.113.9", "203.0.113.9"));
  // Another port or host is another origin.
  EXPECT_FALSE(p.SameOrigin("http://203.0.113.9:8546", "203.0.113.9:8545"));
  EXPECT_FALSE(p.SameOrigin("http://203.0.113.9", "203.0.113.9:8545"));
  EXPECT_FALSE(p.SameOrigin("http://evil.example:8545", "203.0.113.9:8545"));
  // DNS rebinding: Origin and Host agree, but the name fails the Host check.
  EXPECT_FALSE(p.SameOrigin("http://evil.example:8545", "evil.example:8545"));
  EXPECT_FALSE(p.SameOrigin("null", "203.0.113.9:8545"));
  EXPECT_FALSE(p.SameOrigin("file://203.0.113.9:8545", "203.0.113.9:8545"));
  EXPECT_FALSE(p.SameOrigin("", "203.0.113.9:8545"));
  EXPECT_FALSE(p.SameOrigin("http://203.0.113.9:8545", ""));
}

}  // namespace
}  // namespace depin
