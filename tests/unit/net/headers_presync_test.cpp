// HeadersPresync: a low-work header chain is checked and forgotten; a chain
// that reaches the minimum work is downloaded again and handed out only
// after its commitment bits match; a switched chain is caught.
#include "net/headers_presync.h"

#include <gtest/gtest.h>

#include <vector>

#include "consensus/executor.h"
#include "consensus/pow.h"

namespace depin::net {
namespace {

constexpr uint64_t kSalt = 0x5eed5eed12345678;

class HeadersPresyncTest : public ::testing::Test {
 protected:
  HeadersPresyncTest() : params_(consensus::RegtestParams()), genesis_(params_.GenesisHeader()) {
    now_ = params_.genesis_time + 10 * 86400;
  }

  // `count` valid headers on genesis; `salt_time` varies the timestamps
  // (another chain of the same length and work).
  std::vector<BlockHeader> Chain(size_t count, uint64_t salt_time = 0) const {
    std::vector<BlockHeader> out;
    BlockHeader parent = genesis_;
    for (size_t i = 0; i < count; ++i) {
      BlockHeader h;
      h.version = 1;
      h.height = parent.height + 1;
      h.parent_hash = parent.Hash();
      h.timestamp = params_.genesis_time + 15 * h.height + salt_time;
      h.bits = consensus::NextWorkRequired(parent, params_.genesis_time, params_);
      h.gas_limit = params_.block_gas_limit;
      h.base_fee = consensus::NextBaseFee(parent, params_);
      Mine(h);
      out.push_back(h);
      parent = h;
    }
    return out;
  }
  static void Mine(BlockHeader& h) {
    const Uint256 target = CompactToTarget(h.bits).value();
    while (!HashMeetsTarget(h.Hash(), target)) ++h.nonce;
  }
  // The chain work of the first `count` headers of a regtest chain.
  Uint256 WorkOf(size_t count) const {
    Uint256 work;
    for (size_t i = 0; i < count; ++i) work = *CheckedAdd(work, WorkFromTarget(params_.pow_limit));
    return work;
  }
  PresyncStart Start() const { return PresyncStart{genesis_, WorkOf(1), {genesis_.timestamp}, 0}; }
  HeadersPresync Make(size_t min_headers) const {
    // Genesis' own work counts toward the chain's.
    return HeadersPresync(params_, WorkOf(min_headers + 1), Start(), now_, kSalt);
  }
  static std::vector<BlockHeader> Slice(const std::vector<BlockHeader>& v, size_t from, size_t to) {
    return {v.begin() + static_cast<std::ptrdiff_t>(from),
            v.begin() + static_cast<std::ptrdiff_t>(std::min(to, v.size()))};
  }

  consensus::ChainParams params_;
  BlockHeader genesis_;
  uint64_t now_ = 0;
};

TEST_F(HeadersPresyncTest, ChainEndingBelowTheMinimumIsForgottenUnstored) {
  const auto chain = Chain(300);
  HeadersPresync p = Make(1000);
  for (size_t from = 0; from < 200; from += 100) {
    auto out = p.Process(Slice(chain, from, from + 100), /*full=*/true, now_);
    ASSERT_TRUE(out.error.ok()) << out.error.ToString();
    EXPECT_TRUE(out.release.empty());
    ASSERT_TRUE(out.continue_from.has_value());
    EXPECT_EQ(*out.continue_from, chain[from + 99].Hash());
  }
  auto out = p.Process(Slice(chain, 200, 300), /*full=*/false, now_);
  EXPECT_TRUE(out.error.ok());
  EXPECT_TRUE(out.below_min_work);
  EXPECT_TRUE(out.release.empty());
  EXPECT_EQ(p.phase(), HeadersPresync::Phase::kDone);
  EXPECT_EQ(p.height(), 300u);
}

TEST_F(HeadersPresyncTest, FirstBatchReachingTheMinimumIsReleasedAtOnce) {
  const auto chain = Chain(150);
  HeadersPresync p = Make(120);
  auto out = p.Process(chain, /*full=*/true, now_);
  ASSERT_TRUE(out.error.ok());
  EXPECT_EQ(out.release, chain);
  EXPECT_EQ(p.phase(), HeadersPresync::Phase::kDone);
  ASSERT_TRUE(out.continue_from.has_value());
  EXPECT_EQ(*out.continue_from, chain.back().Hash());
}

TEST_F(HeadersPresyncTest, ReachingTheMinimumRedownloadsAndReleasesInOrder) {
  const size_t kLen = 3000;
  const auto chain = Chain(kLen);
  HeadersPresync p = Make(2500);
  bool restarted = false;
  for (size_t from = 0; from < kLen && !restarted; from += 500) {
    auto out = p.Process(Slice(chain, from, from + 500), /*full=*/true, now_);
    ASSERT_TRUE(out.error.ok()) << out.error.ToString();
    EXPECT_TRUE(out.release.empty());
    restarted = out.restart_from_start;
  }
  ASSERT_TRUE(restarted);
  EXPECT_EQ(p.phase(), HeadersPresync::Phase::kRedownload);
  std::vector<BlockHeader> released;
  for (size_t from = 0; from < kLen; from += 500) {
    auto out = p.Process(Slice(chain, from, from + 500), /*full=*/true, now_);
    ASSERT_TRUE(out.error.ok()) << out.error.ToString();
    // Nothing leaves before kRedownloadBuffer headers follow it.
    if (from + 500 <= kRedownloadBuffer) {
      EXPECT_TRUE(out.release.empty()) << from;
    }
    released.insert(released.end(), out.release.begin(), out.release.end());
    if (p.phase() == HeadersPresync::Phase::kDone) {
      ASSERT_TRUE(out.continue_from.has_value());
      EXPECT_EQ(*out.continue_from, chain[from + 499].Hash());
      break;
    }
  }
  EXPECT_EQ(p.phase(), HeadersPresync::Phase::kDone);
  // The batch that reached the minimum went out whole.
  EXPECT_EQ(released, Slice(chain, 0, 2500));
}

TEST_F(HeadersPresyncTest, ASwitchedChainInRedownloadIsCaughtBeforeAnythingIsReleased) {
  const auto honest = Chain(3000);
  const auto other = Chain(3000, /*salt_time=*/1);
  HeadersPresync p = Make(2900);
  for (size_t from = 0; from < 3000; from += 500) {
    auto out = p.Process(Slice(honest, from, from + 500), /*full=*/true, now_);
    ASSERT_TRUE(out.error.ok());
    if (out.restart_from_start) break;
  }
  ASSERT_EQ(p.phase(), HeadersPresync::Phase::kRedownload);
  size_t released = 0;
  Status error;
  for (size_t from = 0; from < 3000 && error.ok(); from += 500) {
    auto out = p.Process(Slice(other, from, from + 500), /*full=*/true, now_);
    released += out.release.size();
    error = out.error;
  }
  EXPECT_EQ(error.code(), "presync-chain-changed");
  EXPECT_EQ(released, 0u);
  EXPECT_EQ(p.phase(), HeadersPresync::Phase::kDone);
}

TEST_F(HeadersPresyncTest, RedownloadEndingEarlyIsAChangedChain) {
  const auto chain = Chain(400);
  HeadersPresync p = Make(300);
  ASSERT_TRUE(p.Process(Slice(chain, 0, 200), true, now_).error.ok());
  ASSERT_TRUE(p.Process(Slice(chain, 200, 400), true, now_).restart_from_start);
  auto out = p.Process(Slice(chain, 0, 200), /*full=*/false, now_);
  EXPECT_EQ(out.error.code(), "presync-chain-changed");
  EXPECT_TRUE(out.release.empty());
}

TEST_F(HeadersPresyncTest, InvalidHeadersAreErrorsNamingTheRule) {
  auto chain = Chain(20);
  {
    auto bad = chain;
    bad[10].bits = 0x1f00ffff;  // not the schedule's bits (regtest: pow_limit)
    Mine(bad[10]);
    HeadersPresync p = Make(1000);
    auto out = p.Process(Slice(bad, 0, 11), true, now_);
    EXPECT_EQ(out.error.code(), "block-bad-difficulty");
    EXPECT_EQ(p.phase(), HeadersPresync::Phase::kDone);
  }
  {
    auto bad = chain;
    const Uint256 target = params_.pow_limit;
    while (HashMeetsTarget(bad[5].Hash(), target)) ++bad[5].nonce;
    HeadersPresync p = Make(1000);
    EXPECT_EQ(p.Process(Slice(bad, 0, 6), true, now_).error.code(), "block-high-hash");
  }
  {
    // Too far in the future for `now`: not the peer's fault (kNotYetValid).
    HeadersPresync p = Make(1000);
    auto out = p.Process(chain, true, params_.genesis_time - 3 * 3600);
    EXPECT_TRUE(out.error.Is(StatusKind::kNotYetValid)) << out.error.ToString();
  }
  {
    // Timestamps at or below the median time past.
    auto bad = chain;
    bad[0].timestamp = params_.genesis_time;
    Mine(bad[0]);
    HeadersPresync p = Make(1000);
    EXPECT_EQ(p.Process(Slice(bad, 0, 1), true, now_).error.code(), "block-time-too-old");
  }
}

TEST_F(HeadersPresyncTest, HeadersNotContinuingTheChainAreIgnored) {
  const auto chain = Chain(50);
  HeadersPresync p = Make(1000);
  ASSERT_TRUE(p.Process(Slice(chain, 0, 20), true, now_).error.ok());
  // An answer to another request (from genesis again, or a gap).
  auto out = p.Process(Slice(chain, 0, 20), true, now_);
  EXPECT_TRUE(out.error.ok());
  EXPECT_FALSE(out.continue_from.has_value());
  EXPECT_EQ(p.Process(Slice(chain, 30, 50), true, now_).continue_from, std::nullopt);
  EXPECT_EQ(p.height(), 20u);
  EXPECT_EQ(p.phase(), HeadersPresync::Phase::kPresync);
  // The expected continuation still works.
  EXPECT_EQ(p.Process(Slice(chain, 20, 50), true, now_).continue_from, chain[49].Hash());
}

TEST_F(HeadersPresyncTest, MoreHeadersThanTheTimestampsAllowFails) {
  // Presync started when the start was the newest possible time: no room
  // for more than a handful of commitment bits.
  const auto chain = Chain(400);
  HeadersPresync p(params_, WorkOf(100000), Start(),
                   /*now=*/params_.genesis_time - params_.max_future_block_time, kSalt);
  Status error;
  for (size_t from = 0; from < 400 && error.ok(); from += 100) {
    error = p.Process(Slice(chain, from, from + 100), true, now_).error;
  }
  EXPECT_EQ(error.code(), "presync-too-many-headers");
}

}  // namespace
}  // namespace depin::net
