#include "rpc/auth_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace depin {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

AuthThrottle::Clock::time_point T0() {
  return AuthThrottle::Clock::time_point{} + std::chrono::hours(1);
}

TEST(AuthThrottle, BudgetThenBackoffThatDoubles) {
  AuthThrottleOptions o;
  o.budget = 3;
  o.backoff = seconds(1);
  o.max_backoff = seconds(4);
  AuthThrottle t(o);
  auto now = T0();
  for (int i = 0; i < 3; ++i) {
    // Within the budget: still checked.
    EXPECT_EQ(t.LockedFor("a", now), AuthThrottle::Clock::duration::zero());
    t.Failure("a", now);
  }
  // The third failure spent it: locked out for 1 s.
  EXPECT_EQ(t.LockedFor("a", now), seconds(1));
  EXPECT_EQ(t.LockedFor("b", now), AuthThrottle::Clock::duration::zero());  // per IP
  now += seconds(1);
  EXPECT_EQ(t.LockedFor("a", now), AuthThrottle::Clock::duration::zero());
  // The next lock-out lasts twice as long, then four times, then stays at
  // the cap.
  for (auto expected : {seconds(2), seconds(4), seconds(4)}) {
    for (int i = 0; i < 3; ++i) t.Failure("a", now);
    EXPECT_EQ(t.LockedFor("a", now), expected);
    now += expected;
  }
}

TEST(AuthThrottle, ForgetsAfterAQuietPeriodAndBoundsItsTable) {
  AuthThrottleOptions o;
  o.budget = 1;
  o.backoff = seconds(1);
  o.forget_after = seconds(60);
  o.max_ips = 4;
  AuthThrottle t(o);
  auto now = T0();
  t.Failure("a", now);
  t.Failure("a", now + seconds(1));
  EXPECT_EQ(t.LockedFor("a", now + seconds(1)), seconds(2));
  // A minute later it starts over: one lock-out of 1 s.
  now += seconds(62);
  t.Failure("a", now);
  EXPECT_EQ(t.LockedFor("a", now), seconds(1));
  for (int i = 0; i < 10; ++i) t.Failure("ip" + std::to_string(i), now + milliseconds(i));
  EXPECT_LE(t.tracked(), 4u);
}

}  // namespace
}  // namespace depin
