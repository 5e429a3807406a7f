// ProofCheckQueue: runs the stateless proof checks of a set of txs (a block,
// or one tx at mempool admission) as one batch per module, spread over every
// core, skipping proofs the VerifiedProofCache already holds. The model is
// Bitcoin Core's CCheckQueue: validation adds the checks, the queue runs them
// beside execution, and the block is invalid if any fails.
//
//   ProofCheckQueue queue(modules, &cache, options);
//   for (size_t i = 0; i < txs.size(); ++i) DEPIN_RETURN_IF_ERROR(queue.Add(i, *txs[i]));
//   Status s = queue.Verify(ProofCacheUse::kConsume);   // a block
//
// Verdicts are deterministic: the first failing check in (tx, check) order is
// reported, whatever the thread count or the cache content.
//
// Errors (kind invalid):
//   tx-too-many-proofs   more than kMaxProofChecksPerTx checks in one tx
//   tx-bad-proof         a check failed (mempool); message: rule and tx
//   block-bad-proof      a check failed (block); message: tx index, hash, rule
//   and the module's own code when a proof-carrying call does not decode.
//
// Thread-safety: one thread uses a queue; Verify() runs worker threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "chain/proof_cache.h"
#include "consensus/module.h"
#include "consensus/proof_check.h"
#include "primitives/transaction.h"
#include "util/status.h"

namespace depin::chain {

// What Verify does with the cache.
enum class ProofCacheUse {
  kNone,     // neither read nor written
  kRecord,   // mempool: skip cached proofs, add the ones verified
  kConsume,  // block: skip cached proofs and forget them (not needed again)
};

struct ProofCheckStats {
  size_t checks = 0;      // added
  size_t cache_hits = 0;  // skipped: already verified
  size_t verified = 0;    // handed to a module
};

class ProofCheckQueue {
 public:
  // `cache` may be null (every proof is verified).
  ProofCheckQueue(const consensus::ModuleRegistry& modules, VerifiedProofCache* cache,
                  consensus::ProofCheckOptions options);

  // Adds the checks tx number `index` carries (none for transfers and calls
  // to modules without proofs).
  Status Add(size_t index, const VerifiedTx& tx);
  bool empty() const { return items_.empty(); }

  // Verifies what was added; `block` selects the error code (block-bad-proof
  // vs tx-bad-proof).
  Status Verify(ProofCacheUse use, bool block);

  const ProofCheckStats& stats() const { return stats_; }

 private:
  struct Item {
    size_t tx_index;
    Hash256 tx_hash;
    consensus::ProofCheck check;
    Hash256 id;
  };
  const consensus::ModuleRegistry& modules_;
  VerifiedProofCache* cache_;
  consensus::ProofCheckOptions options_;
  std::vector<Item> items_;
  ProofCheckStats stats_;
};

// The checks of every tx of a block, verified and consumed from the cache.
Status CheckBlockProofs(const std::vector<TxRef>& txs, const consensus::ModuleRegistry& modules,
                        VerifiedProofCache* cache, const consensus::ProofCheckOptions& options,
                        ProofCheckStats* stats = nullptr);

// The checks of one tx for the mempool: verified ones are recorded.
Status CheckTxProofs(const VerifiedTx& tx, const consensus::ModuleRegistry& modules,
                     VerifiedProofCache* cache, const consensus::ProofCheckOptions& options);

}  // namespace depin::chain
