// Proof checks: proofs are checked like signatures (DESIGN.md, "Proofs are
// checked like signatures"). A tx that carries a proof carries its public
// inputs too, so the cryptographic check (proof vs public inputs) needs no
// state: a module declares the checks of a call from its calldata alone
// (Module::ProofChecks), and verifies a batch of them (Module::VerifyProofs).
//
//   - Mempool admission verifies a tx's checks before it enters the pool and
//     records them in the VerifiedProofCache (chain/proof_cache.h).
//   - Connecting a block runs all of its checks not in the cache as one
//     batch per module, on every core, beside execution (chain/
//     proof_check_queue.h). A failed check makes the block invalid
//     ("block-bad-proof"), as a bad signature would.
//   - The module's call then only compares the public inputs with state (the
//     sector's CommR, the deadline's seed); a mismatch reverts the call.
//
// Thread-safety: plain values.
#pragma once

#include <cstdint>

#include "crypto/hash_backend.h"
#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"

namespace depin::consensus {

struct ProofCheck {
  Address module;     // the module that verifies it
  uint32_t kind = 0;  // module-defined (e.g. PoSt, PoRep)
  Bytes public_inputs;
  Bytes proof;

  // SHA-256(module || BE32(kind) || BE32(len(inputs)) || inputs || proof):
  // the verified-proof cache's key. Length-separated, so no two checks share
  // an id.
  Hash256 Id() const;
};

// ProofCheckOptions::device_min_checks by default.
inline constexpr size_t kDeviceMinChecks = 4;

struct ProofCheckOptions {
  // Worker threads a module may use for one batch; 0 = hardware concurrency.
  unsigned threads = 0;
  // Where batch hashing runs; null = the CPU (a GPU backend plugs in here).
  const crypto::HashBackend* hash = nullptr;
  // With a device `hash`: a module's batch of fewer checks than this runs on
  // the CPU threads instead (one tx at mempool admission, a block with a
  // proof or two); larger ones go to the device as one batch, where the
  // backend's own threshold (HashBackend::MinDeviceBatch) still applies to
  // each hashing job.
  size_t device_min_checks = kDeviceMinChecks;
};

// Most proofs one tx may carry (bounds the work a relayed tx can cause
// before it pays anything).
inline constexpr size_t kMaxProofChecksPerTx = 64;

}  // namespace depin::consensus
