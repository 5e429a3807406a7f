// Per-client token buckets for the public RPC listener: each key (the peer
// IP) may spend `burst` requests at once and regains `rate_per_second`
// tokens per second. Over the limit the server answers HTTP 429. The number
// of tracked keys is bounded so that many source addresses cannot grow the
// table without limit: when full, idle (refilled) buckets are dropped first,
// then the least recently seen.
//
// Thread-safety: Allow() may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "util/sync.h"

namespace depin {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;

  RateLimiter(double rate_per_second, double burst, size_t max_keys = 10000);

  // Takes one token from `key`'s bucket; false when it is empty. `now` is a
  // parameter so tests control time.
  bool Allow(const std::string& key, Clock::time_point now) EXCLUDES(mu_);
  bool Allow(const std::string& key) { return Allow(key, Clock::now()); }

  size_t tracked() const EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  void Refill(Bucket& b, Clock::time_point now) const;
  void Evict(Clock::time_point now) REQUIRES(mu_);

  const double rate_;
  const double burst_;
  const size_t max_keys_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
};

}  // namespace depin
