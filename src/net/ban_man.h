// BanMan: the node's ban list of subnets with expiry times, persisted to
// <datadir>/banlist.dat so bans survive restarts. Misbehaving peers are
// banned for `default_ban_seconds`; operators add and remove entries with
// setban / clearbanned. Ban, Unban and Clear change the list in memory only;
// the owner (NetManager) decides when to Save: right after a change, from a
// thread that holds none of its own locks, and periodically. The file is a
// small text format, one entry a line:
//   depin-banlist 1
//   <subnet> <created unix s> <until unix s>
// A damaged file is moved aside (banlist.dat.bad) and the node starts with
// an empty list rather than refusing to start.
//
// Thread-safety: all methods may be called from any thread.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <vector>

#include "net/net_address.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::net {

struct BanEntry {
  SubNet subnet;
  uint64_t created = 0;
  uint64_t until = 0;
};

struct BanManOptions {
  std::filesystem::path file;  // empty: not persisted
  uint64_t default_ban_seconds = 24 * 3600;
  // Seconds since the epoch; injectable for tests.
  std::function<uint64_t()> clock;
  Logger* logger = nullptr;
};

class BanMan {
 public:
  explicit BanMan(BanManOptions options);

  // Reads the file; a missing file is an empty list. A damaged file is
  // moved aside and reported as "banlist-corrupt" (the list stays empty).
  Status Load() EXCLUDES(mu_);
  // Writes a snapshot of the list (a temporary file renamed over the old
  // one). Concurrent calls are serialized, so the file always holds one
  // whole snapshot and a later call never loses to an earlier one.
  Status Save() const EXCLUDES(mu_, save_mu_);

  // `seconds` 0 uses default_ban_seconds; `absolute_until` (when non-zero)
  // is the expiry instead.
  void Ban(const SubNet& subnet, uint64_t seconds = 0, uint64_t absolute_until = 0) EXCLUDES(mu_);
  bool Unban(const SubNet& subnet) EXCLUDES(mu_);
  void Clear() EXCLUDES(mu_);
  bool IsBanned(const NetAddress& address) const EXCLUDES(mu_);
  // Current (unexpired) entries, oldest subnet order.
  std::vector<BanEntry> List() const EXCLUDES(mu_);

 private:
  uint64_t Now() const;
  void SweepLocked(uint64_t now) const REQUIRES(mu_);

  const BanManOptions options_;
  // Held for a whole Save (snapshot and write); taken before mu_.
  mutable Mutex save_mu_;
  mutable Mutex mu_;
  mutable std::map<SubNet, BanEntry> bans_ GUARDED_BY(mu_);
};

}  // namespace depin::net
