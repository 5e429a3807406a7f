// The shared device core compiled as host C++ and checked against the
// node's SHA-256 (crypto/sha256.h): the same text the OpenCL and CUDA
// kernels include, so a slip in it shows here without a device.
#include "compute/kernels/sha256_core.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "compute_test_util.h"
#include "crypto/sha256.h"

namespace depin::compute {
namespace {

using testing::RandomBytes;

void ToWords(const uint8_t* p, sha_u32* w, int n) {
  for (int i = 0; i < n; ++i) w[i] = sha_load_be32(p + 4 * i);
}

Hash256 FromWords(const sha_u32* w) {
  Hash256 out;
  for (int i = 0; i < 8; ++i) WriteBE32(out.data() + 4 * i, w[i]);
  return out;
}

TEST(Sha256Core, CompressionMatchesTheNodeTransform) {
  std::mt19937_64 rng(1);
  for (int round = 0; round < 50; ++round) {
    Bytes block = RandomBytes(rng, 64);
    uint32_t expected[8];
    std::memcpy(expected, crypto::kSha256InitialState, sizeof(expected));
    crypto::Sha256Transform(expected, block.data(), 1);
    sha_u32 state[8], words[16];
    sha256_init(state);
    ToWords(block.data(), words, 16);
    sha256_compress(state, words);
    for (int i = 0; i < 8; ++i) EXPECT_EQ(state[i], expected[i]);
  }
}

TEST(Sha256Core, NodeHashIsFullSha256OfThePair) {
  std::mt19937_64 rng(2);
  for (int round = 0; round < 50; ++round) {
    Bytes pair = RandomBytes(rng, 64);
    sha_u32 l[8], r[8], h[8];
    ToWords(pair.data(), l, 8);
    ToWords(pair.data() + 32, r, 8);
    sha256_node_hash(l, r, h);
    // No bits are truncated: the proofs library's parents are plain SHA-256.
    EXPECT_EQ(FromWords(h), crypto::Sha256Hash(pair));
    EXPECT_EQ(FromWords(h), crypto::Sha256Pair(Hash256(pair.data()), Hash256(pair.data() + 32)));
  }
}

TEST(Sha256Core, MessagesOfEveryPaddingCase) {
  std::mt19937_64 rng(3);
  for (size_t len : {0, 1, 31, 55, 56, 63, 64, 65, 119, 120, 128, 264, 352, 520, 1000}) {
    Bytes msg = RandomBytes(rng, len);
    sha_u32 h[8];
    sha256_message(msg.data(), len, h);
    EXPECT_EQ(FromWords(h), crypto::Sha256Hash(msg)) << len;
  }
}

TEST(Sha256Core, HeaderTailIsSha256dOfTheHeader) {
  std::mt19937_64 rng(4);
  for (int round = 0; round < 20; ++round) {
    Bytes header = RandomBytes(rng, 260);
    uint32_t midstate[8];
    std::memcpy(midstate, crypto::kSha256InitialState, sizeof(midstate));
    crypto::Sha256Transform(midstate, header.data(), 4);
    const uint32_t high = static_cast<uint32_t>(rng());
    WriteLE32(header.data() + 256, high);
    sha_u32 h[8];
    sha256d_header_tail(midstate, high, h);
    EXPECT_EQ(FromWords(h), crypto::Sha256dHash(header));
  }
}

TEST(Sha256Core, TargetComparisonIsBigEndianAndInclusive) {
  sha_u32 target[8] = {0x00000fffu, 0, 0, 0, 0, 0, 0, 5};
  sha_u32 equal[8] = {0x00000fffu, 0, 0, 0, 0, 0, 0, 5};
  sha_u32 below[8] = {0x00000ffeu, 0xffffffffu, 0, 0, 0, 0, 0, 9};
  sha_u32 above[8] = {0x00000fffu, 0, 0, 0, 0, 0, 0, 6};
  EXPECT_TRUE(sha256_meets_target(equal, target));
  EXPECT_TRUE(sha256_meets_target(below, target));
  EXPECT_FALSE(sha256_meets_target(above, target));
}

}  // namespace
}  // namespace depin::compute
