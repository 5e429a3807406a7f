// Receipts and logs as Ethereum has them: status, cumulative gas, a 2048-bit
// logs bloom (3 x 11-bit indices from keccak256 of each address and topic) and
// the logs. gas_used is kept beside them for RPC; the consensus encoding is
// Ethereum's: type byte (omitted for legacy) || rlp([status, cumulative_gas,
// bloom, [[address, [topics...], data]...]]).
//
// Thread-safety: plain value types.
#pragma once

#include <vector>

#include "primitives/address.h"
#include "primitives/transaction.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin {

using Bloom = FixedBytes<256>;

struct Log {
  Address address;
  std::vector<Hash256> topics;  // at most 4
  Bytes data;
  friend bool operator==(const Log&, const Log&) = default;
};

void BloomAdd(Bloom& bloom, ByteSpan item);
bool BloomMayContain(const Bloom& bloom, ByteSpan item);
Bloom LogsBloom(const std::vector<Log>& logs);

struct Receipt {
  TxType type = TxType::kDynamicFee;
  uint8_t status = 1;  // 1 success, 0 failed module call
  uint64_t gas_used = 0;
  uint64_t cumulative_gas_used = 0;
  Bloom bloom;
  std::vector<Log> logs;

  // Ethereum consensus encoding (no gas_used; it follows from cumulative gas).
  Bytes Encode() const;
  friend bool operator==(const Receipt&, const Receipt&) = default;
};

// Strict decode of Encode()'s output. gas_used is left zero; callers that know
// the previous receipt's cumulative gas fill it in.
Result<Receipt> DecodeReceipt(ByteSpan data);

}  // namespace depin
