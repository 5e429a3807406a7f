#include "crypto/keccak.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <random>

namespace depin::crypto {
namespace {

Bytes Pattern(size_t n) {
  Bytes b(n);
  for (size_t i = 0; i < n; ++i) b[i] = static_cast<uint8_t>(i * 7 + 1);
  return b;
}

std::string KeccakHex(ByteSpan data) { return Keccak256Hash(data).Hex(); }

TEST(Keccak256, EmptyInput) {
  EXPECT_EQ(KeccakHex({}), "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
}

TEST(Keccak256, Abc) {
  EXPECT_EQ(KeccakHex(AsSpan("abc")),
            "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

TEST(Keccak256, QuickBrownFox) {
  EXPECT_EQ(KeccakHex(AsSpan("The quick brown fox jumps over the lazy dog")),
            "0x4d741b6f1eb29cb2a9b9911c82f56fa8d73b04959d3d9d222895df6c0b28aa15");
}

// Padding corner cases around the 136-byte rate: 135 puts 0x01 and 0x80 in the
// same byte, 136 needs a whole padding block, 137 spills one byte. Expected
// values come from an independent reference implementation checked against
// SHA3-256 with SHA3's padding.
TEST(Keccak256, RateBoundaries) {
  EXPECT_EQ(KeccakHex(Pattern(135)),
            "0x34bd7bed52ea092f88bc887256e7f06500ee814afa9a5566e22030af2ef1c5c0");
  EXPECT_EQ(KeccakHex(Pattern(136)),
            "0x2b31811a93dfc4bdc41b6aa7790e784b987c25a2c8a0e101cfa694552dc8ae39");
  EXPECT_EQ(KeccakHex(Pattern(137)),
            "0xa6103b089a404974c2b460048bfddd45108748fbdd9bad451f54d1fe95f8f284");
  EXPECT_EQ(KeccakHex(Pattern(272)),
            "0x415fd325cae3a2f957fea2770d710027317ced7e7266a59905102c14fdb9959a");
  EXPECT_EQ(KeccakHex(Pattern(300)),
            "0xc679632f366575cf2a1dad1f4a5de16e09def44390e346ad45cca63f4509c93f");
}

TEST(Keccak256, IncrementalWritesMatchOneShot) {
  const Bytes msg = Pattern(1000);
  const Hash256 want = Keccak256Hash(msg);
  std::mt19937 rng(7);
  for (int trial = 0; trial < 50; ++trial) {
    Keccak256 h;
    size_t pos = 0;
    while (pos < msg.size()) {
      size_t n = std::min<size_t>(rng() % 300, msg.size() - pos);
      h.Write(msg.data() + pos, n);
      pos += n;
    }
    EXPECT_EQ(h.Finalize(), want);
  }
}

TEST(Keccak256, ReusableAfterFinalize) {
  Keccak256 h;
  h.Write(AsSpan("garbage"));
  (void)h.Finalize();
  EXPECT_EQ(h.Write(AsSpan("abc")).Finalize().Hex(),
            "0x4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45");
}

// SHA3-256 is the same sponge with domain padding 0x06: driving our
// permutation with that padding must reproduce OpenSSL's SHA3-256.
TEST(KeccakF1600, MatchesOpenSslSha3) {
  std::mt19937 rng(42);
  for (size_t len = 0; len < 500; len += 1 + rng() % 13) {
    Bytes msg(len);
    for (auto& b : msg) b = static_cast<uint8_t>(rng());

    uint64_t st[25] = {};
    Bytes padded = msg;
    padded.push_back(0x06);
    while (padded.size() % Keccak256::kRate != 0) padded.push_back(0);
    padded.back() |= 0x80;
    for (size_t off = 0; off < padded.size(); off += Keccak256::kRate) {
      for (size_t i = 0; i < Keccak256::kRate / 8; ++i) st[i] ^= ReadLE64(&padded[off + 8 * i]);
      KeccakF1600(st);
    }
    uint8_t ours[32];
    for (int i = 0; i < 4; ++i) WriteLE64(ours + 8 * i, st[i]);

    uint8_t want[32];
    unsigned int out_len = 0;
    ASSERT_EQ(EVP_Digest(msg.data(), msg.size(), want, &out_len, EVP_sha3_256(), nullptr), 1);
    EXPECT_EQ(HexEncode(ByteSpan(ours, 32)), HexEncode(ByteSpan(want, 32))) << "len " << len;
  }
}

}  // namespace
}  // namespace depin::crypto
