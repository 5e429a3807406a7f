#include "rpc/auth_throttle.h"

#include <algorithm>

namespace depin {

AuthThrottle::AuthThrottle(AuthThrottleOptions options) : options_(options) {}

AuthThrottle::Clock::duration AuthThrottle::LockedFor(const std::string& ip,
                                                      Clock::time_point now) const {
  MutexLock lock(mu_);
  auto it = records_.find(ip);
  if (it == records_.end() || now >= it->second.locked_until) return Clock::duration::zero();
  return it->second.locked_until - now;
}

void AuthThrottle::Failure(const std::string& ip, Clock::time_point now) {
  MutexLock lock(mu_);
  auto it = records_.find(ip);
  if (it == records_.end()) {
    MakeRoom(now);
    it = records_.emplace(ip, Record{}).first;
  }
  Record& r = it->second;
  if (r.failures + r.lockouts > 0 && now - r.last_failure > options_.forget_after) r = Record{};
  r.last_failure = now;
  if (++r.failures < options_.budget) return;
  // Budget spent: lock out for backoff * 2^lockouts, capped.
  Clock::duration wait = options_.backoff;
  for (unsigned i = 0; i < r.lockouts && wait < options_.max_backoff; ++i) wait *= 2;
  wait = std::min<Clock::duration>(wait, options_.max_backoff);
  r.locked_until = now + wait;
  r.failures = 0;
  ++r.lockouts;
}

void AuthThrottle::MakeRoom(Clock::time_point now) {
  if (records_.size() < std::max<size_t>(options_.max_ips, 1)) return;
  for (auto it = records_.begin(); it != records_.end();) {
    bool stale =
        now - it->second.last_failure > options_.forget_after && now >= it->second.locked_until;
    it = stale ? records_.erase(it) : std::next(it);
  }
  if (records_.size() < std::max<size_t>(options_.max_ips, 1)) return;
  auto oldest = std::min_element(
      records_.begin(), records_.end(),
      [](const auto& a, const auto& b) { return a.second.last_failure < b.second.last_failure; });
  records_.erase(oldest);
}

size_t AuthThrottle::tracked() const {
  MutexLock lock(mu_);
  return records_.size();
}

}  // namespace depin
