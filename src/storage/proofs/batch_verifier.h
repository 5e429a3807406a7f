// Verifies many PoRep and PoSt proofs together and returns a verdict per
// proof. Block validation and initial sync hand it every proof of a block.
//
// The work is flattened into uniform batches so that a device backend (CUDA,
// OpenCL) can take the same batches later:
//   1. structural checks per proof (sizes, counts, challenge indices, CommR);
//   2. one batch per message length of SHA-256 over equal-length messages
//      (column hashes, recomputed labels) -> crypto::Sha256Batch;
//   3. all Merkle paths advanced level by level, each level one
//      crypto::Sha256PairBatch over every path still climbing;
//   4. comparisons, reduced to the first failed rule per proof in a fixed
//      order (so the verdict does not depend on thread timing).
// Steps 2 and 3 are split across std::threads. On a device backend
// (HashBackend::MinDeviceBatch) a batch at least that large goes to it whole
// instead: each message batch in one call, and every path in one
// VerifyMerklePaths job (all levels on the device); a job the device does
// not do is done by the CPU steps above, so verdicts never differ.
//
// Thread-safety: a BatchVerifier is used by one thread at a time; Verify()
// runs worker threads internally.
#pragma once

#include <cstddef>
#include <span>
#include <vector>

#include "crypto/hash_backend.h"
#include "storage/proofs/porep.h"
#include "storage/proofs/post.h"
#include "util/status.h"

namespace depin::storage::proofs {

struct BatchVerifierOptions {
  size_t threads = 0;  // 0: all hardware threads
  // Where steps 2 and 3 hash; null: the CPU. A device backend must give the
  // same digests (so the same verdicts).
  const crypto::HashBackend* hash = nullptr;
};

// Counters of the hashing a Verify() call did, for benchmarks.
struct BatchVerifierStats {
  uint64_t message_hashes = 0;  // column hashes and labels
  uint64_t message_blocks = 0;  // compressions they took
  uint64_t pair_hashes = 0;     // Merkle path steps (2 compressions each)
};

class BatchVerifier {
 public:
  explicit BatchVerifier(BatchVerifierOptions options = {});
  ~BatchVerifier();
  BatchVerifier(const BatchVerifier&) = delete;
  BatchVerifier& operator=(const BatchVerifier&) = delete;

  // Each Add returns the index of the proof's verdict in Verify()'s result.
  size_t AddPoRep(PoRepPublicInputs inputs, PoRepProof proof);
  size_t AddPoSt(PoStPublicInputs inputs, PoStProof proof);
  size_t size() const;

  // Checks everything added since the last call, then forgets it.
  std::vector<Status> Verify();

  const BatchVerifierStats& last_stats() const { return stats_; }

 private:
  struct Item;
  BatchVerifierOptions options_;
  std::vector<Item> items_;
  BatchVerifierStats stats_;
};

// A PoSt as a tx carries it: encoded public inputs and encoded proof.
struct EncodedPoSt {
  ByteSpan inputs;
  ByteSpan proof;
};
// Decodes every item and verifies the well-formed ones in one batch: one
// verdict per item, in order; an item that does not decode gets its decode
// error as its verdict (never an exception, never a crash).
std::vector<Status> VerifyEncodedPoSts(std::span<const EncodedPoSt> items,
                                       BatchVerifierOptions options = {});

}  // namespace depin::storage::proofs
