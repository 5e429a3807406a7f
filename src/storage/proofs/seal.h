// Sealing turns a sector's data into a replica unique to (provider, sector
// number, ticket): labels are computed layer by layer over the Stacked-DRG
// graph, the last layer is the key, and replica = data XOR key. Sealing
// writes everything PoRep and PoSt need into a SectorStore and checkpoints
// each finished layer there, so a restarted seal resumes at the next layer.
// Unsealing recomputes the key from the replica id and checks the recovered
// data against CommD.
//
// Thread-safety: one seal or unseal per SectorStore at a time; the functions
// use worker threads internally (`threads`, 0 = all hardware threads).
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "crypto/hash_backend.h"
#include "storage/proofs/huge_buffer.h"
#include "storage/proofs/labels.h"
#include "storage/proofs/params.h"
#include "storage/proofs/parent_cache.h"
#include "storage/proofs/sector_store.h"
#include "util/bytes.h"
#include "util/logging.h"
#include "util/status.h"

namespace depin::storage::proofs {

struct SealInputs {
  SectorSize size = SectorSize::Size2KiB();
  ProviderAddress provider;
  uint64_t sector_number = 0;
  Hash256 ticket;  // chain randomness drawn at pre-commit
  ByteSpan data;   // at most size.bytes(); zero-padded
};

struct SealOutput {
  Hash256 comm_d;
  Hash256 replica_id;
  Hash256 comm_c;
  Hash256 comm_r_last;
  Hash256 comm_r;  // SHA-256(comm_c || comm_r_last)

  friend bool operator==(const SealOutput&, const SealOutput&) = default;
};

enum class SealStage { kTreeD, kLabeling, kTreeC, kTreeR, kDone };

struct SealProgress {
  SealStage stage;
  uint32_t layer;   // during kLabeling: the layer just finished (0: starting)
  uint32_t layers;  // total layers
  bool resumed;     // the layer was loaded from a checkpoint, not computed
};

// Called at each stage and after each layer; returning false stops the seal
// with "seal-cancelled", leaving the checkpoint for a later resume.
using SealProgressFn = std::function<bool(const SealProgress&)>;

struct SealOptions {
  size_t threads = 0;
  SealProgressFn progress;
  // Folder of the shared, memory-mapped parent cache files (parent_cache.h),
  // e.g. /var/tmp/depin-parents. Empty: the parents are built in memory for
  // each seal (1.75x the sector size of heap).
  std::string parent_cache_dir;
  Logger* logger = nullptr;  // null: the process default
  // Where tree_d, tree_c (with its column hashes) and tree_r are hashed;
  // null: the CPU. A device backend (compute/gpu.h) builds each tree in one
  // job; one it does not build (too small, a device error) is built on the
  // CPU, so the commitments never depend on it.
  const crypto::HashBackend* hash = nullptr;
};

// Seals into `store`. An empty store starts from scratch; a store holding an
// unfinished seal of the same inputs resumes; a store already sealed with the
// same inputs returns its output. Errors: "seal-data-too-large",
// "seal-store-in-use" (the store holds another sector), "seal-cancelled",
// "parent-cache-io-error", store I/O errors.
//
// Memory: the two layer buffers being labeled (2x the sector size; 64 GiB at
// 32 GiB), which every stage stays within (padded data and tree_d, the
// columns and tree_c, the replica and tree_r), plus the parents: 1.75x the
// sector in the heap without `parent_cache_dir`, else page cache the kernel
// may reclaim. The caller's `data` comes on top.
Result<SealOutput> SealSector(const SealInputs& inputs, SectorStore& store,
                              const SealOptions& options = {});

// The commitments of a sealed store.
Result<SealOutput> SealOutputOf(const SectorStore& store);

// Recomputes the key, XORs it out of the replica and checks CommD
// ("unseal-bad-comm-d" when the replica does not decode to the committed
// data, "unseal-not-sealed" for an unsealed store). `parent_cache_dir` and
// `logger` as in SealOptions.
Result<Bytes> UnsealSector(const SectorStore& store, size_t threads = 0,
                           const std::string& parent_cache_dir = {}, Logger* logger = nullptr);

// The retained unsealed copy, checked against CommD ("unseal-bad-comm-d").
Result<Bytes> ReadUnsealedCopy(const SectorStore& store);

// Computes the key (last layer labels) of a sector in memory, with an
// in-memory parent cache or the given one; used by UnsealSector and
// benchmarks.
HugeBuffer ComputeKey(SectorSize size, const Hash256& replica_id, size_t threads);
HugeBuffer ComputeKey(const ParentCache& parents, SectorSize size, const Hash256& replica_id);

}  // namespace depin::storage::proofs
