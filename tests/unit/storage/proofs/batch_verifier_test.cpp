#include "storage/proofs/batch_verifier.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>

#include "proofs_test_util.h"
#include "storage/proofs/seal.h"

namespace depin::storage::proofs {
namespace {

using testing::HashOf;
using testing::PatternData;
using testing::ScratchDir;
using testing::TestInputs;

// The CPU backend behind a counter, as a device backend would sit.
class CountingBackend final : public crypto::HashBackend {
 public:
  std::string_view name() const override { return "counting"; }
  void Sha256Batch(const uint8_t* in, size_t msg_len, size_t count, uint8_t* out) const override {
    messages += count;
    crypto::CpuHashBackend().Sha256Batch(in, msg_len, count, out);
  }
  void Sha256PairBatch(const uint8_t* in, uint8_t* out, size_t count) const override {
    pairs += count;
    crypto::CpuHashBackend().Sha256PairBatch(in, out, count);
  }
  mutable std::atomic<uint64_t> messages{0};
  mutable std::atomic<uint64_t> pairs{0};
};

// A backend that returns wrong digests: every proof must then fail, so a
// broken device can never make a bad proof pass unnoticed in tests.
class BrokenBackend final : public crypto::HashBackend {
 public:
  std::string_view name() const override { return "broken"; }
  void Sha256Batch(const uint8_t*, size_t, size_t count, uint8_t* out) const override {
    std::fill(out, out + 32 * count, uint8_t{0xAB});
  }
  void Sha256PairBatch(const uint8_t*, uint8_t* out, size_t count) const override {
    std::fill(out, out + 32 * count, uint8_t{0xAB});
  }
};

struct Sealed {
  std::unique_ptr<SectorStore> store;
  SealOutput out;
  uint64_t number;
};

TEST(BatchVerifier, GivesOneVerdictPerProofWhateverTheThreadCount) {
  ScratchDir dir;
  std::vector<Sealed> sectors;
  for (int i = 0; i < 4; ++i) {
    auto store = std::make_unique<SectorStore>(*SectorStore::Open(dir.Sub(std::to_string(i))));
    Bytes data = PatternData(2048, static_cast<uint32_t>(i));
    auto out = SealSector(TestInputs(SectorSize::Size2KiB(), data, i), *store);
    ASSERT_TRUE(out.ok());
    sectors.push_back({std::move(store), *out, static_cast<uint64_t>(i)});
  }
  const Hash256 seed = HashOf(0x33), randomness = HashOf(0x44);
  std::vector<PoRepPublicInputs> porep_in;
  std::vector<PoRepProof> porep;
  for (auto& s : sectors) {
    porep_in.push_back(
        {SectorSize::Size2KiB(), s.out.replica_id, seed, s.out.comm_d, s.out.comm_r});
    porep.push_back(*GeneratePoRep(*s.store, seed, /*partition=*/0));
  }
  std::vector<const SectorStore*> ptrs;
  PoStPublicInputs post_in{randomness, {}};
  for (auto& s : sectors) {
    ptrs.push_back(s.store.get());
    post_in.sectors.push_back({s.number, SectorSize::Size2KiB(), s.out.comm_r});
  }
  PoStProof post = GeneratePoSt(randomness, ptrs).proof;

  auto run = [&](size_t threads) {
    BatchVerifier v(BatchVerifierOptions{threads});
    v.AddPoRep(porep_in[0], porep[0]);
    PoRepProof bad_label = porep[1];
    bad_label.challenges[2].columns[3].labels[1][0] ^= 1;
    v.AddPoRep(porep_in[1], bad_label);
    v.AddPoSt(post_in, post);
    PoStProof bad_post = post;
    bad_post.sectors[3].paths[2].siblings[1][9] ^= 1;
    v.AddPoSt(post_in, bad_post);
    v.AddPoRep(porep_in[3], porep[2]);  // proof of another sector
    v.AddPoRep(porep_in[3], porep[3]);
    EXPECT_EQ(v.size(), 6u);
    std::vector<Status> verdicts = v.Verify();
    EXPECT_EQ(v.size(), 0u);
    EXPECT_GT(v.last_stats().pair_hashes, 0u);
    EXPECT_GT(v.last_stats().message_hashes, 0u);
    return verdicts;
  };
  std::vector<Status> one = run(1);
  ASSERT_EQ(one.size(), 6u);
  EXPECT_TRUE(one[0].ok()) << one[0].ToString();
  EXPECT_EQ(one[1].code(), "porep-bad-column-path");
  EXPECT_TRUE(one[2].ok()) << one[2].ToString();
  EXPECT_EQ(one[3].code(), "post-bad-replica-path");
  EXPECT_EQ(one[4].code(), "porep-wrong-challenge");
  EXPECT_TRUE(one[5].ok());
  for (size_t threads : {2u, 5u}) {
    std::vector<Status> many = run(threads);
    ASSERT_EQ(many.size(), one.size());
    for (size_t i = 0; i < one.size(); ++i) {
      EXPECT_EQ(many[i].code(), one[i].code()) << i;
      EXPECT_EQ(many[i].message(), one[i].message()) << i;
    }
  }
}

TEST(BatchVerifier, HashesThroughThePluggedBackend) {
  ScratchDir dir;
  auto store = std::make_unique<SectorStore>(*SectorStore::Open(dir.Sub("s")));
  auto out = SealSector(TestInputs(SectorSize::Size2KiB(), PatternData(2048, 7), 0), *store);
  ASSERT_TRUE(out.ok());
  const Hash256 randomness = HashOf(0x55);
  PoStPublicInputs in{randomness, {{0, SectorSize::Size2KiB(), out->comm_r}}};
  const std::vector<const SectorStore*> stores = {store.get()};
  PoStProof proof = GeneratePoSt(randomness, stores).proof;

  CountingBackend counting;
  BatchVerifier v(BatchVerifierOptions{.threads = 2, .hash = &counting});
  v.AddPoSt(in, proof);
  std::vector<Status> verdicts = v.Verify();
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_TRUE(verdicts[0].ok()) << verdicts[0].ToString();
  EXPECT_EQ(counting.pairs.load(), v.last_stats().pair_hashes);
  EXPECT_GT(counting.pairs.load(), 0u);

  BrokenBackend broken;
  BatchVerifier b(BatchVerifierOptions{.threads = 1, .hash = &broken});
  b.AddPoSt(in, proof);
  verdicts = b.Verify();
  ASSERT_EQ(verdicts.size(), 1u);
  EXPECT_FALSE(verdicts[0].ok());
}

TEST(BatchVerifier, EncodedPoStsGetOneVerdictEachMalformedOnesIncluded) {
  ScratchDir dir;
  auto store = std::make_unique<SectorStore>(*SectorStore::Open(dir.Sub("s")));
  auto out = SealSector(TestInputs(SectorSize::Size2KiB(), PatternData(2048, 9), 3), *store);
  ASSERT_TRUE(out.ok());
  const Hash256 randomness = HashOf(0x66);
  PoStPublicInputs in{randomness, {{3, SectorSize::Size2KiB(), out->comm_r}}};
  const std::vector<const SectorStore*> stores = {store.get()};
  const Bytes inputs = EncodePoStPublicInputs(in);
  const Bytes proof = EncodePoStProof(GeneratePoSt(randomness, stores).proof);
  ASSERT_EQ(*DecodePoStPublicInputs(inputs), in);

  Bytes flipped = proof;
  flipped[flipped.size() - 5] ^= 1;  // a sibling of the last path
  Bytes truncated(proof.begin(), proof.end() - 1);
  Bytes bad_inputs(inputs.begin(), inputs.end() - 3);
  PoStPublicInputs other = in;
  other.randomness = HashOf(0x67);  // proof answers other challenges
  const Bytes other_inputs = EncodePoStPublicInputs(other);
  std::vector<EncodedPoSt> items = {
      {inputs, proof},     {inputs, flipped},     {inputs, truncated},
      {bad_inputs, proof}, {other_inputs, proof}, {Bytes(), Bytes()},
  };
  std::vector<Status> v = VerifyEncodedPoSts(items, BatchVerifierOptions{.threads = 2});
  ASSERT_EQ(v.size(), items.size());
  EXPECT_TRUE(v[0].ok()) << v[0].ToString();
  EXPECT_EQ(v[1].code(), "post-bad-replica-path");
  EXPECT_EQ(v[2].code(), "post-decode-truncated");
  EXPECT_EQ(v[3].code(), "post-inputs-decode-truncated");
  EXPECT_FALSE(v[4].ok());
  EXPECT_EQ(v[5].code(), "post-inputs-decode-truncated");
  // Trailing bytes and unknown versions are refused too.
  Bytes trailing = inputs;
  trailing.push_back(0);
  EXPECT_EQ(DecodePoStPublicInputs(trailing).status().code(), "post-inputs-decode-trailing-bytes");
  Bytes version = inputs;
  version[0] = 9;
  EXPECT_EQ(DecodePoStPublicInputs(version).status().code(), "post-inputs-decode-bad-version");
  // A huge claimed count does not allocate.
  Bytes huge = inputs;
  huge[33] = 0xFF;
  EXPECT_EQ(DecodePoStPublicInputs(huge).status().code(), "post-inputs-decode-truncated");
}

TEST(BatchVerifier, EmptyBatchHasNoVerdicts) {
  BatchVerifier v;
  EXPECT_TRUE(v.Verify().empty());
}

}  // namespace
}  // namespace depin::storage::proofs
