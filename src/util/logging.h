// Node logging: a Logger writes lines such as
//   2026-11-24T21:56:32.123456Z [rpc-io] [rpc:info] listening on 127.0.0.1:8545
// to a file (debug.log) and optionally the console. Messages at info and
// above are always written (if at or above the minimum level); debug and
// trace messages only for categories switched on with `-debug=<category>`
// (or `-debug=all`), which keeps hot paths quiet by default.
//
// There is no global logger. Components take a `Logger*` (null means "do not
// log"); main() may install a process-wide default with SetDefaultLogger()
// for code that has no component context. Log rotation: an operator moves
// debug.log away and sends SIGHUP; main() turns the signal into Reopen().
//
// Usage:
//   LogInfo(logger, LogCategory::kRpc, "listening on {}:{}", host, port);
//   LogDebug(logger, LogCategory::kRpc, "request {} from {}", method, ip);
// `{}` placeholders are filled in order by operator<<; surplus arguments are
// appended, surplus placeholders kept verbatim.
//
// Thread-safety: every Logger method may be called from any thread.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "util/status.h"
#include "util/sync.h"

namespace depin {

enum class LogLevel : uint8_t { kTrace = 0, kDebug = 1, kInfo = 2, kWarn = 3, kError = 4 };

// Bitmask so that "-debug=net -debug=rpc" is a cheap AND on the hot path.
enum class LogCategory : uint32_t {
  kNone = 0,
  kNet = 1u << 0,
  kRpc = 1u << 1,
  kChain = 1u << 2,
  kMempool = 1u << 3,
  kMining = 1u << 4,
  kStorage = 1u << 5,
  kCompute = 1u << 6,
  kDb = 1u << 7,
  kValidation = 1u << 8,
  kMarket = 1u << 9,
  kProvider = 1u << 10,
  kNode = 1u << 11,
  kIndex = 1u << 12,
  kAll = 0xffffffffu,
};

std::string_view LogCategoryName(LogCategory category);
std::string_view LogLevelName(LogLevel level);
// Parses `-debug` values ("net", "rpc", "all", "1", "none", "0") into a
// mask; unknown names fail with "log-unknown-category".
Result<uint32_t> ParseLogCategories(const std::vector<std::string>& names);
// "trace", "debug", "info", "warn"/"warning", "error"; else "log-unknown-level".
Result<LogLevel> ParseLogLevel(std::string_view name);

struct LoggerOptions {
  // Empty: no file output.
  std::filesystem::path file;
  bool print_to_console = false;
  // Messages below this level are dropped even for enabled categories.
  LogLevel min_level = LogLevel::kDebug;
  // Categories whose debug/trace messages are written (LogCategory bits).
  uint32_t debug_categories = 0;
};

class Logger {
 public:
  explicit Logger(LoggerOptions options);
  ~Logger();
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  // Opens the log file (creating parent-less files in append mode). Start-up
  // code calls this once; a failure is reported, not thrown.
  Status Open() EXCLUDES(mu_);
  // Closes and reopens the file so that an external rotation takes effect.
  Status Reopen() EXCLUDES(mu_);

  bool Enabled(LogLevel level, LogCategory category) const {
    if (level < options_.min_level) return false;
    if (level >= LogLevel::kInfo) return true;
    return (options_.debug_categories & static_cast<uint32_t>(category)) != 0;
  }

  // Writes one line (a trailing newline is added). Cheap no-op if disabled.
  void Write(LogLevel level, LogCategory category, std::string_view message) EXCLUDES(mu_);

 private:
  const LoggerOptions options_;
  Mutex mu_;
  std::FILE* file_ GUARDED_BY(mu_) = nullptr;
};

// Names the calling thread in log lines (and, truncated to 15 bytes, for the
// OS so that `top -H` shows it). Threads that never call this show "main"
// or their numeric id.
void SetThreadName(std::string name);
const std::string& ThreadName();

// Process-wide fallback used when a component was given a null Logger*.
// main() installs it once before starting threads; it is not owned.
void SetDefaultLogger(Logger* logger);
Logger* DefaultLogger();

namespace logging_internal {

inline void AppendArgs(std::ostringstream& out, std::string_view fmt) { out << fmt; }

template <typename T, typename... Rest>
void AppendArgs(std::ostringstream& out, std::string_view fmt, const T& first,
                const Rest&... rest) {
  size_t pos = fmt.find("{}");
  if (pos == std::string_view::npos) {
    out << fmt << ' ' << first;
    (void)std::initializer_list<int>{((out << ' ' << rest), 0)...};
    return;
  }
  out << fmt.substr(0, pos) << first;
  AppendArgs(out, fmt.substr(pos + 2), rest...);
}

template <typename... Args>
std::string Format(std::string_view fmt, const Args&... args) {
  std::ostringstream out;
  AppendArgs(out, fmt, args...);
  return out.str();
}

template <typename... Args>
void Log(Logger* logger, LogLevel level, LogCategory category, std::string_view fmt,
         const Args&... args) {
  if (logger == nullptr) logger = DefaultLogger();
  if (logger == nullptr || !logger->Enabled(level, category)) return;
  logger->Write(level, category, Format(fmt, args...));
}

}  // namespace logging_internal

template <typename... Args>
void LogTrace(Logger* logger, LogCategory category, std::string_view fmt, const Args&... args) {
  logging_internal::Log(logger, LogLevel::kTrace, category, fmt, args...);
}
template <typename... Args>
void LogDebug(Logger* logger, LogCategory category, std::string_view fmt, const Args&... args) {
  logging_internal::Log(logger, LogLevel::kDebug, category, fmt, args...);
}
template <typename... Args>
void LogInfo(Logger* logger, LogCategory category, std::string_view fmt, const Args&... args) {
  logging_internal::Log(logger, LogLevel::kInfo, category, fmt, args...);
}
template <typename... Args>
void LogWarn(Logger* logger, LogCategory category, std::string_view fmt, const Args&... args) {
  logging_internal::Log(logger, LogLevel::kWarn, category, fmt, args...);
}
template <typename... Args>
void LogError(Logger* logger, LogCategory category, std::string_view fmt, const Args&... args) {
  logging_internal::Log(logger, LogLevel::kError, category, fmt, args...);
}

// Overloads for call sites that hold a Logger by reference.
template <typename... Args>
void LogTrace(Logger& logger, LogCategory category, std::string_view fmt, const Args&... args) {
  LogTrace(&logger, category, fmt, args...);
}
template <typename... Args>
void LogDebug(Logger& logger, LogCategory category, std::string_view fmt, const Args&... args) {
  LogDebug(&logger, category, fmt, args...);
}
template <typename... Args>
void LogInfo(Logger& logger, LogCategory category, std::string_view fmt, const Args&... args) {
  LogInfo(&logger, category, fmt, args...);
}
template <typename... Args>
void LogWarn(Logger& logger, LogCategory category, std::string_view fmt, const Args&... args) {
  LogWarn(&logger, category, fmt, args...);
}
template <typename... Args>
void LogError(Logger& logger, LogCategory category, std::string_view fmt, const Args&... args) {
  LogError(&logger, category, fmt, args...);
}

}  // namespace depin
