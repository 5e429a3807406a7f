// The on-disk block index record: what the node knows about one block header
// it has seen, stored in ChainDb under 'b' || block hash. On start-up the
// chainstate loads every record into its in-memory header tree; afterwards it
// rewrites a record whenever its status changes (data stored, validated,
// failed), in the same batch as the change that caused it.
//
// Encoding (integers little-endian, 321 bytes):
//   version u8 (= 1) | header (BlockHeader::kSerializedSize = 260) |
//   chain_work 32 (big-endian) | status u32 | pos.file u32 | pos.offset u64 |
//   pos.size u32 | tx_count u32 | reserved u32 (= 0)
// Decoding is strict ("blockindex-bad-encoding"): wrong size, unknown version
// or status bits, a record claiming data without a position or a position
// without data.
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>

#include "chain/block_store.h"
#include "primitives/block.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::chain {

// Status flags of a block index record.
enum BlockStatus : uint32_t {
  kBlockHaveData = 1u << 0,     // the full block is in the block files at `pos`
  kBlockValidHeader = 1u << 1,  // header checks passed (PoW, time, parent known)
  kBlockValidBlock = 1u << 2,   // fully validated: connected at least once
  kBlockFailed = 1u << 3,       // the block itself is invalid
  kBlockFailedChild = 1u << 4,  // descends from a failed block
  kBlockHaveUndo = 1u << 5,     // an undo record is stored for it
  // Rewound on a dev chain (Chainstate::RewindTo): valid, but not a
  // candidate for the tip until the block is submitted again.
  kBlockSetAside = 1u << 6,
};
inline constexpr uint32_t kBlockStatusMask = (1u << 7) - 1;

inline constexpr uint8_t kBlockIndexVersion = 1;
inline constexpr size_t kBlockIndexRecordSize =
    1 + BlockHeader::kSerializedSize + 32 + 4 + 4 + 8 + 4 + 4 + 4;

struct BlockIndexRecord {
  BlockHeader header;
  Uint256 chain_work;  // cumulative work up to and including this block
  uint32_t status = 0;
  FlatFilePos pos;  // null unless status has kBlockHaveData
  uint32_t tx_count = 0;

  bool Has(uint32_t flag) const { return (status & flag) == flag; }
  friend bool operator==(const BlockIndexRecord&, const BlockIndexRecord&) = default;
};

Bytes EncodeBlockIndexRecord(const BlockIndexRecord& record);
Result<BlockIndexRecord> DecodeBlockIndexRecord(ByteSpan data);

}  // namespace depin::chain
