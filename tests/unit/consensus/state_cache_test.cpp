#include "consensus/state_cache.h"

#include <gtest/gtest.h>

#include <map>

#include "test_util/map_reader.h"

namespace depin::consensus {
namespace {

using test_util::MapReader;

Bytes B(std::string_view s) { return Bytes(s.begin(), s.end()); }

Address Addr(uint8_t fill) {
  Address a;
  for (auto& b : a.bytes) b = fill;
  return a;
}

class StateCacheTest : public ::testing::Test {
 protected:
  StateCacheTest() {
    base_.map_[B("k1")] = B("v1");
    base_.map_[B("k2")] = B("v2");
  }
  MapReader base_;
};

TEST_F(StateCacheTest, ReadsThroughToBase) {
  StateCache cache(base_);
  EXPECT_EQ(cache.Get(B("k1")), B("v1"));
  EXPECT_EQ(cache.Get(B("missing")), std::nullopt);
  EXPECT_TRUE(cache.Diff().empty());
}

TEST_F(StateCacheTest, ScanMergesWritesAndErasesOverTheBase) {
  base_.map_[B("k3")] = B("v3");
  base_.map_[B("j1")] = B("other prefix");
  StateCache cache(base_);
  cache.Put(B("k2"), B("new2"));                 // overrides the base
  cache.Erase(B("k1"));                          // hides the base
  cache.Put(B("k25"), B("v25"));                 // only in the cache
  EXPECT_FALSE(cache.Get(B("k9")).has_value());  // loaded, absent: not listed
  const std::vector<StateEntry> want = {
      {B("k2"), B("new2")}, {B("k25"), B("v25")}, {B("k3"), B("v3")}};
  EXPECT_EQ(cache.Scan(B("k"), {}, 10), want);
  // Pages of one, each strictly after the previous key.
  std::vector<StateEntry> paged;
  Bytes cursor;
  for (;;) {
    auto page = cache.Scan(B("k"), cursor, 1);
    if (page.empty()) break;
    ASSERT_EQ(page.size(), 1u);
    cursor = page[0].key;
    paged.push_back(page[0]);
  }
  EXPECT_EQ(paged, want);
  // Reverting the writes shows the base again.
  StateCache fresh(base_);
  const auto cp = fresh.MakeCheckpoint();
  fresh.Erase(B("k1"));
  fresh.Erase(B("k2"));
  fresh.Erase(B("k3"));
  EXPECT_TRUE(fresh.Scan(B("k"), {}, 10).empty());
  fresh.RevertTo(cp);
  EXPECT_EQ(fresh.Scan(B("k"), {}, 10).size(), 3u);
}

TEST_F(StateCacheTest, ScanRefillsWhenErasesUseUpABasePage) {
  for (char c = 'a'; c <= 'h'; ++c) base_.map_[B(std::string("p") + c)] = B("x");
  StateCache cache(base_);
  for (char c = 'a'; c <= 'f'; ++c) cache.Erase(B(std::string("p") + c));
  EXPECT_EQ(cache.Scan(B("p"), {}, 2),
            (std::vector<StateEntry>{{B("pg"), B("x")}, {B("ph"), B("x")}}));
}

TEST_F(StateCacheTest, PutEraseGet) {
  StateCache cache(base_);
  cache.Put(B("k1"), B("new"));
  cache.Put(B("k3"), B("v3"));
  cache.Erase(B("k2"));
  EXPECT_EQ(cache.Get(B("k1")), B("new"));
  EXPECT_EQ(cache.Get(B("k3")), B("v3"));
  EXPECT_EQ(cache.Get(B("k2")), std::nullopt);
  // The base is never written.
  EXPECT_EQ(base_.map_.at(B("k1")), B("v1"));
  EXPECT_EQ(base_.map_.count(B("k3")), 0u);
}

TEST_F(StateCacheTest, DiffListsChangedKeysWithBeforeAndAfter) {
  StateCache cache(base_);
  cache.Put(B("k1"), B("new"));
  cache.Put(B("k3"), B("v3"));
  cache.Erase(B("k2"));
  (void)cache.Get(B("missing"));   // read only: not in the diff
  cache.Erase(B("also-missing"));  // absent -> absent: not a change
  const StateDiff diff = cache.Diff();
  const StateDiff want = {
      {B("k1"), B("v1"), B("new")},
      {B("k2"), B("v2"), std::nullopt},
      {B("k3"), std::nullopt, B("v3")},
  };
  EXPECT_EQ(diff, want);
}

TEST_F(StateCacheTest, PutBackToOriginalDisappearsFromDiff) {
  StateCache cache(base_);
  cache.Put(B("k1"), B("changed"));
  cache.Put(B("k1"), B("v1"));
  cache.Put(B("k9"), B("tmp"));
  cache.Erase(B("k9"));
  cache.Erase(B("k2"));
  cache.Put(B("k2"), B("v2"));
  EXPECT_TRUE(cache.Diff().empty());
}

TEST_F(StateCacheTest, RevertUndoesWritesAfterCheckpoint) {
  StateCache cache(base_);
  cache.Put(B("k1"), B("a"));
  const auto cp = cache.MakeCheckpoint();
  cache.Put(B("k1"), B("b"));
  cache.Erase(B("k2"));
  cache.Put(B("k3"), B("c"));
  cache.RevertTo(cp);
  EXPECT_EQ(cache.Get(B("k1")), B("a"));
  EXPECT_EQ(cache.Get(B("k2")), B("v2"));
  EXPECT_EQ(cache.Get(B("k3")), std::nullopt);
  const StateDiff want = {{B("k1"), B("v1"), B("a")}};
  EXPECT_EQ(cache.Diff(), want);
}

TEST_F(StateCacheTest, NestedCheckpointsRevertInnerThenOuter) {
  StateCache cache(base_);
  const auto outer = cache.MakeCheckpoint();
  cache.Put(B("k1"), B("outer"));
  const auto inner = cache.MakeCheckpoint();
  cache.Put(B("k1"), B("inner"));
  cache.Put(B("k4"), B("inner-only"));
  cache.RevertTo(inner);
  EXPECT_EQ(cache.Get(B("k1")), B("outer"));
  EXPECT_EQ(cache.Get(B("k4")), std::nullopt);
  // Writes after an inner revert are kept until the outer revert.
  cache.Put(B("k5"), B("after"));
  EXPECT_EQ(cache.Get(B("k5")), B("after"));
  cache.RevertTo(outer);
  EXPECT_EQ(cache.Get(B("k1")), B("v1"));
  EXPECT_EQ(cache.Get(B("k5")), std::nullopt);
  EXPECT_TRUE(cache.Diff().empty());
}

TEST_F(StateCacheTest, RevertToCurrentCheckpointIsNoOp) {
  StateCache cache(base_);
  cache.Put(B("k1"), B("x"));
  cache.RevertTo(cache.MakeCheckpoint());
  EXPECT_EQ(cache.Get(B("k1")), B("x"));
}

TEST_F(StateCacheTest, AccountsRoundTrip) {
  StateCache cache(base_);
  const Account acct{3, Uint256(12345)};
  cache.PutAccount(Addr(1), acct);
  EXPECT_EQ(cache.GetAccount(Addr(1)), acct);
  EXPECT_EQ(cache.Get(AccountKey(Addr(1))), EncodeAccount(acct));
  EXPECT_EQ(cache.GetAccount(Addr(2)), Account{});
  EXPECT_TRUE(cache.status().ok());
}

TEST_F(StateCacheTest, EmptyAccountsAreErased) {
  base_.map_[AccountKey(Addr(7))] = EncodeAccount(Account{0, Uint256(5)});
  StateCache cache(base_);
  cache.PutAccount(Addr(7), Account{0, Uint256()});
  EXPECT_EQ(cache.Get(AccountKey(Addr(7))), std::nullopt);
  cache.PutAccount(Addr(8), Account{});
  EXPECT_EQ(cache.Get(AccountKey(Addr(8))), std::nullopt);
  const StateDiff diff = cache.Diff();
  ASSERT_EQ(diff.size(), 1u);
  EXPECT_EQ(diff[0].key, AccountKey(Addr(7)));
  EXPECT_EQ(diff[0].after, std::nullopt);
  // A non-zero nonce keeps an account with zero balance.
  cache.PutAccount(Addr(8), Account{1, Uint256()});
  EXPECT_EQ(cache.GetAccount(Addr(8)), (Account{1, Uint256()}));
}

TEST_F(StateCacheTest, CorruptAccountIsRecordedInStatus) {
  base_.map_[AccountKey(Addr(9))] = B("short");
  StateCache cache(base_);
  EXPECT_EQ(cache.GetAccount(Addr(9)), Account{});
  EXPECT_FALSE(cache.status().ok());
}

}  // namespace
}  // namespace depin::consensus
