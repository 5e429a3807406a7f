// Undo records: what disconnecting a block needs to restore the state it
// changed. Connecting a block produces a StateDiff (before and after of every
// touched key); the undo record keeps it whole, so disconnect writes the
// befores back (consensus::InvertDiff + StateStore::WriteDiff) and moves the
// LtHash lanes back (consensus::ApplyDiff with the inverse) without reading
// anything else. Stored in ChainDb under 'u' || block hash, written in the
// block's connect batch.
//
// Encoding (all integers little-endian):
//   version u8 (= 1) | change count u32 |
//   per change: key length u32 | key | flags u8 (bit 0: before present,
//               bit 1: after present) | [length u32 | before] | [length u32 | after]
// Decoding is strict ("undo-bad-encoding"): unknown version, truncation,
// trailing bytes, lengths above the limits below, unknown flag bits, a change
// with neither value, or keys not in strictly increasing order.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstddef>
#include <cstdint>

#include "consensus/state.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::chain {

inline constexpr uint8_t kUndoVersion = 1;
// Bounds that keep a damaged record from asking for absurd allocations. State
// keys are 'm' || module || module key, far below this; values are encoded
// module objects.
inline constexpr size_t kMaxUndoKeySize = 1024;
inline constexpr size_t kMaxUndoValueSize = size_t{16} << 20;

struct BlockUndo {
  // Sorted by key, keys unique, as consensus produces it.
  consensus::StateDiff diff;
  friend bool operator==(const BlockUndo&, const BlockUndo&) = default;
};

Bytes EncodeBlockUndo(const BlockUndo& undo);
// The same record straight from a connect's diff, without copying it.
Bytes EncodeUndoDiff(const consensus::StateDiff& diff);
Result<BlockUndo> DecodeBlockUndo(ByteSpan data);

}  // namespace depin::chain
