// BaseIndex: the machinery every optional index shares (the tx index today;
// address and market-object indexes next), modelled on Bitcoin Core's
// index/base.h. An index keeps its own LevelDB under
// <network datadir>/indexes/<name>/, never writes into the consensus
// database, and may lag the chain without holding it up:
//
//   - Start() opens the database (rebuilding it from scratch, with a log
//     line saying why, when it is damaged or belongs to another chain: the
//     genesis hash is stored), subscribes to the validation signals and
//     starts a catch-up thread ("index-<name>") that reads the active
//     chain's blocks from the block store, from the index's best block up
//     to the tip, logging its progress;
//   - once caught up it follows BlockConnected / BlockDisconnected on the
//     signals thread;
//   - its best block is stored with each block's entries in one batch (a
//     locator: the best hash and a few ancestors), so a crash leaves it
//     consistent with itself; at start a best block that is no longer in the
//     active chain (a reorg while the node was down, or an index left behind
//     by a -reindex) is rewound block by block through the blocks the store
//     still holds, down to the fork point. When even that is impossible the
//     index starts again from genesis.
//
// Subclasses implement CustomAppend / CustomRemove, which add to the batch
// that also moves the best block.
//
// Thread-safety: Start and Stop from the owner's thread. Every other public
// method may be called from any thread (RPC handlers). CustomAppend and
// CustomRemove run on the catch-up thread or the signals thread, never both
// at once (write_mu_).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "chain/chain_db.h"
#include "chain/chainstate.h"
#include "chain/validation_signals.h"
#include "primitives/block.h"
#include "util/status.h"
#include "util/sync.h"

namespace depin {
class Logger;
}

namespace depin::index {

struct IndexOptions {
  // The network folder; the index lives in <datadir>/indexes/<name>/.
  std::filesystem::path datadir;
  size_t db_cache_bytes = size_t{8} << 20;
  Logger* logger = nullptr;
  // Test seam: the LevelDB environment (see ChainDbOptions::env).
  leveldb::Env* env = nullptr;
};

// One block as an index sees it. `tx_hashes` is always filled; `block` and
// `receipts` only when the index asks for full blocks (NeedsFullBlocks), or
// `receipts` alone (NeedsReceipts). Blocks heard from the signals carry all.
struct IndexBlock {
  Hash256 hash;
  Hash256 parent_hash;
  uint64_t height = 0;
  std::vector<Hash256> tx_hashes;
  std::shared_ptr<const Block> block;
  std::shared_ptr<const std::vector<Receipt>> receipts;
  // With full blocks: the block's module trace (consensus/module_trace.h);
  // null for a block connected by a version that kept none.
  std::shared_ptr<const consensus::BlockTrace> trace;
};

// What getindexinfo reports.
struct IndexSummary {
  std::string name;
  bool synced = false;
  uint64_t best_block_height = 0;
  Hash256 best_block_hash;
};

class BaseIndex : public chain::ValidationInterface {
 public:
  BaseIndex(std::string name, chain::Chainstate& chainstate, const IndexOptions& options);
  ~BaseIndex() override;
  BaseIndex(const BaseIndex&) = delete;
  BaseIndex& operator=(const BaseIndex&) = delete;

  // Opens (or rebuilds) the database, subscribes to chainstate.signals()
  // (which must be set) and starts catching up in the background. Fails only
  // when the database can be neither opened nor rebuilt.
  Status Start() EXCLUDES(write_mu_);
  // Ends the catch-up thread and the subscription; the database closes.
  // Idempotent; the destructor calls it.
  void Stop() EXCLUDES(write_mu_);

  const std::string& name() const { return name_; }
  // Caught up with the chain once (it then follows the signals).
  bool synced() const { return synced_.load(); }
  IndexSummary Summary() const EXCLUDES(write_mu_);

  // For RPC: false while the index is still catching up; otherwise waits
  // until it has heard every block event queued so far (so it has the tip a
  // caller saw) and returns true.
  bool BlockUntilSyncedToCurrentChain() const EXCLUDES(write_mu_);

  // ValidationInterface (signals thread).
  void BlockConnected(const chain::BlockEvent& event) override EXCLUDES(write_mu_);
  void BlockDisconnected(const chain::BlockEvent& event) override EXCLUDES(write_mu_);

 protected:
  // Adds the entries for `block` (the child of the current best block).
  virtual Status CustomAppend(chain::WriteBatch& batch, const IndexBlock& block) = 0;
  // Removes the entries `block` (the current best block) added.
  virtual Status CustomRemove(chain::WriteBatch& batch, const IndexBlock& block) = 0;
  // Whether IndexBlock::block and ::receipts are needed (catch-up then reads
  // and decodes whole blocks); tx hashes alone are far cheaper to read.
  virtual bool NeedsFullBlocks() const { return false; }
  // Called by Start once the database is open (write_mu_ held, no thread
  // running): a non-empty reason makes the index rebuild from genesis, logged
  // with that reason (e.g. what it derived from is now more complete).
  virtual std::string CustomRebuildReason() { return {}; }
  // Whether IndexBlock::receipts are needed without the decoded block (an
  // index of events): catch-up then reads the tx hashes and the receipts,
  // and skips decoding the txs and recovering their senders.
  virtual bool NeedsReceipts() const { return NeedsFullBlocks(); }

  // The index's database, for the subclass's reads (any thread, after Start).
  const chain::ChainDb* db() const { return db_.get(); }
  chain::Chainstate& chainstate() const { return chainstate_; }
  Logger* logger() const { return options_.logger; }

 private:
  // The best block: the last one whose entries are in the database.
  // Stored under 'B' with each block's entries; its ancestors, when a
  // rewind needs them, come from the chainstate's block tree.
  struct Locator {
    Hash256 best;
    uint64_t height = 0;
  };
  enum class Step { kDone, kProgress };

  // Opens the database; ok with `why` set when it must be rebuilt.
  Status OpenDb(std::string* why) REQUIRES(write_mu_);
  // Deletes the folder and creates an empty index at genesis.
  Status Rebuild(const std::string& why) REQUIRES(write_mu_);
  void ThreadSync();
  // One move of the best block towards the active chain's tip: rewinds a
  // best block no longer active, or appends the next block.
  Result<Step> StepTowardsTip() REQUIRES(write_mu_);
  // Steps until the tip (the signals thread, when events do not line up).
  Status CatchUp() REQUIRES(write_mu_);
  Status Append(const IndexBlock& block) REQUIRES(write_mu_);
  Status Remove(const IndexBlock& block) REQUIRES(write_mu_);
  Result<IndexBlock> ReadIndexBlock(const Hash256& hash) const;
  IndexBlock FromEvent(const chain::BlockEvent& event) const;
  static void WriteLocator(chain::WriteBatch& batch, const Locator& locator);
  // A failure while following the chain: the index stops following (it
  // would only drift) and says so; a restart resumes from its best block.
  void Fail(const Status& status) REQUIRES(write_mu_);

  const std::string name_;
  chain::Chainstate& chainstate_;
  const IndexOptions options_;
  const std::filesystem::path dir_;

  // Serializes the catch-up thread, the signals thread and Start/Stop.
  mutable Mutex write_mu_;
  // Set in Start, reset in Stop (owner's thread, no reader running then).
  std::unique_ptr<chain::ChainDb> db_;
  Locator locator_ GUARDED_BY(write_mu_);
  bool failed_ GUARDED_BY(write_mu_) = false;
  std::atomic<bool> synced_{false};
  std::atomic<bool> interrupt_{false};
  bool registered_ = false;
  std::thread thread_;
};

}  // namespace depin::index
