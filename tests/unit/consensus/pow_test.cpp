#include "consensus/pow.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <fstream>
#include <sstream>
#include <string>

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

// The anchor time of a chain whose block 1 came one spacing after genesis:
// the schedule then runs from genesis_time, so the tests below read in
// seconds after genesis.
uint64_t OnSchedule(const ChainParams& params) {
  return params.genesis_time + params.target_spacing;
}

class AsertTest : public ::testing::Test {
 protected:
  ChainParams main_ = MainParams();
  const int64_t spacing_ = static_cast<int64_t>(main_.target_spacing);
  const int64_t half_life_ = main_.asert_half_life;
};

TEST_F(AsertTest, FirstBlockKeepsGenesisTarget) {
  const BlockHeader genesis = main_.GenesisHeader();
  EXPECT_EQ(NextWorkRequired(genesis, OnSchedule(main_), main_), main_.pow_limit_bits);
}

TEST_F(AsertTest, OnScheduleKeepsAnchorTarget) {
  for (uint64_t height : {1u, 2u, 100u, 5000u, 1000000u}) {
    const BlockHeader parent = Parent(main_, height, spacing_ * static_cast<int64_t>(height));
    EXPECT_EQ(NextWorkRequired(parent, OnSchedule(main_), main_), main_.pow_limit_bits) << height;
  }
  // The raw formula keeps any anchor on schedule, exactly.
  const Uint256 anchor = Hex("0x00000000ffff0000000000000000000000000000000000000000000000000000");
  EXPECT_EQ(AsertTarget(anchor, spacing_ * 777, 777, main_), anchor);
}

TEST_F(AsertTest, BlockTwoKeepsTheAnchorTarget) {
  // Block 1 at pow_limit whatever its time; its child at pow_limit too (the
  // anchor's own target), even a month after genesis_time.
  BlockHeader block1 = Parent(main_, 1, 30 * 86400);
  EXPECT_EQ(NextWorkRequired(main_.GenesisHeader(), 0, main_), main_.pow_limit_bits);
  EXPECT_EQ(NextWorkRequired(block1, block1.timestamp, main_), main_.pow_limit_bits);
}

TEST_F(AsertTest, LateLaunchIsAnchoredAtBlockOneNotGenesisTime) {
  // Launched a month after genesis_time; 1,000 blocks one second apart.
  const int64_t launch = 30 * 86400;
  const uint64_t anchor = main_.genesis_time + static_cast<uint64_t>(launch);
  const BlockHeader parent = Parent(main_, 1001, launch + 1000);
  const Uint256 target = *CompactToTarget(NextWorkRequired(parent, anchor, main_));
  // (1000 - 15 * 1000) / 3600 = -3.89 half-lives: about 14.8x harder.
  EXPECT_NEAR(Ratio(main_.pow_limit, target), std::exp2(14000.0 / 3600.0), 0.01);
  // Anchored at genesis_time, the same blocks would be a month behind
  // schedule and all at pow_limit: the free early chain this anchor removes.
  EXPECT_EQ(AsertTarget(main_.pow_limit, launch + 1000, 1001, main_), main_.pow_limit);
}

TEST_F(AsertTest, AnchorTimeComesFromTheBranch) {
  // Same parent, two branches whose block 1 differs by one half-life.
  const BlockHeader parent = Parent(main_, 500, 500 * spacing_);
  const uint64_t early = OnSchedule(main_);
  const uint64_t late = early + static_cast<uint64_t>(half_life_);
  const Uint256 t_early = *CompactToTarget(NextWorkRequired(parent, early, main_));
  const Uint256 t_late = *CompactToTarget(NextWorkRequired(parent, late, main_));
  EXPECT_EQ(t_early, main_.pow_limit);
  EXPECT_NEAR(Ratio(t_early, t_late), 2.0, 0.001);
  // The anchor a block passes on: its own time at height 1, else its parent's.
  EXPECT_EQ(AsertAnchorTimeOf(Parent(main_, 1, 77), 5), main_.genesis_time + 77);
  EXPECT_EQ(AsertAnchorTimeOf(Parent(main_, 2, 77), 5), 5u);
}

TEST_F(AsertTest, BlocksEveryFifteenSecondsKeepTargetUnchanged) {
  // A chain mined exactly on the spacing: every block requires the same bits.
  for (uint64_t h = 0; h < 50; ++h) {
    const BlockHeader parent = Parent(main_, h, spacing_ * static_cast<int64_t>(h));
    EXPECT_EQ(NextWorkRequired(parent, OnSchedule(main_), main_), main_.pow_limit_bits) << h;
  }
}

TEST_F(AsertTest, AheadByOneHalfLifeHalvesTarget) {
  const BlockHeader parent = Parent(main_, 1000, spacing_ * 1000 - half_life_);
  const uint32_t bits = NextWorkRequired(parent, OnSchedule(main_), main_);
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
  EXPECT_EQ(NextWorkRequired(parent, OnSchedule(main_), main_), main_.pow_limit_bits);
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
    const uint32_t bits = NextWorkRequired(Parent(main_, 200, t), OnSchedule(main_), main_);
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
  const auto target = CompactToTarget(NextWorkRequired(parent, OnSchedule(main_), main_));
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
  EXPECT_EQ(NextWorkRequired(Parent(main_, 100, 500), OnSchedule(main_), main_),
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

// docs/consensus.md carries the difficulty over the first day of a main
// network launched 30 days after genesis_time, with a steady hashrate that
// finds a block every 15 s at difficulty 1,000,000 (a pow_limit block every
// 15 us). Miners stamp blocks max(now, median time past + 1); blocks take
// their expected time. Regenerate with
//   DEPIN_UPDATE_DOCS=1 build/bin/unit_consensus --gtest_filter='Pow.LateLaunch*'
constexpr double kEquilibriumDifficulty = 1'000'000;
constexpr int64_t kLaunchDelay = 30 * 86400;

struct LateLaunchRow {
  int64_t seconds = 0;  // since launch
  uint64_t height = 0;
  double difficulty = 0;      // of the next block, anchored at block 1
  double old_difficulty = 0;  // the same block, anchored at genesis_time
};

std::vector<LateLaunchRow> SimulateLateLaunch(const ChainParams& params) {
  const std::vector<int64_t> marks = {0,    60,    120,   300,   600,   1200,  1800,  3600,
                                      7200, 14400, 21600, 28800, 43200, 57600, 72000, 86400};
  const uint64_t launch = params.genesis_time + static_cast<uint64_t>(kLaunchDelay);
  BlockHeader tip;  // block 1, mined at launch
  tip.height = 1;
  tip.timestamp = launch;
  std::deque<uint64_t> recent = {params.genesis_time, launch};  // for the median time past
  double now = 0;                                               // seconds since launch
  std::vector<LateLaunchRow> rows;
  size_t next_mark = 0;
  while (next_mark < marks.size()) {
    const uint32_t bits = NextWorkRequired(tip, launch, params);
    const double difficulty = Difficulty(bits, params);
    while (next_mark < marks.size() && now >= static_cast<double>(marks[next_mark])) {
      const uint32_t old_bits = TargetToCompact(AsertTarget(
          params.pow_limit,
          static_cast<int64_t>(tip.timestamp) - static_cast<int64_t>(params.genesis_time),
          static_cast<int64_t>(tip.height), params));
      rows.push_back({marks[next_mark], tip.height, difficulty, Difficulty(old_bits, params)});
      ++next_mark;
    }
    now += static_cast<double>(params.target_spacing) * difficulty / kEquilibriumDifficulty;
    std::vector<uint64_t> sorted(recent.begin(), recent.end());
    std::sort(sorted.begin(), sorted.end());
    const uint64_t mtp = sorted[sorted.size() / 2];
    tip.height += 1;
    tip.timestamp = std::max(launch + static_cast<uint64_t>(now), mtp + 1);
    recent.push_back(tip.timestamp);
    if (recent.size() > params.median_time_span) recent.pop_front();
  }
  return rows;
}

std::string LateLaunchTable(const std::vector<LateLaunchRow>& rows) {
  std::ostringstream out;
  out << "| since launch | height | difficulty | anchored at genesis_time |\n"
      << "|---|---|---|---|\n";
  for (const LateLaunchRow& r : rows) {
    char line[160];
    const std::string when = r.seconds < 3600 ? std::to_string(r.seconds / 60) + " min"
                                              : std::to_string(r.seconds / 3600) + " h";
    std::snprintf(line, sizeof(line), "| %s | %llu | %.0f | %.0f |\n", when.c_str(),
                  static_cast<unsigned long long>(r.height), r.difficulty, r.old_difficulty);
    out << line;
  }
  return out.str();
}

TEST(Pow, LateLaunchFollowsTheHashrateFromTheFirstMinutes) {
  const ChainParams main = MainParams();
  const std::vector<LateLaunchRow> rows = SimulateLateLaunch(main);
  ASSERT_FALSE(rows.empty());
  EXPECT_EQ(rows.front().difficulty, 1.0);  // block 2 keeps block 1's pow_limit
  for (const LateLaunchRow& r : rows) {
    // The genesis_time anchor leaves every one of these blocks at pow_limit.
    EXPECT_EQ(r.old_difficulty, 1.0) << r.seconds;
    // Block 1's anchor: the difficulty climbs from the first minute, is
    // half the hashrate's after an hour and within 1% of it by 12 h.
    if (r.seconds >= 60) {
      EXPECT_GT(r.difficulty, 10000.0) << r.seconds;
    }
    if (r.seconds >= 3600) {
      EXPECT_GT(r.difficulty, 0.5 * kEquilibriumDifficulty) << r.seconds;
    }
    if (r.seconds >= 12 * 3600) {
      EXPECT_NEAR(r.difficulty / kEquilibriumDifficulty, 1.0, 0.01) << r.seconds;
    }
  }
  // About one block per 15 s after the first hour.
  const LateLaunchRow& hour = rows[7];
  const LateLaunchRow& day = rows.back();
  ASSERT_EQ(hour.seconds, 3600);
  ASSERT_EQ(day.seconds, 86400);
  EXPECT_NEAR(static_cast<double>(day.height - hour.height) / (23.0 * 3600 / 15), 1.0, 0.05);

  const std::string table = LateLaunchTable(rows);
  std::printf("%s", table.c_str());
  const std::string path = std::string(DEPIN_SOURCE_DIR) + "/docs/consensus.md";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string doc = text.str();
  const std::string begin = "<!-- late-launch-table: begin -->\n";
  const std::string end = "<!-- late-launch-table: end -->";
  const size_t b = doc.find(begin);
  const size_t e = doc.find(end);
  ASSERT_NE(b, std::string::npos) << "docs/consensus.md lacks the late-launch table markers";
  ASSERT_NE(e, std::string::npos);
  const char* update = std::getenv("DEPIN_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    doc.replace(b + begin.size(), e - b - begin.size(), table);
    std::ofstream out(path, std::ios::trunc);
    out << doc;
    ASSERT_TRUE(out.good());
    return;
  }
  EXPECT_EQ(doc.substr(b + begin.size(), e - b - begin.size()), table)
      << "docs/consensus.md's table is stale: run DEPIN_UPDATE_DOCS=1 build/bin/unit_consensus "
         "--gtest_filter='Pow.LateLaunch*'";
}

TEST(Pow, RegtestAlwaysPowLimit) {
  const ChainParams regtest = RegtestParams();
  for (int64_t t : {-100000, 0, 1, 15, 3600, 10000000}) {
    for (uint64_t h : {0u, 1u, 1000u}) {
      BlockHeader parent;
      parent.height = h;
      parent.timestamp = static_cast<uint64_t>(static_cast<int64_t>(regtest.genesis_time) + t);
      EXPECT_EQ(NextWorkRequired(parent, regtest.genesis_time, regtest), 0x207fffffu);
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
