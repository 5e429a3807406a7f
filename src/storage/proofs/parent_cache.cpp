#include "storage/proofs/parent_cache.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <bit>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <optional>
#include <utility>

#include "crypto/sha256.h"
#include "storage/proofs/parallel.h"
#include "util/file.h"

namespace depin::storage::proofs {
namespace {

// The table is mapped as it lies on disk, u32 in host order; every platform
// we build for is little-endian, which is what the files hold.
static_assert(std::endian::native == std::endian::little, "parent cache files are little-endian");

constexpr char kMagic[8] = {'D', 'P', 'N', 'P', 'A', 'R', 'N', 'T'};
constexpr uint64_t kNodeParentBytes = kParentCount * sizeof(uint32_t);
// Nodes compared with StackedGraph::Parents on every open (all of them in
// graphs this small), which catches a self-consistent file from a build whose
// parent derivation changed without a new ConstructionDigest.
constexpr uint64_t kSampleNodes = 64;

// Header fields (integers big-endian); the rest of the page is zero.
constexpr size_t kVersionAt = 8;
constexpr size_t kDegreeAt = 12;
constexpr size_t kDrgDegreeAt = 16;
constexpr size_t kExpanderDegreeAt = 20;
constexpr size_t kSectorBytesAt = 24;
constexpr size_t kNodesAt = 32;
constexpr size_t kGraphDigestAt = 40;
constexpr size_t kDataDigestAt = 72;
constexpr size_t kHeaderFieldsEnd = 104;

Status IoError(const std::string& what, int err) {
  return Status::Error("parent-cache-io-error", what + ": " + std::strerror(err));
}

// Unmaps on scope exit unless released.
class Mapping {
 public:
  Mapping(void* addr, size_t bytes) : addr_(addr), bytes_(bytes) {}
  ~Mapping() {
    if (addr_ != nullptr) ::munmap(addr_, bytes_);
  }
  Mapping(const Mapping&) = delete;
  Mapping& operator=(const Mapping&) = delete;
  const uint8_t* bytes() const { return static_cast<const uint8_t*>(addr_); }
  void* Release() { return std::exchange(addr_, nullptr); }

 private:
  void* addr_;
  size_t bytes_;
};

uint64_t FileBytes(const StackedGraph& graph) {
  return kParentCacheHeaderSize + graph.nodes() * kNodeParentBytes;
}

const uint32_t* TableOf(const uint8_t* file) {
  return static_cast<const uint32_t*>(static_cast<const void*>(file + kParentCacheHeaderSize));
}

Hash256 CombineChunkDigests(const std::vector<Hash256>& chunks) {
  crypto::Sha256 h;
  for (const Hash256& c : chunks) h.Write(c.data(), c.size());
  return h.Finalize();
}

uint64_t ChunkCount(uint64_t nodes) {
  return (nodes + kParentCacheChunkNodes - 1) / kParentCacheChunkNodes;
}

void WriteHeader(const StackedGraph& graph, const Hash256& data_digest, uint8_t* out) {
  std::memset(out, 0, kParentCacheHeaderSize);
  std::memcpy(out, kMagic, sizeof(kMagic));
  WriteBE32(out + kVersionAt, kParentCacheFormatVersion);
  WriteBE32(out + kDegreeAt, static_cast<uint32_t>(kParentCount));
  WriteBE32(out + kDrgDegreeAt, static_cast<uint32_t>(kDrgDegree));
  WriteBE32(out + kExpanderDegreeAt, static_cast<uint32_t>(kExpanderDegree));
  WriteBE64(out + kSectorBytesAt, graph.size().bytes());
  WriteBE64(out + kNodesAt, graph.nodes());
  const Hash256 graph_digest = graph.ConstructionDigest();
  std::memcpy(out + kGraphDigestAt, graph_digest.data(), 32);
  std::memcpy(out + kDataDigestAt, data_digest.data(), 32);
}

// Why the mapped file `file` is not a cache of `graph`; nothing when it is.
std::optional<std::string> Invalidity(const uint8_t* file, const StackedGraph& graph,
                                      size_t threads) {
  auto field = [](const char* name, uint64_t got, uint64_t want) {
    return std::string(name) + " " + std::to_string(got) + ", expected " + std::to_string(want);
  };
  if (std::memcmp(file, kMagic, sizeof(kMagic)) != 0) return "bad magic";
  if (uint32_t v = ReadBE32(file + kVersionAt); v != kParentCacheFormatVersion) {
    return field("format version", v, kParentCacheFormatVersion);
  }
  if (uint32_t v = ReadBE32(file + kDegreeAt); v != kParentCount) {
    return field("degree", v, kParentCount);
  }
  if (uint32_t v = ReadBE32(file + kDrgDegreeAt); v != kDrgDegree) {
    return field("DRG degree", v, kDrgDegree);
  }
  if (uint32_t v = ReadBE32(file + kExpanderDegreeAt); v != kExpanderDegree) {
    return field("expander degree", v, kExpanderDegree);
  }
  if (uint64_t v = ReadBE64(file + kSectorBytesAt); v != graph.size().bytes()) {
    return field("sector bytes", v, graph.size().bytes());
  }
  if (uint64_t v = ReadBE64(file + kNodesAt); v != graph.nodes()) {
    return field("node count", v, graph.nodes());
  }
  if (Hash256(file + kGraphDigestAt) != graph.ConstructionDigest()) {
    return "built for another graph construction";
  }
  if (!std::all_of(file + kHeaderFieldsEnd, file + kParentCacheHeaderSize,
                   [](uint8_t b) { return b == 0; })) {
    return "unknown header bytes";
  }
  const uint32_t* table = TableOf(file);
  if (ParentDataDigest(table, graph.nodes(), threads) != Hash256(file + kDataDigestAt)) {
    return "parent data does not match its digest";
  }
  const uint64_t n = graph.nodes();
  const uint64_t samples = std::min(n, kSampleNodes);
  for (uint64_t i = 0; i < samples; ++i) {
    const uint64_t v = samples == 1 ? 0 : i * (n - 1) / (samples - 1);
    const NodeParents want = graph.Parents(v);
    if (!std::equal(want.begin(), want.end(), table + v * kParentCount)) {
      return "parents of node " + std::to_string(v) + " differ from the graph";
    }
  }
  return std::nullopt;
}

// The (device, inode, size, mtime) of a file, to tell whether a path still
// names the file already found invalid.
struct FileIdentity {
  dev_t dev = 0;
  ino_t ino = 0;
  off_t size = 0;
  struct timespec mtime = {};

  bool SameAs(const struct stat& st) const {
    return st.st_dev == dev && st.st_ino == ino && st.st_size == size &&
           st.st_mtim.tv_sec == mtime.tv_sec && st.st_mtim.tv_nsec == mtime.tv_nsec;
  }
};

bool PWriteAll(int fd, const uint8_t* data, uint64_t len, uint64_t offset) {
  uint64_t done = 0;
  while (done < len) {
    ssize_t w = ::pwrite(fd, data + done, len - done, static_cast<off_t>(offset + done));
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    done += static_cast<uint64_t>(w);
  }
  return true;
}

Status SyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return IoError("sync " + dir, errno);
  return Status::Ok();
}

// Temporaries of `name` left by a generator that died. Called with the lock
// held, so no live generator owns one.
void RemoveStaleTemporaries(const std::string& dir, const std::string& name, Logger* logger) {
  const std::string prefix = name + ".tmp-";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string file = entry.path().filename().string();
    if (file.compare(0, prefix.size(), prefix) != 0) continue;
    LogInfo(logger, LogCategory::kStorage, "removing stale parent cache temporary {}",
            entry.path().string());
    std::error_code rm;
    std::filesystem::remove(entry.path(), rm);
  }
}

}  // namespace

std::string ParentCacheFileName(const StackedGraph& graph) {
  return "depin-sdr-parents-v" + std::to_string(kParentCacheFormatVersion) + "-" +
         graph.size().ToString() + "-" + graph.ConstructionDigest().Hex().substr(0, 16);
}

Hash256 ParentDataDigest(const uint32_t* parents, uint64_t nodes, size_t threads) {
  const uint8_t* bytes = reinterpret_cast<const uint8_t*>(parents);
  std::vector<Hash256> chunks(ChunkCount(nodes));
  ParallelFor(chunks.size(), threads, 1, [&](size_t begin, size_t end) {
    for (size_t c = begin; c < end; ++c) {
      const uint64_t first = c * kParentCacheChunkNodes;
      const uint64_t count = std::min(kParentCacheChunkNodes, nodes - first);
      chunks[c] =
          crypto::Sha256Hash(ByteSpan(bytes + first * kNodeParentBytes, count * kNodeParentBytes));
    }
  });
  return CombineChunkDigests(chunks);
}

ParentCache::ParentCache(const StackedGraph& graph, size_t threads)
    : owned_(graph.nodes() * kParentCount), table_(owned_.data()), nodes_(graph.nodes()) {
  ParallelFor(graph.nodes(), threads, 1 << 14, [&](size_t begin, size_t end) {
    graph.ParentsRange(begin, end, &owned_[begin * kParentCount]);
  });
}

ParentCache::~ParentCache() { Release(); }

void ParentCache::Release() {
  if (map_ != nullptr) ::munmap(map_, map_bytes_);
  map_ = nullptr;
}

ParentCache::ParentCache(ParentCache&& other) noexcept
    : owned_(std::move(other.owned_)),
      map_(std::exchange(other.map_, nullptr)),
      map_bytes_(std::exchange(other.map_bytes_, 0)),
      table_(std::exchange(other.table_, nullptr)),
      nodes_(std::exchange(other.nodes_, 0)),
      path_(std::move(other.path_)),
      generated_(other.generated_) {}

ParentCache& ParentCache::operator=(ParentCache&& other) noexcept {
  if (this != &other) {
    Release();
    owned_ = std::move(other.owned_);
    map_ = std::exchange(other.map_, nullptr);
    map_bytes_ = std::exchange(other.map_bytes_, 0);
    table_ = std::exchange(other.table_, nullptr);
    nodes_ = std::exchange(other.nodes_, 0);
    path_ = std::move(other.path_);
    generated_ = other.generated_;
  }
  return *this;
}

Result<ParentCache> ParentCache::OpenFileBacked(const StackedGraph& graph, const std::string& dir,
                                                size_t threads, Logger* logger) {
  threads = std::max<size_t>(threads, 1);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    return Status::Error("parent-cache-io-error", "cannot create " + dir + ": " + ec.message());
  }
  const std::string name = ParentCacheFileName(graph);
  const std::string path = dir + "/" + name;
  const uint64_t file_bytes = FileBytes(graph);

  // Maps `path` and validates it. Nothing when the file is missing; the
  // identity of an invalid file goes to `seen` and the reason to `why`.
  auto try_open = [&](std::optional<FileIdentity>* seen,
                      std::string* why) -> std::optional<ParentCache> {
    UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (fd.get() < 0) {
      if (errno != ENOENT) *why = std::string("cannot open: ") + std::strerror(errno);
      return std::nullopt;
    }
    struct stat st;
    if (::fstat(fd.get(), &st) != 0) {
      *why = std::string("cannot stat: ") + std::strerror(errno);
      return std::nullopt;
    }
    if (*seen && (*seen)->SameAs(st)) return std::nullopt;  // checked already
    *seen = FileIdentity{st.st_dev, st.st_ino, st.st_size, st.st_mtim};
    if (static_cast<uint64_t>(st.st_size) != file_bytes) {
      *why =
          "size " + std::to_string(st.st_size) + " bytes, expected " + std::to_string(file_bytes);
      return std::nullopt;
    }
    void* addr = ::mmap(nullptr, file_bytes, PROT_READ, MAP_SHARED, fd.get(), 0);
    if (addr == MAP_FAILED) {
      *why = std::string("cannot map: ") + std::strerror(errno);
      return std::nullopt;
    }
    Mapping map(addr, file_bytes);
    // Labeling streams the table once per layer: ask for deep read-ahead and
    // early reclaim behind the reader.
    ::madvise(addr, file_bytes, MADV_SEQUENTIAL);
    if (auto bad = Invalidity(map.bytes(), graph, threads)) {
      *why = *bad;
      return std::nullopt;
    }
    ParentCache cache;
    cache.table_ = TableOf(map.bytes());
    cache.map_ = map.Release();
    cache.map_bytes_ = file_bytes;
    cache.nodes_ = graph.nodes();
    cache.path_ = path;
    return cache;
  };

  std::optional<FileIdentity> seen;
  std::string why;
  if (auto cache = try_open(&seen, &why)) return std::move(*cache);
  if (!why.empty()) {
    LogWarn(logger, LogCategory::kStorage, "parent cache {} is not usable ({}); regenerating it",
            path, why);
  }

  // One generator per file at a time: the others wait here and then find
  // the file it made.
  const std::string lock_path = path + ".lock";
  UniqueFd lock(::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644));
  if (lock.get() < 0) return IoError("open " + lock_path, errno);
  while (::flock(lock.get(), LOCK_EX) != 0) {
    if (errno != EINTR) return IoError("lock " + lock_path, errno);
  }
  why.clear();
  if (auto cache = try_open(&seen, &why)) return std::move(*cache);
  RemoveStaleTemporaries(dir, name, logger);

  LogInfo(logger, LogCategory::kStorage, "generating parent cache {} ({} bytes) on {} threads",
          path, file_bytes, threads);
  std::string tmp = path + ".tmp-XXXXXX";
  UniqueFd fd(::mkostemp(tmp.data(), O_CLOEXEC));
  if (fd.get() < 0) return IoError("create " + tmp, errno);
  auto fail = [&](const std::string& what, int err) {
    ::unlink(tmp.c_str());
    return IoError(what + " " + tmp, err);
  };
  if (::fchmod(fd.get(), 0644) != 0) return fail("chmod", errno);

  // Each worker builds whole hashing chunks in its own buffer and writes
  // them with pwrite (write errors such as ENOSPC come back as errors, where
  // stores into a mapping of a sparse file would raise SIGBUS).
  const uint64_t n = graph.nodes();
  std::vector<Hash256> chunks(ChunkCount(n));
  std::atomic<int> write_errno{0};
  ParallelFor(chunks.size(), threads, 1, [&](size_t begin, size_t end) {
    std::vector<uint32_t> buf(std::min(n, kParentCacheChunkNodes) * kParentCount);
    const uint8_t* bytes = reinterpret_cast<const uint8_t*>(buf.data());
    for (size_t c = begin; c < end && write_errno.load() == 0; ++c) {
      const uint64_t first = c * kParentCacheChunkNodes;
      const uint64_t count = std::min(kParentCacheChunkNodes, n - first);
      graph.ParentsRange(first, first + count, buf.data());
      chunks[c] = crypto::Sha256Hash(ByteSpan(bytes, count * kNodeParentBytes));
      if (!PWriteAll(fd.get(), bytes, count * kNodeParentBytes,
                     kParentCacheHeaderSize + first * kNodeParentBytes)) {
        int expected = 0;
        write_errno.compare_exchange_strong(expected, errno == 0 ? EIO : errno);
      }
    }
  });
  if (write_errno.load() != 0) return fail("write", write_errno.load());
  uint8_t header[kParentCacheHeaderSize];
  WriteHeader(graph, CombineChunkDigests(chunks), header);
  if (!PWriteAll(fd.get(), header, sizeof(header), 0)) return fail("write", errno);
  if (::fsync(fd.get()) != 0) return fail("fsync", errno);
  // Map the file just written before it gets its name, so this cache is the
  // one this call wrote whatever renames happen afterwards.
  void* addr = ::mmap(nullptr, file_bytes, PROT_READ, MAP_SHARED, fd.get(), 0);
  if (addr == MAP_FAILED) return fail("map", errno);
  Mapping map(addr, file_bytes);
  ::madvise(addr, file_bytes, MADV_SEQUENTIAL);
  if (::rename(tmp.c_str(), path.c_str()) != 0) return fail("rename", errno);
  DEPIN_RETURN_IF_ERROR(SyncDir(dir));

  ParentCache cache;
  cache.table_ = TableOf(map.bytes());
  cache.map_ = map.Release();
  cache.map_bytes_ = file_bytes;
  cache.nodes_ = n;
  cache.path_ = path;
  cache.generated_ = true;
  return cache;
}

}  // namespace depin::storage::proofs
