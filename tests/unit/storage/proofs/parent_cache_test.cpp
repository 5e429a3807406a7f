#include "storage/proofs/parent_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <functional>
#include <set>
#include <thread>
#include <vector>

#include "proofs_test_util.h"

namespace depin::storage::proofs {
namespace {

using testing::OverwriteFile;
using testing::ReadWholeFile;
using testing::ScratchDir;

constexpr size_t kNodeBytes = kParentCount * sizeof(uint32_t);

std::string CachePath(const std::string& dir, SectorSize size) {
  return dir + "/" + ParentCacheFileName(StackedGraph(size));
}

std::set<std::string> FilesIn(const std::string& dir) {
  std::set<std::string> names;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    names.insert(e.path().filename().string());
  }
  return names;
}

// Every parent of `cache` equals the in-memory cache of the same graph.
void ExpectSameParents(const ParentCache& cache, const StackedGraph& graph) {
  const ParentCache memory(graph, 2);
  ASSERT_EQ(cache.nodes(), memory.nodes());
  EXPECT_TRUE(std::equal(cache.Parents(0), cache.Parents(0) + cache.nodes() * kParentCount,
                         memory.Parents(0)));
}

ParentCache Open(const StackedGraph& graph, const std::string& dir, Logger* logger = nullptr) {
  auto cache = ParentCache::OpenFileBacked(graph, dir, 2, logger);
  EXPECT_TRUE(cache.ok()) << cache.status().ToString();
  return std::move(*cache);
}

TEST(ParentCache, InMemoryAgreesWithSingleNodesAndRanges) {
  const StackedGraph graph(SectorSize::Size2KiB());
  const ParentCache cache(graph, 3);
  EXPECT_FALSE(cache.file_backed());
  std::vector<uint32_t> range(graph.nodes() * kParentCount);
  graph.ParentsRange(0, graph.nodes(), range.data());
  for (uint64_t v = 0; v < graph.nodes(); ++v) {
    NodeParents p = graph.Parents(v);
    for (size_t k = 0; k < kParentCount; ++k) {
      EXPECT_EQ(cache.Parents(v)[k], p[k]);
      EXPECT_EQ(range[v * kParentCount + k], p[k]);
    }
  }
}

TEST(ParentCache, FileBackedHoldsTheSameParentsAsInMemory) {
  ScratchDir dir;
  for (SectorSize size : {SectorSize::Size2KiB(), SectorSize::Size8MiB()}) {
    const StackedGraph graph(size);
    ParentCache cache = Open(graph, dir.Sub("cache"));
    EXPECT_TRUE(cache.file_backed());
    EXPECT_TRUE(cache.generated());
    EXPECT_EQ(cache.path(), CachePath(dir.Sub("cache"), size));
    EXPECT_EQ(std::filesystem::file_size(cache.path()),
              kParentCacheHeaderSize + graph.nodes() * kNodeBytes);
    ExpectSameParents(cache, graph);
  }
}

TEST(ParentCache, FileNameAndHeaderIdentifyTheGraph) {
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size2KiB());
  const std::string name = ParentCacheFileName(graph);
  EXPECT_EQ(name.rfind("depin-sdr-parents-v1-2KiB-", 0), 0u) << name;
  EXPECT_EQ(name.substr(name.size() - 16), graph.ConstructionDigest().Hex().substr(0, 16));
  EXPECT_NE(name, ParentCacheFileName(StackedGraph(SectorSize::Size8MiB())));

  ParentCache cache = Open(graph, dir.path());
  const Bytes file = ReadWholeFile(cache.path());
  ASSERT_EQ(file.size(), kParentCacheHeaderSize + graph.nodes() * kNodeBytes);
  EXPECT_EQ(std::string(file.begin(), file.begin() + 8), "DPNPARNT");
  EXPECT_EQ(ReadBE32(&file[8]), kParentCacheFormatVersion);
  EXPECT_EQ(ReadBE32(&file[12]), kParentCount);
  EXPECT_EQ(ReadBE32(&file[16]), kDrgDegree);
  EXPECT_EQ(ReadBE32(&file[20]), kExpanderDegree);
  EXPECT_EQ(ReadBE64(&file[24]), 2048u);
  EXPECT_EQ(ReadBE64(&file[32]), graph.nodes());
  EXPECT_EQ(Hash256(&file[40]), graph.ConstructionDigest());
  const ParentCache memory(graph, 1);
  EXPECT_EQ(Hash256(&file[72]), ParentDataDigest(memory.Parents(0), graph.nodes(), 1));
  EXPECT_TRUE(std::all_of(file.begin() + 104, file.begin() + kParentCacheHeaderSize,
                          [](uint8_t b) { return b == 0; }));
  // The table follows the header as little-endian u32.
  EXPECT_EQ(ReadLE32(&file[kParentCacheHeaderSize + 37 * kNodeBytes + 4]), graph.Parents(37)[1]);
}

TEST(ParentCache, DigestCoversEveryChunk) {
  // More nodes than one hashing chunk: a change in the second chunk changes
  // the digest; the thread count does not.
  const StackedGraph graph(SectorSize::Size8MiB());
  ASSERT_GT(graph.nodes(), kParentCacheChunkNodes);
  std::vector<uint32_t> table(graph.nodes() * kParentCount);
  graph.ParentsRange(0, graph.nodes(), table.data());
  const Hash256 digest = ParentDataDigest(table.data(), graph.nodes(), 1);
  EXPECT_EQ(ParentDataDigest(table.data(), graph.nodes(), 3), digest);
  table[(kParentCacheChunkNodes + 5) * kParentCount] ^= 1;
  EXPECT_NE(ParentDataDigest(table.data(), graph.nodes(), 2), digest);
}

TEST(ParentCache, ValidFileIsReusedNotRewritten) {
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size8MiB());
  struct stat before, after;
  {
    ParentCache first = Open(graph, dir.path());
    EXPECT_TRUE(first.generated());
    ASSERT_EQ(::stat(first.path().c_str(), &before), 0);
  }
  ParentCache second = Open(graph, dir.path());
  EXPECT_FALSE(second.generated());
  ASSERT_EQ(::stat(second.path().c_str(), &after), 0);
  EXPECT_EQ(after.st_ino, before.st_ino);
  EXPECT_EQ(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
  EXPECT_EQ(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
  ExpectSameParents(second, graph);
  const std::string name = ParentCacheFileName(graph);
  EXPECT_EQ(FilesIn(dir.path()), (std::set<std::string>{name, name + ".lock"}));
}

struct Damage {
  std::string what;
  std::function<void(Bytes&)> apply;
};

std::vector<Damage> Damages(uint64_t nodes) {
  const size_t h = kParentCacheHeaderSize;
  const size_t end = h + nodes * kNodeBytes;
  return {
      {"flip a bit of node 37's DRG parent 3", [=](Bytes& f) { f[h + 37 * kNodeBytes + 12] ^= 1; }},
      {"flip the first table byte", [=](Bytes& f) { f[h] ^= 0x80; }},
      {"flip the last table byte", [=](Bytes& f) { f[end - 1] ^= 0x01; }},
      {"truncate by one byte", [](Bytes& f) { f.pop_back(); }},
      {"truncate to the header", [=](Bytes& f) { f.resize(h); }},
      {"truncate to nothing", [](Bytes& f) { f.clear(); }},
      {"append a byte", [](Bytes& f) { f.push_back(0); }},
      {"wrong magic", [](Bytes& f) { f[3] ^= 0x20; }},
      {"wrong format version", [](Bytes& f) { WriteBE32(&f[8], 2); }},
      {"wrong degree", [](Bytes& f) { WriteBE32(&f[12], 13); }},
      {"wrong DRG degree", [](Bytes& f) { WriteBE32(&f[16], 5); }},
      {"wrong expander degree", [](Bytes& f) { WriteBE32(&f[20], 9); }},
      {"wrong sector bytes", [](Bytes& f) { WriteBE64(&f[24], 4096); }},
      {"wrong node count", [](Bytes& f) { WriteBE64(&f[32], 65); }},
      {"wrong graph digest", [](Bytes& f) { f[40] ^= 1; }},
      {"wrong data digest", [](Bytes& f) { f[100] ^= 1; }},
      {"non-zero header padding", [](Bytes& f) { f[2000] = 7; }},
  };
}

TEST(ParentCache, DamagedFileIsRegeneratedWithAWarning) {
  const StackedGraph graph(SectorSize::Size2KiB());
  for (const Damage& damage : Damages(graph.nodes())) {
    SCOPED_TRACE(damage.what);
    ScratchDir dir;
    const std::string path = Open(graph, dir.Sub("cache")).path();
    Bytes file = ReadWholeFile(path);
    damage.apply(file);
    OverwriteFile(path, file);

    const std::string log_path = dir.Sub("debug.log");
    {
      LoggerOptions options;
      options.file = log_path;
      Logger logger(options);
      ASSERT_TRUE(logger.Open().ok());
      ParentCache cache = Open(graph, dir.Sub("cache"), &logger);
      EXPECT_TRUE(cache.generated());
      ExpectSameParents(cache, graph);
    }
    const Bytes log = ReadWholeFile(log_path);
    const std::string text(log.begin(), log.end());
    EXPECT_NE(text.find("warn"), std::string::npos) << text;
    EXPECT_NE(text.find(path + " is not usable"), std::string::npos) << text;
    // The regenerated file is valid: the next open keeps it.
    EXPECT_FALSE(Open(graph, dir.Sub("cache")).generated());
  }
}

TEST(ParentCache, DigestCatchesDamageOutsideTheSampledNodes) {
  // Opening compares only 64 nodes with the graph; in a larger graph the
  // digest over all the data is what catches a flipped parent elsewhere.
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size8MiB());
  const std::string path = Open(graph, dir.path()).path();
  Bytes file = ReadWholeFile(path);
  file[kParentCacheHeaderSize + 100001 * kNodeBytes + 4 * 9] ^= 1;
  OverwriteFile(path, file);
  ParentCache cache = Open(graph, dir.path());
  EXPECT_TRUE(cache.generated());
  ExpectSameParents(cache, graph);
}

TEST(ParentCache, SelfConsistentFileWithOtherParentsIsRejected) {
  // A file whose digest matches its own data but whose parents are not the
  // graph's (as one from a build with a changed derivation would be) fails
  // the comparison with StackedGraph::Parents.
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size2KiB());
  const std::string path = Open(graph, dir.path()).path();
  Bytes file = ReadWholeFile(path);
  std::vector<uint32_t> table(graph.nodes() * kParentCount);
  std::memcpy(table.data(), &file[kParentCacheHeaderSize], table.size() * sizeof(uint32_t));
  uint32_t& parent = table[20 * kParentCount + 7];  // an expander parent, any node is allowed
  parent = static_cast<uint32_t>((parent + 1) % graph.nodes());
  std::memcpy(&file[kParentCacheHeaderSize], table.data(), table.size() * sizeof(uint32_t));
  const Hash256 digest = ParentDataDigest(table.data(), graph.nodes(), 1);
  std::memcpy(&file[72], digest.data(), 32);
  OverwriteFile(path, file);

  ParentCache cache = Open(graph, dir.path());
  EXPECT_TRUE(cache.generated());
  ExpectSameParents(cache, graph);
}

TEST(ParentCache, FileOfAnotherSizeUnderTheNameIsRejected) {
  ScratchDir dir;
  const StackedGraph small(SectorSize::Size2KiB()), large(SectorSize::Size8MiB());
  const std::string small_path = Open(small, dir.path()).path();
  std::filesystem::rename(small_path, CachePath(dir.path(), SectorSize::Size8MiB()));
  ParentCache cache = Open(large, dir.path());
  EXPECT_TRUE(cache.generated());
  ExpectSameParents(cache, large);
}

TEST(ParentCache, ConcurrentOpenersShareOneGeneration) {
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size8MiB());
  constexpr int kOpeners = 6;
  std::vector<std::optional<ParentCache>> caches(kOpeners);
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < kOpeners; ++i) {
    threads.emplace_back([&, i] {
      ready.fetch_add(1);
      while (ready.load() < kOpeners) std::this_thread::yield();
      auto c = ParentCache::OpenFileBacked(graph, dir.path(), 1);
      if (c.ok()) caches[i].emplace(std::move(*c));
    });
  }
  for (auto& t : threads) t.join();
  int generated = 0;
  for (auto& c : caches) {
    ASSERT_TRUE(c.has_value());
    generated += c->generated() ? 1 : 0;
    ExpectSameParents(*c, graph);
  }
  EXPECT_EQ(generated, 1);
  const std::string name = ParentCacheFileName(graph);
  EXPECT_EQ(FilesIn(dir.path()), (std::set<std::string>{name, name + ".lock"}));
}

TEST(ParentCache, GenerationRemovesStaleTemporaries) {
  // A generator that died leaves its temporary; the next one (holding the
  // lock, so no live generator owns it) deletes it. Another graph's are kept.
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size2KiB());
  const std::string name = ParentCacheFileName(graph);
  const std::string other = ParentCacheFileName(StackedGraph(SectorSize::Size8MiB()));
  OverwriteFile(dir.Sub(name + ".tmp-Ab12Cd"), Bytes(100, 1));
  OverwriteFile(dir.Sub(other + ".tmp-Ab12Cd"), Bytes(100, 1));
  ParentCache cache = Open(graph, dir.path());
  EXPECT_TRUE(cache.generated());
  EXPECT_EQ(FilesIn(dir.path()),
            (std::set<std::string>{name, name + ".lock", other + ".tmp-Ab12Cd"}));
}

TEST(ParentCache, UnusableFolderIsAnError) {
  ScratchDir dir;
  OverwriteFile(dir.Sub("not-a-folder"), Bytes(1, 0));
  auto cache =
      ParentCache::OpenFileBacked(StackedGraph(SectorSize::Size2KiB()), dir.Sub("not-a-folder"), 1);
  EXPECT_EQ(cache.status().code(), "parent-cache-io-error");
}

TEST(ParentCache, MovedCacheKeepsItsMapping) {
  ScratchDir dir;
  const StackedGraph graph(SectorSize::Size2KiB());
  ParentCache a = Open(graph, dir.path());
  ParentCache b = std::move(a);
  EXPECT_TRUE(b.file_backed());
  ExpectSameParents(b, graph);
  ParentCache c(graph, 1);
  c = std::move(b);
  EXPECT_TRUE(c.file_backed());
  ExpectSameParents(c, graph);
}

}  // namespace
}  // namespace depin::storage::proofs
