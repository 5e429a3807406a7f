#include "storage/proofs/porep.h"

#include <gtest/gtest.h>

#include <random>

#include "crypto/sha256.h"
#include "proofs_test_util.h"
#include "storage/proofs/batch_verifier.h"
#include "storage/proofs/labels.h"
#include "storage/proofs/merkle_tree.h"
#include "storage/proofs/post.h"
#include "storage/proofs/seal.h"

namespace depin::storage::proofs {
namespace {

using testing::HashOf;
using testing::PatternData;
using testing::ScratchDir;
using testing::TestInputs;

// One 2 KiB sector sealed once for the whole suite.
class PoRepTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ScratchDir();
    store_ = new SectorStore(*SectorStore::Open(dir_->Sub("sector")));
    data_ = new Bytes(PatternData(2048, 1));
    auto out = SealSector(TestInputs(SectorSize::Size2KiB(), *data_), *store_);
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    output_ = new SealOutput(*out);
  }
  static void TearDownTestSuite() {
    delete output_;
    delete data_;
    delete store_;
    delete dir_;
  }

  static PoRepPublicInputs Inputs(const Hash256& seed = HashOf(0x5e)) {
    return PoRepPublicInputs{SectorSize::Size2KiB(), output_->replica_id, seed, output_->comm_d,
                             output_->comm_r};
  }
  static PoRepProof Proof(const Hash256& seed = HashOf(0x5e)) {
    auto p = GeneratePoRep(*store_, seed, /*partition=*/0);
    EXPECT_TRUE(p.ok()) << p.status().ToString();
    return *p;
  }

  static ScratchDir* dir_;
  static SectorStore* store_;
  static Bytes* data_;
  static SealOutput* output_;
};
ScratchDir* PoRepTest::dir_;
SectorStore* PoRepTest::store_;
Bytes* PoRepTest::data_;
SealOutput* PoRepTest::output_;

TEST_F(PoRepTest, HonestProofVerifies) {
  PoRepProof proof = Proof();
  EXPECT_EQ(proof.challenges.size(),
            PoRepChallengesPerPartition(ParamsFor(SectorSize::Size2KiB())));
  Status s = VerifyPoRep(Inputs(), proof);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

TEST_F(PoRepTest, ChallengesAreDeterministicAndNeverNodeZero) {
  const SectorSize size = SectorSize::Size2KiB();
  EXPECT_EQ(PoRepChallenges(HashOf(1), HashOf(2), size, 0, 10),
            PoRepChallenges(HashOf(1), HashOf(2), size, 0, 10));
  EXPECT_NE(PoRepChallenges(HashOf(1), HashOf(2), size, 0, 10),
            PoRepChallenges(HashOf(1), HashOf(3), size, 0, 10));
  std::vector<int> hits(size.nodes());
  for (uint8_t s = 0; s < 200; ++s) {
    for (uint64_t c : PoRepChallenges(HashOf(9), HashOf(s), size, 0, 20)) {
      ASSERT_GE(c, 1u);
      ASSERT_LT(c, size.nodes());
      ++hits[c];
    }
  }
  EXPECT_EQ(hits[0], 0);
  for (uint64_t v = 1; v < size.nodes(); ++v) EXPECT_GT(hits[v], 0) << v;
}

TEST_F(PoRepTest, PartitionsSplitTheChallengesAndAreProvenSeparately) {
  const ProofParams params = ParamsFor(SectorSize::Size2KiB());
  std::vector<uint64_t> joined;
  for (uint32_t p = 0; p < params.porep_partitions; ++p) {
    auto part =
        PoRepPartitionChallenges(output_->replica_id, HashOf(0x5e), SectorSize::Size2KiB(), p);
    joined.insert(joined.end(), part.begin(), part.end());
    PoRepPublicInputs in = Inputs();
    in.partition = p;
    auto proof = GeneratePoRep(*store_, in.seed, p);
    ASSERT_TRUE(proof.ok());
    EXPECT_TRUE(VerifyPoRep(in, *proof).ok()) << p;
    in.partition = (p + 1) % params.porep_partitions;
    EXPECT_EQ(VerifyPoRep(in, *proof).code(), "porep-wrong-partition");
    // Relabeling the proof's partition does not make its challenges fit.
    proof->partition = in.partition;
    EXPECT_EQ(VerifyPoRep(in, *proof).code(), "porep-wrong-challenge");
  }
  EXPECT_EQ(joined, PoRepChallenges(output_->replica_id, HashOf(0x5e), SectorSize::Size2KiB(), 0,
                                    params.porep_challenges));
  EXPECT_EQ(GeneratePoRep(*store_, HashOf(0x5e), params.porep_partitions).status().code(),
            "porep-bad-partition");
  PoRepPublicInputs beyond = Inputs();
  beyond.partition = params.porep_partitions;
  EXPECT_EQ(VerifyPoRep(beyond, Proof()).code(), "porep-wrong-partition");
}

TEST_F(PoRepTest, EncodingRoundTripsAtTheAdvertisedSize) {
  PoRepProof proof = Proof();
  Bytes enc = EncodePoRepProof(proof);
  EXPECT_EQ(enc.size(), PoRepProofBytes(SectorSize::Size2KiB()));
  auto dec = DecodePoRepProof(enc);
  ASSERT_TRUE(dec.ok()) << dec.status().ToString();
  EXPECT_EQ(*dec, proof);
}

TEST_F(PoRepTest, DecodingIsStrict) {
  Bytes enc = EncodePoRepProof(Proof());
  EXPECT_EQ(DecodePoRepProof({}).status().code(), "porep-decode-truncated");
  EXPECT_EQ(DecodePoRepProof(ByteSpan(enc.data(), enc.size() - 1)).status().code(),
            "porep-decode-truncated");
  EXPECT_EQ(DecodePoRepProof(ByteSpan(enc.data(), 5)).status().code(), "porep-decode-truncated");
  Bytes longer = enc;
  longer.push_back(0);
  EXPECT_EQ(DecodePoRepProof(longer).status().code(), "porep-decode-trailing-bytes");
  auto with = [&](size_t at, uint8_t value) {
    Bytes b = enc;
    b[at] = value;
    return DecodePoRepProof(b).status().code();
  };
  EXPECT_EQ(with(0, 2), "porep-decode-bad-version");
  EXPECT_EQ(with(1, 12), "porep-decode-bad-sector-size");
  EXPECT_EQ(with(2, 3), "porep-decode-bad-layers");
  EXPECT_EQ(with(3, 7), "porep-wrong-tree-height");
  EXPECT_EQ(with(4, 2), "porep-decode-bad-partition");
  EXPECT_EQ(with(6, 9), "porep-decode-bad-challenge-count");
  // The 8 MiB size has the same layer count but a taller tree.
  EXPECT_EQ(with(1, 23), "porep-wrong-tree-height");
}

TEST_F(PoRepTest, EveryFlippedByteIsRejected) {
  // Property: mutate real proofs at random positions; every mutant fails to
  // decode or fails verification.
  const PoRepPublicInputs inputs = Inputs();
  const Bytes enc = EncodePoRepProof(Proof());
  std::mt19937_64 rng(42);
  for (int trial = 0; trial < 400; ++trial) {
    Bytes bad = enc;
    size_t at = rng() % bad.size();
    bad[at] ^= static_cast<uint8_t>(1 + rng() % 255);
    auto dec = DecodePoRepProof(bad);
    if (!dec.ok()) continue;
    Status s = VerifyPoRep(inputs, *dec);
    EXPECT_FALSE(s.ok()) << "byte " << at << " flipped and accepted";
  }
  // And every byte of the first challenge, exhaustively.
  for (size_t at = 0;
       at < enc.size() / PoRepChallengesPerPartition(ParamsFor(SectorSize::Size2KiB())); ++at) {
    Bytes bad = enc;
    bad[at] ^= 0x80;
    auto dec = DecodePoRepProof(bad);
    if (dec.ok()) {
      EXPECT_FALSE(VerifyPoRep(inputs, *dec).ok()) << at;
    }
  }
}

TEST_F(PoRepTest, EachPartIsCheckedWithItsOwnReason) {
  const PoRepPublicInputs inputs = Inputs();
  const PoRepProof good = Proof();
  auto code = [&](auto mutate) {
    PoRepProof p = good;
    mutate(p);
    return VerifyPoRep(inputs, p).code();
  };
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[3].data_leaf[0] ^= 1; }), "porep-bad-encoding");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[3].data_path.siblings[2][0] ^= 1; }),
            "porep-bad-data-path");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[1].replica_path.siblings[0][5] ^= 1; }),
            "porep-bad-replica-path");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[0].columns[9].path.siblings[4][0] ^= 1; }),
            "porep-bad-column-path");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[0].columns[0].labels[0][0] ^= 1; }),
            "porep-bad-column-path");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[2].node ^= 1; }), "porep-wrong-challenge");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges.pop_back(); }), "porep-wrong-challenge-count");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[0].replica_path.siblings.pop_back(); }),
            "porep-wrong-tree-height");
  EXPECT_EQ(code([](PoRepProof& p) { p.challenges[0].columns[4].labels.pop_back(); }),
            "porep-wrong-layer-count");
  EXPECT_EQ(code([](PoRepProof& p) { p.layers = 3; }), "porep-wrong-layer-count");
  EXPECT_EQ(code([](PoRepProof& p) { p.size = SectorSize::Size8MiB(); }),
            "porep-wrong-sector-size");
  EXPECT_EQ(code([](PoRepProof& p) { p.comm_c[0] ^= 1; }), "porep-bad-comm-r");
}

TEST_F(PoRepTest, WrongPublicInputsAreRejected) {
  const PoRepProof proof = Proof();
  PoRepPublicInputs in = Inputs();
  in.seed = HashOf(0x5f);
  EXPECT_EQ(VerifyPoRep(in, proof).code(), "porep-wrong-challenge");
  in = Inputs();
  in.comm_d[0] ^= 1;
  EXPECT_EQ(VerifyPoRep(in, proof).code(), "porep-bad-data-path");
  in = Inputs();
  in.comm_r[0] ^= 1;
  EXPECT_EQ(VerifyPoRep(in, proof).code(), "porep-bad-comm-r");
}

TEST_F(PoRepTest, ReplicaSealedUnderAnotherReplicaIdIsRejected) {
  // A provider that sealed under another sector number (so another replica
  // id) cannot pass off that replica: the labels do not recompute.
  ScratchDir dir;
  SectorStore other = *SectorStore::Open(dir.Sub("other"));
  auto out = SealSector(TestInputs(SectorSize::Size2KiB(), *data_, /*sector_number=*/8), other);
  ASSERT_TRUE(out.ok());
  PoRepPublicInputs in = Inputs();
  in.comm_r = out->comm_r;
  // The challenges follow the claimed replica id, so the cheater opens
  // those nodes of its own replica.
  auto proof = GeneratePoRep(other, in.seed, 0);
  ASSERT_TRUE(proof.ok());
  const auto claimed = PoRepPartitionChallenges(in.replica_id, in.seed, in.size, 0);
  EXPECT_EQ(VerifyPoRep(in, *proof).code(), "porep-wrong-challenge");
  // Even with the nodes relabeled to the expected challenges the openings of
  // the other replica do not verify.
  for (size_t j = 0; j < claimed.size(); ++j) proof->challenges[j].node = claimed[j];
  EXPECT_FALSE(VerifyPoRep(in, *proof).ok());
}

TEST_F(PoRepTest, LabelsThatDoNotFollowFromTheirParentsAreRejected) {
  // A cheater skips the work of layer 1 (random labels) but commits to what
  // it stored honestly: columns, tree_c and CommR all match its files, and
  // the replica still encodes the data under the last layer. Only recomputing
  // the labels catches it.
  ScratchDir dir;
  SectorStore store = *SectorStore::Open(dir.Sub("cheat"));
  ASSERT_TRUE(SealSector(TestInputs(SectorSize::Size2KiB(), *data_), store).ok());
  Bytes fake_layer1 = PatternData(2048, 77);
  ASSERT_TRUE(store.WriteFile(LayerFileName(1), fake_layer1).ok());
  Bytes layer2 = *store.ReadFile(LayerFileName(2));
  const uint8_t* layers[] = {fake_layer1.data(), layer2.data()};
  Bytes columns(2048);
  ColumnHashes(layers, 2, 0, 64, columns.data());
  Bytes tree_c = BuildTreeLevels(columns, 1);
  ASSERT_TRUE(store.WriteFile(kColumnsFile, columns).ok());
  ASSERT_TRUE(store.WriteFile(kTreeCFile, tree_c).ok());
  SectorMeta meta = *store.ReadMeta();
  meta.comm_c = RootOfLevels(tree_c);
  meta.comm_r = crypto::Sha256Pair(meta.comm_c, meta.comm_r_last);
  ASSERT_TRUE(store.WriteMeta(meta).ok());

  PoRepPublicInputs in = Inputs();
  in.comm_r = meta.comm_r;
  auto proof = GeneratePoRep(store, in.seed, 0);
  ASSERT_TRUE(proof.ok());
  EXPECT_EQ(VerifyPoRep(in, *proof).code(), "porep-bad-label");
}

TEST_F(PoRepTest, NeedsTheSealingFiles) {
  ScratchDir dir;
  SectorStore store = *SectorStore::Open(dir.Sub("s"));
  ASSERT_TRUE(SealSector(TestInputs(SectorSize::Size2KiB(), *data_), store).ok());
  ASSERT_TRUE(store.RemoveSealingFiles().ok());
  EXPECT_EQ(GeneratePoRep(store, HashOf(1), 0).status().code(), "porep-sealing-files-removed");
  SectorStore empty = *SectorStore::Open(dir.Sub("empty"));
  EXPECT_EQ(GeneratePoRep(empty, HashOf(1), 0).status().code(), "store-no-meta");
}

// The full flow at the regtest size: seal, prove, verify, unseal.
TEST(PoRep8MiB, SealProveVerifyUnseal) {
  ScratchDir dir;
  SectorStore store = *SectorStore::Open(dir.Sub("s"));
  const SectorSize size = SectorSize::Size8MiB();
  Bytes data = PatternData(size.bytes() - 12345, 2);
  auto out = SealSector(TestInputs(size, data), store);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  PoRepPublicInputs in{size, out->replica_id, HashOf(0x77), out->comm_d, out->comm_r};
  for (uint32_t partition = 0; partition < ParamsFor(size).porep_partitions; ++partition) {
    in.partition = partition;
    auto proof = GeneratePoRep(store, in.seed, partition);
    ASSERT_TRUE(proof.ok()) << proof.status().ToString();
    Bytes enc = EncodePoRepProof(*proof);
    EXPECT_EQ(enc.size(), PoRepProofBytes(size));
    auto dec = DecodePoRepProof(enc);
    ASSERT_TRUE(dec.ok());
    Status s = VerifyPoRep(in, *dec);
    EXPECT_TRUE(s.ok()) << s.ToString();
    dec->challenges[5].columns[12].labels[0][31] ^= 1;
    EXPECT_FALSE(VerifyPoRep(in, *dec).ok());
  }

  // One batch mixing sizes (paths of height 18 and 6 climb together) and
  // kinds: each verdict stands on its own.
  SectorStore small = *SectorStore::Open(dir.Sub("small"));
  Bytes small_data = PatternData(2048, 3);
  auto small_out = SealSector(TestInputs(SectorSize::Size2KiB(), small_data, 9), small);
  ASSERT_TRUE(small_out.ok());
  PoRepPublicInputs small_in{SectorSize::Size2KiB(), small_out->replica_id, in.seed,
                             small_out->comm_d, small_out->comm_r};
  PoRepProof small_proof = *GeneratePoRep(small, in.seed, 0);
  PoRepProof small_bad = small_proof;
  small_bad.challenges[1].data_path.siblings[5][0] ^= 1;
  in.partition = 1;
  const SectorStore* both[] = {&store, &small};
  PoStPublicInputs post_in{
      HashOf(0x99), {{7, size, out->comm_r}, {9, SectorSize::Size2KiB(), small_out->comm_r}}};
  PoStGeneration post = GeneratePoSt(post_in.randomness, both);
  ASSERT_TRUE(post.faults.empty());
  BatchVerifier batch(BatchVerifierOptions{/*threads=*/2});
  batch.AddPoRep(small_in, small_bad);
  batch.AddPoRep(in, *GeneratePoRep(store, in.seed, 1));
  batch.AddPoSt(post_in, post.proof);
  batch.AddPoRep(small_in, small_proof);
  std::vector<Status> verdicts = batch.Verify();
  ASSERT_EQ(verdicts.size(), 4u);
  EXPECT_EQ(verdicts[0].code(), "porep-bad-data-path");
  EXPECT_TRUE(verdicts[1].ok()) << verdicts[1].ToString();
  EXPECT_TRUE(verdicts[2].ok()) << verdicts[2].ToString();
  EXPECT_TRUE(verdicts[3].ok()) << verdicts[3].ToString();

  auto unsealed = UnsealSector(store);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
  EXPECT_TRUE(std::equal(data.begin(), data.end(), unsealed->begin()));
  EXPECT_TRUE(std::all_of(unsealed->begin() + data.size(), unsealed->end(),
                          [](uint8_t b) { return b == 0; }));
}

}  // namespace
}  // namespace depin::storage::proofs

namespace depin::storage::proofs {
namespace {

TEST(PoRepPublicInputs, RoundTripAndStrictDecoding) {
  PoRepPublicInputs in;
  in.size = SectorSize::Size8MiB();
  in.replica_id[0] = 1;
  in.seed[1] = 2;
  in.comm_d[2] = 3;
  in.comm_r[3] = 4;
  in.partition = 1;
  const Bytes enc = EncodePoRepPublicInputs(in);
  EXPECT_EQ(enc.size(), 2u + 4 * 32 + 4);
  auto out = DecodePoRepPublicInputs(enc);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(*out, in);
  Bytes truncated(enc.begin(), enc.end() - 1);
  EXPECT_EQ(DecodePoRepPublicInputs(truncated).status().code(), "porep-inputs-decode-truncated");
  Bytes trailing = enc;
  trailing.push_back(0);
  EXPECT_EQ(DecodePoRepPublicInputs(trailing).status().code(),
            "porep-inputs-decode-trailing-bytes");
  Bytes version = enc;
  version[0] = 2;
  EXPECT_EQ(DecodePoRepPublicInputs(version).status().code(), "porep-inputs-decode-bad-version");
  Bytes size = enc;
  size[1] = 24;
  EXPECT_EQ(DecodePoRepPublicInputs(size).status().code(), "porep-inputs-decode-bad-sector-size");
  EXPECT_EQ(DecodePoRepPublicInputs({}).status().code(), "porep-inputs-decode-truncated");
}

}  // namespace
}  // namespace depin::storage::proofs
