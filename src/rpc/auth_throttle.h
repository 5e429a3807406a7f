// A per-IP budget of failed logins for the RPC server. The 401 delay alone
// (RpcServerOptions::auth_failure_delay) is an Asio timer that no thread
// waits on, so a guesser who opens connections in parallel tests passwords
// at the rate the server can check them. With this, each IP may fail
// `budget` times; that failure locks the IP out for `backoff`, doubling with
// every further lock-out up to `max_backoff`. While locked out every
// login attempt from the IP (right or wrong) is refused at once (HTTP 429)
// without checking the credentials, so guessing learns nothing. A record is
// forgotten `forget_after` after its last failure; the table of IPs is
// bounded (least recently failed dropped first).
//
// Thread-safety: every method may be called from any thread.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

#include "util/sync.h"

namespace depin {

struct AuthThrottleOptions {
  size_t budget = 10;
  std::chrono::milliseconds backoff{1000};
  std::chrono::milliseconds max_backoff = std::chrono::minutes(10);
  std::chrono::milliseconds forget_after = std::chrono::minutes(30);
  size_t max_ips = 10000;
};

class AuthThrottle {
 public:
  using Clock = std::chrono::steady_clock;

  explicit AuthThrottle(AuthThrottleOptions options);

  // How long `ip` must still wait before its credentials are checked again;
  // zero when they may be checked now.
  Clock::duration LockedFor(const std::string& ip, Clock::time_point now) const EXCLUDES(mu_);
  // Records a failed login from `ip`.
  void Failure(const std::string& ip, Clock::time_point now) EXCLUDES(mu_);

  size_t tracked() const EXCLUDES(mu_);

 private:
  struct Record {
    size_t failures = 0;  // since the last lock-out
    unsigned lockouts = 0;
    Clock::time_point locked_until;
    Clock::time_point last_failure;
  };
  void MakeRoom(Clock::time_point now) REQUIRES(mu_);

  const AuthThrottleOptions options_;
  mutable Mutex mu_;
  std::unordered_map<std::string, Record> records_ GUARDED_BY(mu_);
};

}  // namespace depin
