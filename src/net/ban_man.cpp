#include "net/ban_man.h"

#include <chrono>
#include <fstream>
#include <sstream>

#include "util/file.h"
#include "util/logging.h"

namespace depin::net {

namespace {
constexpr std::string_view kBanListHeader = "depin-banlist 1";
}

BanMan::BanMan(BanManOptions options) : options_(std::move(options)) {}

uint64_t BanMan::Now() const {
  if (options_.clock) return options_.clock();
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

void BanMan::SweepLocked(uint64_t now) const {
  for (auto it = bans_.begin(); it != bans_.end();) {
    if (it->second.until <= now) {
      it = bans_.erase(it);
    } else {
      ++it;
    }
  }
}

Status BanMan::Load() {
  if (options_.file.empty()) return Status::Ok();
  std::error_code ec;
  if (!std::filesystem::exists(options_.file, ec)) return Status::Ok();
  std::ifstream in(options_.file);
  if (!in) return Status::IoError("banlist-io-error", "cannot read " + options_.file.string());
  std::map<SubNet, BanEntry> loaded;
  std::string line;
  bool ok = static_cast<bool>(std::getline(in, line)) && line == kBanListHeader;
  while (ok && std::getline(in, line)) {
    if (line.empty()) continue;
    std::istringstream fields(line);
    std::string subnet_text;
    BanEntry e;
    std::string extra;
    if (!(fields >> subnet_text >> e.created >> e.until) || (fields >> extra)) {
      ok = false;
      break;
    }
    auto subnet = SubNet::Parse(subnet_text);
    if (!subnet) {
      ok = false;
      break;
    }
    e.subnet = *subnet;
    loaded[e.subnet] = e;
  }
  if (!ok) {
    auto aside = options_.file;
    aside += ".bad";
    std::filesystem::rename(options_.file, aside, ec);
    LogWarn(options_.logger, LogCategory::kNet, "ban list {} is damaged; moved to {}",
            options_.file.string(), aside.string());
    return Status::Corruption("banlist-corrupt", "ban list is damaged");
  }
  MutexLock lock(mu_);
  bans_ = std::move(loaded);
  SweepLocked(Now());
  return Status::Ok();
}

Status BanMan::Save() const {
  if (options_.file.empty()) return Status::Ok();
  // Two writers of the one temporary file could interleave into a damaged
  // list, or an older snapshot could be renamed over a newer one.
  MutexLock save_lock(save_mu_);
  std::ostringstream out;
  out << kBanListHeader << "\n";
  {
    MutexLock lock(mu_);
    SweepLocked(Now());
    for (const auto& [subnet, e] : bans_) {
      out << subnet.ToString() << ' ' << e.created << ' ' << e.until << "\n";
    }
  }
  // A crash or power loss leaves the old list or the new one, never half.
  const std::string text = out.str();
  return WriteFileDurably(options_.file, AsSpan(text), "banlist-io-error");
}

void BanMan::Ban(const SubNet& subnet, uint64_t seconds, uint64_t absolute_until) {
  uint64_t now = Now();
  BanEntry e;
  e.subnet = subnet;
  e.created = now;
  e.until = absolute_until != 0 ? absolute_until
                                : now + (seconds != 0 ? seconds : options_.default_ban_seconds);
  MutexLock lock(mu_);
  bans_[subnet] = e;
}

bool BanMan::Unban(const SubNet& subnet) {
  MutexLock lock(mu_);
  return bans_.erase(subnet) != 0;
}

void BanMan::Clear() {
  MutexLock lock(mu_);
  bans_.clear();
}

bool BanMan::IsBanned(const NetAddress& address) const {
  MutexLock lock(mu_);
  uint64_t now = Now();
  for (const auto& [subnet, e] : bans_) {
    if (e.until > now && subnet.Match(address)) return true;
  }
  return false;
}

std::vector<BanEntry> BanMan::List() const {
  MutexLock lock(mu_);
  SweepLocked(Now());
  std::vector<BanEntry> out;
  for (const auto& [subnet, e] : bans_) out.push_back(e);
  return out;
}

}  // namespace depin::net
