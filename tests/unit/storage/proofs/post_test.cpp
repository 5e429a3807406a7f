#include "storage/proofs/post.h"

#include <gtest/gtest.h>

#include <memory>
#include <random>

#include "proofs_test_util.h"
#include "storage/proofs/seal.h"

namespace depin::storage::proofs {
namespace {

using testing::HashOf;
using testing::PatternData;
using testing::ScratchDir;
using testing::TestInputs;

constexpr int kSectors = 12;

// Twelve sealed 2 KiB sectors shared by the suite.
class PoStTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    for (int i = 0; i < kSectors; ++i) {
      auto store = SectorStore::Open(dir_->Sub("s" + std::to_string(i)));
      ASSERT_TRUE(store.ok());
      stores_.push_back(std::make_unique<SectorStore>(std::move(*store)));
      Bytes data = PatternData(2048, static_cast<uint32_t>(100 + i));
      auto out = SealSector(TestInputs(SectorSize::Size2KiB(), data, /*sector_number=*/1000 + i),
                            *stores_.back());
      ASSERT_TRUE(out.ok()) << out.status().ToString();
      infos_.push_back(
          PoStSectorInfo{static_cast<uint64_t>(1000 + i), SectorSize::Size2KiB(), out->comm_r});
    }
  }
  static void TearDownTestSuite() {
    stores_.clear();
    infos_.clear();
    delete dir_;
  }

  static std::vector<const SectorStore*> Stores() {
    std::vector<const SectorStore*> out;
    for (auto& s : stores_) out.push_back(s.get());
    return out;
  }
  static PoStPublicInputs Inputs() { return PoStPublicInputs{HashOf(0xd0), infos_}; }
  static PoStProof Proof() {
    auto stores = Stores();
    PoStGeneration gen = GeneratePoSt(HashOf(0xd0), stores);
    EXPECT_TRUE(gen.faults.empty());
    return gen.proof;
  }

  static ScratchDir* dir_;
  static std::vector<std::unique_ptr<SectorStore>> stores_;
  static std::vector<PoStSectorInfo> infos_;
};
ScratchDir* PoStTest::dir_;
std::vector<std::unique_ptr<SectorStore>> PoStTest::stores_;
std::vector<PoStSectorInfo> PoStTest::infos_;

TEST_F(PoStTest, HonestProofOverManySectorsVerifies) {
  PoStProof proof = Proof();
  ASSERT_EQ(proof.sectors.size(), static_cast<size_t>(kSectors));
  EXPECT_EQ(proof.sectors[0].leaves.size(), ParamsFor(SectorSize::Size2KiB()).post_challenges);
  Status s = VerifyPoSt(Inputs(), proof);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(PoStTest, ChallengesDependOnRandomnessAndSector) {
  const SectorSize size = SectorSize::Size2KiB();
  auto a = PoStChallenges(HashOf(1), 5, size, 16);
  EXPECT_EQ(a, PoStChallenges(HashOf(1), 5, size, 16));
  EXPECT_NE(a, PoStChallenges(HashOf(2), 5, size, 16));
  EXPECT_NE(a, PoStChallenges(HashOf(1), 6, size, 16));
  for (uint64_t c : a) EXPECT_LT(c, size.nodes());
}

TEST_F(PoStTest, EncodingRoundTripsAndIsStrict) {
  PoStProof proof = Proof();
  Bytes enc = EncodePoStProof(proof);
  EXPECT_EQ(enc.size(), 5 + kSectors * PoStProofBytesPerSector(SectorSize::Size2KiB()));
  auto dec = DecodePoStProof(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, proof);

  EXPECT_EQ(DecodePoStProof({}).status().code(), "post-decode-truncated");
  EXPECT_EQ(DecodePoStProof(ByteSpan(enc.data(), enc.size() - 1)).status().code(),
            "post-decode-truncated");
  Bytes longer = enc;
  longer.push_back(1);
  EXPECT_EQ(DecodePoStProof(longer).status().code(), "post-decode-trailing-bytes");
  auto with = [&](size_t at, uint8_t value) {
    Bytes b = enc;
    b[at] = value;
    return DecodePoStProof(b).status().code();
  };
  EXPECT_EQ(with(0, 9), "post-decode-bad-version");
  EXPECT_EQ(with(1, 0xff), "post-decode-truncated");  // an absurd sector count
  EXPECT_EQ(with(4, kSectors + 1), "post-decode-truncated");
  EXPECT_EQ(with(4, kSectors - 1), "post-decode-trailing-bytes");
  EXPECT_EQ(with(5 + 8, 13), "post-decode-bad-sector-size");
  EXPECT_EQ(with(5 + 9, 5), "post-wrong-tree-height");
  EXPECT_EQ(with(5 + 11, 3), "post-decode-bad-challenge-count");
  // Empty proof (no sectors) round-trips.
  auto empty = DecodePoStProof(EncodePoStProof(PoStProof{}));
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->sectors.empty());
}

TEST_F(PoStTest, EveryFlippedByteIsRejected) {
  const Bytes enc = EncodePoStProof(Proof());
  const PoStPublicInputs inputs = Inputs();
  std::mt19937_64 rng(7);
  for (int trial = 0; trial < 600; ++trial) {
    Bytes bad = enc;
    size_t at = rng() % bad.size();
    bad[at] ^= static_cast<uint8_t>(1 + rng() % 255);
    auto dec = DecodePoStProof(bad);
    if (!dec.ok()) continue;
    EXPECT_FALSE(VerifyPoSt(inputs, *dec).ok()) << "byte " << at << " flipped and accepted";
  }
}

TEST_F(PoStTest, EachPartIsCheckedWithItsOwnReason) {
  const PoStPublicInputs inputs = Inputs();
  const PoStProof good = Proof();
  auto code = [&](auto mutate) {
    PoStProof p = good;
    mutate(p);
    return VerifyPoSt(inputs, p).code();
  };
  EXPECT_EQ(code([](PoStProof& p) { p.sectors[4].leaves[1][0] ^= 1; }), "post-bad-replica-path");
  EXPECT_EQ(code([](PoStProof& p) { p.sectors[4].paths[1].siblings[3][0] ^= 1; }),
            "post-bad-replica-path");
  EXPECT_EQ(code([](PoStProof& p) { p.sectors[2].comm_r_last[0] ^= 1; }), "post-bad-comm-r");
  EXPECT_EQ(code([](PoStProof& p) { p.sectors.pop_back(); }), "post-sector-count-mismatch");
  EXPECT_EQ(code([](PoStProof& p) { std::swap(p.sectors[0], p.sectors[1]); }), "post-wrong-sector");
  EXPECT_EQ(code([](PoStProof& p) { p.sectors[0].size = SectorSize::Size8MiB(); }),
            "post-wrong-sector-size");
  EXPECT_EQ(code([](PoStProof& p) { p.sectors[0].leaves.pop_back(); }),
            "post-wrong-challenge-count");
  EXPECT_EQ(code([](PoStProof& p) { p.sectors[0].paths[0].siblings.push_back(Hash256()); }),
            "post-wrong-tree-height");
  // A proof for other randomness opens other leaves.
  PoStPublicInputs other = inputs;
  other.randomness = HashOf(0xd1);
  EXPECT_EQ(VerifyPoSt(other, good).code(), "post-bad-replica-path");
  // The failing sector is named.
  PoStProof p = good;
  p.sectors[7].leaves[0][0] ^= 1;
  EXPECT_NE(VerifyPoSt(inputs, p).message().find("1007"), std::string::npos);
}

TEST(PoSt, MissingOrDamagedDataIsDetected) {
  ScratchDir dir;
  std::vector<std::unique_ptr<SectorStore>> stores;
  std::vector<PoStSectorInfo> infos;
  for (int i = 0; i < 6; ++i) {
    stores.push_back(std::make_unique<SectorStore>(*SectorStore::Open(dir.Sub(std::to_string(i)))));
    Bytes data = PatternData(2048, static_cast<uint32_t>(i));
    auto out = SealSector(TestInputs(SectorSize::Size2KiB(), data, i), *stores.back());
    ASSERT_TRUE(out.ok());
    infos.push_back({static_cast<uint64_t>(i), SectorSize::Size2KiB(), out->comm_r});
  }
  // Sector 1 lost the second half of its replica, sector 4 has every byte of
  // its replica damaged (so every challenge lands on bad data).
  ASSERT_TRUE(stores[1]->WriteFile(kReplicaFile, Bytes(1024, 0)).ok());
  Bytes damaged = *stores[4]->ReadFile(kReplicaFile);
  for (auto& b : damaged) b ^= 0x5a;
  ASSERT_TRUE(stores[4]->WriteFile(kReplicaFile, damaged).ok());

  std::vector<const SectorStore*> ptrs;
  for (auto& s : stores) ptrs.push_back(s.get());
  // Randomness picked so that sector 1 has a challenge in its lost half.
  Hash256 randomness;
  for (uint8_t r = 0;; ++r) {
    randomness = HashOf(r);
    auto leaves = PoStChallenges(randomness, 1, SectorSize::Size2KiB(), 4);
    if (std::any_of(leaves.begin(), leaves.end(), [](uint64_t l) { return l >= 32; })) break;
  }
  PoStGeneration gen = GeneratePoSt(randomness, ptrs);
  ASSERT_EQ(gen.faults.size(), 2u);
  EXPECT_EQ(gen.faults[0].sector_number, 1u);
  EXPECT_EQ(gen.faults[1].sector_number, 4u);
  EXPECT_EQ(gen.faults[0].reason.code(), "post-sector-faulty");
  ASSERT_EQ(gen.proof.sectors.size(), 4u);

  // The healthy sectors prove; claiming the faulty ones fails.
  PoStPublicInputs healthy{randomness, {infos[0], infos[2], infos[3], infos[5]}};
  EXPECT_TRUE(VerifyPoSt(healthy, gen.proof).ok());
  // A provider that hides the loss by answering with what it still has
  // (damaged leaves, stored paths) is rejected.
  PoStSectorProof forged;
  forged.sector_number = 4;
  forged.size = SectorSize::Size2KiB();
  auto meta = *stores[4]->ReadMeta();
  forged.comm_c = meta.comm_c;
  forged.comm_r_last = meta.comm_r_last;
  for (uint64_t leaf : PoStChallenges(randomness, 4, SectorSize::Size2KiB(), 4)) {
    forged.leaves.push_back(*stores[4]->ReadNode(kReplicaFile, leaf));
    forged.paths.push_back(*stores[4]->ReadPath(kReplicaFile, kTreeRFile, 64, leaf));
  }
  PoStProof with_forgery = gen.proof;
  with_forgery.sectors.push_back(forged);
  PoStPublicInputs claimed{randomness, healthy.sectors};
  claimed.sectors.push_back(infos[4]);
  EXPECT_EQ(VerifyPoSt(claimed, with_forgery).code(), "post-bad-replica-path");
}

}  // namespace
}  // namespace depin::storage::proofs
