#include "consensus/pow.h"

namespace depin::consensus {

Uint256 AsertTarget(const Uint256& anchor_target, int64_t time_diff, int64_t height_diff,
                    const ChainParams& params) {
  const int64_t spacing = static_cast<int64_t>(params.target_spacing);
  const int64_t half_life = params.asert_half_life;
  // Clamp the inputs so the 16.16 fixed-point exponent cannot overflow int64
  // however absurd the timestamps; beyond these bounds the target is clamped
  // to [1, pow_limit] anyway.
  constexpr int64_t kLimit = int64_t{1} << 40;
  int64_t numerator = time_diff - spacing * height_diff;
  if (numerator > kLimit) numerator = kLimit;
  if (numerator < -kLimit) numerator = -kLimit;
  // Arithmetic shift of a negative value rounds toward -inf, as aserti3-2d requires.
  const int64_t exponent = (numerator * 65536) / half_life;
  int64_t shifts = exponent >> 16;
  const uint64_t frac = static_cast<uint64_t>(exponent & 0xffff);
  // 2^(frac/65536) * 65536 by the cubic approximation of aserti3-2d
  // (error < 0.013%). Products fit in u64: frac^3 * 5127 < 2^63.
  const uint64_t factor = 65536 + ((195766423245049ULL * frac + 971821376ULL * frac * frac +
                                    5127ULL * frac * frac * frac + (1ULL << 47)) >>
                                   48);
  // anchor_target * factor can need 256 + 17 bits; divide first when large.
  Uint256 next;
  shifts -= 16;
  if (anchor_target.Bits() + 17 > 256) {
    // Keep precision by shifting the anchor down first, then compensating.
    const unsigned pre = anchor_target.Bits() + 17 - 256;
    auto product = CheckedMul(anchor_target >> pre, Uint256(factor));
    next = product ? *product : params.pow_limit;
    shifts += pre;
  } else {
    next = *CheckedMul(anchor_target, Uint256(factor));
  }
  if (shifts < 0) {
    next = shifts <= -256 ? Uint256() : next >> static_cast<unsigned>(-shifts);
  } else if (shifts > 0) {
    if (shifts >= 256 || next.Bits() + static_cast<unsigned>(shifts) > 256) return params.pow_limit;
    next = next << static_cast<unsigned>(shifts);
  }
  if (next.IsZero()) return Uint256(1);
  if (next > params.pow_limit) return params.pow_limit;
  return next;
}

uint32_t NextWorkRequired(const BlockHeader& parent, uint64_t anchor_time,
                          const ChainParams& params) {
  if (params.pow_no_retargeting || parent.height == 0) return params.pow_limit_bits;
  // Anchor: block 1 at pow_limit, at its own timestamp (pow.h). Block 2,
  // whose parent is the anchor, keeps the anchor's target.
  const int64_t time_diff =
      static_cast<int64_t>(parent.timestamp) - static_cast<int64_t>(anchor_time);
  const int64_t height_diff = static_cast<int64_t>(parent.height) - 1;
  return TargetToCompact(AsertTarget(params.pow_limit, time_diff, height_diff, params));
}

double Difficulty(uint32_t bits, const ChainParams& params) {
  auto target = CompactToTarget(bits);
  if (!target.ok() || target->IsZero()) return 0;
  return params.pow_limit.ToDouble() / target->ToDouble();
}

Status CheckProofOfWork(const BlockHeader& header, const ChainParams& params) {
  auto target = CompactToTarget(header.bits);
  if (!target.ok() || target->IsZero() || *target > params.pow_limit) {
    return Status::Error("block-bad-bits", "target is invalid or above the proof-of-work limit");
  }
  if (!HashMeetsTarget(header.Hash(), *target)) {
    return Status::Error("block-high-hash", "proof of work does not meet the target");
  }
  return Status::Ok();
}

}  // namespace depin::consensus
