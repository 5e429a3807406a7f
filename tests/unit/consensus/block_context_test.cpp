#include "consensus/block_context.h"

#include <gtest/gtest.h>

namespace depin::consensus {
namespace {

Hash256 HashOfHeight(uint64_t height) {
  Hash256 h;
  h[0] = 0xbb;
  for (int i = 0; i < 8; ++i) h[31 - i] = static_cast<uint8_t>(height >> (8 * i));
  return h;
}

// A chain whose block at height h has hash HashOfHeight(h); the block the
// context is for sits at `height`.
class LinearAncestors final : public AncestorHashes {
 public:
  explicit LinearAncestors(uint64_t height) : height_(height) {}
  std::vector<Hash256> Nearest(uint64_t count) const override {
    ++calls_;
    last_count_ = count;
    std::vector<Hash256> out;
    for (uint64_t h = height_; h-- > 0 && out.size() < count;) out.push_back(HashOfHeight(h));
    return out;
  }
  mutable int calls_ = 0;
  mutable uint64_t last_count_ = 0;

 private:
  uint64_t height_;
};

BlockHeader HeaderAt(uint64_t height) {
  BlockHeader h;
  h.height = height;
  h.timestamp = 1000 + height;
  h.miner[0] = 0x33;
  h.parent_hash = height > 0 ? HashOfHeight(height - 1) : Hash256();
  h.base_fee = Uint256(7);
  h.gas_limit = 123456;
  return h;
}

ChainParams Params(uint64_t lookback) {
  ChainParams p = RegtestParams();
  p.randomness_max_lookback = lookback;
  return p;
}

TEST(BlockContext, MakeCopiesTheHeaderAndChainFields) {
  const BlockHeader h = HeaderAt(10);
  const BlockContext ctx = MakeBlockContext(h, Params(4), LinearAncestors(10));
  EXPECT_EQ(ctx.height, 10u);
  EXPECT_EQ(ctx.timestamp, 1010u);
  EXPECT_EQ(ctx.miner, h.miner);
  EXPECT_EQ(ctx.parent_hash, h.parent_hash);
  EXPECT_EQ(ctx.base_fee, Uint256(7));
  EXPECT_EQ(ctx.gas_limit, 123456u);
  EXPECT_EQ(ctx.chain_id, RegtestParams().chain_id);
  EXPECT_EQ(ctx.randomness_max_lookback, 4u);
  ASSERT_EQ(ctx.ancestors.size(), 4u);
  EXPECT_EQ(ctx.ancestors[0], h.parent_hash);
}

TEST(BlockContext, CopiesNoMoreThanTheLookbackOrTheChain) {
  LinearAncestors deep(1000);
  EXPECT_EQ(MakeBlockContext(HeaderAt(1000), Params(256), deep).ancestors.size(), 256u);
  EXPECT_EQ(deep.last_count_, 256u);
  EXPECT_EQ(MakeBlockContext(HeaderAt(3), Params(256), LinearAncestors(3)).ancestors.size(), 3u);
  LinearAncestors none(0);
  EXPECT_TRUE(MakeBlockContext(HeaderAt(0), Params(256), none).ancestors.empty());
  EXPECT_EQ(none.calls_, 0);
}

TEST(BlockContext, RandomnessIsTheAncestorsHash) {
  const BlockContext ctx = MakeBlockContext(HeaderAt(10), Params(4), LinearAncestors(10));
  for (uint64_t h = 6; h < 10; ++h) {
    auto r = ctx.RandomnessAt(h);
    ASSERT_TRUE(r.ok()) << h << ": " << r.status().ToString();
    EXPECT_EQ(*r, HashOfHeight(h));
    EXPECT_EQ(*ctx.RandomnessLookback(10 - h), HashOfHeight(h));
  }
}

TEST(BlockContext, RandomnessOfTheBlockItselfOrLaterIsRefused) {
  const BlockContext ctx = MakeBlockContext(HeaderAt(10), Params(4), LinearAncestors(10));
  for (uint64_t h : {10u, 11u, 1000u}) {
    auto r = ctx.RandomnessAt(h);
    EXPECT_EQ(r.status().code(), "randomness-not-ancestor") << h;
    EXPECT_TRUE(r.status().Is(StatusKind::kInvalid));
  }
  EXPECT_EQ(ctx.RandomnessLookback(0).status().code(), "randomness-not-ancestor");
}

TEST(BlockContext, RandomnessBeyondTheLookbackIsRefused) {
  const BlockContext ctx = MakeBlockContext(HeaderAt(10), Params(4), LinearAncestors(10));
  auto r = ctx.RandomnessAt(5);
  EXPECT_EQ(r.status().code(), "randomness-beyond-lookback");
  EXPECT_TRUE(r.status().Is(StatusKind::kLimitExceeded));
  EXPECT_NE(r.status().message().find("limit is 4"), std::string::npos) << r.status().message();
  EXPECT_EQ(ctx.RandomnessLookback(5).status().code(), "randomness-beyond-lookback");
  EXPECT_EQ(ctx.RandomnessLookback(11).status().code(), "randomness-before-genesis");
}

TEST(BlockContext, MissingAncestorsAreNotFound) {
  const BlockContext ctx = MakeBlockContext(HeaderAt(10), Params(4), NoAncestors());
  EXPECT_TRUE(ctx.RandomnessAt(9).status().Is(StatusKind::kNotFound));
}

}  // namespace
}  // namespace depin::consensus
