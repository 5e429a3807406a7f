#include "rpc/rate_limiter.h"

#include <gtest/gtest.h>

namespace depin {
namespace {

using std::chrono::milliseconds;

TEST(RateLimiter, BurstThenRefillsAtRate) {
  RateLimiter limiter(/*rate_per_second=*/2, /*burst=*/3);
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Allow("a", t0));
  EXPECT_TRUE(limiter.Allow("a", t0));
  EXPECT_TRUE(limiter.Allow("a", t0));
  EXPECT_FALSE(limiter.Allow("a", t0));
  // Other keys have their own bucket.
  EXPECT_TRUE(limiter.Allow("b", t0));
  // 2/s: one token after 500 ms, not before.
  EXPECT_FALSE(limiter.Allow("a", t0 + milliseconds(400)));
  EXPECT_TRUE(limiter.Allow("a", t0 + milliseconds(500)));
  EXPECT_FALSE(limiter.Allow("a", t0 + milliseconds(500)));
  // Refill is capped at the burst.
  auto later = t0 + std::chrono::hours(1);
  EXPECT_TRUE(limiter.Allow("a", later));
  EXPECT_TRUE(limiter.Allow("a", later));
  EXPECT_TRUE(limiter.Allow("a", later));
  EXPECT_FALSE(limiter.Allow("a", later));
}

TEST(RateLimiter, TrackedKeysAreBounded) {
  RateLimiter limiter(/*rate_per_second=*/1, /*burst=*/1, /*max_keys=*/4);
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  for (int i = 0; i < 100; ++i) limiter.Allow("k" + std::to_string(i), t0);
  EXPECT_LE(limiter.tracked(), 4u);
  // A recent, empty bucket survives eviction of older ones.
  EXPECT_FALSE(limiter.Allow("k99", t0));
}

TEST(RateLimiter, HeavyChargesRunIntoDebtThatMustBeRepaid) {
  RateLimiter limiter(/*rate_per_second=*/10, /*burst=*/5);
  auto t0 = RateLimiter::Clock::time_point{} + std::chrono::hours(1);
  EXPECT_TRUE(limiter.HasToken("a", t0));
  // A charge larger than the burst is granted while a token is there...
  EXPECT_TRUE(limiter.Charge("a", 25, t0));
  // ...and leaves the bucket at -20: nothing for two seconds.
  EXPECT_FALSE(limiter.HasToken("a", t0));
  EXPECT_FALSE(limiter.Allow("a", t0 + milliseconds(1900)));
  EXPECT_FALSE(limiter.Charge("a", 0.5, t0 + milliseconds(2000)));
  EXPECT_TRUE(limiter.HasToken("a", t0 + milliseconds(2100)));
  EXPECT_TRUE(limiter.Allow("a", t0 + milliseconds(2100)));
  // HasToken takes nothing.
  RateLimiter one(/*rate_per_second=*/0.001, /*burst=*/1);
  for (int i = 0; i < 5; ++i) EXPECT_TRUE(one.HasToken("b", t0));
  EXPECT_TRUE(one.Allow("b", t0));
  EXPECT_FALSE(one.HasToken("b", t0));
}

}  // namespace
}  // namespace depin
