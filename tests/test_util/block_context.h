// The block context of an in-memory test chain's next block (module tests,
// market benchmarks): 15 s blocks from genesis time, no base fee, the
// network's gas and deferred-work bounds, and the recent hashes as
// ancestors (randomness), newest first.
#pragma once

#include <algorithm>
#include <vector>

#include "consensus/executor.h"
#include "consensus/params.h"
#include "crypto/sha256.h"

namespace depin::test_util {

// A stand-in hash for block `h` of a test chain.
inline Hash256 TestBlockHash(uint64_t h) {
  uint8_t b[8];
  WriteBE64(b, h);
  return crypto::Sha256Hash(ByteSpan(b, 8));
}

// `hashes` holds the chain's block hashes from genesis; the next block's
// height is hashes.size().
inline consensus::BlockContext NextTestBlock(const consensus::ChainParams& params,
                                             const std::vector<Hash256>& hashes,
                                             const Address& miner) {
  consensus::BlockContext block;
  block.height = hashes.size();
  block.timestamp = params.genesis_time + 15 * block.height;
  block.miner = miner;
  block.base_fee = Uint256();
  block.gas_limit = params.block_gas_limit;
  block.chain_id = params.chain_id;
  block.randomness_max_lookback = params.randomness_max_lookback;
  block.deferred_gas_per_block = params.deferred_gas_per_block;
  block.deferred_horizon = params.deferred_horizon;
  block.parent_hash = hashes.back();
  for (uint64_t i = 0; i < std::min<uint64_t>(hashes.size(), params.randomness_max_lookback); ++i) {
    block.ancestors.push_back(hashes[hashes.size() - 1 - i]);
  }
  return block;
}

}  // namespace depin::test_util
