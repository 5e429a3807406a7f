// The data directory: where it is, its per-network subfolder, and the lock
// that keeps a second daemon out of it.
//
// Layout (as Bitcoin Core's):
//   ~/.depin/                 -datadir; depin.conf lives here
//   ~/.depin/{chain data}     main network
//   ~/.depin/testnet/...      -testnet
//   ~/.depin/regtest/...      -regtest and -dev
// Each network folder holds .lock, debug.log, .cookie, the LevelDB
// databases and block files, and depind.pid when -pid is given.
//
// Thread-safety: DataDirLock and PidFile are owned by the main thread.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include "util/status.h"

namespace depin::node {

// -datadir resolved: "~/" expanded against $HOME, made absolute. An empty
// argument means ~/.depin.
std::filesystem::path ResolveDataDir(const std::string& arg);

// Creates `datadir` (must already exist unless it is the default) and the
// network subfolder; returns the network folder. Errors: "datadir-missing",
// "datadir-create".
Result<std::filesystem::path> PrepareNetworkDir(const std::filesystem::path& datadir,
                                                const std::string& datadir_sub,
                                                bool create_datadir);

// An exclusive flock() on <network dir>/.lock, held for the life of the
// object. flock locks belong to the open file, so they survive -daemon's fork
// and vanish when the process dies, leaving no stale lock behind.
class DataDirLock {
 public:
  // Errors: "datadir-locked" (another process holds it), "datadir-lock-io".
  static Result<std::unique_ptr<DataDirLock>> Acquire(const std::filesystem::path& network_dir);
  ~DataDirLock();
  DataDirLock(const DataDirLock&) = delete;
  DataDirLock& operator=(const DataDirLock&) = delete;

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// Writes the process id to `path` on Create and removes the file on
// destruction.
class PidFile {
 public:
  static Result<std::unique_ptr<PidFile>> Create(const std::filesystem::path& path);
  ~PidFile();
  PidFile(const PidFile&) = delete;
  PidFile& operator=(const PidFile&) = delete;
  // Rewrites the file with the current pid (after -daemon forks).
  Status Rewrite();

 private:
  explicit PidFile(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

}  // namespace depin::node
