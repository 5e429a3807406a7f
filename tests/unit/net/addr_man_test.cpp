#include "net/addr_man.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace depin::net {
namespace {

std::filesystem::path TempFile(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("depin-addrman-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir / "peers.dat";
}

NetAddress Addr(uint32_t i) { return NetAddress::FromIpv4(0x08000000u + i * 977, 9645); }

TEST(AddrMan, BucketsSurviveARoundTrip) {
  auto file = TempFile("roundtrip");
  uint64_t now = 1700000000;
  AddrManOptions options{file, false, [&now] { return now; }, nullptr};
  std::vector<NetAddress> all;
  {
    AddrMan am(options);
    NetAddress source = *NetAddress::Parse("9.9.9.9:1", 0);
    std::vector<AddrEntry> entries;
    for (uint32_t i = 0; i < 300; ++i) entries.push_back(AddrEntry{now - i, 1, Addr(i)});
    EXPECT_GT(am.Add(entries, source), 0u);
    for (uint32_t i = 0; i < 20; ++i) am.Good(Addr(i));
    EXPECT_GT(am.TriedCount(), 0u);
    ASSERT_TRUE(am.Save().ok());
    for (uint32_t i = 0; i < 300; ++i) {
      if (am.PositionOf(Addr(i))) all.push_back(Addr(i));
    }
    AddrMan reloaded(options);
    ASSERT_TRUE(reloaded.Load().ok());
    EXPECT_EQ(reloaded.Size(), am.Size());
    EXPECT_EQ(reloaded.TriedCount(), am.TriedCount());
    for (const NetAddress& a : all) EXPECT_EQ(reloaded.PositionOf(a), am.PositionOf(a));
  }
}

TEST(AddrMan, RejectsLocalAddressesUnlessAllowed) {
  AddrMan strict(AddrManOptions{{}, false, {}, nullptr});
  NetAddress local = *NetAddress::Parse("127.0.0.1:5", 0);
  EXPECT_EQ(strict.Add({AddrEntry{1, 1, local}}, local), 0u);
  AddrMan lax(AddrManOptions{{}, true, {}, nullptr});
  EXPECT_EQ(lax.Add({AddrEntry{1, 1, local}}, local), 1u);
  auto picked = lax.Select();
  ASSERT_TRUE(picked.has_value());
  EXPECT_EQ(picked->address, local);
}

TEST(AddrMan, GoodMovesToTriedAndGetAddrIsBounded) {
  AddrMan am(AddrManOptions{{}, false, {}, nullptr});
  std::vector<AddrEntry> entries;
  for (uint32_t i = 0; i < 50; ++i) entries.push_back(AddrEntry{100, 1, Addr(i)});
  am.Add(entries, *NetAddress::Parse("9.9.9.9", 1));
  am.Good(Addr(3));
  auto pos = am.PositionOf(Addr(3));
  ASSERT_TRUE(pos.has_value());
  EXPECT_TRUE(pos->tried);
  EXPECT_LE(am.GetAddresses(10).size(), 10u);
}

TEST(AddrMan, DamagedFileIsMovedAside) {
  auto file = TempFile("damaged");
  {
    std::ofstream f(file, std::ios::binary);
    f << "DPAM garbage garbage garbage garbage garbage";
  }
  AddrMan am(AddrManOptions{file, false, {}, nullptr});
  EXPECT_EQ(am.Load().code(), "addrman-corrupt");
  EXPECT_EQ(am.Size(), 0u);
}

}  // namespace
}  // namespace depin::net
