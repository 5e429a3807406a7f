#include "net/ban_man.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace depin::net {
namespace {

std::filesystem::path TempFile(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("depin-banman-" + std::to_string(::getpid()) + "-" + name);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir / "banlist.dat";
}

TEST(BanMan, PersistsAcrossRestarts) {
  auto file = TempFile("persist");
  uint64_t now = 1000;
  auto clock = [&now] { return now; };
  {
    BanMan bans(BanManOptions{file, 3600, clock, nullptr});
    ASSERT_TRUE(bans.Load().ok());
    bans.Ban(SubNet::Parse("10.0.0.0/8").value());
    bans.Ban(SubNet::Parse("1.2.3.4").value(), 60);
    EXPECT_TRUE(bans.IsBanned(*NetAddress::Parse("10.9.9.9", 1)));
    ASSERT_TRUE(bans.Save().ok());
  }
  BanMan reloaded(BanManOptions{file, 3600, clock, nullptr});
  ASSERT_TRUE(reloaded.Load().ok());
  auto list = reloaded.List();
  ASSERT_EQ(list.size(), 2u);
  EXPECT_TRUE(reloaded.IsBanned(*NetAddress::Parse("10.9.9.9", 1)));
  EXPECT_TRUE(reloaded.IsBanned(*NetAddress::Parse("1.2.3.4", 1)));
  EXPECT_FALSE(reloaded.IsBanned(*NetAddress::Parse("1.2.3.5", 1)));
  now += 61;  // the short ban expires
  EXPECT_FALSE(reloaded.IsBanned(*NetAddress::Parse("1.2.3.4", 1)));
  EXPECT_EQ(reloaded.List().size(), 1u);
  EXPECT_TRUE(reloaded.Unban(SubNet::Parse("10.0.0.0/8").value()));
  EXPECT_FALSE(reloaded.Unban(SubNet::Parse("10.0.0.0/8").value()));
  ASSERT_TRUE(reloaded.Save().ok());
  BanMan empty(BanManOptions{file, 3600, clock, nullptr});
  ASSERT_TRUE(empty.Load().ok());
  EXPECT_TRUE(empty.List().empty());
}

// Ban, Unban and Clear do not write: the owner decides when to save.
TEST(BanMan, ChangesReachTheFileOnlyOnSave) {
  auto file = TempFile("explicit");
  BanMan bans(BanManOptions{file, 3600, {}, nullptr});
  bans.Ban(SubNet::Parse("10.0.0.0/8").value());
  EXPECT_FALSE(std::filesystem::exists(file));
  ASSERT_TRUE(bans.Save().ok());
  BanMan reloaded(BanManOptions{file, 3600, {}, nullptr});
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_EQ(reloaded.List().size(), 1u);
}

// Saves from several threads (the message loop, RPC setban, shutdown) share
// one temporary file: each must write a whole list, and the last to finish
// must hold every ban made before any save began.
TEST(BanMan, ConcurrentSavesLeaveOneWholeList) {
  auto file = TempFile("concurrent");
  BanMan bans(BanManOptions{file, 3600, {}, nullptr});
  constexpr int kThreads = 4;
  constexpr int kBansPerThread = 100;
  std::vector<std::thread> threads;
  std::vector<int> failures(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&bans, &failures, t] {
      for (int i = 0; i < kBansPerThread; ++i) {
        std::string subnet = "10." + std::to_string(t) + "." + std::to_string(i) + ".0/24";
        bans.Ban(SubNet::Parse(subnet).value());
        if (!bans.Save().ok()) ++failures[static_cast<size_t>(t)];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (int f : failures) EXPECT_EQ(f, 0);
  BanMan reloaded(BanManOptions{file, 3600, {}, nullptr});
  ASSERT_TRUE(reloaded.Load().ok());
  EXPECT_EQ(reloaded.List().size(), static_cast<size_t>(kThreads * kBansPerThread));
}

TEST(BanMan, DamagedFileIsMovedAside) {
  auto file = TempFile("damaged");
  {
    std::ofstream f(file);
    f << "depin-banlist 1\nnot-a-subnet 1 2\n";
  }
  BanMan bans(BanManOptions{file, 3600, {}, nullptr});
  EXPECT_EQ(bans.Load().code(), "banlist-corrupt");
  EXPECT_TRUE(bans.List().empty());
  auto aside = file;
  aside += ".bad";
  EXPECT_TRUE(std::filesystem::exists(aside));
}

}  // namespace
}  // namespace depin::net
