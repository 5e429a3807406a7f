// Block header and block. The header is fixed-width (kSerializedSize bytes,
// integers little-endian, nonce last) so miners hash the first 256 bytes once
// (SHA-256 midstate) and vary only the final block. Block hash and PoW are
// SHA-256d of the serialized header; the hash is shown as 0x hex of its bytes
// in order and compared with the target as a big-endian number.
//
// Block wire format: header || u32 LE tx count || for each tx: u32 LE length || envelope.
//
// Thread-safety: plain value types.
#pragma once

#include <vector>

#include "primitives/address.h"
#include "primitives/transaction.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin {

struct BlockHeader {
  // version 4 | height 8 | parent 32 | tx_root 32 | receipts_root 32 | state_root 32 |
  // miner 20 | timestamp 8 | bits 4 | gas_limit 8 | gas_used 8 | base_fee 32 (LE) |
  // extra 32 | nonce 8
  static constexpr size_t kSerializedSize = 260;
  static constexpr size_t kNonceOffset = 252;

  uint32_t version = 1;
  uint64_t height = 0;
  Hash256 parent_hash;
  Hash256 tx_root;
  Hash256 receipts_root;
  Hash256 state_root;
  Address miner;
  uint64_t timestamp = 0;  // seconds since the Unix epoch
  uint32_t bits = 0;       // compact target
  uint64_t gas_limit = 0;
  uint64_t gas_used = 0;
  Uint256 base_fee;
  Hash256 extra;
  uint64_t nonce = 0;

  void SerializeTo(uint8_t out[kSerializedSize]) const;
  Bytes Serialize() const;
  // Exactly kSerializedSize bytes ("header-bad-size").
  static Result<BlockHeader> Deserialize(ByteSpan data);
  Hash256 Hash() const;  // SHA-256d of Serialize()

  friend bool operator==(const BlockHeader&, const BlockHeader&) = default;
};

// The PoW check: SHA-256d(header) read big-endian <= target.
bool HashMeetsTarget(const Hash256& hash, const Uint256& target);

struct Block {
  BlockHeader header;
  std::vector<TxRef> txs;

  Bytes Serialize() const;
  size_t SerializedSize() const;
  Hash256 Hash() const { return header.Hash(); }
};

// Strict decode: header, count, each tx decoded and its sender recovered;
// trailing bytes, truncation, a count or length beyond `max_size` are errors
// ("block-truncated", "block-trailing-bytes", "block-too-large", or the tx's code).
Result<Block> DecodeBlock(ByteSpan data, size_t max_size);
// The same, with sender recovery (the dominant cost) spread over up to
// `recovery_threads` threads in contiguous chunks. Every envelope is decoded
// first, then senders are recovered; the error returned is the first failing
// tx in block order, so the result never depends on the thread count.
Result<Block> DecodeBlock(ByteSpan data, size_t max_size, unsigned recovery_threads);

// The hashes of a serialized block's txs (keccak256 of each envelope), in
// block order, without decoding the txs or recovering senders: for indexes
// that only need to know which txs a stored block holds. Checks the framing
// only ("block-truncated", "block-trailing-bytes", "block-too-large").
Result<std::vector<Hash256>> DecodeBlockTxHashes(ByteSpan data, size_t max_size);

}  // namespace depin
