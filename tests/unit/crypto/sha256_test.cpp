#include "crypto/sha256.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <cstring>
#include <random>

namespace depin::crypto {
namespace {

Hash256 OpenSslSha256(const uint8_t* data, size_t len) {
  Hash256 out;
  unsigned int out_len = 0;
  EXPECT_EQ(EVP_Digest(data, len, out.data(), &out_len, EVP_sha256(), nullptr), 1);
  return out;
}

Bytes RandomBytes(std::mt19937& rng, size_t n) {
  Bytes b(n);
  for (auto& x : b) x = static_cast<uint8_t>(rng());
  return b;
}

std::string Sha256Hex(std::string_view s) { return Sha256Hash(AsSpan(s)).Hex(); }

std::string ImplLabel(Sha256Impl impl) {
  switch (impl) {
    case Sha256Impl::kPortable:
      return "Portable";
    case Sha256Impl::kShaNi:
      return "ShaNi";
    case Sha256Impl::kAvx2:
      return "Avx2";
  }
  return "Unknown";
}

// Every test runs once per implementation, pinned with Sha256ForceImpl.
class Sha256AllImpls : public ::testing::TestWithParam<Sha256Impl> {
 protected:
  void SetUp() override {
    if (!Sha256ForceImpl(GetParam()))
      GTEST_SKIP() << "this CPU lacks the " << ImplLabel(GetParam()) << " implementation";
  }
  void TearDown() override { Sha256ResetImpl(); }
};

TEST_P(Sha256AllImpls, Fips180Vectors) {
  EXPECT_EQ(Sha256Hex(""), "0xe3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "0x248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(Sha256Hex("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnop"
                      "jklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu"),
            "0xcf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}

TEST_P(Sha256AllImpls, OneMillionA) {
  const std::string a(1000000, 'a');
  const char* want = "0xcdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0";
  EXPECT_EQ(Sha256Hex(a), want);
  // Same through the incremental hasher in uneven pieces.
  Sha256 h;
  size_t pos = 0;
  for (size_t step = 1; pos < a.size(); step = step * 3 % 1000 + 1) {
    const size_t n = std::min(step, a.size() - pos);
    h.Write(reinterpret_cast<const uint8_t*>(a.data()) + pos, n);
    pos += n;
  }
  EXPECT_EQ(h.Finalize().Hex(), want);
}

TEST_P(Sha256AllImpls, MatchesOpenSslOnRandomLengths) {
  std::mt19937 rng(1);
  for (size_t len = 0; len <= 300; ++len) {
    const Bytes msg = RandomBytes(rng, len);
    EXPECT_EQ(Sha256Hash(msg), OpenSslSha256(msg.data(), len)) << "len " << len;
  }
}

TEST_P(Sha256AllImpls, IncrementalMatchesOneShot) {
  std::mt19937 rng(2);
  const Bytes msg = RandomBytes(rng, 1000);
  const Hash256 want = OpenSslSha256(msg.data(), msg.size());
  for (int trial = 0; trial < 30; ++trial) {
    Sha256 h;
    size_t pos = 0;
    while (pos < msg.size()) {
      const size_t n = std::min<size_t>(rng() % 150, msg.size() - pos);
      h.Write(msg.data() + pos, n);
      pos += n;
    }
    EXPECT_EQ(h.Finalize(), want);
    // Finalize leaves the hasher reset.
    EXPECT_EQ(h.bytes_written(), 0u);
  }
}

// An empty span's data() may be null: writing it is a no-op, in the middle
// of a block too (UBSan caught a memcpy from null there, via LtHash).
TEST_P(Sha256AllImpls, EmptyWriteFromANullPointerIsANoOp) {
  const Bytes msg = {'a', 'b', 'c'};
  Sha256 h;
  h.Write(msg.data(), 2);
  h.Write(nullptr, 0);
  h.Write(Bytes().data(), 0);
  h.Write(msg.data() + 2, 1);
  EXPECT_EQ(h.Finalize(), OpenSslSha256(msg.data(), msg.size()));
}

TEST_P(Sha256AllImpls, MidstateResumesLikeAFullHash) {
  std::mt19937 rng(3);
  const Bytes msg = RandomBytes(rng, 80);  // a block-header-sized message
  Sha256 h;
  h.Write(msg.data(), 64);
  ASSERT_EQ(h.bytes_written(), 64u);
  uint32_t state[8];
  std::memcpy(state, h.state(), sizeof(state));

  uint8_t tail[64] = {};
  std::memcpy(tail, msg.data() + 64, 16);
  tail[16] = 0x80;
  WriteBE64(tail + 56, 80 * 8);
  Sha256Transform(state, tail, 1);
  Hash256 got;
  for (int i = 0; i < 8; ++i) WriteBE32(got.data() + 4 * i, state[i]);
  EXPECT_EQ(got, OpenSslSha256(msg.data(), msg.size()));
}

TEST_P(Sha256AllImpls, TransformFromInitialState) {
  uint32_t state[8];
  std::memcpy(state, kSha256InitialState, sizeof(state));
  uint8_t block[64] = {'a', 'b', 'c', 0x80};
  block[63] = 24;
  Sha256Transform(state, block, 1);
  EXPECT_EQ(state[0], 0xba7816bfu);
  EXPECT_EQ(state[7], 0xf20015adu);
}

TEST_P(Sha256AllImpls, DoubleSha256) {
  EXPECT_EQ(Sha256dHash(AsSpan("hello")).Hex(),
            "0x9595c9df90075148eb06860365df33584b75bff782a510c6cd4883a419833d50");
  // Bitcoin's genesis block header; its hash is displayed byte-reversed.
  auto header = HexDecode(
      "0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27a"
      "c72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c");
  ASSERT_TRUE(header.ok());
  Hash256 h = Sha256dHash(*header);
  std::reverse(h.bytes.begin(), h.bytes.end());
  EXPECT_EQ(h.Hex(), "0x000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f");
}

TEST_P(Sha256AllImpls, PairMatchesOpenSsl) {
  std::mt19937 rng(4);
  for (int i = 0; i < 50; ++i) {
    const Bytes msg = RandomBytes(rng, 64);
    Hash256 left(msg.data()), right(msg.data() + 32);
    EXPECT_EQ(Sha256Pair(left, right), OpenSslSha256(msg.data(), 64));
  }
}

TEST_P(Sha256AllImpls, PairBatchMatchesOpenSsl) {
  std::mt19937 rng(5);
  for (size_t count : {0, 1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 64, 100, 257}) {
    const Bytes in = RandomBytes(rng, 64 * count);
    Bytes out(32 * count + 1, 0xEE);
    Sha256PairBatch(in.data(), out.data(), count);
    for (size_t i = 0; i < count; ++i)
      EXPECT_EQ(Hash256(out.data() + 32 * i), OpenSslSha256(in.data() + 64 * i, 64))
          << "count " << count << " index " << i;
    EXPECT_EQ(out.back(), 0xEE) << "wrote past the end, count " << count;
  }
}

TEST_P(Sha256AllImpls, PairBatchInPlace) {
  std::mt19937 rng(6);
  for (size_t count : {1, 2, 5, 8, 13, 64, 99}) {
    Bytes buf = RandomBytes(rng, 64 * count);
    std::vector<Hash256> want;
    for (size_t i = 0; i < count; ++i) want.push_back(OpenSslSha256(buf.data() + 64 * i, 64));
    Sha256PairBatch(buf.data(), buf.data(), count);
    for (size_t i = 0; i < count; ++i)
      EXPECT_EQ(Hash256(buf.data() + 32 * i), want[i]) << "count " << count << " index " << i;
  }
}

TEST_P(Sha256AllImpls, BatchMatchesOpenSsl) {
  std::mt19937 rng(7);
  for (size_t msg_len : {0, 1, 31, 32, 55, 56, 63, 64, 65, 80, 119, 120, 128, 200, 300}) {
    for (size_t count : {1, 2, 3, 8, 11, 16, 21}) {
      const Bytes in = RandomBytes(rng, msg_len * count);
      Bytes out(32 * count);
      Sha256Batch(in.data(), msg_len, count, out.data());
      for (size_t i = 0; i < count; ++i)
        EXPECT_EQ(Hash256(out.data() + 32 * i), OpenSslSha256(in.data() + msg_len * i, msg_len))
            << "len " << msg_len << " count " << count << " index " << i;
    }
  }
}

TEST_P(Sha256AllImpls, CounterBlocksMatchOpenSsl) {
  std::mt19937 rng(11);
  // Counts around the 4-stream groups and the 64-message chunks of the
  // fallbacks, and the 64 blocks of an LtHash entry.
  for (size_t count : {1, 2, 3, 4, 5, 7, 8, 63, 64, 65, 130}) {
    const Bytes seed = RandomBytes(rng, 32);
    Bytes out(32 * count);
    Sha256CounterBlocks(seed.data(), count, out.data());
    for (size_t i = 0; i < count; ++i) {
      Bytes msg = seed;
      msg.resize(36);
      WriteBE32(msg.data() + 32, static_cast<uint32_t>(i));
      EXPECT_EQ(Hash256(out.data() + 32 * i), OpenSslSha256(msg.data(), msg.size()))
          << "count " << count << " index " << i;
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Impls, Sha256AllImpls,
                         ::testing::Values(Sha256Impl::kPortable, Sha256Impl::kShaNi,
                                           Sha256Impl::kAvx2),
                         [](const auto& p) { return ImplLabel(p.param); });

TEST(Sha256Dispatch, NamesAndReset) {
  EXPECT_FALSE(Sha256ImplName().empty());
  EXPECT_FALSE(Sha256BatchImplName().empty());
  const std::string single = Sha256ImplName();
  const std::string batch = Sha256BatchImplName();
  ASSERT_TRUE(Sha256ForceImpl(Sha256Impl::kPortable));
  EXPECT_EQ(Sha256ImplName(), "portable");
  EXPECT_EQ(Sha256BatchImplName(), "portable");
  Sha256ResetImpl();
  EXPECT_EQ(Sha256ImplName(), single);
  EXPECT_EQ(Sha256BatchImplName(), batch);
}

}  // namespace
}  // namespace depin::crypto
