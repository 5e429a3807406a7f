// The gas schedule, in one place. Intrinsic gas is Ethereum's (21000 + 4 per
// zero and 16 per non-zero calldata byte + access list costs). Each module
// function costs a fixed amount plus an amount per byte of its ABI arguments
// (FunctionGas, charged by the dispatcher before the handler runs: e.g. per
// byte of proof); state access, logs and deferred work are charged on top as
// they happen (ModuleContext).
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
// One cross-module query (ModuleContext::Query), on top of what the answering
// module's reads cost.
inline constexpr uint64_t kModuleQueryGas = 700;
// One page of an ordered key scan (ModuleContext::Scan): the seek, then a read
// per entry returned and per byte of keys and values.
inline constexpr uint64_t kModuleScanGas = 800;
inline constexpr uint64_t kModuleScanEntryGas = 200;
inline constexpr uint64_t kModuleScanByteGas = 2;
// Scheduling deferred work (ModuleContext::Schedule): the queue entry's write,
// on top of the gas the entry prepays for its own run.
inline constexpr uint64_t kDeferredScheduleGas = 5000;
// The least an entry may prepay: what running any entry costs the node
// (the queue read and erase) before the module's callback spends anything.
inline constexpr uint64_t kDeferredMinGas = 2000;

// What a module function costs before its handler runs.
struct FunctionGas {
  uint64_t fixed = 0;
  uint64_t per_byte = 0;  // per byte of ABI-encoded arguments (calldata after the selector)
};
// The cost of a call with `arg_bytes` argument bytes (saturating).
uint64_t FunctionCallGas(const FunctionGas& gas, size_t arg_bytes);

// The regtest test module (consensus/test_module.h, docs/abi/test.json).
inline constexpr FunctionGas kTestSetGas{20000, 0};
inline constexpr FunctionGas kTestGetGas{2000, 0};
inline constexpr FunctionGas kTestDepositGas{10000, 0};
inline constexpr FunctionGas kTestWithdrawGas{15000, 0};
inline constexpr FunctionGas kTestDepositOfGas{2000, 0};
inline constexpr FunctionGas kTestFailGas{1000, 0};
inline constexpr FunctionGas kTestBurnGasGas{1000, 0};
inline constexpr FunctionGas kTestRandomnessGas{2000, 0};
inline constexpr FunctionGas kTestScheduleGas{5000, 0};
// A PoSt's check is paid per byte of the arguments (inputs and proof), as a
// market's proof-carrying function will be.
inline constexpr FunctionGas kTestProvePoStGas{10000, 8};

// The storage market (storage/market.h, docs/abi/storage.json). Proof-carrying
// calls pay per byte of their arguments, as verification costs per byte.
inline constexpr FunctionGas kStorageRegisterGas{30000, 0};
inline constexpr FunctionGas kStorageUpdateGas{20000, 0};
inline constexpr FunctionGas kStorageWithdrawGas{15000, 0};
inline constexpr FunctionGas kStorageProposeGas{40000, 0};
inline constexpr FunctionGas kStorageCancelGas{15000, 0};
inline constexpr FunctionGas kStoragePreCommitGas{40000, 0};
inline constexpr FunctionGas kStorageProveCommitGas{50000, 8};
inline constexpr FunctionGas kStorageSubmitPoStGas{20000, 8};
inline constexpr FunctionGas kStorageDeclareGas{10000, 0};
inline constexpr FunctionGas kStorageViewGas{2000, 0};
// Deferred work the market queues, prepaid by the tx that queues it: a
// deal's expiry at its start block, a pre-commit's expiry, and a sector's
// settlement per period (base + per deal; StorageMarket tests measure the
// worst case against these).
inline constexpr uint64_t kStorageDealExpiryGas = 40000;
inline constexpr uint64_t kStoragePreCommitExpiryBaseGas = 30000;
inline constexpr uint64_t kStoragePreCommitExpiryPerDealGas = 20000;
inline constexpr uint64_t kStorageSettleBaseGas = 40000;
inline constexpr uint64_t kStorageSettlePerDealGas = 42000;

// The compute market (market/compute_market.h, docs/abi/compute.json).
inline constexpr FunctionGas kComputeRegisterGas{30000, 0};
inline constexpr FunctionGas kComputeUpdateGas{20000, 0};
inline constexpr FunctionGas kComputeDeregisterGas{15000, 0};
inline constexpr FunctionGas kComputeSignGas{20000, 0};
inline constexpr FunctionGas kComputeCreateOrderGas{40000, 0};
inline constexpr FunctionGas kComputeCancelOrderGas{20000, 0};
inline constexpr FunctionGas kComputeBidGas{30000, 0};
inline constexpr FunctionGas kComputeWithdrawBidGas{15000, 0};
inline constexpr FunctionGas kComputeAcceptBidGas{30000, 0};
inline constexpr FunctionGas kComputeDepositGas{15000, 0};
inline constexpr FunctionGas kComputeWithdrawLeaseGas{15000, 0};
inline constexpr FunctionGas kComputeCloseLeaseGas{20000, 0};
// Access details are stored: paid per byte like a write.
inline constexpr FunctionGas kComputePostAccessGas{15000, 16};
inline constexpr FunctionGas kComputeViewGas{2000, 0};
// Deferred work the market queues, prepaid by the tx that queues it: the
// award at a bidding window's end (base + per open bid, the lease's close
// job included) and a lease's close when its escrow or term runs out
// (ComputeMarket tests run the worst case against these).
inline constexpr uint64_t kComputeAwardBaseGas = 80000;
inline constexpr uint64_t kComputeAwardPerBidGas = 30000;
inline constexpr uint64_t kComputeLeaseCloseGas = 80000;

// Multicall3 (consensus/multicall.h, docs/abi/multicall3.json). An
// aggregate pays its fixed cost and one gas per argument byte (the decode and
// the copies of each inner call's data), then per inner call
// kMulticallInnerCallGas (a CALL's base cost on Ethereum) on top of whatever
// the inner call itself costs. The getters cost what a view of a market
// does; getEthBalance adds an account read.
inline constexpr FunctionGas kMulticallAggregateGas{2000, 1};
inline constexpr uint64_t kMulticallInnerCallGas = 700;
inline constexpr FunctionGas kMulticallGetterGas{1000, 0};
inline constexpr FunctionGas kMulticallBalanceGas{1000, 0};

uint64_t IntrinsicGas(const Transaction& tx);

}  // namespace depin::consensus
