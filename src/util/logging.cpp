#include "util/logging.h"

#include <pthread.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <iostream>
#include <thread>

namespace depin {
namespace {

struct CategoryName {
  LogCategory category;
  std::string_view name;
};

constexpr std::array<CategoryName, 13> kCategoryNames = {{
    {LogCategory::kNet, "net"},
    {LogCategory::kRpc, "rpc"},
    {LogCategory::kChain, "chain"},
    {LogCategory::kMempool, "mempool"},
    {LogCategory::kMining, "mining"},
    {LogCategory::kStorage, "storage"},
    {LogCategory::kCompute, "compute"},
    {LogCategory::kDb, "db"},
    {LogCategory::kValidation, "validation"},
    {LogCategory::kMarket, "market"},
    {LogCategory::kProvider, "provider"},
    {LogCategory::kNode, "node"},
    {LogCategory::kIndex, "index"},
}};

std::atomic<Logger*> g_default_logger{nullptr};

thread_local std::string t_thread_name;

// 2026-11-24T21:56:32.123456Z
std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(now.time_since_epoch()).count();
  std::time_t secs = static_cast<std::time_t>(micros / 1000000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  std::snprintf(buf, sizeof(buf), "%04d-%02d-%02dT%02d:%02d:%02d.%06dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(micros % 1000000));
  return buf;
}

}  // namespace

std::string_view LogCategoryName(LogCategory category) {
  if (category == LogCategory::kNone) return "none";
  if (category == LogCategory::kAll) return "all";
  for (const auto& c : kCategoryNames) {
    if (c.category == category) return c.name;
  }
  return "?";
}

std::string_view LogLevelName(LogLevel level) {
  switch (level) {
    case LogLevel::kTrace:
      return "trace";
    case LogLevel::kDebug:
      return "debug";
    case LogLevel::kInfo:
      return "info";
    case LogLevel::kWarn:
      return "warn";
    case LogLevel::kError:
      return "error";
  }
  return "?";
}

Result<uint32_t> ParseLogCategories(const std::vector<std::string>& names) {
  uint32_t mask = 0;
  for (const auto& name : names) {
    if (name == "all" || name == "1" || name.empty()) {
      mask = static_cast<uint32_t>(LogCategory::kAll);
      continue;
    }
    if (name == "none" || name == "0") continue;
    bool found = false;
    for (const auto& c : kCategoryNames) {
      if (c.name == name) {
        mask |= static_cast<uint32_t>(c.category);
        found = true;
        break;
      }
    }
    if (!found) return Status::Error("log-unknown-category", "unknown debug category: " + name);
  }
  return mask;
}

Result<LogLevel> ParseLogLevel(std::string_view name) {
  if (name == "trace") return LogLevel::kTrace;
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warn" || name == "warning") return LogLevel::kWarn;
  if (name == "error") return LogLevel::kError;
  return Status::Error("log-unknown-level", "unknown log level: " + std::string(name));
}

Logger::Logger(LoggerOptions options) : options_(std::move(options)) {}

Logger::~Logger() {
  MutexLock lock(mu_);
  if (file_ != nullptr) std::fclose(file_);
  file_ = nullptr;
}

Status Logger::Open() {
  if (options_.file.empty()) return Status::Ok();
  std::FILE* f = std::fopen(options_.file.c_str(), "a");
  if (f == nullptr) {
    return Status::Error("log-open-failed",
                         "cannot open " + options_.file.string() + ": " + std::strerror(errno));
  }
  // Line-buffered so that a crash loses at most the line being written.
  std::setvbuf(f, nullptr, _IOLBF, 0);
  MutexLock lock(mu_);
  if (file_ != nullptr) std::fclose(file_);
  file_ = f;
  return Status::Ok();
}

Status Logger::Reopen() { return Open(); }

void Logger::Write(LogLevel level, LogCategory category, std::string_view message) {
  if (!Enabled(level, category)) return;
  std::string line = Timestamp();
  line += " [";
  line += ThreadName();
  line += "] [";
  line += LogCategoryName(category);
  line += ':';
  line += LogLevelName(level);
  line += "] ";
  line += message;
  if (line.empty() || line.back() != '\n') line += '\n';
  MutexLock lock(mu_);
  if (file_ != nullptr) std::fwrite(line.data(), 1, line.size(), file_);
  if (options_.print_to_console) {
    std::fwrite(line.data(), 1, line.size(), stdout);
    std::fflush(stdout);
  }
}

void SetThreadName(std::string name) {
  // Linux limits thread names to 15 bytes plus the terminator.
  pthread_setname_np(pthread_self(), name.substr(0, 15).c_str());
  t_thread_name = std::move(name);
}

const std::string& ThreadName() {
  if (t_thread_name.empty()) {
    std::ostringstream id;
    id << std::this_thread::get_id();
    t_thread_name = id.str();
  }
  return t_thread_name;
}

void SetDefaultLogger(Logger* logger) { g_default_logger.store(logger); }
Logger* DefaultLogger() { return g_default_logger.load(); }

}  // namespace depin
