// The parents of every node of a StackedGraph, 14 u32 per node (56 bytes,
// 1.75x the sector size), which sealing and unsealing read once per layer in
// node order. Two backings:
//  - in memory, built on all threads: what tests and small sectors use;
//  - a file shared by every sector of one graph, memory-mapped read-only
//    (MAP_SHARED, MADV_SEQUENTIAL), as Filecoin keeps its parent cache in
//    /var/tmp/filecoin-parents. At 32 GiB the table is 56 GiB: mapped, it
//    lives in the page cache, which the kernel streams in during labeling and
//    may evict, instead of in the sealer's heap.
//
// The file (ParentCacheFileName) starts with a 4 KiB header: magic, format
// version, degrees, sector bytes, node count, the graph's ConstructionDigest
// and a digest of the parent data (SHA-256 over the SHA-256 of each
// kParentCacheChunkNodes-node chunk, so opening and generating hash on all
// threads). Opening checks every header field, re-hashes all the parent data
// and compares a sample of nodes with StackedGraph::Parents; a file that fails
// any check is logged and regenerated, never used. A new file is written to a
// unique temporary name, fsynced and renamed into place (then the folder is
// fsynced), so a crash never leaves a short file under the real name.
// Generation holds an exclusive flock on "<name>.lock", so concurrent sealers
// build the file once and the others wait and map it (the empty lock file
// stays); correctness does not depend on the lock (unique temporaries,
// atomic rename, and every opener maps the file it validated or wrote).
//
// Thread-safety: a ParentCache is immutable once built and may be read from
// any thread. OpenFileBacked may run concurrently in any number of threads
// and processes for the same folder.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "storage/proofs/graph.h"
#include "util/bytes.h"
#include "util/logging.h"
#include "util/status.h"

namespace depin::storage::proofs {

// Parent data is hashed and generated in chunks of this many nodes (3.5 MiB),
// so 8 MiB sectors already have several.
inline constexpr uint64_t kParentCacheChunkNodes = uint64_t{1} << 16;
// Bytes before the parent data in a cache file (one page, so the table is
// page-aligned in the mapping).
inline constexpr size_t kParentCacheHeaderSize = 4096;
inline constexpr uint32_t kParentCacheFormatVersion = 1;

// "depin-sdr-parents-v1-<size>-<first 16 hex digits of ConstructionDigest>".
std::string ParentCacheFileName(const StackedGraph& graph);

// The data digest the header records: SHA-256 over the SHA-256 of each
// kParentCacheChunkNodes-node chunk of `nodes` nodes' parents (56 bytes each).
Hash256 ParentDataDigest(const uint32_t* parents, uint64_t nodes, size_t threads);

class ParentCache {
 public:
  // In memory, built on `threads` threads.
  ParentCache(const StackedGraph& graph, size_t threads);

  // Maps the cache file of `graph` in `dir` (created if missing), generating
  // it on `threads` threads when it is missing or fails validation (a
  // warning then names the reason). Errors: "parent-cache-io-error".
  static Result<ParentCache> OpenFileBacked(const StackedGraph& graph, const std::string& dir,
                                            size_t threads, Logger* logger = nullptr);

  ~ParentCache();
  ParentCache(ParentCache&& other) noexcept;
  ParentCache& operator=(ParentCache&& other) noexcept;
  ParentCache(const ParentCache&) = delete;
  ParentCache& operator=(const ParentCache&) = delete;

  const uint32_t* Parents(uint64_t node) const { return table_ + node * kParentCount; }
  uint64_t nodes() const { return nodes_; }

  // File-backed only: the file mapped, and whether this open wrote it (as
  // opposed to reusing a valid one).
  bool file_backed() const { return map_ != nullptr; }
  const std::string& path() const { return path_; }
  bool generated() const { return generated_; }

 private:
  ParentCache() = default;
  void Release();

  std::vector<uint32_t> owned_;
  void* map_ = nullptr;
  size_t map_bytes_ = 0;
  const uint32_t* table_ = nullptr;
  uint64_t nodes_ = 0;
  std::string path_;
  bool generated_ = false;
};

}  // namespace depin::storage::proofs
