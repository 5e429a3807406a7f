#include "node/datadir.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

namespace depin::node {
namespace {

namespace fs = std::filesystem;

fs::path TempDir() {
  fs::path p =
      fs::temp_directory_path() / ("depin_datadir_test_" + std::to_string(::getpid()) + "_" +
                                   ::testing::UnitTest::GetInstance()->current_test_info()->name());
  fs::remove_all(p);
  return p;
}

TEST(DataDir, ResolveExpandsHomeAndDefaults) {
  ::setenv("HOME", "/home/someone", 1);
  EXPECT_EQ(ResolveDataDir(""), fs::path("/home/someone/.depin"));
  EXPECT_EQ(ResolveDataDir("~/chain"), fs::path("/home/someone/chain"));
  EXPECT_EQ(ResolveDataDir("/abs/dir/"), fs::path("/abs/dir/"));
}

TEST(DataDir, NetworkSubfolderIsCreated) {
  fs::path dir = TempDir();
  auto net = PrepareNetworkDir(dir, "regtest", /*create_datadir=*/true);
  ASSERT_TRUE(net.ok()) << net.status().ToString();
  EXPECT_EQ(*net, dir / "regtest");
  EXPECT_TRUE(fs::is_directory(*net));
  auto main_net = PrepareNetworkDir(dir, "", /*create_datadir=*/false);
  ASSERT_TRUE(main_net.ok());
  EXPECT_EQ(*main_net, dir);
  fs::remove_all(dir);
}

TEST(DataDir, MissingExplicitDataDirIsAnError) {
  fs::path dir = TempDir();
  EXPECT_EQ(PrepareNetworkDir(dir, "regtest", /*create_datadir=*/false).status().code(),
            "datadir-missing");
}

TEST(DataDir, SecondLockIsRefusedAndReleasedOnDestruction) {
  fs::path dir = TempDir();
  fs::create_directories(dir);
  auto first = DataDirLock::Acquire(dir);
  ASSERT_TRUE(first.ok());
  // flock locks are per open file, so a second open in the same process
  // conflicts exactly as another process would.
  auto second = DataDirLock::Acquire(dir);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), "datadir-locked");
  first->reset();
  EXPECT_TRUE(DataDirLock::Acquire(dir).ok());
  fs::remove_all(dir);
}

TEST(DataDir, PidFileHoldsPidAndIsRemoved) {
  fs::path dir = TempDir();
  fs::create_directories(dir);
  fs::path path = dir / "depind.pid";
  {
    auto pid = PidFile::Create(path);
    ASSERT_TRUE(pid.ok());
    std::ifstream in(path);
    long value = 0;
    in >> value;
    EXPECT_EQ(value, ::getpid());
  }
  EXPECT_FALSE(fs::exists(path));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace depin::node
