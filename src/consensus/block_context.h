// The block context: what a module call may know about the block it runs in
// (height, time, miner, base fee, gas limit, chain id) and the randomness it
// may draw from the block's ancestors. One function, MakeBlockContext, builds
// it for block validation, the block assembler and eth_call / eth_estimateGas,
// so a call simulated over RPC sees what the same call sees in a block.
//
// Randomness is the hash of a named ancestor block: RandomnessAt(height) for
// a height strictly below the block's, and no further back than the chain's
// randomness_max_lookback (ChainParams). The block being built or validated
// is never a source: its miner could grind its own hash. docs/consensus.md
// says what a miner who withholds blocks can and cannot bias.
//
// The chain layer supplies the ancestors through AncestorHashes, walking its
// header tree from the block's parent, so a side-branch block sees its own
// branch's ancestors, not the active chain's. MakeBlockContext copies the
// window it needs: a context is a value, safe to keep and share.
//
// Thread-safety: BlockContext is an immutable value once built.
// AncestorHashes implementations are called only inside MakeBlockContext.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus/params.h"
#include "primitives/address.h"
#include "primitives/block.h"
#include "primitives/uint256.h"
#include "util/status.h"

namespace depin::consensus {

// Read-only source of a block's ancestor hashes.
class AncestorHashes {
 public:
  virtual ~AncestorHashes() = default;
  // The hashes of the block's `count` nearest ancestors, parent first (fewer
  // when the chain is shorter).
  virtual std::vector<Hash256> Nearest(uint64_t count) const = 0;
};

// No ancestors known: for contexts that never draw randomness (tests).
class NoAncestors final : public AncestorHashes {
 public:
  std::vector<Hash256> Nearest(uint64_t) const override { return {}; }
};

struct BlockContext {
  uint64_t height = 0;
  uint64_t timestamp = 0;
  Address miner;
  Hash256 parent_hash;
  Uint256 base_fee;
  uint64_t gas_limit = 0;
  uint32_t bits = 0;  // the header's compact target (Multicall3's difficulty)
  uint64_t chain_id = 0;
  uint64_t randomness_max_lookback = 0;
  // The deferred-work queue's bounds (deferred_queue.h), from ChainParams.
  uint64_t deferred_gas_per_block = 0;
  uint64_t deferred_horizon = 0;
  // ancestors[i] is the hash of the block at height - 1 - i.
  std::vector<Hash256> ancestors;

  // The hash of the ancestor at `at_height`:
  //   randomness-not-ancestor (kInvalid)            at_height >= height (the block itself or later)
  //   randomness-beyond-lookback (kLimitExceeded)   height - at_height > randomness_max_lookback
  //   randomness-unavailable (kNotFound)            the ancestor was not supplied
  Result<Hash256> RandomnessAt(uint64_t at_height) const;
  // RandomnessAt(height - lookback): a module names how far back it draws
  // ("randomness-before-genesis" when lookback > height).
  Result<Hash256> RandomnessLookback(uint64_t lookback) const;
};

// The context a block with `header` runs in on the chain described by
// `params`, with the ancestors of header.parent_hash from `ancestors`. The
// assembler and eth_call pass the header of the block that would come next
// (its miner and time as they choose).
BlockContext MakeBlockContext(const BlockHeader& header, const ChainParams& params,
                              const AncestorHashes& ancestors);

}  // namespace depin::consensus
