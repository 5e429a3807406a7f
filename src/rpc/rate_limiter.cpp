#include "rpc/rate_limiter.h"

#include <algorithm>

namespace depin {

RateLimiter::RateLimiter(double rate_per_second, double burst, size_t max_keys)
    : rate_(rate_per_second),
      burst_(std::max(burst, 1.0)),
      max_keys_(std::max<size_t>(max_keys, 1)) {}

void RateLimiter::Refill(Bucket& b, Clock::time_point now) const {
  if (now <= b.last) return;
  double elapsed = std::chrono::duration<double>(now - b.last).count();
  b.tokens = std::min(burst_, b.tokens + elapsed * rate_);
  b.last = now;
}

void RateLimiter::Evict(Clock::time_point now) {
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    Refill(it->second, now);
    it = it->second.tokens >= burst_ ? buckets_.erase(it) : std::next(it);
  }
  if (buckets_.size() < max_keys_) return;
  auto oldest =
      std::min_element(buckets_.begin(), buckets_.end(),
                       [](const auto& a, const auto& b) { return a.second.last < b.second.last; });
  buckets_.erase(oldest);
}

RateLimiter::Bucket& RateLimiter::Find(const std::string& key, Clock::time_point now) {
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) Evict(now);
    it = buckets_.emplace(key, Bucket{burst_, now}).first;
  }
  Refill(it->second, now);
  return it->second;
}

bool RateLimiter::Charge(const std::string& key, double cost, Clock::time_point now) {
  MutexLock lock(mu_);
  Bucket& b = Find(key, now);
  if (b.tokens < 1.0) return false;
  b.tokens -= cost;
  return true;
}

bool RateLimiter::HasToken(const std::string& key, Clock::time_point now) {
  MutexLock lock(mu_);
  return Find(key, now).tokens >= 1.0;
}

size_t RateLimiter::tracked() const {
  MutexLock lock(mu_);
  return buckets_.size();
}

}  // namespace depin
