#include "storage/proofs/seal.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "crypto/sha256.h"
#include "proofs_test_util.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/merkle_tree.h"

namespace depin::storage::proofs {
namespace {

using testing::PatternData;
using testing::ScratchDir;
using testing::TestInputs;

SectorStore OpenStore(const std::string& dir) {
  auto s = SectorStore::Open(dir);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(*s);
}

TEST(Seal, CommitmentsTieTogetherAndUnsealRecoversTheData) {
  ScratchDir dir;
  SectorStore store = OpenStore(dir.Sub("s"));
  Bytes data = PatternData(2000);
  auto out = SealSector(TestInputs(SectorSize::Size2KiB(), data), store);
  ASSERT_TRUE(out.ok()) << out.status().ToString();
  EXPECT_EQ(out->comm_d, *CommD(data, SectorSize::Size2KiB()));
  EXPECT_EQ(out->comm_r, crypto::Sha256Pair(out->comm_c, out->comm_r_last));
  EXPECT_EQ(out->replica_id, ReplicaId(TestInputs(SectorSize::Size2KiB(), data).provider, 7,
                                       testing::HashOf(0x11), out->comm_d, SectorSize::Size2KiB()));
  // The replica is not the data, and CommRLast is its tree root.
  auto replica = store.ReadFile(kReplicaFile);
  ASSERT_TRUE(replica.ok());
  Bytes padded(2048, 0);
  std::copy(data.begin(), data.end(), padded.begin());
  EXPECT_NE(*replica, padded);
  EXPECT_EQ(RootOfLevels(BuildTreeLevels(*replica, 1)), out->comm_r_last);

  auto unsealed = UnsealSector(store);
  ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
  EXPECT_EQ(*unsealed, padded);
  auto copy = ReadUnsealedCopy(store);
  ASSERT_TRUE(copy.ok());
  EXPECT_EQ(*copy, padded);
  EXPECT_EQ(*SealOutputOf(store), *out);
}

TEST(Seal, ReplicaDependsOnEveryReplicaIdInput) {
  ScratchDir dir;
  Bytes data = PatternData(2048);
  SealInputs base = TestInputs(SectorSize::Size2KiB(), data);
  SealInputs other_number = base, other_ticket = base, other_provider = base;
  other_number.sector_number = 8;
  other_ticket.ticket = testing::HashOf(0x12);
  other_provider.provider[19] ^= 1;
  std::vector<Hash256> comm_rs;
  int i = 0;
  for (const SealInputs& in : {base, other_number, other_ticket, other_provider}) {
    SectorStore store = OpenStore(dir.Sub("s" + std::to_string(i++)));
    auto out = SealSector(in, store);
    ASSERT_TRUE(out.ok());
    for (const Hash256& seen : comm_rs) EXPECT_NE(out->comm_r, seen);
    comm_rs.push_back(out->comm_r);
  }
}

TEST(Seal, ResumesFromTheLastCheckpointedLayer) {
  ScratchDir dir;
  Bytes data = PatternData(2048, 5);
  SealInputs in = TestInputs(SectorSize::Size2KiB(), data);

  SectorStore fresh = OpenStore(dir.Sub("fresh"));
  auto expected = SealSector(in, fresh);
  ASSERT_TRUE(expected.ok());

  // Stop right after layer 1 is checkpointed, as a crash would.
  SectorStore store = OpenStore(dir.Sub("crash"));
  SealOptions stop;
  stop.progress = [](const SealProgress& p) {
    return !(p.stage == SealStage::kLabeling && p.layer == 1);
  };
  auto stopped = SealSector(in, store, stop);
  EXPECT_EQ(stopped.status().code(), "seal-cancelled");
  auto meta = store.ReadMeta();
  ASSERT_TRUE(meta.ok());
  EXPECT_EQ(meta->layers_done, 1u);
  EXPECT_FALSE(meta->sealed);

  std::vector<SealProgress> seen;
  SealOptions watch;
  watch.progress = [&](const SealProgress& p) {
    seen.push_back(p);
    return true;
  };
  auto resumed = SealSector(in, store, watch);
  ASSERT_TRUE(resumed.ok()) << resumed.status().ToString();
  EXPECT_EQ(*resumed, *expected);
  size_t computed = 0, loaded = 0;
  for (const SealProgress& p : seen) {
    if (p.stage == SealStage::kLabeling && p.layer > 0) (p.resumed ? loaded : computed)++;
  }
  EXPECT_EQ(loaded, 1u);
  EXPECT_EQ(computed, 1u);
  EXPECT_EQ(seen.back().stage, SealStage::kDone);

  // Sealing a finished store again just reports its commitments.
  auto again = SealSector(in, store);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(*again, *expected);
}

TEST(Seal, RefusesOversizedDataAndAStoreHoldingAnotherSector) {
  ScratchDir dir;
  SectorStore store = OpenStore(dir.Sub("s"));
  Bytes big(2049, 1);
  EXPECT_EQ(SealSector(TestInputs(SectorSize::Size2KiB(), big), store).status().code(),
            "seal-data-too-large");
  Bytes data = PatternData(100);
  ASSERT_TRUE(SealSector(TestInputs(SectorSize::Size2KiB(), data), store).ok());
  Bytes other = PatternData(100, 9);
  EXPECT_EQ(SealSector(TestInputs(SectorSize::Size2KiB(), other), store).status().code(),
            "seal-store-in-use");
}

TEST(Seal, UnsealDetectsADamagedReplica) {
  ScratchDir dir;
  SectorStore store = OpenStore(dir.Sub("s"));
  Bytes data = PatternData(2048);
  ASSERT_TRUE(SealSector(TestInputs(SectorSize::Size2KiB(), data), store).ok());
  auto replica = store.ReadFile(kReplicaFile);
  (*replica)[1000] ^= 0x40;
  ASSERT_TRUE(store.WriteFile(kReplicaFile, *replica).ok());
  EXPECT_EQ(UnsealSector(store).status().code(), "unseal-bad-comm-d");

  auto unsealed = store.ReadFile(kUnsealedFile);
  (*unsealed)[5] ^= 1;
  ASSERT_TRUE(store.WriteFile(kUnsealedFile, *unsealed).ok());
  EXPECT_EQ(ReadUnsealedCopy(store).status().code(), "unseal-bad-comm-d");

  ASSERT_TRUE(store.WriteFile(kReplicaFile, Bytes(100)).ok());
  EXPECT_EQ(UnsealSector(store).status().code(), "unseal-bad-replica");
}

TEST(SectorStore, MetaRoundTripsAndCorruptionIsDetected) {
  ScratchDir dir;
  SectorStore store = OpenStore(dir.Sub("s"));
  EXPECT_EQ(store.ReadMeta().status().code(), "store-no-meta");
  SectorMeta m;
  m.size = SectorSize::Size8MiB();
  m.layers = 2;
  m.provider.bytes.fill(3);
  m.sector_number = 99;
  m.ticket = testing::HashOf(1);
  m.comm_d = testing::HashOf(2);
  m.replica_id = testing::HashOf(3);
  m.layers_done = 2;
  m.sealed = true;
  m.comm_c = testing::HashOf(4);
  m.comm_r_last = testing::HashOf(5);
  m.comm_r = testing::HashOf(6);
  ASSERT_TRUE(store.WriteMeta(m).ok());
  auto back = store.ReadMeta();
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, m);

  auto raw = store.ReadFile("meta");
  for (size_t i : {size_t{0}, size_t{20}, raw->size() - 1}) {
    Bytes bad = *raw;
    bad[i] ^= 1;
    ASSERT_TRUE(store.WriteFile("meta", bad).ok());
    EXPECT_EQ(store.ReadMeta().status().code(), "store-corrupt-meta") << i;
  }
  ASSERT_TRUE(store.WriteFile("meta", ByteSpan(raw->data(), 10)).ok());
  EXPECT_EQ(store.ReadMeta().status().code(), "store-corrupt-meta");
}

TEST(SectorStore, ShortReadsAndMissingFilesAreErrors) {
  ScratchDir dir;
  SectorStore store = OpenStore(dir.Sub("s"));
  ASSERT_TRUE(store.WriteFile("f", Bytes(40, 1)).ok());
  EXPECT_TRUE(store.ReadNode("f", 0).ok());
  EXPECT_EQ(store.ReadNode("f", 1).status().code(), "store-short-read");
  EXPECT_EQ(store.ReadNode("absent", 0).status().code(), "store-io-error");
  EXPECT_EQ(SectorStore::Open(dir.Sub("s/f")).status().code(), "store-io-error");
}

}  // namespace
}  // namespace depin::storage::proofs
