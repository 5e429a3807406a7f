#include "rpc/ip_allow_list.h"

#include <gtest/gtest.h>

namespace depin {
namespace {

boost::asio::ip::address Ip(const char* s) { return boost::asio::ip::make_address(s); }

TEST(IpAllowList, MatchesAddressesAndSubnets) {
  auto list = IpAllowList::Parse({"127.0.0.1", "10.0.0.0/8", "192.168.1.0/24", "fd00::/8", "::1"});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->Allows(Ip("127.0.0.1")));
  EXPECT_FALSE(list->Allows(Ip("127.0.0.2")));
  EXPECT_TRUE(list->Allows(Ip("10.255.1.2")));
  EXPECT_FALSE(list->Allows(Ip("11.0.0.1")));
  EXPECT_TRUE(list->Allows(Ip("192.168.1.77")));
  EXPECT_FALSE(list->Allows(Ip("192.168.2.1")));
  EXPECT_TRUE(list->Allows(Ip("fd12:3456::1")));
  EXPECT_FALSE(list->Allows(Ip("fe80::1")));
  EXPECT_TRUE(list->Allows(Ip("::1")));
  // IPv4-mapped IPv6 peers match IPv4 entries.
  EXPECT_TRUE(list->Allows(Ip("::ffff:10.1.2.3")));
  EXPECT_FALSE(list->Allows(Ip("::ffff:11.1.2.3")));
}

TEST(IpAllowList, OddPrefixesAndEverything) {
  auto list = IpAllowList::Parse({"172.16.0.0/12", "0.0.0.0/0"});
  ASSERT_TRUE(list.ok());
  EXPECT_TRUE(list->Allows(Ip("8.8.8.8")));
  EXPECT_FALSE(list->Allows(Ip("2001:db8::1")));  // v4 /0 does not cover v6
  auto v12 = IpAllowList::Parse({"172.16.0.0/12"});
  EXPECT_TRUE(v12->Allows(Ip("172.31.255.255")));
  EXPECT_FALSE(v12->Allows(Ip("172.32.0.0")));
  EXPECT_FALSE(IpAllowList::Parse({})->Allows(Ip("127.0.0.1")));
}

TEST(IpAllowList, RejectsMalformedEntries) {
  for (const char* bad : {"", "localhost", "1.2.3.4/33", "::1/129", "1.2.3.4/", "1.2.3.4/x",
                          "1.2.3.4/8/8", "300.1.1.1", "1.2.3.4/-1"}) {
    auto r = IpAllowList::Parse({bad});
    EXPECT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "rpc-bad-allowip") << bad;
  }
}

}  // namespace
}  // namespace depin
