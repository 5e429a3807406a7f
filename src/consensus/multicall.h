// Multicall3 as a native module at its canonical address
// 0xcA11bde05977b3631167028862bE2a173976CA11, so that viem's `multicall`,
// wagmi's `useReadContracts` and ethers code written against the Multicall3
// ABI work unchanged. Selectors, argument and return encodings are those of
// the Multicall3 contract (github.com/mds1/multicall); docs/abi/multicall3.json
// is generated from the function table below.
//
// The aggregates (aggregate, tryAggregate, blockAndAggregate,
// tryBlockAndAggregate, aggregate3, aggregate3Value) run each inner call
// through ModuleContext::CallModuleAt: Multicall3 is the inner call's
// sender, as on Ethereum. What differs, because this chain has no EVM:
//   - an inner call may target native modules only; one to a plain account
//     or an unknown address fails ("call-not-a-module"), where the EVM would
//     return success with no data;
//   - a call that carries a proof (Module::ProofChecks) fails
//     ("call-carries-proof"): proofs are verified against the tx's own
//     target at admission and in blocks, so one inside a multicall would go
//     unchecked;
//   - only aggregate3Value takes value. Every other aggregate is nonpayable
//     (Multicall3's are payable, but value sent to them would stay in the
//     module with no owner), and the value of an aggregate3Value entry that
//     fails is paid back to the caller rather than left behind, so the
//     module ends every call holding what it held before;
//   - aggregate3Value checks msg.value against the entries' sum before the
//     first call rather than after the last (the same calls revert);
//   - running out of gas inside an inner call ends the whole call (out of
//     gas): the inner call's allowance was all the call had left.
// A failed inner call whose failure is not allowed reverts the whole call
// with "multicall-call-failed: Multicall3: call failed (call I to ADDR: WHY)";
// a failure entry carries the inner revert as Error(string) return data.
// blockAndAggregate's block hash is blockhash(block.number), zero as on
// Ethereum (a block's own hash is not known while it runs); getBlockHash
// answers the 256 blocks before the current one, zero otherwise.
//
// Gas: consensus/gas.h (kMulticall*), on top of what each inner call costs.
//
// Thread-safety: immutable; see Module.
#pragma once

#include <memory>

#include "consensus/module.h"

namespace depin::consensus {

// 0xcA11bde05977b3631167028862bE2a173976CA11
Address MulticallAddress();

std::shared_ptr<const Module> MakeMulticall();

// Most inner calls one aggregate takes ("abi-too-long" beyond).
inline constexpr size_t kMaxMulticallCalls = 4096;

}  // namespace depin::consensus
