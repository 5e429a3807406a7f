#include "consensus/block_context.h"

#include <string>

namespace depin::consensus {

Result<Hash256> BlockContext::RandomnessAt(uint64_t at_height) const {
  if (at_height >= height) {
    return Status::Error("randomness-not-ancestor",
                         "randomness at height " + std::to_string(at_height) +
                             " is not an ancestor of block " + std::to_string(height) +
                             ": a block never draws on itself or later blocks");
  }
  const uint64_t back = height - at_height;
  if (back > randomness_max_lookback) {
    return Status::Error(StatusKind::kLimitExceeded, "randomness-beyond-lookback",
                         "randomness at height " + std::to_string(at_height) + " is " +
                             std::to_string(back) + " blocks back; the limit is " +
                             std::to_string(randomness_max_lookback));
  }
  if (back > ancestors.size()) {
    return Status::NotFound("randomness-unavailable", "the ancestor at height " +
                                                          std::to_string(at_height) +
                                                          " was not supplied to the block context");
  }
  return ancestors[back - 1];
}

Result<Hash256> BlockContext::RandomnessLookback(uint64_t lookback) const {
  if (lookback > height) {
    return Status::Error("randomness-before-genesis", "lookback " + std::to_string(lookback) +
                                                          " from block " + std::to_string(height) +
                                                          " is before genesis");
  }
  return RandomnessAt(height - lookback);
}

BlockContext MakeBlockContext(const BlockHeader& header, const ChainParams& params,
                              const AncestorHashes& ancestors) {
  BlockContext ctx;
  ctx.height = header.height;
  ctx.timestamp = header.timestamp;
  ctx.miner = header.miner;
  ctx.parent_hash = header.parent_hash;
  ctx.base_fee = header.base_fee;
  ctx.gas_limit = header.gas_limit;
  ctx.bits = header.bits;
  ctx.chain_id = params.chain_id;
  ctx.randomness_max_lookback = params.randomness_max_lookback;
  ctx.deferred_gas_per_block = params.deferred_gas_per_block;
  ctx.deferred_horizon = params.deferred_horizon;
  if (header.height > 0) {
    ctx.ancestors =
        ancestors.Nearest(std::min<uint64_t>(params.randomness_max_lookback, header.height));
  }
  return ctx;
}

}  // namespace depin::consensus
