// The gas schedule, in one place. Intrinsic gas is Ethereum's (21000 + 4 per
// zero and 16 per non-zero calldata byte + access list costs); each module
// function has a fixed cost declared by the module plus per-byte costs it
// charges itself (e.g. per byte of proof).
#pragma once

#include <cstdint>

#include "primitives/transaction.h"

namespace depin::consensus {

inline constexpr uint64_t kTxGas = 21000;
inline constexpr uint64_t kTxDataZeroGas = 4;
inline constexpr uint64_t kTxDataNonZeroGas = 16;
inline constexpr uint64_t kAccessListAddressGas = 2400;
inline constexpr uint64_t kAccessListStorageKeyGas = 1900;
// Module state access, charged by ModuleContext.
inline constexpr uint64_t kModuleReadGas = 800;
inline constexpr uint64_t kModuleWriteGas = 5000;
inline constexpr uint64_t kModuleWriteByteGas = 16;
inline constexpr uint64_t kModuleLogGas = 375;
inline constexpr uint64_t kModuleLogTopicGas = 375;
inline constexpr uint64_t kModuleLogByteGas = 8;

uint64_t IntrinsicGas(const Transaction& tx);

}  // namespace depin::consensus
