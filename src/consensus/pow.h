// Proof of work: the SHA-256d check and ASERT difficulty (the aserti3-2d
// integer formula Bitcoin Cash uses), anchored at block 1 of the parent's
// branch with that block's own timestamp (as aserti3-2d anchors at its fork
// block), not at genesis_time: a chain launched a month after genesis_time
// would otherwise sit a month behind schedule and get pow_limit for every
// block until it caught up, leaving its early blocks (and any fork of
// them) nearly free. Block 1 requires pow_limit; for a parent at height >= 1
//   exponent = ((parent.time - block1.time) - spacing * (parent.height - 1)) * 2^16 / half_life
//   target   = pow_limit * 2^(exponent / 2^16)  (fractional part by a cubic)
// clamped to [1, pow_limit]. Regtest keeps pow_limit.
#pragma once

#include <cstdint>

#include "consensus/params.h"
#include "primitives/block.h"
#include "primitives/uint256.h"
#include "util/status.h"

namespace depin::consensus {

// Target bits required for the block after `parent`. `anchor_time` is the
// timestamp of the block at height 1 on the parent's branch (the parent's
// own when it is that block); unused when the parent is genesis.
uint32_t NextWorkRequired(const BlockHeader& parent, uint64_t anchor_time,
                          const ChainParams& params);

// The anchor time a child of `parent` passes on to its own children: its
// own timestamp at height 1, else the parent's.
inline uint64_t AsertAnchorTimeOf(const BlockHeader& header, uint64_t parent_anchor_time) {
  return header.height == 1 ? header.timestamp : parent_anchor_time;
}

// The raw ASERT computation, exposed for tests.
Uint256 AsertTarget(const Uint256& anchor_target, int64_t time_diff, int64_t height_diff,
                    const ChainParams& params);

// Difficulty for display: pow_limit / target(bits), so 1 is the network's
// easiest target; 0 for undecodable bits.
double Difficulty(uint32_t bits, const ChainParams& params);

// SHA-256d(header) <= target(bits) and target within pow_limit.
// Errors: "block-bad-bits", "block-high-hash".
Status CheckProofOfWork(const BlockHeader& header, const ChainParams& params);

}  // namespace depin::consensus
