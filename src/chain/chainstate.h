// Chainstate: the node's view of the block chain. It keeps the in-memory
// tree of known headers (loaded from the block index on start), accepts
// headers and blocks, connects a block as one atomic synced LevelDB batch
// (state + undo + receipts + tip + LtHash lanes), disconnects
// through undo, reorganises to the most-work chain, marks invalid blocks and
// their descendants, and reloads the stored tip on start. Undo is kept for
// every block, so a reorg of any depth to a chain with more work is followed
// (as Bitcoin Core); a missing undo record is corruption ("undo-missing") and
// stops the node. Operators may invalidate a block and reconsider it
// (InvalidateBlock / ReconsiderBlock, the RPCs of the same names).
//
// Events leave through ValidationSignals (options.signals): after a change
// is durable, ProcessBlock first updates the attached mempool directly (so
// it is consistent with the new tip when ProcessBlock returns), then
// enqueues BlockConnected / BlockDisconnected and TipChanged, which the
// subscribers (indexes, relay, RPC feeds) hear on the signals thread. No
// subscriber runs under a chainstate lock or delays ProcessBlock.
//
// State is kept at the tip; the state after a recent block of the active
// chain is rebuilt from the tip and the undo records above it
// (StateAtHeight, for RPC queries at a past block), up to
// StateHistoryDepth() blocks back.
//
// Thread-safety: all public methods may be called from any thread; chain
// changes are serialized by an internal mutex; reads take a consistent view.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/block_store.h"
#include "chain/proof_cache.h"
#include "consensus/block_context.h"
#include "consensus/module.h"
#include "consensus/module_trace.h"
#include "consensus/params.h"
#include "consensus/state.h"
#include "primitives/block.h"
#include "primitives/receipt.h"
#include "util/status.h"

namespace leveldb {
class Env;
}  // namespace leveldb

namespace depin {
class Logger;
}

namespace depin::chain {

class Mempool;
class ValidationSignals;

// How many blocks behind the tip StateAtHeight reaches (block explorers and
// wallets ask about the recent past). A view that far back reads and merges
// the undo record of every block in between, so the limit bounds what one
// RPC request costs. The reach is never deeper than params.max_reorg_depth,
// the undo this node promises to keep (Chainstate::StateHistoryDepth()).
inline constexpr uint64_t kMaxStateHistoryDepth = 1024;
// And how many bytes of undo records one such view may read (its overlay
// holds about as much): with full blocks of transfers (~2 MiB of undo each)
// the reach is then ~32 blocks; with ordinary blocks the depth limit binds.
// Beyond it StateAtHeight fails with "state-history-too-large".
inline constexpr size_t kMaxStateHistoryUndoBytes = size_t{64} << 20;

struct ChainstateOptions {
  std::string datadir;  // the network's folder (e.g. ~/.depin/regtest)
  size_t db_cache_bytes = 64 << 20;
  unsigned script_threads = 0;  // 0 = hardware concurrency (sender recovery, LtHash)
  bool sync_writes = true;      // fsync each connected block's batch
  Logger* logger = nullptr;     // optional
  // Called once, on the thread that hit it, when a local failure (I/O or
  // corruption: a full disk, a damaged block file) stops the chainstate from
  // changing the chain. The chainstate has logged it and refuses further
  // Process* calls with the same Status; the node should shut down (as
  // Bitcoin Core's AbortNode). Must not call back into the chainstate.
  std::function<void(const Status&)> fatal_error;
  // Test seam for the block files (BlockStoreOptions::fault_hook).
  std::function<Status(BlockFileOp op, uint32_t file)> block_fault_hook;
  // Test seam for the chainstate database (ChainDbOptions::env): a LevelDB
  // environment that injects faults. Not owned; null: the default one.
  leveldb::Env* db_env = nullptr;
  // Where block events are enqueued; null: nobody hears them (tests).
  ValidationSignals* signals = nullptr;
  // Seconds since the Unix epoch for the future-time rule
  // (block-time-too-new); empty = system clock. A dev node passes its
  // DevClock's AdjustedNow.
  std::function<uint64_t()> clock;
  // Where proof checks hash (blocks, initial sync, mempool admission): a
  // device backend (compute/gpu.h) or null for the CPU. Must outlive the
  // chainstate.
  const crypto::HashBackend* proof_hash = nullptr;
};

// A block the chain knows about (header tree node), copied out for callers.
struct BlockInfo {
  Hash256 hash;
  BlockHeader header;
  Uint256 chain_work;
  bool have_data = false;
  bool invalid = false;
  bool in_active_chain = false;
  uint32_t tx_count = 0;
  uint64_t asert_anchor_time = 0;  // block 1's timestamp on its branch (consensus/pow.h)
  uint32_t size = 0;
};

struct TipInfo {
  Hash256 hash;
  BlockHeader header;
  uint64_t height = 0;
  Uint256 chain_work;
  uint64_t median_time_past = 0;
  uint64_t best_header_height = 0;
};

// Where a tx sits in the active chain (index::TxIndex finds it).
struct TxLocation {
  Hash256 block_hash;
  uint64_t height = 0;
  uint32_t index = 0;
};

// What ProcessBlock made of a block. kNotProcessed: this node could not
// judge it (a local I/O or corruption failure, or the chainstate is closed);
// nothing is known against the block or its sender.
enum class BlockAcceptance { kAccepted, kAlreadyKnown, kOrphan, kInvalid, kNotProcessed };

class Chainstate {
 public:
  // Opens or creates the database under options.datadir, writes genesis on
  // first start, loads the block index and the tip.
  static Result<std::unique_ptr<Chainstate>> Open(const consensus::ChainParams& params,
                                                  const consensus::ModuleRegistry& modules,
                                                  const ChainstateOptions& options);
  ~Chainstate();

  const consensus::ChainParams& params() const;
  const consensus::ModuleRegistry& modules() const;

  // Validates the header against its parent (which must be known) and adds it
  // to the header tree. Ok if already known and valid.
  Status ProcessHeader(const BlockHeader& header);

  // Validates and stores a block, then activates the most-work chain (which
  // may connect it, reorganise, or do nothing if it is on a lighter branch).
  // Invalid blocks and their descendants are marked invalid; the Status names
  // the rule. `status_out` (optional) says what happened.
  Status ProcessBlock(const std::shared_ptr<const Block>& block,
                      BlockAcceptance* status_out = nullptr);

  // Dev chains (regtest only; evm_revert): disconnects the active chain down
  // to block `hash`, as a reorg would (the mempool gets the blocks' txs back,
  // subscribers hear BlockDisconnected, then TipChanged), and sets the
  // disconnected blocks aside: they stay valid and stored, but the chain does
  // not go back to them, whatever their work, until one of them is processed
  // again (mined anew with the same content, or received). Errors:
  // "rewind-regtest-only", "block-not-found", "block-not-active",
  // "reorg-too-deep" (below the undo kept), "chainstate-closed", and local
  // failures (which stop the chainstate, as in ProcessBlock).
  Status RewindTo(const Hash256& hash);

  // Operator overrides (Bitcoin Core's invalidateblock / reconsiderblock).
  // InvalidateBlock marks the block and its descendants failed, disconnects
  // them if active and activates the most-work valid chain; the mark is
  // stored, so it survives a restart. Errors: "block-not-found",
  // "invalidate-genesis"; local failures stop the node as ProcessBlock's do.
  Status InvalidateBlock(const Hash256& hash);
  // ReconsiderBlock clears the failed marks of the block, its ancestors and
  // its descendants (whatever marked them: a block that really breaks a rule
  // fails again when it connects) and activates the most-work chain; the
  // Status is that activation's. Errors: "block-not-found".
  Status ReconsiderBlock(const Hash256& hash);

  TipInfo Tip() const;
  std::optional<Hash256> GetBlockHashAtHeight(uint64_t height) const;  // active chain
  std::optional<BlockInfo> LookupBlock(const Hash256& hash) const;
  Result<std::shared_ptr<const Block>> ReadBlock(const Hash256& hash) const;
  Result<Bytes> ReadRawBlock(const Hash256& hash) const;
  Result<std::vector<Receipt>> ReadReceipts(const Hash256& hash) const;  // gas_used filled
  // The block's module trace (value moved by modules, nested calls), kept
  // like its receipts by block hash (so an index can still read it after the
  // block leaves the active chain). nullopt: the block was connected by a
  // version that kept no trace (-reindex connects it again and fills it).
  Result<std::optional<consensus::BlockTrace>> ReadModuleTrace(const Hash256& hash) const;

  // A consistent read-only view of the state at the current tip.
  std::shared_ptr<const consensus::StateReader> StateAtTip() const;
  consensus::Account GetAccount(const Address& address) const;
  Hash256 StateRoot() const;

  // min(kMaxStateHistoryDepth, params.max_reorg_depth).
  uint64_t StateHistoryDepth() const;
  // A consistent read-only view of the state after the active chain's block
  // at `height`: the tip's StateAtTip(), or for an older block the tip state
  // with the befores of the undo records above it, all read under one
  // database snapshot (a block connected meanwhile cannot mix in). Costs one
  // undo record read per block back. Errors: "block-not-found" above the
  // tip, "state-too-old" more than StateHistoryDepth() blocks below it,
  // "chainstate-closed", and undo or database errors.
  Result<std::shared_ptr<const consensus::StateReader>> StateAtHeight(uint64_t height) const;
  // The same for block `hash`, which must be in the active chain:
  // "block-not-found" when unknown, "block-not-active" on a side branch.
  Result<std::shared_ptr<const consensus::StateReader>> StateAtBlock(const Hash256& hash) const;

  // Context for building the next block on the tip at time `now`.
  struct NextBlock {
    uint64_t height = 0;
    Hash256 parent_hash;
    uint32_t bits = 0;
    Uint256 base_fee;
    uint64_t gas_limit = 0;
    uint64_t min_timestamp = 0;  // median time past + 1

    // The header fields a block context needs, for a next block mined by
    // `miner` at `timestamp` (roots, gas used and nonce left zero).
    BlockHeader HeaderFor(const Address& miner, uint64_t timestamp) const;
  };
  NextBlock NextBlockContext() const;

  // The context a block with `header` runs in (consensus::MakeBlockContext),
  // its randomness drawn from the ancestors of header.parent_hash in the
  // header tree: on whichever branch the parent is. Validation, the block
  // assembler and eth_call all build contexts this way.
  // "block-parent-unknown" (kNotFound) when the parent is not in the tree.
  Result<consensus::BlockContext> BlockContextFor(const BlockHeader& header) const;

  // State root that `diff` would produce on top of the current tip (miner).
  Hash256 StateRootAfter(const consensus::StateDiff& diff) const;

  uint64_t SizeOnDisk() const;

  // Proofs verified at mempool admission; a connecting block skips them.
  VerifiedProofCache& proof_cache();
  // ChainstateOptions::proof_hash (null: the CPU).
  const crypto::HashBackend* proof_hash() const;

  // The queue block events go to (options.signals; may be null).
  ValidationSignals* signals() const;

  // The mempool updated by a direct call for every connected and
  // disconnected block, in order, before ProcessBlock returns (the Mempool
  // constructor attaches itself, its destructor detaches). At most one: a
  // pool attached later takes the place of the earlier one. Both wait for a
  // chain change in progress; Detach is a no-op for a pool not attached.
  void AttachMempool(Mempool* mempool);
  void DetachMempool(Mempool* mempool);

  // Flushes and closes the database; further calls fail.
  void Close();

 private:
  class Impl;
  explicit Chainstate(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace depin::chain
