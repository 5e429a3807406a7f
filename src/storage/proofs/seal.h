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

#include "storage/proofs/huge_buffer.h"
#include "storage/proofs/labels.h"
#include "storage/proofs/params.h"
#include "storage/proofs/sector_store.h"
#include "util/bytes.h"
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
};

// Seals into `store`. An empty store starts from scratch; a store holding an
// unfinished seal of the same inputs resumes; a store already sealed with the
// same inputs returns its output. Errors: "seal-data-too-large",
// "seal-store-in-use" (the store holds another sector), "seal-cancelled",
// store I/O errors.
Result<SealOutput> SealSector(const SealInputs& inputs, SectorStore& store,
                              const SealOptions& options = {});

// The commitments of a sealed store.
Result<SealOutput> SealOutputOf(const SectorStore& store);

// Recomputes the key, XORs it out of the replica and checks CommD
// ("unseal-bad-comm-d" when the replica does not decode to the committed
// data, "unseal-not-sealed" for an unsealed store).
Result<Bytes> UnsealSector(const SectorStore& store, size_t threads = 0);

// The retained unsealed copy, checked against CommD ("unseal-bad-comm-d").
Result<Bytes> ReadUnsealedCopy(const SectorStore& store);

// Computes the key (last layer labels) of a sector in memory; used by
// UnsealSector and benchmarks.
HugeBuffer ComputeKey(SectorSize size, const Hash256& replica_id, size_t threads);

}  // namespace depin::storage::proofs
