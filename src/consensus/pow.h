// Proof of work: the SHA-256d check and ASERT difficulty (the aserti3-2d
// integer formula Bitcoin Cash uses), anchored at genesis:
//   exponent = ((parent.time - genesis.time) - spacing * parent.height) * 2^16 / half_life
//   target   = genesis_target * 2^(exponent / 2^16)  (fractional part by a cubic)
// clamped to [1, pow_limit]. Regtest keeps pow_limit.
#pragma once

#include <cstdint>

#include "consensus/params.h"
#include "primitives/block.h"
#include "primitives/uint256.h"
#include "util/status.h"

namespace depin::consensus {

// Target bits required for the block after `parent`.
uint32_t NextWorkRequired(const BlockHeader& parent, const ChainParams& params);

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
