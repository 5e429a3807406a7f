#include "storage/proofs/seal.h"

#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <functional>
#include <iterator>

#include "crypto/sha256.h"
#include "proofs_test_util.h"
#include "storage/proofs/comm_d.h"
#include "storage/proofs/merkle_tree.h"

namespace depin::storage::proofs {
namespace {

using testing::OverwriteFile;
using testing::PatternData;
using testing::ReadWholeFile;
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

// The files of a sealed store that hold sealing results.
std::vector<std::string> ResultFiles(uint32_t layers) {
  std::vector<std::string> names = {kReplicaFile, kTreeRFile, kColumnsFile, kTreeCFile};
  for (uint32_t l = 1; l <= layers; ++l) names.push_back(LayerFileName(l));
  return names;
}

Result<SealOutput> SealWithCacheDir(const SealInputs& in, const std::string& store_dir,
                                    const std::string& cache_dir) {
  SectorStore store = OpenStore(store_dir);
  SealOptions options;
  options.parent_cache_dir = cache_dir;
  return SealSector(in, store, options);
}

std::string ParentCachePath(const std::string& dir, SectorSize size) {
  return dir + "/" + ParentCacheFileName(StackedGraph(size));
}

TEST(Seal, FileBackedParentCacheGivesABitIdenticalSeal) {
  for (SectorSize size : {SectorSize::Size2KiB(), SectorSize::Size8MiB()}) {
    SCOPED_TRACE(size.ToString());
    ScratchDir dir;
    const Bytes data = PatternData(size.bytes() - 100, 3);
    const SealInputs in = TestInputs(size, data);
    auto memory = SealWithCacheDir(in, dir.Sub("memory"), "");
    ASSERT_TRUE(memory.ok()) << memory.status().ToString();
    auto mapped = SealWithCacheDir(in, dir.Sub("mapped"), dir.Sub("parents"));
    ASSERT_TRUE(mapped.ok()) << mapped.status().ToString();
    ASSERT_TRUE(std::filesystem::exists(ParentCachePath(dir.Sub("parents"), size)));
    EXPECT_EQ(mapped->comm_r, memory->comm_r);
    EXPECT_EQ(mapped->comm_c, memory->comm_c);
    EXPECT_EQ(mapped->comm_r_last, memory->comm_r_last);
    EXPECT_EQ(*mapped, *memory);
    for (const std::string& name : ResultFiles(ParamsFor(size).layers)) {
      EXPECT_EQ(ReadWholeFile(dir.Sub("mapped/" + name)), ReadWholeFile(dir.Sub("memory/" + name)))
          << name;
    }
    Bytes padded(size.bytes(), 0);
    std::copy(data.begin(), data.end(), padded.begin());
    auto unsealed = UnsealSector(OpenStore(dir.Sub("mapped")), /*threads=*/2, dir.Sub("parents"));
    ASSERT_TRUE(unsealed.ok()) << unsealed.status().ToString();
    EXPECT_EQ(*unsealed, padded);
  }
}

TEST(Seal, SecondSealReusesTheParentCacheFile) {
  ScratchDir dir;
  const SectorSize size = SectorSize::Size2KiB();
  const Bytes data_a = PatternData(2048, 1), data_b = PatternData(1500, 2);
  ASSERT_TRUE(SealWithCacheDir(TestInputs(size, data_a, 7), dir.Sub("a"), dir.Sub("parents")).ok());
  const std::string path = ParentCachePath(dir.Sub("parents"), size);
  struct stat before, after;
  ASSERT_EQ(::stat(path.c_str(), &before), 0);
  auto b = SealWithCacheDir(TestInputs(size, data_b, 8), dir.Sub("b"), dir.Sub("parents"));
  ASSERT_TRUE(b.ok()) << b.status().ToString();
  ASSERT_EQ(::stat(path.c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.Sub("parents")),
                          std::filesystem::directory_iterator()),
            2);  // the cache and its lock file
  EXPECT_EQ(*b, *SealWithCacheDir(TestInputs(size, data_b, 8), dir.Sub("b-memory"), ""));
}

TEST(Seal, DamagedParentCacheIsRegeneratedAndTheSealStaysCorrect) {
  const SectorSize size = SectorSize::Size2KiB();
  const Bytes data = PatternData(2048, 6);
  const SealInputs in = TestInputs(size, data);
  ScratchDir reference_dir;
  auto reference = SealWithCacheDir(in, reference_dir.Sub("s"), "");
  ASSERT_TRUE(reference.ok());
  const std::vector<std::pair<std::string, std::function<void(Bytes&)>>> damages = {
      {"flipped parent bit",
       [](Bytes& f) { f[kParentCacheHeaderSize + 37 * kParentCount * 4 + 12] ^= 1; }},
      {"truncated", [](Bytes& f) { f.erase(f.end() - 56, f.end()); }},
      {"wrong magic", [](Bytes& f) { f[0] ^= 0xff; }},
      {"wrong sector bytes", [](Bytes& f) { WriteBE64(&f[24], 4096); }},
  };
  for (const auto& [what, damage] : damages) {
    SCOPED_TRACE(what);
    ScratchDir dir;
    ASSERT_TRUE(SealWithCacheDir(in, dir.Sub("first"), dir.Sub("parents")).ok());
    const std::string path = ParentCachePath(dir.Sub("parents"), size);
    Bytes file = ReadWholeFile(path);
    damage(file);
    OverwriteFile(path, file);
    struct stat damaged, after;
    ASSERT_EQ(::stat(path.c_str(), &damaged), 0);

    auto out = SealWithCacheDir(in, dir.Sub("second"), dir.Sub("parents"));
    ASSERT_TRUE(out.ok()) << out.status().ToString();
    EXPECT_EQ(*out, *reference);
    EXPECT_EQ(ReadWholeFile(dir.Sub("second/replica")),
              ReadWholeFile(reference_dir.Sub("s/replica")));
    // Replaced by a new file (renamed into place), which is valid.
    ASSERT_EQ(::stat(path.c_str(), &after), 0);
    EXPECT_NE(after.st_ino, damaged.st_ino);
    auto reopened = ParentCache::OpenFileBacked(StackedGraph(size), dir.Sub("parents"), 1);
    ASSERT_TRUE(reopened.ok());
    EXPECT_FALSE(reopened->generated());
  }
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
