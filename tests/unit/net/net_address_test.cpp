#include "net/net_address.h"

#include <gtest/gtest.h>

namespace depin::net {
namespace {

TEST(NetAddress, ParsesIpv4Ipv6AndPorts) {
  auto a = NetAddress::Parse("1.2.3.4:9000", 1);
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(a->IsIpv4());
  EXPECT_EQ(a->port, 9000);
  EXPECT_EQ(a->ToString(), "1.2.3.4:9000");
  auto b = NetAddress::Parse("1.2.3.4", 77);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->port, 77);
  auto c = NetAddress::Parse("[::1]:5", 0);
  ASSERT_TRUE(c.ok());
  EXPECT_TRUE(c->IsLoopback());
  EXPECT_EQ(c->ToString(), "[::1]:5");
  auto d = NetAddress::Parse("2001:db8::1", 3);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->port, 3);
  auto l = NetAddress::Parse("localhost:1", 0);
  ASSERT_TRUE(l.ok());
  EXPECT_TRUE(l->IsLoopback());
}

TEST(NetAddress, RejectsGarbage) {
  for (const char* bad :
       {"", "1.2.3", "1.2.3.4:", "1.2.3.4:99999", "[::1", "[::1]x", "host.name"}) {
    EXPECT_FALSE(NetAddress::Parse(bad, 1).ok()) << bad;
  }
}

TEST(NetAddress, Routability) {
  EXPECT_TRUE(NetAddress::Parse("8.8.8.8", 1)->IsRoutable());
  EXPECT_FALSE(NetAddress::Parse("127.0.0.1", 1)->IsRoutable());
  EXPECT_FALSE(NetAddress::Parse("10.0.0.1", 1)->IsRoutable());
  EXPECT_FALSE(NetAddress::Parse("192.168.1.1", 1)->IsRoutable());
  EXPECT_FALSE(NetAddress::Parse("fe80::1", 1)->IsRoutable());
  EXPECT_TRUE(NetAddress::Parse("2001:4860::8888", 1)->IsRoutable());
}

TEST(SubNet, MatchesAndPrints) {
  auto s = SubNet::Parse("10.1.0.0/16");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->Match(*NetAddress::Parse("10.1.200.3", 1)));
  EXPECT_FALSE(s->Match(*NetAddress::Parse("10.2.0.1", 1)));
  EXPECT_EQ(s->ToString(), "10.1.0.0/16");
  auto single = SubNet::Parse("127.0.0.1");
  ASSERT_TRUE(single.ok());
  EXPECT_EQ(single->ToString(), "127.0.0.1/32");
  EXPECT_EQ(SubNet::Single(*NetAddress::Parse("127.0.0.1:5", 0)), *single);
  EXPECT_FALSE(SubNet::Parse("10.0.0.0/33").ok());
  EXPECT_FALSE(SubNet::Parse("nonsense").ok());
  auto v6 = SubNet::Parse("2001:db8::/32");
  ASSERT_TRUE(v6.ok());
  EXPECT_TRUE(v6->Match(*NetAddress::Parse("2001:db8:1::5", 1)));
}

}  // namespace
}  // namespace depin::net
