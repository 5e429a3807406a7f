#include "chain/dev_clock.h"

#include <gtest/gtest.h>

namespace depin::chain {
namespace {

TEST(DevClock, IncreaseTimeMovesNowAndRefusesOverflow) {
  uint64_t system = 1000;
  DevClock clock([&system] { return system; });
  EXPECT_EQ(clock.Now(), 1000u);
  EXPECT_EQ(*clock.IncreaseTime(60), 60u);
  EXPECT_EQ(*clock.IncreaseTime(40), 100u);
  EXPECT_EQ(clock.Now(), 1100u);
  system = 1005;
  EXPECT_EQ(clock.Now(), 1105u);
  auto overflow = clock.IncreaseTime(UINT64_MAX - 1000);
  ASSERT_FALSE(overflow.ok());
  EXPECT_EQ(overflow.status().code(), "dev-time-overflow");
  EXPECT_EQ(clock.offset(), 100u);  // unchanged by the refusal
}

TEST(DevClock, AChosenTimestampIsUsedByOneBlockThenTimeGoesOnFromIt) {
  uint64_t system = 1000;
  DevClock clock([&system] { return system; });
  clock.SetNextBlockTimestamp(5000);
  EXPECT_EQ(clock.NextBlockTime(), 5000u);
  EXPECT_EQ(clock.Now(), 1000u);
  EXPECT_EQ(clock.AdjustedNow(), 5000u);  // the node accepts its chosen block
  clock.BlockMined(5000);
  EXPECT_FALSE(clock.next_block_timestamp().has_value());
  EXPECT_EQ(clock.Now(), 5000u);
  system = 1003;
  EXPECT_EQ(clock.NextBlockTime(), 5003u);
  // A block mined without a choice leaves the clock alone.
  clock.BlockMined(5003);
  EXPECT_EQ(clock.Now(), 5003u);
}

TEST(DevClock, SaveAndRestoreBringBackOffsetAndChoice) {
  uint64_t system = 1000;
  DevClock clock([&system] { return system; });
  ASSERT_TRUE(clock.IncreaseTime(10).ok());
  clock.SetNextBlockTimestamp(2000);
  const DevClock::State saved = clock.Save();
  ASSERT_TRUE(clock.IncreaseTime(500).ok());
  clock.BlockMined(2000);
  clock.Restore(saved);
  EXPECT_EQ(clock.offset(), 10u);
  EXPECT_EQ(clock.next_block_timestamp(), std::optional<uint64_t>(2000));
}

}  // namespace
}  // namespace depin::chain
