// Module trace: a record of what modules did beyond their logs, kept for
// explorers (internal operations, ots_traceTransaction, the address index).
// It is NOT consensus data: no root commits to it, no rule reads it, and a
// block's execution is the same with or without it.
//
// What is recorded, in order of occurrence:
//   - kTransfer: value a module moved out of its own balance
//     (ModuleContext::PayFromModule), including the value of a nested call;
//   - kCall: a nested module call (ModuleContext::CallModuleAt, as Multicall3
//     makes), with its calldata and outcome.
// Only what took effect stays: a call that reverts takes its transfers and
// nested calls with it (the trace reverts with StateCache checkpoints). A
// nested call that failed keeps its own kCall record, with success = false,
// but nothing it did inside. The tx's own call and plain value transfers are
// not recorded: they are the tx itself.
//
// depth: for kTransfer the call depth of the module that paid, 0 being the
// tx's own call (or a deferred run at the end of the block), 1 a call it
// made, and so on; for kCall the depth of the frame the call opens (1 for a
// call the tx's own call made).
//
// ExecuteBlock collects the records per position: the tx index, or
// kEndOfBlock for deferred work run after the txs. The chain stores them
// beside the receipts ('i' || block hash, chain_db.h), written with the block
// (chain/connect_pipeline.cpp).
//
// Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <vector>

#include "primitives/address.h"
#include "primitives/uint256.h"
#include "util/bytes.h"
#include "util/status.h"

namespace depin::consensus {

enum class TraceKind : uint8_t { kTransfer = 0, kCall = 1 };

struct TraceRecord {
  TraceKind kind = TraceKind::kTransfer;
  uint16_t depth = 0;
  bool success = true;  // kCall: the nested call's outcome
  Address from;
  Address to;
  Uint256 value;
  Bytes input;  // kCall: the calldata

  friend bool operator==(const TraceRecord&, const TraceRecord&) = default;
};

// Position of records made by deferred work run at the end of the block.
inline constexpr uint32_t kTraceEndOfBlock = 0xFFFFFFFF;

struct BlockTraceEntry {
  uint32_t position = 0;  // tx index in the block, or kTraceEndOfBlock
  TraceRecord record;

  friend bool operator==(const BlockTraceEntry&, const BlockTraceEntry&) = default;
};

// A block's trace in occurrence order (txs in block order, then the end of
// the block).
using BlockTrace = std::vector<BlockTraceEntry>;

// Encoding: u8 version (1) || u32 count || per entry: u32 position || u8 kind
// || u16 depth || u8 success || from (20) || to (20) || value (32, big
// endian) || u32 input length || input. Integers little-endian.
Bytes EncodeBlockTrace(const BlockTrace& trace);
// "trace-bad-encoding" (kind corruption) when damaged.
Result<BlockTrace> DecodeBlockTrace(ByteSpan data);

}  // namespace depin::consensus
