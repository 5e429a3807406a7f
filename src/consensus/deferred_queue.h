// The deferred-work queue: work a module must do at a height whatever anyone
// does (a bidding window closing, a proving deadline passing), without
// looping over its objects every block. It is consensus state like any other
// ('q' keys, so it is in the state root and undone by the generic StateCache
// diffs), owned by consensus, not by a module.
//
// Scheduling (ModuleContext::ScheduleDeferred): a module names a due height
// and a key (module-local, at most kMaxDeferredKeySize bytes) and the gas the
// run may use. The scheduling tx pays that gas up front on top of
// kDeferredScheduleGas; it is never refunded. Refused with a reason:
//   deferred-not-in-future (invalid)         height <= the current block's
//   deferred-beyond-horizon (limit exceeded) height > current + deferred_horizon
//   deferred-gas-too-low (invalid)           gas < kDeferredMinGas
//   deferred-gas-too-high (limit exceeded)   gas > deferred_gas_per_block
//   deferred-key-too-long (invalid)          key over kMaxDeferredKeySize bytes
//   deferred-already-scheduled (invalid)     the same (height, module, key) is queued
//   write-in-view (invalid)                  from a view
//
// Running (RunDueDeferred): at the end of every block, after its txs and
// before the miner's reward, due entries (height <= the block's) run in
// (height, module address, key) order, which is the queue's key order. An
// entry runs only if its prepaid gas fits what is left of the block's
// deferred_gas_per_block; the first that does not fit stops the run, and it
// and everything after it wait for the next block (spill-over), still first
// in order there. Each run erases its entry, then calls
// Module::RunDeferred with the prepaid gas less kDeferredMinGas as allowance,
// no sender and no value; a run that fails is reverted (the entry stays
// consumed). The run's gas is accounted in the block's deferred gas, not in
// any tx receipt or the header's gas used; its logs go into the block's
// system receipt (executor.h).
//
// Thread-safety: pure functions over the caller's StateCache.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "consensus/module.h"
#include "consensus/state_cache.h"
#include "primitives/receipt.h"

namespace depin::consensus {

inline constexpr uint8_t kDeferredPrefix = 'q';
inline constexpr size_t kMaxDeferredKeySize = 64;

struct DeferredEntry {
  uint64_t height = 0;
  Address module;
  Bytes key;
  uint64_t gas = 0;  // prepaid
  friend bool operator==(const DeferredEntry&, const DeferredEntry&) = default;
};

// 'q' || height (8 bytes big-endian) || module (20) || key.
Bytes DeferredStateKey(uint64_t height, const Address& module, ByteSpan key);
// The entry stored under `state_key` with `value` ("deferred-bad-encoding",
// kCorruption, when malformed).
Result<DeferredEntry> DecodeDeferredEntry(ByteSpan state_key, ByteSpan value);
// The stored value: prepaid gas, 8 bytes little-endian.
Bytes EncodeDeferredValue(uint64_t gas);

// Every queued entry in run order (tests and RPC).
std::vector<DeferredEntry> ListDeferred(StateCache& state);

struct DeferredRun {
  uint32_t entries_run = 0;
  uint64_t gas_used = 0;  // kDeferredMinGas per entry plus what each run used
  std::vector<Log> logs;  // of the runs that succeeded, in run order
};

// Runs the due entries within the block's bound (see the header comment).
// Errors only for corrupt queue entries (kCorruption).
Result<DeferredRun> RunDueDeferred(StateCache& state, const BlockContext& block,
                                   const ModuleRegistry& modules);

}  // namespace depin::consensus
