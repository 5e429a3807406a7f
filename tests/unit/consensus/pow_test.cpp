#include "consensus/pow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

namespace depin::consensus {
namespace {

Uint256 Hex(std::string_view s) { return Uint256::FromHex(s).value(); }

// A header for the block at `height` mined at `timestamp` on `params`.
BlockHeader Parent(const ChainParams& params, uint64_t height, int64_t seconds_after_genesis) {
  BlockHeader h;
  h.height = height;
  h.timestamp =
      static_cast<uint64_t>(static_cast<int64_t>(params.genesis_time) + seconds_after_genesis);
  return h;
}

double Ratio(const Uint256& a, const Uint256& b) { return a.ToDouble() / b.ToDouble(); }

class AsertTest : public ::testing::Test {
 protected:
  ChainParams main_ = MainParams();
  const int64_t spacing_ = static_cast<int64_t>(main_.target_spacing);
  const int64_t half_life_ = main_.asert_half_life;
};

TEST_F(AsertTest, FirstBlockKeepsGenesisTarget) {
  const BlockHeader genesis = main_.GenesisHeader();
  EXPECT_EQ(NextWorkRequired(genesis, main_), main_.pow_limit_bits);
}

TEST_F(AsertTest, OnScheduleKeepsAnchorTarget) {
  for (uint64_t height : {1u, 2u, 100u, 5000u, 1000000u}) {
    const BlockHeader parent = Parent(main_, height, spacing_ * static_cast<int64_t>(height));
    EXPECT_EQ(NextWorkRequired(parent, main_), main_.pow_limit_bits) << height;
  }
  // The raw formula keeps any anchor on schedule, exactly.
  const Uint256 anchor = Hex("0x00000000ffff0000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(AsertTarget(anchor, spacing_ * 777, 777, main_), anchor);
}

TEST_F(AsertTest, BlocksEveryFifteenSecondsKeepTargetUnchanged) {
  // A chain mined exactly on the spacing: every block requires the same bits.
  for (uint64_t h = 0; h < 50; ++h) {
    const BlockHeader parent = Parent(main_, h, spacing_ * static_cast<int64_t>(h));
    EXPECT_EQ(NextWorkRequired(parent, main_), main_.pow_limit_bits) << h;
  }
}

TEST_F(AsertTest, AheadByOneHalfLifeHalvesTarget) {
  const BlockHeader parent = Parent(main_, 1000, spacing_ * 1000 - half_life_);
  const uint32_t bits = NextWorkRequired(parent, main_);
  EXPECT_EQ(bits, TargetToCompact(main_.pow_limit >> 1));
  EXPECT_EQ(bits, 0x1e7fff80u);
  // Raw formula with a small anchor: exactly half.
  const Uint256 anchor = Hex("0x0000000000ffff00000000000000000000000000000000000000000000000000");
  EXPECT_EQ(AsertTarget(anchor, spacing_ * 10 - half_life_, 10, main_), anchor >> 1);
  EXPECT_EQ(AsertTarget(anchor, spacing_ * 10 - 2 * half_life_, 10, main_), anchor >> 2);
}

TEST_F(AsertTest, BehindByOneHalfLifeDoublesTarget) {
  const Uint256 anchor = Hex("0x0000000000ffff00000000000000000000000000000000000000000000000000");
  EXPECT_EQ(AsertTarget(anchor, spacing_ * 10 + half_life_, 10, main_), anchor << 1);
  EXPECT_EQ(AsertTarget(anchor, spacing_ * 10 + 3 * half_life_, 10, main_), anchor << 3);
}

TEST_F(AsertTest, EasierThanPowLimitIsClamped) {
  // Genesis is anchored at the limit, so falling behind stays at the limit.
  const BlockHeader parent = Parent(main_, 10, spacing_ * 10 + half_life_);
  EXPECT_EQ(NextWorkRequired(parent, main_), main_.pow_limit_bits);
  const Uint256 near_limit = main_.pow_limit >> 1;
  EXPECT_EQ(AsertTarget(near_limit, 2 * half_life_, 0, main_), main_.pow_limit);
  EXPECT_EQ(AsertTarget(main_.pow_limit, int64_t{1} << 50, 0, main_), main_.pow_limit);
}

TEST_F(AsertTest, MonotonicInTime) {
  const Uint256 anchor = Hex("0x00000000000fffff000000000000000000000000000000000000000000000000");
  Uint256 previous;
  for (int64_t t = -3 * half_life_; t <= 3 * half_life_; t += 97) {
    const Uint256 target = AsertTarget(anchor, t, 0, main_);
    EXPECT_GE(target, previous) << t;
    previous = target;
  }
  // And through NextWorkRequired: a later parent never makes blocks harder.
  uint32_t prev_bits = 0;
  Uint256 prev_target;
  for (int64_t t = 0; t <= 2 * half_life_; t += 61) {
    const uint32_t bits = NextWorkRequired(Parent(main_, 200, t), main_);
    const Uint256 target = *CompactToTarget(bits);
    if (prev_bits != 0) {
      EXPECT_GE(target, prev_target) << t;
    }
    prev_bits = bits;
    prev_target = target;
  }
}

TEST_F(AsertTest, NeverZero) {
  const Uint256 anchor(1000);
  EXPECT_EQ(AsertTarget(anchor, -100 * half_life_, 0, main_), Uint256(1));
  EXPECT_EQ(AsertTarget(anchor, std::numeric_limits<int64_t>::min() / 2, 1, main_), Uint256(1));
  EXPECT_EQ(AsertTarget(Uint256(1), -half_life_, 0, main_), Uint256(1));
  // Parent timestamps before genesis, absurdly far ahead of schedule.
  const BlockHeader parent = Parent(main_, 1'000'000'000, 0);
  const auto target = CompactToTarget(NextWorkRequired(parent, main_));
  ASSERT_TRUE(target.ok());
  EXPECT_FALSE(target->IsZero());
}

TEST_F(AsertTest, PinnedValues) {
  // Computed with an independent big-integer model of aserti3-2d.
  EXPECT_EQ(AsertTarget(main_.pow_limit, 500, 100, main_),
            Hex("0xd32c2cd30000000000000000000000000000000000000000000000000000"));
  EXPECT_EQ(AsertTarget(main_.pow_limit, 10000, 1000, main_),
            Hex("0x61c05e3f4000000000000000000000000000000000000000000000000000"));
  const Uint256 anchor = *CompactToTarget(0x1c0ffff0);
  EXPECT_EQ(AsertTarget(anchor, 15 * 50 + 1234, 50, main_),
            Hex("0x144a3bb5b00000000000000000000000000000000000000000000000"));
  EXPECT_EQ(AsertTarget(anchor, 15 * 50 - 7777, 50, main_),
            Hex("0x3946c6b900000000000000000000000000000000000000000000000"));
  EXPECT_EQ(AsertTarget(anchor, -123456, 7, main_),
            Hex("0x332e0cd1c00000000000000000000000000000000000000"));
  EXPECT_EQ(NextWorkRequired(Parent(main_, 100, 500), main_),
            TargetToCompact(Hex("0xd32c2cd30000000000000000000000000000000000000000000000000000")));
}

TEST_F(AsertTest, FractionalFactorApproximatesPowerOfTwo) {
  // Anchor 2^200 makes the result anchor * 2^x directly readable.
  const Uint256 anchor = Uint256(1) << 200;
  for (int64_t seconds : {1, 450, 900, 1800, 2700, 3599, -1, -900, -1800, -3599, 5400, -5400}) {
    const Uint256 target = AsertTarget(anchor, seconds, 0, main_);
    // The exponent is truncated to 1/65536 as the integer formula does.
    const int64_t exponent = seconds * 65536 / half_life_;
    const double want = std::ldexp(1.0, 200) * std::exp2(static_cast<double>(exponent) / 65536.0);
    const double ratio = target.ToDouble() / want;
    EXPECT_NEAR(ratio, 1.0, 0.0002) << seconds;
  }
  // And the overall curve: 2^(seconds / half_life) within 0.02% (plus truncation).
  for (int64_t seconds : {600, 1200, 3000}) {
    const double ratio = Ratio(AsertTarget(anchor, seconds, 0, main_), anchor);
    EXPECT_NEAR(ratio / std::exp2(static_cast<double>(seconds) / 3600.0), 1.0, 0.0002) << seconds;
  }
}

TEST_F(AsertTest, CubicFactorOverEveryFraction) {
  // With a half-life of 2^16 s the exponent is the time difference itself, so
  // AsertTarget(2^200, frac) = factor(frac) * 2^184 exposes the 16.16 factor
  // for every fractional step. Its sum pins the cubic's constants.
  ChainParams p = main_;
  p.asert_half_life = 65536;
  p.pow_limit = Uint256::Max();
  const Uint256 anchor = Uint256(1) << 200;
  uint64_t sum = 0;
  uint64_t previous = 0;
  double worst = 0;
  for (int64_t frac = 0; frac < 65536; ++frac) {
    const Uint256 target = AsertTarget(anchor, frac, 0, p);
    ASSERT_EQ(target % (Uint256(1) << 184), Uint256()) << frac;
    const uint64_t factor = (target >> 184).Low64();
    ASSERT_GE(factor, previous) << frac;
    previous = factor;
    sum += factor;
    const double exact = 65536.0 * std::exp2(static_cast<double>(frac) / 65536.0);
    worst = std::max(worst, std::fabs(static_cast<double>(factor) / exact - 1.0));
  }
  EXPECT_EQ(AsertTarget(anchor, 0, 0, p), anchor);
  EXPECT_LT(previous, 131072u);
  EXPECT_LT(worst, 0.00013);    // the header's promise: error < 0.013%
  EXPECT_EQ(sum, 6196454943u);  // independent big-integer model
}

TEST_F(AsertTest, HeightDiffCountsSpacing) {
  const Uint256 anchor = Hex("0x0000000000ffff00000000000000000000000000000000000000000000000000");
  // 240 blocks in 3600 s is 240 * 15 = on schedule.
  EXPECT_EQ(AsertTarget(anchor, 3600, 240, main_), anchor);
  // Half life and spacing come from params.
  ChainParams slow = main_;
  slow.target_spacing = 30;
  EXPECT_EQ(AsertTarget(anchor, 3600, 120, slow), anchor);
  slow.asert_half_life = 7200;
  EXPECT_EQ(AsertTarget(anchor, 3600 + 7200, 120, slow), anchor << 1);
}

TEST(Pow, RegtestAlwaysPowLimit) {
  const ChainParams regtest = RegtestParams();
  for (int64_t t : {-100000, 0, 1, 15, 3600, 10000000}) {
    for (uint64_t h : {0u, 1u, 1000u}) {
      BlockHeader parent;
      parent.height = h;
      parent.timestamp = static_cast<uint64_t>(static_cast<int64_t>(regtest.genesis_time) + t);
      EXPECT_EQ(NextWorkRequired(parent, regtest), 0x207fffffu);
    }
  }
}

TEST(Pow, CheckProofOfWorkRejectsBadBits) {
  const ChainParams main = MainParams();
  BlockHeader h;
  h.bits = 0;  // zero target
  EXPECT_EQ(CheckProofOfWork(h, main).code(), "block-bad-bits");
  h.bits = 0x1f010000;  // just above the limit
  EXPECT_EQ(CheckProofOfWork(h, main).code(), "block-bad-bits");
  h.bits = 0x04923456;  // negative encoding
  EXPECT_EQ(CheckProofOfWork(h, main).code(), "block-bad-bits");
  h.bits = 0xff123456;  // overflow
  EXPECT_EQ(CheckProofOfWork(h, main).code(), "block-bad-bits");
}

TEST(Pow, CheckProofOfWorkComparesHashToTarget) {
  const ChainParams regtest = RegtestParams();
  BlockHeader h;
  h.bits = regtest.pow_limit_bits;
  const Uint256 target = regtest.pow_limit;
  bool found_pass = false;
  bool found_fail = false;
  for (uint64_t nonce = 0; nonce < 256 && !(found_pass && found_fail); ++nonce) {
    h.nonce = nonce;
    const bool meets = Uint256::FromBigEndian32(h.Hash().data()) <= target;
    const Status s = CheckProofOfWork(h, regtest);
    if (meets) {
      EXPECT_TRUE(s.ok()) << nonce;
      found_pass = true;
    } else {
      EXPECT_EQ(s.code(), "block-high-hash") << nonce;
      found_fail = true;
    }
  }
  EXPECT_TRUE(found_pass);
  EXPECT_TRUE(found_fail);
}

}  // namespace
}  // namespace depin::consensus
