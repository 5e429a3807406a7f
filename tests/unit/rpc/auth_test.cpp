#include "rpc/auth.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <random>

namespace depin {
namespace {

std::filesystem::path TempDir(const std::string& name) {
  std::random_device rd;
  auto dir = std::filesystem::temp_directory_path() /
             ("depin_" + name + "_" + std::to_string(rd()) + std::to_string(rd()));
  std::filesystem::create_directories(dir);
  return dir;
}

TEST(Base64, RoundTripsAndRejectsMalformed) {
  EXPECT_EQ(Base64Encode("alice:hunter2"), "YWxpY2U6aHVudGVyMg==");
  EXPECT_EQ(*Base64Decode("YWxpY2U6aHVudGVyMg=="), "alice:hunter2");
  for (std::string s : {"", "a", "ab", "abc", "abcd", "abcde"}) {
    EXPECT_EQ(*Base64Decode(Base64Encode(s)), s);
  }
  EXPECT_FALSE(Base64Decode("YWx").ok());
  EXPECT_FALSE(Base64Decode("YW=x").ok());
  EXPECT_FALSE(Base64Decode("Y===").ok());
  EXPECT_FALSE(Base64Decode("YW*x").ok());
  EXPECT_FALSE(Base64Decode("YQ==YQ==").ok());
}

TEST(RpcAuth, HmacMatchesBitcoinRpcauthFormat) {
  // Computed with Python: hmac.new(salt, password, sha256).hexdigest().
  EXPECT_EQ(RpcAuth::RpcAuthHmac("cb77f0957de88ff388cf817ddbc7273", "hunter2"),
            "643441f3b505f7761662443d439265df618d1cc4303203497cb48b83ed46338d");
}

TEST(RpcAuth, RpcauthLineAcceptsOnlyTheRightPassword) {
  RpcAuth auth;
  ASSERT_TRUE(
      auth.AddRpcAuthLine("alice:cb77f0957de88ff388cf817ddbc7273$"
                          "643441F3B505F7761662443D439265DF618D1CC4303203497CB48B83ED46338D")
          .ok());
  EXPECT_TRUE(auth.Check("Basic " + Base64Encode("alice:hunter2")));
  EXPECT_TRUE(auth.Check("basic   " + Base64Encode("alice:hunter2")));
  EXPECT_FALSE(auth.Check("Basic " + Base64Encode("alice:hunter3")));
  EXPECT_FALSE(auth.Check("Basic " + Base64Encode("bob:hunter2")));
  EXPECT_FALSE(auth.Check("Basic " + Base64Encode("alicehunter2")));
  EXPECT_FALSE(auth.Check("Bearer " + Base64Encode("alice:hunter2")));
  EXPECT_FALSE(auth.Check("Basic !!!!"));
  EXPECT_FALSE(auth.Check("Basic"));
  EXPECT_FALSE(auth.Check(""));
}

TEST(RpcAuth, MalformedRpcauthLinesRejected) {
  RpcAuth auth;
  for (const char* line :
       {"", "alice", "alice:salt", ":salt$" /* no user */, "alice:$abc", "alice:salt$abc",
        "alice:salt$zz41f3b505f7761662443d439265df618d1cc4303203497cb48b83ed46338d"}) {
    EXPECT_EQ(auth.AddRpcAuthLine(line).code(), "rpc-bad-rpcauth") << line;
  }
  EXPECT_FALSE(auth.HasCredentials());
}

TEST(RpcAuth, CookieWrittenPrivateAndRemoved) {
  auto dir = TempDir("cookie");
  std::string cookie;
  {
    RpcAuth auth;
    ASSERT_TRUE(auth.WriteCookie(dir).ok());
    auto path = dir / ".cookie";
    ASSERT_TRUE(std::filesystem::exists(path));
    struct stat st {};
    ASSERT_EQ(::stat(path.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    std::ifstream in(path);
    std::getline(in, cookie);
    EXPECT_EQ(cookie, auth.cookie());
    ASSERT_EQ(cookie.size(), std::string("__cookie__:").size() + 64);
    EXPECT_EQ(cookie.rfind("__cookie__:", 0), 0u);
    EXPECT_TRUE(auth.Check("Basic " + Base64Encode(cookie)));
    EXPECT_FALSE(auth.Check("Basic " + Base64Encode("__cookie__:" + std::string(64, '0'))));
    auth.RemoveCookie();
    EXPECT_FALSE(std::filesystem::exists(path));
    // Once removed the old cookie no longer works.
    EXPECT_FALSE(auth.Check("Basic " + Base64Encode(cookie)));
  }
  {
    RpcAuth auth;
    ASSERT_TRUE(auth.WriteCookie(dir).ok());
    EXPECT_NE(auth.cookie(), cookie);  // fresh randomness each start
  }
  // The destructor removes it too.
  EXPECT_FALSE(std::filesystem::exists(dir / ".cookie"));
  EXPECT_EQ(RpcAuth().WriteCookie(dir / "missing" / "dir").code(), "rpc-cookie-failed");
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace depin
