#include "consensus/gas.h"

namespace depin::consensus {

uint64_t IntrinsicGas(const Transaction& tx) {
  // Bounded by kMaxTxSize * 16 + access list costs: no overflow possible for
  // decoded txs, but keep the sum saturating for hand-built ones.
  uint64_t gas = kTxGas;
  for (uint8_t b : tx.data) gas += b == 0 ? kTxDataZeroGas : kTxDataNonZeroGas;
  for (const AccessListEntry& e : tx.access_list) {
    gas += kAccessListAddressGas + kAccessListStorageKeyGas * e.storage_keys.size();
  }
  return gas;
}

uint64_t FunctionCallGas(const FunctionGas& gas, size_t arg_bytes) {
  const uint64_t bytes = arg_bytes;
  if (gas.per_byte != 0 && bytes > (~uint64_t{0} - gas.fixed) / gas.per_byte) return ~uint64_t{0};
  return gas.fixed + gas.per_byte * bytes;
}

}  // namespace depin::consensus
