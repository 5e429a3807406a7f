// Per-client token buckets for the public RPC listener: each key (the peer
// IP) may spend `burst` tokens at once and regains `rate_per_second` tokens
// per second. A request (each entry of a batch) costs one token, and a
// method whose work grows with its arguments (eth_getLogs over a block
// range) charges more; a charge is granted while the bucket holds a whole
// token and may take it below zero, so one large query is possible but the
// client then waits until the debt is repaid. Over the limit the server
// answers HTTP 429 (or -32005 for a batch entry or websocket message). The number
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

  // Takes `cost` tokens from `key`'s bucket when it holds at least one
  // (possibly leaving it below zero); false, taking nothing, otherwise.
  // `now` is a parameter so tests control time.
  bool Charge(const std::string& key, double cost, Clock::time_point now) EXCLUDES(mu_);
  bool Charge(const std::string& key, double cost) { return Charge(key, cost, Clock::now()); }
  // Charge(key, 1).
  bool Allow(const std::string& key, Clock::time_point now) { return Charge(key, 1.0, now); }
  bool Allow(const std::string& key) { return Allow(key, Clock::now()); }
  // Whether `key` holds a whole token now, taking nothing.
  bool HasToken(const std::string& key, Clock::time_point now) EXCLUDES(mu_);
  bool HasToken(const std::string& key) { return HasToken(key, Clock::now()); }

  size_t tracked() const EXCLUDES(mu_);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point last;
  };
  void Refill(Bucket& b, Clock::time_point now) const;
  void Evict(Clock::time_point now) REQUIRES(mu_);
  Bucket& Find(const std::string& key, Clock::time_point now) REQUIRES(mu_);

  const double rate_;
  const double burst_;
  const size_t max_keys_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Bucket> buckets_ GUARDED_BY(mu_);
};

}  // namespace depin
