#include "util/logging.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <regex>
#include <thread>

namespace depin {
namespace {

LoggerOptions Options(std::filesystem::path file, LogLevel min_level, uint32_t categories) {
  LoggerOptions o;
  o.file = std::move(file);
  o.min_level = min_level;
  o.debug_categories = categories;
  return o;
}

class LoggingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::random_device rd;
    dir_ = std::filesystem::temp_directory_path() /
           ("depin_log_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(dir_);
    path_ = dir_ / "debug.log";
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::vector<std::string> Lines(const std::filesystem::path& p) {
    std::ifstream in(p);
    std::vector<std::string> out;
    for (std::string line; std::getline(in, line);) out.push_back(line);
    return out;
  }

  std::filesystem::path dir_;
  std::filesystem::path path_;
};

TEST_F(LoggingTest, LineFormatHasUtcMicrosThreadCategoryAndLevel) {
  Logger logger(LoggerOptions{.file = path_});
  ASSERT_TRUE(logger.Open().ok());
  SetThreadName("testmain");
  LogInfo(logger, LogCategory::kRpc, "listening on {}:{}", "127.0.0.1", 8545);
  auto lines = Lines(path_);
  ASSERT_EQ(lines.size(), 1u);
  std::regex re(
      R"(^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z \[testmain\] \[rpc:info\] listening on 127\.0\.0\.1:8545$)");
  EXPECT_TRUE(std::regex_match(lines[0], re)) << lines[0];
}

TEST_F(LoggingTest, DebugOnlyForEnabledCategories) {
  auto mask = ParseLogCategories({"net", "mempool"});
  ASSERT_TRUE(mask.ok());
  Logger logger(Options(path_, LogLevel::kDebug, *mask));
  ASSERT_TRUE(logger.Open().ok());
  LogDebug(logger, LogCategory::kNet, "net debug");
  LogDebug(logger, LogCategory::kRpc, "rpc debug");
  LogTrace(logger, LogCategory::kNet, "net trace");  // below min_level (debug)
  LogWarn(logger, LogCategory::kRpc, "rpc warn");    // info and up always
  LogError(&logger, LogCategory::kChain, "chain error {}", 7);
  auto lines = Lines(path_);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("[net:debug] net debug"), std::string::npos);
  EXPECT_NE(lines[1].find("[rpc:warn] rpc warn"), std::string::npos);
  EXPECT_NE(lines[2].find("[chain:error] chain error 7"), std::string::npos);
}

TEST_F(LoggingTest, TraceAndMinimumLevel) {
  Logger trace(Options(path_, LogLevel::kTrace, static_cast<uint32_t>(LogCategory::kAll)));
  EXPECT_TRUE(trace.Enabled(LogLevel::kTrace, LogCategory::kDb));
  Logger quiet(Options({}, LogLevel::kWarn, static_cast<uint32_t>(LogCategory::kAll)));
  EXPECT_FALSE(quiet.Enabled(LogLevel::kInfo, LogCategory::kDb));
  EXPECT_FALSE(quiet.Enabled(LogLevel::kDebug, LogCategory::kDb));
  EXPECT_TRUE(quiet.Enabled(LogLevel::kWarn, LogCategory::kDb));
}

TEST_F(LoggingTest, ReopenFollowsRotation) {
  Logger logger(LoggerOptions{.file = path_});
  ASSERT_TRUE(logger.Open().ok());
  LogInfo(logger, LogCategory::kNode, "before");
  auto rotated = dir_ / "debug.log.1";
  std::filesystem::rename(path_, rotated);
  LogInfo(logger, LogCategory::kNode, "still old file");
  ASSERT_TRUE(logger.Reopen().ok());
  LogInfo(logger, LogCategory::kNode, "after");
  auto old_lines = Lines(rotated);
  auto new_lines = Lines(path_);
  ASSERT_EQ(old_lines.size(), 2u);
  ASSERT_EQ(new_lines.size(), 1u);
  EXPECT_NE(new_lines[0].find("after"), std::string::npos);
}

TEST_F(LoggingTest, OpenFailureIsAStatus) {
  Logger logger(LoggerOptions{.file = dir_ / "missing" / "debug.log"});
  EXPECT_EQ(logger.Open().code(), "log-open-failed");
  // Logging without an open file is harmless.
  LogInfo(logger, LogCategory::kNode, "dropped");
}

TEST_F(LoggingTest, ConcurrentWritersNeverInterleaveLines) {
  Logger logger(LoggerOptions{.file = path_});
  ASSERT_TRUE(logger.Open().ok());
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&logger, t] {
      SetThreadName("writer" + std::to_string(t));
      for (int i = 0; i < 500; ++i) LogInfo(logger, LogCategory::kDb, "t{} i{} end", t, i);
    });
  }
  for (auto& th : threads) th.join();
  auto lines = Lines(path_);
  ASSERT_EQ(lines.size(), 2000u);
  std::regex re(R"(^\S+ \[writer(\d)\] \[db:info\] t(\d) i\d+ end$)");
  for (const auto& line : lines) {
    std::smatch m;
    ASSERT_TRUE(std::regex_match(line, m, re)) << line;
    EXPECT_EQ(m[1], m[2]);
  }
}

TEST(LoggingFormat, PlaceholdersAndSurplusArguments) {
  EXPECT_EQ(logging_internal::Format("a {} b {}", 1, "x"), "a 1 b x");
  EXPECT_EQ(logging_internal::Format("no placeholders", 1, 2), "no placeholders 1 2");
  EXPECT_EQ(logging_internal::Format("{} and {}", 1), "1 and {}");
  EXPECT_EQ(logging_internal::Format("plain"), "plain");
}

TEST(LoggingParse, CategoriesAndLevels) {
  EXPECT_EQ(*ParseLogCategories({"all"}), static_cast<uint32_t>(LogCategory::kAll));
  EXPECT_EQ(*ParseLogCategories({"1"}), static_cast<uint32_t>(LogCategory::kAll));
  EXPECT_EQ(*ParseLogCategories({"none"}), 0u);
  EXPECT_EQ(*ParseLogCategories({"rpc", "db"}),
            static_cast<uint32_t>(LogCategory::kRpc) | static_cast<uint32_t>(LogCategory::kDb));
  EXPECT_EQ(ParseLogCategories({"rpc", "bogus"}).status().code(), "log-unknown-category");
  EXPECT_EQ(*ParseLogLevel("trace"), LogLevel::kTrace);
  EXPECT_EQ(*ParseLogLevel("warning"), LogLevel::kWarn);
  EXPECT_EQ(ParseLogLevel("loud").status().code(), "log-unknown-level");
  EXPECT_EQ(LogCategoryName(LogCategory::kMempool), "mempool");
}

TEST(LoggingDefault, NullLoggerFallsBackToInstalledDefault) {
  auto path = std::filesystem::temp_directory_path() /
              ("depin_log_default_" + std::to_string(std::random_device()()));
  {
    Logger logger(LoggerOptions{.file = path});
    ASSERT_TRUE(logger.Open().ok());
    LogInfo(static_cast<Logger*>(nullptr), LogCategory::kNode, "dropped, no default");
    SetDefaultLogger(&logger);
    LogInfo(static_cast<Logger*>(nullptr), LogCategory::kNode, "via default");
    SetDefaultLogger(nullptr);
  }
  std::ifstream in(path);
  std::string all;
  for (std::string line; std::getline(in, line);) all += line + "\n";
  EXPECT_EQ(all.find("dropped"), std::string::npos);
  EXPECT_NE(all.find("via default"), std::string::npos);
  std::filesystem::remove(path);
}

}  // namespace
}  // namespace depin
