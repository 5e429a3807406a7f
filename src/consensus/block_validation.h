// Block and header rules, each failure named:
//   header: block-bad-bits, block-high-hash (PoW), block-bad-version,
//           block-bad-height, block-bad-prevblk (parent link),
//           block-bad-difficulty (ASERT), block-time-too-old (<= median time
//           past of the last 11), block-time-too-new (> now + 2 h),
//           block-bad-gas-limit, block-gas-used-exceeds-limit, block-bad-base-fee
//   body:   block-too-large, block-bad-tx-root, block-duplicate-tx,
//           block-bad-gas-used, block-bad-receipts-root, block-bad-state-root,
//           and tx rules (tx-...) with the tx index.
#pragma once

#include <cstdint>
#include <vector>

#include "consensus/executor.h"
#include "consensus/params.h"
#include "primitives/block.h"

namespace depin::consensus {

// Checks needing no chain context: version, PoW.
Status CheckHeader(const BlockHeader& header, const ChainParams& params);

// Facts about the parent that contextual checks need.
struct ParentInfo {
  BlockHeader header;
  uint64_t median_time_past = 0;   // of the parent and its 10 ancestors
  uint64_t asert_anchor_time = 0;  // block 1's timestamp on the parent's branch (pow.h)
};

Status ContextualCheckHeader(const BlockHeader& header, const ParentInfo& parent,
                             uint64_t adjusted_now, const ChainParams& params);

// Checks of the body that need no state: size, tx root, duplicates, per-tx
// stateless rules.
Status CheckBlockBody(const Block& block, const ChainParams& params, const ModuleRegistry& modules);

}  // namespace depin::consensus
