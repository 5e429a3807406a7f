#include "storage/proofs/merkle_tree.h"

#include <gtest/gtest.h>

#include "crypto/sha256.h"
#include "proofs_test_util.h"

namespace depin::storage::proofs {
namespace {

using testing::PatternData;

// Root computed the obvious way, one pair at a time.
Hash256 NaiveRoot(ByteSpan leaves) {
  std::vector<Hash256> level;
  for (size_t i = 0; i < leaves.size(); i += 32) level.emplace_back(leaves.data() + i);
  while (level.size() > 1) {
    std::vector<Hash256> next;
    for (size_t i = 0; i < level.size(); i += 2)
      next.push_back(crypto::Sha256Pair(level[i], level[i + 1]));
    level = next;
  }
  return level[0];
}

TEST(MerkleTree, RootMatchesPairByPairHashing) {
  for (size_t leaves : {2u, 4u, 64u, 4096u}) {
    Bytes data = PatternData(leaves * 32, static_cast<uint32_t>(leaves));
    Bytes levels = BuildTreeLevels(data, 1);
    EXPECT_EQ(levels.size(), (leaves - 1) * 32);
    EXPECT_EQ(RootOfLevels(levels), NaiveRoot(data)) << leaves;
  }
}

TEST(MerkleTree, ThreadCountDoesNotChangeTheTree) {
  Bytes data = PatternData(1 << 20);  // 32768 leaves: enough for several workers
  Bytes one = BuildTreeLevels(data, 1);
  for (size_t threads : {2u, 3u, 8u}) EXPECT_EQ(BuildTreeLevels(data, threads), one) << threads;
}

TEST(MerkleTree, PathsLeadToTheRootOnlyFromTheirLeaf) {
  Bytes data = PatternData(256 * 32);
  Bytes levels = BuildTreeLevels(data, 1);
  const Hash256 root = RootOfLevels(levels);
  for (uint64_t i : {0u, 1u, 77u, 128u, 255u}) {
    MerklePath path = PathFromLevels(data, levels, i);
    ASSERT_EQ(path.siblings.size(), 8u);
    Hash256 leaf(data.data() + i * 32);
    EXPECT_EQ(RootFromPath(leaf, i, path), root);
    EXPECT_NE(RootFromPath(leaf, i ^ 1, path), root);
    Hash256 other = leaf;
    other[0] ^= 1;
    EXPECT_NE(RootFromPath(other, i, path), root);
  }
}

TEST(MerkleTree, ZeroTreeRootIsTheTreeOfZeroLeaves) {
  Bytes zeros(64 * 32, 0);
  EXPECT_EQ(ZeroTreeRoot(6), RootOfLevels(BuildTreeLevels(zeros, 1)));
  EXPECT_EQ(ZeroTreeRoot(0), Hash256());
}

TEST(MerkleTree, StreamingRootEqualsZeroPaddedTree) {
  const uint32_t height = 17;  // more than one streaming chunk
  const uint64_t bytes = (uint64_t{1} << height) * 32;
  for (uint64_t len : {uint64_t{0}, uint64_t{1}, uint64_t{31}, uint64_t{32 * 1024 + 5},
                       uint64_t{1} << 20, bytes - 1, bytes}) {
    Bytes data = PatternData(len, 3);
    Bytes padded(bytes, 0);
    std::copy(data.begin(), data.end(), padded.begin());
    StreamingRoot streaming(height);
    // Feed in uneven pieces to cross chunk boundaries mid-append.
    size_t at = 0, step = 1000;
    while (at < data.size()) {
      size_t take = std::min(step, data.size() - at);
      ASSERT_TRUE(streaming.Append(ByteSpan(data.data() + at, take)).ok());
      at += take;
      step = step * 3 + 7;
    }
    EXPECT_EQ(streaming.Finish(), RootOfLevels(BuildTreeLevels(padded, 2))) << len;
  }
}

TEST(MerkleTree, StreamingRootRefusesDataPastItsLeaves) {
  StreamingRoot streaming(2);
  Bytes data(4 * 32 + 1, 1);
  Status s = streaming.Append(data);
  EXPECT_EQ(s.code(), "tree-too-much-data");
}

TEST(MerkleTree, LevelOffsets) {
  EXPECT_EQ(LevelOffset(8, 1), 0u);
  EXPECT_EQ(LevelOffset(8, 2), 4u);
  EXPECT_EQ(LevelOffset(8, 3), 6u);
}

}  // namespace
}  // namespace depin::storage::proofs
