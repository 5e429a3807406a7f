#include "chain/chainstate.h"

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

namespace depin::chain {
namespace {

// Blocks with fewer txs connect on one thread (see ConnectTip).
constexpr size_t kConnectSideThreadMinTxs = 256;

// Receipts of one block as stored under 'r' || hash:
// u32 count || per receipt: u64 gas_used || u32 length || Receipt::Encode().
// `encoded` holds each receipt's Encode().
Bytes EncodeReceipts(const std::vector<Receipt>& receipts, const std::vector<Bytes>& encoded) {
  size_t size = 4;
  for (const Bytes& enc : encoded) size += 12 + enc.size();
  Bytes out(4);
  out.reserve(size);
  WriteLE32(out.data(), static_cast<uint32_t>(receipts.size()));
  for (size_t i = 0; i < receipts.size(); ++i) {
    const Bytes& enc = encoded[i];
    size_t at = out.size();
    out.resize(at + 12);
    WriteLE64(out.data() + at, receipts[i].gas_used);
    WriteLE32(out.data() + at + 8, static_cast<uint32_t>(enc.size()));
    out.insert(out.end(), enc.begin(), enc.end());
  }
  return out;
}

Result<std::vector<Receipt>> DecodeReceipts(ByteSpan data) {
  auto bad = [] {
    return Status::Corruption("receipts-bad-encoding", "stored receipts are damaged");
  };
  if (data.size() < 4) return bad();
  const uint32_t count = ReadLE32(data.data());
  size_t at = 4;
  if (count > data.size() / 12) return bad();
  std::vector<Receipt> out;
  out.reserve(count);
  for (uint32_t i = 0; i < count; ++i) {
    if (data.size() - at < 12) return bad();
    const uint64_t gas_used = ReadLE64(data.data() + at);
    const uint32_t len = ReadLE32(data.data() + at + 8);
    at += 12;
    if (data.size() - at < len) return bad();
    auto r = DecodeReceipt(data.subspan(at, len));
    if (!r.ok()) return bad();
    at += len;
    r->gas_used = gas_used;
    out.push_back(std::move(r).value());
  }
  if (at != data.size()) return bad();
  return out;
}

uint64_t NowSeconds() { return static_cast<uint64_t>(std::time(nullptr)); }

}  // namespace

// One node of the header tree.
struct IndexNode {
  Hash256 hash;
  BlockHeader header;
  Uint256 chain_work;
  uint32_t status = 0;
  FlatFilePos pos;
  uint32_t tx_count = 0;
  uint64_t median_time_past = 0;
  uint64_t sequence = 0;  // arrival order: the first seen wins a work tie
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

  Status Open();
  Status ProcessHeader(const BlockHeader& header);
  Status ProcessBlock(const std::shared_ptr<const Block>& block, BlockAcceptance* out);

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
  std::mutex process_mu_;
  // Guards the in-memory index, active chain and tip lanes.
  mutable std::mutex mu_;
  std::unordered_map<Hash256, std::unique_ptr<IndexNode>, FixedBytesHasher> index_;
  std::vector<IndexNode*> active_;  // by height
  IndexNode* best_header_ = nullptr;
  crypto::LtHash16 tip_lanes_;
  std::set<IndexNode*> candidates_;  // have data, not failed, more work than the tip once
  // Blocks whose data arrived before an ancestor's: keyed by the nearest
  // ancestor still missing its data. When that one arrives its waiting
  // descendants become candidates again (blocks may come in any order).
  std::multimap<IndexNode*, IndexNode*> unlinked_;
  uint64_t next_sequence_ = 0;
  bool closed_ = false;
  // Set by the first local failure (I/O, corruption) while changing the
  // chain; every later Process* call returns it. Guarded by mu_.
  Status fatal_;

  // Records a local failure while changing the chain: logs it, refuses
  // further changes and tells the node (options_.fatal_error) to stop.
  // Returns `s`. Called with mu_ held.
  Status Fatal(const Status& s, const std::string& doing);

  // Proofs verified at mempool admission (shared with the mempool).
  VerifiedProofCache proof_cache_;
  Mempool* mempool_ = nullptr;  // guarded by process_mu_

  struct Event {
    enum Kind { kConnected, kDisconnected } kind;
    BlockEvent block;
  };

  IndexNode* Tip() const { return active_.empty() ? nullptr : active_.back(); }
  IndexNode* Find(const Hash256& hash) const {
    auto it = index_.find(hash);
    return it == index_.end() ? nullptr : it->second.get();
  }
  bool InActiveChain(const IndexNode* node) const {
    return node->header.height < active_.size() && active_[node->header.height] == node;
  }
  TipInfo MakeTipInfo() const;
  uint64_t StateHistoryDepth() const {
    return std::min(kMaxStateHistoryDepth, params_.max_reorg_depth);
  }
  // The state after the active chain's block `hash` (when non-null) or at
  // `height`. Takes mu_.
  Result<std::shared_ptr<const consensus::StateReader>> StateAfter(uint64_t height,
                                                                   const Hash256* hash) const;

  IndexNode* AddNode(const BlockHeader& header, IndexNode* parent, uint32_t status);
  uint64_t MedianTimePast(const IndexNode* node) const;
  Status AcceptHeader(const BlockHeader& header, IndexNode** out);
  Status PersistNode(const IndexNode* node, bool sync);
  void MarkFailed(IndexNode* node, const Status& why);
  Status InitGenesis();
  Status LoadIndex();
  // Deletes the 't' tx-location records older versions wrote in the
  // connect batch (the tx index now lives in indexes/txindex/).
  Status DropLegacyTxIndex();
  IndexNode* NearestAncestorWithoutData(IndexNode* node) const;
  void BlockDataArrived(IndexNode* node);
  Status ActivateBestChain(std::vector<Event>& events,
                           const std::shared_ptr<const Block>& just_received);
  Status ConnectTip(IndexNode* node, std::shared_ptr<const Block> block,
                    std::vector<Event>& events);
  Status DisconnectTip(std::vector<Event>& events);
  // Updates the mempool and enqueues the events; process_mu_ held, mu_ not.
  void Notify(std::vector<Event>& events);
};

IndexNode* Chainstate::Impl::AddNode(const BlockHeader& header, IndexNode* parent,
                                     uint32_t status) {
  auto node = std::make_unique<IndexNode>();
  node->hash = header.Hash();
  node->header = header;
  node->parent = parent;
  node->status = status;
  node->sequence = next_sequence_++;
  Uint256 work;
  auto target = CompactToTarget(header.bits);
  if (target.ok()) work = WorkFromTarget(*target);
  node->chain_work = parent ? WrappingAdd(parent->chain_work, work) : work;
  node->median_time_past = MedianTimePast(node.get());
  IndexNode* raw = node.get();
  index_.emplace(raw->hash, std::move(node));
  if (!raw->Failed() && (best_header_ == nullptr || raw->chain_work > best_header_->chain_work)) {
    best_header_ = raw;
  }
  return raw;
}

uint64_t Chainstate::Impl::MedianTimePast(const IndexNode* node) const {
  std::vector<uint64_t> times;
  for (const IndexNode* n = node; n != nullptr && times.size() < params_.median_time_span;
       n = n->parent) {
    times.push_back(n->header.timestamp);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

IndexNode* Chainstate::Impl::NearestAncestorWithoutData(IndexNode* node) const {
  for (IndexNode* p = node->parent; p != nullptr && !InActiveChain(p); p = p->parent) {
    if (!p->Has(kBlockHaveData)) return p;
  }
  return nullptr;
}

void Chainstate::Impl::BlockDataArrived(IndexNode* node) {
  if (IndexNode* missing = NearestAncestorWithoutData(node)) {
    unlinked_.emplace(missing, node);
    return;
  }
  std::vector<IndexNode*> queue{node};
  while (!queue.empty()) {
    IndexNode* n = queue.back();
    queue.pop_back();
    if (!n->Failed() && (Tip() == nullptr || n->chain_work > Tip()->chain_work)) {
      candidates_.insert(n);
    }
    auto range = unlinked_.equal_range(n);
    for (auto it = range.first; it != range.second; ++it) queue.push_back(it->second);
    unlinked_.erase(range.first, range.second);
  }
}

Status Chainstate::Impl::PersistNode(const IndexNode* node, bool sync) {
  WriteBatch batch;
  batch.Put(MakeKey(dbkey::kBlockIndex, node->hash.span()), EncodeBlockIndexRecord(node->Record()));
  return db_->Write(batch, sync);
}

void Chainstate::Impl::MarkFailed(IndexNode* node, const Status& why) {
  LogWarn(options_.logger, LogCategory::kValidation, "block {} at height {} is invalid: {}",
          node->hash.Hex(), node->header.height, why.ToString());
  node->status |= kBlockFailed;
  candidates_.erase(node);
  WriteBatch batch;
  batch.Put(MakeKey(dbkey::kBlockIndex, node->hash.span()), EncodeBlockIndexRecord(node->Record()));
  // Every known descendant is invalid too.
  for (auto& [hash, other] : index_) {
    if (other->header.height <= node->header.height || other->Failed()) continue;
    const IndexNode* walk = other.get();
    while (walk != nullptr && walk->header.height > node->header.height) walk = walk->parent;
    if (walk == node) {
      other->status |= kBlockFailedChild;
      candidates_.erase(other.get());
      batch.Put(MakeKey(dbkey::kBlockIndex, other->hash.span()),
                EncodeBlockIndexRecord(other->Record()));
    }
  }
  Status s = db_->Write(batch, /*sync=*/false);
  if (!s.ok()) {
    LogError(options_.logger, LogCategory::kDb, "failed to persist invalid-block marks: {}",
             s.ToString());
  }
  if (best_header_ != nullptr && best_header_->Failed()) {
    best_header_ = nullptr;
    for (auto& [hash, n] : index_) {
      if (!n->Failed() && (best_header_ == nullptr || n->chain_work > best_header_->chain_work)) {
        best_header_ = n.get();
      }
    }
  }
}

Status Chainstate::Impl::InitGenesis() {
  const BlockHeader genesis = params_.GenesisHeader();
  Block block;
  block.header = genesis;
  auto pos = blocks_->WriteBlock(block);
  if (!pos.ok()) return pos.status();

  consensus::StateCache cache(*state_);
  for (const consensus::GenesisAlloc& alloc : params_.genesis_alloc) {
    consensus::Account a = cache.GetAccount(alloc.address);
    a.balance = *CheckedAdd(a.balance, alloc.balance);
    cache.PutAccount(alloc.address, a);
  }
  consensus::StateDiff diff = cache.Diff();
  crypto::LtHash16 lanes;
  consensus::ApplyDiff(lanes, diff, threads_);
  if (lanes.Root() != genesis.state_root) {
    return Status::Error("genesis-bad-state-root", "genesis allocation does not match its root");
  }

  IndexNode* node =
      AddNode(genesis, nullptr, kBlockHaveData | kBlockValidHeader | kBlockValidBlock);
  node->pos = *pos;
  WriteBatch batch;
  StateStore::WriteDiff(batch, diff);
  StateStore::WriteTipLtHash(batch, lanes);
  batch.Put(MakeKey(dbkey::kBlockIndex, node->hash.span()), EncodeBlockIndexRecord(node->Record()));
  batch.Put(MakeKey(dbkey::kReceipts, node->hash.span()), EncodeReceipts({}, {}));
  batch.Put(MakeKey(dbkey::kTip), node->hash.span());
  blocks_->WriteFileInfo(batch);
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/true));
  active_ = {node};
  tip_lanes_ = lanes;
  LogInfo(options_.logger, LogCategory::kChain, "created {} genesis {} ({} funded accounts)",
          params_.name, node->hash.Hex(), params_.genesis_alloc.size());
  return Status::Ok();
}

Status Chainstate::Impl::LoadIndex() {
  std::vector<BlockIndexRecord> records;
  auto it = db_->NewPrefixIterator(MakeKey(dbkey::kBlockIndex));
  for (; it->Valid(); it->Next()) {
    auto rec = DecodeBlockIndexRecord(it->value());
    if (!rec.ok())
      return Status::Corruption("chainstate-corrupt",
                                "block index record: " + rec.status().message());
    records.push_back(std::move(rec).value());
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  std::sort(records.begin(), records.end(),
            [](const BlockIndexRecord& a, const BlockIndexRecord& b) {
              return a.header.height < b.header.height;
            });
  for (const BlockIndexRecord& rec : records) {
    IndexNode* parent = nullptr;
    if (rec.header.height > 0) {
      parent = Find(rec.header.parent_hash);
      if (parent == nullptr) continue;  // an orphan header stored by an older run: drop it
    }
    IndexNode* node = AddNode(rec.header, parent, rec.status);
    node->pos = rec.pos;
    node->tx_count = rec.tx_count;
  }
  return Status::Ok();
}

Status Chainstate::Impl::DropLegacyTxIndex() {
  const Bytes prefix = MakeKey(dbkey::kLegacyTxIndex);
  auto it = db_->NewPrefixIterator(prefix);
  if (!it->Valid()) return it->status();
  LogInfo(options_.logger, LogCategory::kChain,
          "removing the tx index records of an older version from the chainstate (the tx index "
          "now has its own database, built in the background)");
  uint64_t removed = 0;
  WriteBatch batch;
  for (; it->Valid(); it->Next()) {
    batch.Delete(it->key());
    ++removed;
    if (batch.ApproximateSize() >= (size_t{4} << 20)) {
      DEPIN_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/false));
      batch.Clear();
    }
  }
  DEPIN_RETURN_IF_ERROR(it->status());
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/true));
  LogInfo(options_.logger, LogCategory::kChain, "removed {} old tx index records", removed);
  return Status::Ok();
}

Status Chainstate::Impl::Open() {
  const std::filesystem::path dir(options_.datadir);
  std::error_code ec;
  std::filesystem::create_directories(dir / "chainstate", ec);
  if (ec)
    return Status::IoError("datadir-unwritable",
                           "cannot create " + (dir / "chainstate").string() + ": " + ec.message());

  ChainDbOptions db_options;
  db_options.path = dir / "chainstate";
  db_options.cache_bytes = options_.db_cache_bytes;
  auto db = ChainDb::Open(db_options);
  if (!db.ok()) return db.status();
  db_ = std::move(db).value();

  BlockStoreOptions bs_options;
  bs_options.dir = dir / "blocks";
  bs_options.magic = ReadBE32(params_.magic.data());
  bs_options.max_block_size = params_.max_block_size;
  bs_options.fault_hook = options_.block_fault_hook;
  auto bs = BlockStore::Open(bs_options, db_.get());
  if (!bs.ok()) return bs.status();
  blocks_ = std::move(bs).value();
  if (blocks_->recovered_truncated_bytes() > 0) {
    LogWarn(options_.logger, LogCategory::kDb,
            "block files: cut {} bytes of an interrupted write at the end",
            blocks_->recovered_truncated_bytes());
  }
  state_ = std::make_unique<StateStore>(*db_);

  auto tip_raw = db_->Get(MakeKey(dbkey::kTip));
  if (!tip_raw.ok()) return tip_raw.status();
  if (!tip_raw->has_value()) return InitGenesis();

  DEPIN_RETURN_IF_ERROR(DropLegacyTxIndex());
  DEPIN_RETURN_IF_ERROR(LoadIndex());
  IndexNode* genesis = Find(params_.GenesisHash());
  if (genesis == nullptr) {
    return Status::Error("datadir-wrong-network", "the database in " + options_.datadir +
                                                      " is not a " + params_.name + " chain");
  }
  auto tip_hash = Hash256::FromSpan(**tip_raw);
  if (!tip_hash.ok()) return Status::Corruption("chainstate-corrupt", "tip record is damaged");
  IndexNode* tip = Find(*tip_hash);
  if (tip == nullptr)
    return Status::Corruption("chainstate-corrupt", "tip block is not in the index");
  active_.assign(tip->header.height + 1, nullptr);
  for (IndexNode* n = tip; n != nullptr; n = n->parent) active_[n->header.height] = n;
  if (active_[0] != genesis)
    return Status::Corruption("chainstate-corrupt", "tip does not descend from genesis");

  auto lanes = state_->ReadTipLtHash();
  if (!lanes.ok()) return lanes.status();
  if (!lanes->has_value()) return Status::Corruption("chainstate-corrupt", "state lanes missing");
  tip_lanes_ = **lanes;
  if (tip_lanes_.Root() != tip->header.state_root) {
    return Status::Corruption("chainstate-corrupt",
                              "stored state does not match the tip's state root");
  }
  for (auto& [hash, node] : index_) {
    if (node->Has(kBlockHaveData) && !node->Failed() && !InActiveChain(node.get())) {
      BlockDataArrived(node.get());
    }
  }
  LogInfo(options_.logger, LogCategory::kChain,
          "loaded {} chain: {} blocks indexed, tip {} at height {}", params_.name, index_.size(),
          tip->hash.Hex(), tip->header.height);
  // Blocks stored but not connected before a stop (or a crash) connect now.
  // A stored block that turns out invalid (or a reorg refused) leaves a
  // usable chain; a local failure does not.
  std::vector<Event> events;
  Status s = ActivateBestChain(events, nullptr);
  if (s.IsLocalFailure()) return s;
  if (!s.ok()) {
    LogWarn(options_.logger, LogCategory::kChain, "stored blocks not connected at start-up: {}",
            s.ToString());
  }
  return Status::Ok();
}

Status Chainstate::Impl::AcceptHeader(const BlockHeader& header, IndexNode** out) {
  const Hash256 hash = header.Hash();
  if (IndexNode* known = Find(hash)) {
    *out = known;
    if (known->Has(kBlockFailed))
      return Status::Error("duplicate-invalid", "block is known to be invalid");
    if (known->Has(kBlockFailedChild))
      return Status::Error("bad-prevblk", "block descends from an invalid block");
    return Status::Ok();
  }
  *out = nullptr;
  DEPIN_RETURN_IF_ERROR(consensus::CheckHeader(header, params_));
  IndexNode* parent = Find(header.parent_hash);
  if (parent == nullptr)
    return Status::Error(StatusKind::kMissingParent, "prev-blk-not-found",
                         "parent block is unknown");
  if (parent->Failed()) return Status::Error("bad-prevblk", "parent block is invalid");
  consensus::ParentInfo info{parent->header, parent->median_time_past};
  DEPIN_RETURN_IF_ERROR(consensus::ContextualCheckHeader(header, info, NowSeconds(), params_));
  IndexNode* node = AddNode(header, parent, kBlockValidHeader);
  *out = node;
  return PersistNode(node, /*sync=*/false);
}

Status Chainstate::Impl::Fatal(const Status& s, const std::string& doing) {
  if (!fatal_.ok()) return s;  // already stopping: say it once
  fatal_ = s;
  LogError(options_.logger, LogCategory::kChain,
           "fatal: local {} failure while {}: {}; the node stops (no peer is blamed). Free disk "
           "space or repair the datadir (-reindex rebuilds the chainstate from the block files), "
           "then restart",
           StatusKindName(s.kind()), doing, s.ToString());
  if (options_.fatal_error) options_.fatal_error(s);
  return s;
}

Status Chainstate::Impl::ProcessHeader(const BlockHeader& header) {
  std::lock_guard<std::mutex> process(process_mu_);
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_)
    return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
  if (!fatal_.ok()) return fatal_;
  IndexNode* node = nullptr;
  Status s = AcceptHeader(header, &node);
  if (s.IsLocalFailure()) return Fatal(s, "storing header " + header.Hash().Hex());
  return s;
}

Status Chainstate::Impl::ProcessBlock(const std::shared_ptr<const Block>& block,
                                      BlockAcceptance* out) {
  BlockAcceptance ignored;
  if (out == nullptr) out = &ignored;
  std::vector<Event> events;
  Status result;
  {
    std::lock_guard<std::mutex> process(process_mu_);
    {
      std::lock_guard<std::mutex> lock(mu_);
      *out = BlockAcceptance::kNotProcessed;
      if (closed_)
        return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
      if (!fatal_.ok()) return fatal_;
      IndexNode* node = nullptr;
      Status s = AcceptHeader(block->header, &node);
      if (s.IsLocalFailure()) return Fatal(s, "storing header " + block->header.Hash().Hex());
      if (!s.ok()) {
        *out =
            s.Is(StatusKind::kMissingParent) ? BlockAcceptance::kOrphan : BlockAcceptance::kInvalid;
        return s;
      }
      if (node->Has(kBlockHaveData)) {
        *out = BlockAcceptance::kAlreadyKnown;
        return Status::Ok();
      }
      s = consensus::CheckBlockBody(*block, params_, modules_);
      if (!s.ok()) {
        // A body that does not match its header's tx root may be a mutated
        // copy of a valid block: reject it without condemning the header.
        if (!s.Is(StatusKind::kMutated)) MarkFailed(node, s);
        *out = BlockAcceptance::kInvalid;
        return s;
      }
      auto pos = blocks_->WriteBlock(*block);
      if (!pos.ok()) return Fatal(pos.status(), "writing block " + node->hash.Hex());
      // The block is on disk (synced) before the index points at it.
      node->pos = *pos;
      node->tx_count = static_cast<uint32_t>(block->txs.size());
      node->status |= kBlockHaveData;
      WriteBatch batch;
      batch.Put(MakeKey(dbkey::kBlockIndex, node->hash.span()),
                EncodeBlockIndexRecord(node->Record()));
      blocks_->WriteFileInfo(batch);
      if (Status w = db_->Write(batch, /*sync=*/false); !w.ok()) {
        return Fatal(w, "indexing block " + node->hash.Hex());
      }
      BlockDataArrived(node);
      result = ActivateBestChain(events, block);
      if (result.IsLocalFailure()) {
        // Whatever was connected before the failure is durable and its events
        // are delivered below; the block itself says nothing about the peer.
        Fatal(result, "connecting blocks");
      } else {
        *out = node->Failed() ? BlockAcceptance::kInvalid : BlockAcceptance::kAccepted;
      }
      if (*out == BlockAcceptance::kInvalid && result.ok())
        result = Status::Error("block-invalid", "block failed validation");
    }
    Notify(events);
  }
  return result;
}

Status Chainstate::Impl::ActivateBestChain(std::vector<Event>& events,
                                           const std::shared_ptr<const Block>& just_received) {
  Status first_error;
  while (true) {
    IndexNode* tip = Tip();
    // Best candidate: most work, then first seen.
    IndexNode* best = nullptr;
    for (auto it = candidates_.begin(); it != candidates_.end();) {
      IndexNode* c = *it;
      if (c->Failed() || c->chain_work <= tip->chain_work) {
        it = candidates_.erase(it);
        continue;
      }
      if (best == nullptr || c->chain_work > best->chain_work ||
          (c->chain_work == best->chain_work && c->sequence < best->sequence)) {
        best = c;
      }
      ++it;
    }
    if (best == nullptr) break;

    // Path from the fork point; every block on it needs its data.
    std::vector<IndexNode*> path;
    IndexNode* fork = best;
    bool complete = true;
    while (!InActiveChain(fork)) {
      if (!fork->Has(kBlockHaveData) || fork->Failed()) complete = false;
      path.push_back(fork);
      fork = fork->parent;
    }
    if (!complete) {
      candidates_.erase(best);
      continue;
    }
    const uint64_t depth = tip->header.height - fork->header.height;
    if (depth > params_.max_reorg_depth) {
      LogError(options_.logger, LogCategory::kChain,
               "refusing a reorg of {} blocks to {}: deeper than the {} blocks of undo kept", depth,
               best->hash.Hex(), params_.max_reorg_depth);
      candidates_.erase(best);
      if (first_error.ok()) {
        first_error = Status::Error(StatusKind::kLimitExceeded, "reorg-too-deep",
                                    "reorganisation of " + std::to_string(depth) +
                                        " blocks exceeds the undo kept (" +
                                        std::to_string(params_.max_reorg_depth) + ")");
      }
      continue;
    }
    if (depth > 0) {
      LogInfo(options_.logger, LogCategory::kChain,
              "reorganising: disconnecting {} blocks to fork point {} at height {}", depth,
              fork->hash.Hex(), fork->header.height);
    }
    while (Tip() != fork) {
      Status s = DisconnectTip(events);
      // Disconnecting never fails for the block's fault: undo or the
      // database failed, and nothing sane is left to do but stop.
      if (!s.ok()) return s.IsLocalFailure() ? s : s.WithKind(StatusKind::kCorruption);
    }
    std::reverse(path.begin(), path.end());
    for (IndexNode* node : path) {
      std::shared_ptr<const Block> block;
      if (just_received && just_received->header.Hash() == node->hash) block = just_received;
      Status s = ConnectTip(node, block, events);
      if (!s.ok()) {
        // A local failure stops the node (the caller's Fatal); only a
        // verdict on the block moves on to the next candidate.
        if (!node->Failed()) return s.IsLocalFailure() ? s : s.WithKind(StatusKind::kCorruption);
        if (first_error.ok()) first_error = s;
        break;  // the loop picks the next best candidate
      }
    }
  }
  return first_error;
}

Status Chainstate::Impl::ConnectTip(IndexNode* node, std::shared_ptr<const Block> block,
                                    std::vector<Event>& events) {
  if (!block) {
    auto read = blocks_->ReadBlock(node->pos);
    if (!read.ok()) return read.status();
    block = std::make_shared<const Block>(std::move(read).value());
  }
  const BlockHeader& h = node->header;
  const consensus::BlockContext ctx =
      consensus::MakeBlockContext(h, params_, TreeAncestors(node->parent));

  // Half of the state root's hashing is removing the changed accounts' old
  // entries. Those accounts are known before execution (senders and
  // recipients), and the store is not written until the block commits, so
  // their old entries are expanded on a second thread while the block runs.
  std::vector<Bytes> touched;
  touched.reserve(2 * block->txs.size());
  for (const TxRef& tx : block->txs) {
    touched.push_back(consensus::AccountKey(tx->sender));
    if (tx->tx.to) touched.push_back(consensus::AccountKey(*tx->tx.to));
  }
  std::sort(touched.begin(), touched.end());
  touched.erase(std::unique(touched.begin(), touched.end()), touched.end());
  // The old values read here (the store is unchanged until the commit)
  // also re-add the entries of touched keys the block did not change.
  std::vector<std::optional<Bytes>> old_values(touched.size());
  // A thread costs tens of microseconds to start: small blocks (initial sync
  // of ordinary blocks) run the side work on this thread, deferred.
  const auto side_policy =
      block->txs.size() >= kConnectSideThreadMinTxs ? std::launch::async : std::launch::deferred;
  auto removed_future = std::async(side_policy, [this, &touched, &old_values] {
    crypto::LtHash16 removed;
    uint8_t expanded[crypto::LtHash16::kSerializedSize];
    for (size_t i = 0; i < touched.size(); ++i) {
      old_values[i] = state_->Get(touched[i]);
      if (!old_values[i]) continue;
      crypto::ExpandEntry(touched[i], *old_values[i], expanded);
      removed.AddExpanded(expanded);
    }
    return removed;
  });
  // Proof checks are stateless: they run on every core beside execution,
  // skipping proofs verified at mempool admission.
  ProofCheckQueue proof_queue(modules_, &proof_cache_,
                              consensus::ProofCheckOptions{.threads = threads_, .hash = nullptr});
  Status proofs_added;
  for (size_t i = 0; i < block->txs.size() && proofs_added.ok(); ++i) {
    proofs_added = proof_queue.Add(i, *block->txs[i]);
  }
  std::future<Status> proofs_future;
  if (proofs_added.ok() && !proof_queue.empty()) {
    proofs_future = std::async(std::launch::async, [&proof_queue] {
      return proof_queue.Verify(ProofCacheUse::kConsume, /*block=*/true);
    });
  }
  auto exec = consensus::ExecuteBlock(*state_, ctx, block->txs, modules_, params_);
  const crypto::LtHash16 removed = removed_future.get();
  const Status proofs = proofs_future.valid() ? proofs_future.get() : proofs_added;
  Status failure;
  if (!proofs.ok()) {
    failure = proofs;
  } else if (!exec.ok()) {
    failure = exec.status();
  } else if (exec->gas_used != h.gas_used) {
    failure = Status::Error("block-bad-gas-used", "gas used differs from the header's");
  }
  crypto::LtHash16 lanes = tip_lanes_;
  WriteBatch batch;
  if (failure.ok()) {
    // The receipts root and the block's records for the batch are built on a
    // second thread while this one finishes the state root; the batch is
    // dropped if either root is wrong.
    auto side = std::async(side_policy, [&exec, &batch, &block, node] {
      std::vector<Bytes> encoded;
      encoded.reserve(exec->receipts.size());
      for (const Receipt& r : exec->receipts) encoded.push_back(r.Encode());
      const Hash256 receipts_root = ReceiptsRootOfEncoded(encoded);
      StateStore::WriteDiff(batch, exec->diff);
      batch.Put(MakeKey(dbkey::kUndo, node->hash.span()), EncodeUndoDiff(exec->diff));
      batch.Put(MakeKey(dbkey::kReceipts, node->hash.span()),
                EncodeReceipts(exec->receipts, encoded));
      return receipts_root;
    });
    // What is left of the state root: every new entry, the old entries of
    // keys nobody pre-expanded (the miner, module objects), and the old
    // entries of pre-expanded keys that did not change after all (added
    // back). Both lists are sorted by key, so one merge pass pairs them.
    lanes.Subtract(removed);
    std::vector<consensus::EntryRef> entries;
    entries.reserve(exec->diff.size() + touched.size());
    std::vector<uint8_t> changed(touched.size(), 0);
    size_t t = 0;
    for (const consensus::StateChange& c : exec->diff) {
      while (t < touched.size() && touched[t] < c.key) ++t;
      const bool known = t < touched.size() && touched[t] == c.key;
      if (known) changed[t] = 1;
      if (c.before && !(known && old_values[t])) entries.push_back({c.key, *c.before, false});
      if (c.after) entries.push_back({c.key, *c.after, true});
    }
    for (size_t i = 0; i < touched.size(); ++i) {
      if (old_values[i] && !changed[i]) entries.push_back({touched[i], *old_values[i], true});
    }
    consensus::ApplyEntries(lanes, entries, threads_);
    if (side.get() != h.receipts_root) {
      failure = Status::Error("block-bad-receipts-root", "receipts root differs from the header's");
    } else if (lanes.Root() != h.state_root) {
      failure = Status::Error("block-bad-state-root", "state root differs from the header's");
    }
  }
  if (!failure.ok()) {
    // A disk error while reading state must not condemn a valid block.
    Status io = state_->read_error();
    if (!io.ok()) return Status::IoError("db-io-error", "reading state: " + io.message());
    MarkFailed(node, failure);
    return failure;
  }

  node->status |= kBlockValidBlock | kBlockHaveUndo;
  StateStore::WriteTipLtHash(batch, lanes);
  batch.Put(MakeKey(dbkey::kBlockIndex, node->hash.span()), EncodeBlockIndexRecord(node->Record()));
  batch.Put(MakeKey(dbkey::kTip), node->hash.span());
  blocks_->WriteFileInfo(batch);
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, options_.sync_writes));

  tip_lanes_ = lanes;
  if (active_.size() != node->header.height) active_.resize(node->header.height);
  active_.push_back(node);
  LogDebug(options_.logger, LogCategory::kChain, "connected block {} height {} txs {} gas {}",
           node->hash.Hex(), h.height, block->txs.size(), exec->gas_used);
  BlockEvent event;
  event.block = block;
  event.hash = node->hash;
  event.height = h.height;
  event.receipts = std::make_shared<const std::vector<Receipt>>(std::move(exec->receipts));
  event.diff = std::make_shared<const consensus::StateDiff>(std::move(exec->diff));
  events.push_back({Event::kConnected, std::move(event)});
  return Status::Ok();
}

Status Chainstate::Impl::DisconnectTip(std::vector<Event>& events) {
  IndexNode* node = Tip();
  if (node == nullptr || node->parent == nullptr) {
    return Status::Error("disconnect-genesis", "cannot disconnect the genesis block");
  }
  auto raw = db_->Get(MakeKey(dbkey::kUndo, node->hash.span()));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value())
    return Status::Corruption("undo-missing", "no undo record for " + node->hash.Hex());
  auto undo = DecodeBlockUndo(**raw);
  if (!undo.ok()) return undo.status();
  auto read = blocks_->ReadBlock(node->pos);
  if (!read.ok()) return read.status();
  auto block = std::make_shared<const Block>(std::move(read).value());
  // Subscribers get the receipts of a block leaving the chain (removed logs).
  auto raw_receipts = db_->Get(MakeKey(dbkey::kReceipts, node->hash.span()));
  if (!raw_receipts.ok()) return raw_receipts.status();
  if (!raw_receipts->has_value())
    return Status::Corruption("receipts-missing", "no receipts for " + node->hash.Hex());
  auto receipts = DecodeReceipts(**raw_receipts);
  if (!receipts.ok()) return receipts.status().WithKind(StatusKind::kCorruption);

  consensus::StateDiff inverse = consensus::InvertDiff(undo->diff);
  crypto::LtHash16 lanes = tip_lanes_;
  consensus::ApplyDiff(lanes, inverse, threads_);
  if (lanes.Root() != node->parent->header.state_root) {
    return Status::Corruption("chainstate-corrupt",
                              "undo does not restore the parent's state root");
  }
  WriteBatch batch;
  StateStore::WriteDiff(batch, inverse);
  StateStore::WriteTipLtHash(batch, lanes);
  batch.Put(MakeKey(dbkey::kTip), node->parent->hash.span());
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, options_.sync_writes));
  tip_lanes_ = lanes;
  active_.pop_back();
  // It may become best again later (another reorg back).
  candidates_.insert(node);
  LogDebug(options_.logger, LogCategory::kChain, "disconnected block {} height {}",
           node->hash.Hex(), node->header.height);
  BlockEvent event;
  event.block = block;
  event.hash = node->hash;
  event.height = node->header.height;
  event.receipts = std::make_shared<const std::vector<Receipt>>(std::move(receipts).value());
  event.diff = std::make_shared<const consensus::StateDiff>(std::move(inverse));
  events.push_back({Event::kDisconnected, std::move(event)});
  return Status::Ok();
}

TipInfo Chainstate::Impl::MakeTipInfo() const {
  const IndexNode* tip = Tip();
  TipInfo info;
  if (tip == nullptr) return info;  // only before Open completes
  info.hash = tip->hash;
  info.header = tip->header;
  info.height = tip->header.height;
  info.chain_work = tip->chain_work;
  info.median_time_past = tip->median_time_past;
  info.best_header_height = best_header_ ? best_header_->header.height : info.height;
  if (info.best_header_height < info.height) info.best_header_height = info.height;
  return info;
}

void Chainstate::Impl::Notify(std::vector<Event>& events) {
  if (events.empty()) return;
  TipInfo tip;
  {
    std::lock_guard<std::mutex> lock(mu_);
    tip = MakeTipInfo();
  }
  ValidationSignals* signals = options_.signals;
  for (Event& e : events) {
    // The pool first, by a direct call: it enqueues its removals (included,
    // conflict) before the block's own event, and it is up to date when
    // ProcessBlock returns.
    if (e.kind == Event::kConnected) {
      if (mempool_ != nullptr) mempool_->BlockConnected(*e.block.block);
      if (signals != nullptr) signals->BlockConnected(std::move(e.block));
    } else {
      if (mempool_ != nullptr) mempool_->BlockDisconnected(*e.block.block);
      if (signals != nullptr) signals->BlockDisconnected(std::move(e.block));
    }
  }
  if (signals != nullptr) signals->TipChanged(tip);
}

// ---------------------------------------------------------------------------

Chainstate::Chainstate(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Chainstate::~Chainstate() { Close(); }

Result<std::unique_ptr<Chainstate>> Chainstate::Open(const consensus::ChainParams& params,
                                                     const consensus::ModuleRegistry& modules,
                                                     const ChainstateOptions& options) {
  auto impl = std::make_unique<Impl>(params, modules, options);
  if (Status s = impl->Open(); !s.ok()) return s;
  return std::unique_ptr<Chainstate>(new Chainstate(std::move(impl)));
}

const consensus::ChainParams& Chainstate::params() const { return impl_->params_; }
const consensus::ModuleRegistry& Chainstate::modules() const { return impl_->modules_; }

Status Chainstate::ProcessHeader(const BlockHeader& header) { return impl_->ProcessHeader(header); }

Status Chainstate::ProcessBlock(const std::shared_ptr<const Block>& block,
                                BlockAcceptance* status_out) {
  return impl_->ProcessBlock(block, status_out);
}

TipInfo Chainstate::Tip() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->MakeTipInfo();
}

std::optional<Hash256> Chainstate::GetBlockHashAtHeight(uint64_t height) const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  if (height >= impl_->active_.size()) return std::nullopt;
  return impl_->active_[height]->hash;
}

std::optional<BlockInfo> Chainstate::LookupBlock(const Hash256& hash) const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  const IndexNode* n = impl_->Find(hash);
  if (n == nullptr) return std::nullopt;
  BlockInfo info;
  info.hash = n->hash;
  info.header = n->header;
  info.chain_work = n->chain_work;
  info.have_data = n->Has(kBlockHaveData);
  info.invalid = n->Failed();
  info.in_active_chain = impl_->InActiveChain(n);
  info.tx_count = n->tx_count;
  info.size = n->pos.size;
  return info;
}

Result<std::shared_ptr<const Block>> Chainstate::ReadBlock(const Hash256& hash) const {
  FlatFilePos pos;
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    const IndexNode* n = impl_->Find(hash);
    if (n == nullptr || !n->Has(kBlockHaveData))
      return Status::NotFound("block-not-found", "block not found");
    pos = n->pos;
  }
  auto block = impl_->blocks_->ReadBlock(pos);
  if (!block.ok()) return block.status();
  return std::make_shared<const Block>(std::move(block).value());
}

Result<Bytes> Chainstate::ReadRawBlock(const Hash256& hash) const {
  FlatFilePos pos;
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    const IndexNode* n = impl_->Find(hash);
    if (n == nullptr || !n->Has(kBlockHaveData))
      return Status::NotFound("block-not-found", "block not found");
    pos = n->pos;
  }
  return impl_->blocks_->ReadRaw(pos);
}

Result<std::vector<Receipt>> Chainstate::ReadReceipts(const Hash256& hash) const {
  if (!impl_->db_)
    return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
  auto raw = impl_->db_->Get(MakeKey(dbkey::kReceipts, hash.span()));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value())
    return Status::NotFound("receipts-not-found", "no receipts for this block");
  return DecodeReceipts(**raw);
}

std::shared_ptr<const consensus::StateReader> Chainstate::StateAtTip() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return std::shared_ptr<const consensus::StateReader>(impl_->state_->Snapshot());
}

Result<std::shared_ptr<const consensus::StateReader>> Chainstate::Impl::StateAfter(
    uint64_t height, const Hash256* hash) const {
  std::shared_ptr<const DbSnapshot> snapshot;
  std::vector<Hash256> undone;  // the blocks above `height`, lowest first
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_)
      return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
    if (hash != nullptr) {
      const IndexNode* node = Find(*hash);
      if (node == nullptr) return Status::NotFound("block-not-found", "block not found");
      if (!InActiveChain(node)) {
        return Status::NotFound("block-not-active",
                                "block " + hash->Hex() + " is not in the active chain");
      }
      height = node->header.height;
    }
    const uint64_t tip = active_.size() - 1;
    if (height > tip) {
      return Status::NotFound("block-not-found", "no block at height " + std::to_string(height) +
                                                     " (tip " + std::to_string(tip) + ")");
    }
    const uint64_t depth = tip - height;
    if (depth > StateHistoryDepth()) {
      return Status::Error(StatusKind::kLimitExceeded, "state-too-old",
                           "block " + std::to_string(height) + " is " + std::to_string(depth) +
                               " blocks behind the tip; state is kept for the last " +
                               std::to_string(StateHistoryDepth()) + " blocks");
    }
    // Blocks connect under mu_, so a snapshot taken here holds exactly the
    // state and undo records of active_.
    if (depth == 0) return std::shared_ptr<const consensus::StateReader>(state_->Snapshot());
    snapshot = db_->GetSnapshot();
    undone.reserve(depth);
    for (uint64_t h = height + 1; h <= tip; ++h) undone.push_back(active_[h]->hash);
  }
  // The undo is read outside the lock: the snapshot keeps it consistent.
  auto view =
      HistoricalStateView::Build(*db_, std::move(snapshot), undone, kMaxStateHistoryUndoBytes);
  if (!view.ok()) return view.status();
  return std::shared_ptr<const consensus::StateReader>(std::move(view).value());
}

consensus::Account Chainstate::GetAccount(const Address& address) const {
  auto view = StateAtTip();
  consensus::StateCache cache(*view);
  return cache.GetAccount(address);
}

Hash256 Chainstate::StateRoot() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  return impl_->tip_lanes_.Root();
}

Chainstate::NextBlock Chainstate::NextBlockContext() const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  const IndexNode* tip = impl_->Tip();
  NextBlock next;
  next.height = tip->header.height + 1;
  next.parent_hash = tip->hash;
  next.bits = consensus::NextWorkRequired(tip->header, impl_->params_);
  next.base_fee = consensus::NextBaseFee(tip->header, impl_->params_);
  next.gas_limit = impl_->params_.block_gas_limit;
  next.min_timestamp = tip->median_time_past + 1;
  return next;
}

BlockHeader Chainstate::NextBlock::HeaderFor(const Address& miner, uint64_t timestamp) const {
  BlockHeader h;
  h.version = 1;
  h.height = height;
  h.parent_hash = parent_hash;
  h.miner = miner;
  h.timestamp = timestamp;
  h.bits = bits;
  h.gas_limit = gas_limit;
  h.base_fee = base_fee;
  return h;
}

Result<consensus::BlockContext> Chainstate::BlockContextFor(const BlockHeader& header) const {
  std::lock_guard<std::mutex> lock(impl_->mu_);
  const IndexNode* parent = impl_->Find(header.parent_hash);
  if (parent == nullptr) {
    return Status::NotFound("block-parent-unknown",
                            "parent " + header.parent_hash.Hex() + " is not in the header tree");
  }
  return consensus::MakeBlockContext(header, impl_->params_, TreeAncestors(parent));
}

Hash256 Chainstate::StateRootAfter(const consensus::StateDiff& diff) const {
  crypto::LtHash16 lanes;
  {
    std::lock_guard<std::mutex> lock(impl_->mu_);
    lanes = impl_->tip_lanes_;
  }
  return consensus::StateRootAfter(lanes, diff, impl_->threads_);
}

uint64_t Chainstate::StateHistoryDepth() const { return impl_->StateHistoryDepth(); }

Result<std::shared_ptr<const consensus::StateReader>> Chainstate::StateAtHeight(
    uint64_t height) const {
  return impl_->StateAfter(height, nullptr);
}

Result<std::shared_ptr<const consensus::StateReader>> Chainstate::StateAtBlock(
    const Hash256& hash) const {
  return impl_->StateAfter(0, &hash);
}

VerifiedProofCache& Chainstate::proof_cache() { return impl_->proof_cache_; }

uint64_t Chainstate::SizeOnDisk() const {
  return impl_->blocks_->SizeOnDisk() + impl_->db_->ApproximateSize();
}

ValidationSignals* Chainstate::signals() const { return impl_->options_.signals; }

void Chainstate::AttachMempool(Mempool* mempool) {
  std::lock_guard<std::mutex> process(impl_->process_mu_);
  impl_->mempool_ = mempool;
}

void Chainstate::DetachMempool(Mempool* mempool) {
  std::lock_guard<std::mutex> process(impl_->process_mu_);
  if (impl_->mempool_ == mempool) impl_->mempool_ = nullptr;
}

void Chainstate::Close() {
  if (!impl_) return;
  std::lock_guard<std::mutex> process(impl_->process_mu_);
  std::lock_guard<std::mutex> lock(impl_->mu_);
  if (impl_->closed_) return;
  impl_->closed_ = true;
  impl_->state_.reset();
  impl_->blocks_.reset();
  impl_->db_.reset();
  LogInfo(impl_->options_.logger, LogCategory::kChain, "chainstate closed");
}

}  // namespace depin::chain
