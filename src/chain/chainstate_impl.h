// Internal to the chainstate (not for other components): the header-tree
// node, the Impl behind Chainstate's pimpl, and what its three files share.
// The implementation is split along its seams:
//   chainstate.cpp        the public Chainstate API: reads, state views, contexts;
//   block_tree.cpp        the header tree: load, accept headers, mark failures,
//                         candidates and blocks waiting for their parents;
//   connect_pipeline.cpp  process headers and blocks, activate the best chain,
//                         connect and disconnect blocks, fatal failures, events.
// Receipts' storage encoding is chain/receipt_store.h.
//
// Thread-safety: as Chainstate (chainstate.h): process_mu_ serializes chain
// changes, mu_ guards the in-memory tree, the active chain and the tip lanes.
#pragma once

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <unordered_map>

#include "chain/block_index.h"
#include "chain/block_store.h"
#include "chain/chain_db.h"
#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/proof_check_queue.h"
#include "chain/state_history.h"
#include "chain/state_store.h"
#include "chain/undo.h"
#include "chain/validation_signals.h"
#include "consensus/block_validation.h"
#include "consensus/executor.h"
#include "consensus/pow.h"
#include "consensus/state.h"
#include "consensus/state_root.h"
#include "primitives/merkle.h"
#include "util/logging.h"
#include "util/sync.h"

namespace depin::chain {

// Blocks with fewer txs connect on one thread (see ConnectTip).
inline constexpr size_t kConnectSideThreadMinTxs = 256;

inline uint64_t NowSeconds() { return static_cast<uint64_t>(std::time(nullptr)); }

// One node of the header tree.
struct IndexNode {
  Hash256 hash;
  BlockHeader header;
  Uint256 chain_work;
  uint32_t status = 0;
  FlatFilePos pos;
  uint32_t tx_count = 0;
  uint64_t median_time_past = 0;
  uint64_t asert_anchor_time = 0;  // block 1's timestamp on this branch (consensus/pow.h)
  uint64_t sequence = 0;           // arrival order: the first seen wins a work tie
  IndexNode* parent = nullptr;

  bool Has(uint32_t flag) const { return (status & flag) == flag; }
  bool Failed() const { return (status & (kBlockFailed | kBlockFailedChild)) != 0; }
  BlockIndexRecord Record() const {
    BlockIndexRecord r;
    r.header = header;
    r.chain_work = chain_work;
    r.status = status;
    r.pos = pos;
    r.tx_count = tx_count;
    return r;
  }
};

// A block's ancestors from the header tree: a walk down the parent links
// from the block's parent, so a side-branch block gets its own branch.
// Called under the chainstate lock.
class TreeAncestors final : public consensus::AncestorHashes {
 public:
  explicit TreeAncestors(const IndexNode* parent) : parent_(parent) {}
  std::vector<Hash256> Nearest(uint64_t count) const override {
    std::vector<Hash256> out;
    out.reserve(count);
    for (const IndexNode* n = parent_; n != nullptr && out.size() < count; n = n->parent) {
      out.push_back(n->hash);
    }
    return out;
  }

 private:
  const IndexNode* parent_;
};

class Chainstate::Impl {
 public:
  Impl(const consensus::ChainParams& params, const consensus::ModuleRegistry& modules,
       const ChainstateOptions& options)
      : params_(params), modules_(modules), options_(options) {
    threads_ = options.script_threads != 0 ? options.script_threads
                                           : std::max(1u, std::thread::hardware_concurrency());
  }

  Status Open() EXCLUDES(mu_);
  Status ProcessHeader(const BlockHeader& header) EXCLUDES(process_mu_, mu_);
  Status ProcessBlock(const std::shared_ptr<const Block>& block, BlockAcceptance* out)
      EXCLUDES(process_mu_, mu_);
  Status RewindTo(const Hash256& hash) EXCLUDES(process_mu_, mu_);
  Status InvalidateBlock(const Hash256& hash) EXCLUDES(process_mu_, mu_);
  Status ReconsiderBlock(const Hash256& hash) EXCLUDES(process_mu_, mu_);

  // Everything below is used by Chainstate's accessors.
  const consensus::ChainParams params_;
  const consensus::ModuleRegistry& modules_;
  const ChainstateOptions options_;
  unsigned threads_ = 1;

  std::unique_ptr<ChainDb> db_;
  std::unique_ptr<BlockStore> blocks_;
  std::unique_ptr<StateStore> state_;

  // Serializes chain changes, the mempool's updates and the enqueueing of
  // their events, so both see blocks in order.
  Mutex process_mu_;
  // Guards the in-memory index, active chain and tip lanes. Taken after
  // process_mu_ when both are held.
  mutable Mutex mu_;
  std::unordered_map<Hash256, std::unique_ptr<IndexNode>, FixedBytesHasher> index_ GUARDED_BY(mu_);
  std::vector<IndexNode*> active_ GUARDED_BY(mu_);  // by height
  IndexNode* best_header_ GUARDED_BY(mu_) = nullptr;
  crypto::LtHash16 tip_lanes_ GUARDED_BY(mu_);
  // Have data, not failed, more work than the tip once.
  std::set<IndexNode*> candidates_ GUARDED_BY(mu_);
  // Blocks whose data arrived before an ancestor's: keyed by the nearest
  // ancestor still missing its data. When that one arrives its waiting
  // descendants become candidates again (blocks may come in any order).
  std::multimap<IndexNode*, IndexNode*> unlinked_ GUARDED_BY(mu_);
  uint64_t next_sequence_ GUARDED_BY(mu_) = 0;
  bool closed_ GUARDED_BY(mu_) = false;
  // Set by the first local failure (I/O, corruption) while changing the
  // chain; every later Process* call returns it.
  Status fatal_ GUARDED_BY(mu_);

  // Records a local failure while changing the chain: logs it, refuses
  // further changes and tells the node (options_.fatal_error) to stop.
  // Returns `s`.
  Status Fatal(const Status& s, const std::string& doing) REQUIRES(mu_);

  // Proofs verified at mempool admission (shared with the mempool).
  VerifiedProofCache proof_cache_;
  Mempool* mempool_ GUARDED_BY(process_mu_) = nullptr;

  struct Event {
    enum Kind { kConnected, kDisconnected } kind;
    BlockEvent block;
  };

  IndexNode* Tip() const REQUIRES(mu_) { return active_.empty() ? nullptr : active_.back(); }
  IndexNode* Find(const Hash256& hash) const REQUIRES(mu_) {
    auto it = index_.find(hash);
    return it == index_.end() ? nullptr : it->second.get();
  }
  bool InActiveChain(const IndexNode* node) const REQUIRES(mu_) {
    return node->header.height < active_.size() && active_[node->header.height] == node;
  }
  TipInfo MakeTipInfo() const REQUIRES(mu_);
  uint64_t StateHistoryDepth() const {
    return std::min(kMaxStateHistoryDepth, params_.max_reorg_depth);
  }
  // The state after the active chain's block `hash` (when non-null) or at
  // `height`. Takes mu_.
  Result<std::shared_ptr<const consensus::StateReader>> StateAfter(uint64_t height,
                                                                   const Hash256* hash) const
      EXCLUDES(mu_);

  IndexNode* AddNode(const BlockHeader& header, IndexNode* parent, uint32_t status) REQUIRES(mu_);
  uint64_t MedianTimePast(const IndexNode* node) const;
  Status AcceptHeader(const BlockHeader& header, IndexNode** out) REQUIRES(mu_);
  Status PersistNode(const IndexNode* node, bool sync);
  void MarkFailed(IndexNode* node, const Status& why) REQUIRES(mu_);
  // The most-work header not marked failed (after marks change).
  void RecomputeBestHeader() REQUIRES(mu_);
  // Every stored, unfailed block with more work than the tip becomes a
  // candidate again (after an operator changed failure marks).
  void RefillCandidates() REQUIRES(mu_);
  Status InitGenesis() REQUIRES(mu_);
  Status LoadIndex() REQUIRES(mu_);
  // Deletes the 't' tx-location records older versions wrote in the
  // connect batch (the tx index now lives in indexes/txindex/).
  Status DropLegacyTxIndex();
  IndexNode* NearestAncestorWithoutData(IndexNode* node) const REQUIRES(mu_);
  void BlockDataArrived(IndexNode* node) REQUIRES(mu_);
  Status ActivateBestChain(std::vector<Event>& events,
                           const std::shared_ptr<const Block>& just_received) REQUIRES(mu_);
  Status ConnectTip(IndexNode* node, std::shared_ptr<const Block> block, std::vector<Event>& events)
      REQUIRES(mu_);
  Status DisconnectTip(std::vector<Event>& events) REQUIRES(mu_);
  // Updates the mempool and enqueues the events.
  void Notify(std::vector<Event>& events) REQUIRES(process_mu_) EXCLUDES(mu_);
};

}  // namespace depin::chain
