// Receipt store: how a block's receipts are kept in the chain database,
// under 'r' || block hash, written in the same batch that connects the block
// (they are consensus data: the receipts root commits to them).
//
// Encoding: u32 count || per receipt: u64 gas_used || u32 length ||
// Receipt::Encode() (little-endian integers). gas_used is the receipt's own
// gas (the cumulative figure is in the receipt).
//
// Thread-safety: pure functions.
#pragma once

#include <vector>

#include "primitives/receipt.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::chain {

// `encoded` holds each receipt's Encode() (the connect pipeline has them
// already for the receipts root).
Bytes EncodeReceipts(const std::vector<Receipt>& receipts, const std::vector<Bytes>& encoded);
// "receipts-bad-encoding" (kind corruption) when the record is damaged.
Result<std::vector<Receipt>> DecodeReceipts(ByteSpan data);

}  // namespace depin::chain
