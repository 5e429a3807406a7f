// The header tree of the chainstate (chainstate_impl.h).
#include "chain/chainstate_impl.h"
#include "chain/receipt_store.h"

namespace depin::chain {

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
  node->asert_anchor_time =
      consensus::AsertAnchorTimeOf(header, parent ? parent->asert_anchor_time : 0);
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
    if (!n->Failed() && !n->Has(kBlockSetAside) &&
        (Tip() == nullptr || n->chain_work > Tip()->chain_work)) {
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
  if (best_header_ != nullptr && best_header_->Failed()) RecomputeBestHeader();
}

void Chainstate::Impl::RecomputeBestHeader() {
  best_header_ = nullptr;
  for (auto& [hash, n] : index_) {
    if (n->Failed()) continue;
    if (best_header_ == nullptr || n->chain_work > best_header_->chain_work ||
        (n->chain_work == best_header_->chain_work && n->sequence < best_header_->sequence)) {
      best_header_ = n.get();
    }
  }
}

void Chainstate::Impl::RefillCandidates() {
  const IndexNode* tip = Tip();
  for (auto& [hash, n] : index_) {
    if (n->Has(kBlockHaveData) && !n->Failed() && n->chain_work > tip->chain_work &&
        NearestAncestorWithoutData(n.get()) == nullptr) {
      candidates_.insert(n.get());
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
  db_options.env = options_.db_env;
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

  // Nothing else sees the chainstate yet; the lock keeps the analysis (and
  // any later change) honest.
  MutexLock lock(mu_);
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
    if (node->Has(kBlockHaveData) && !node->Failed() && !node->Has(kBlockSetAside) &&
        !InActiveChain(node.get())) {
      BlockDataArrived(node.get());
    }
  }
  LogInfo(options_.logger, LogCategory::kChain,
          "loaded {} chain: {} blocks indexed, tip {} at height {}", params_.name, index_.size(),
          tip->hash.Hex(), tip->header.height);
  // Blocks stored but not connected before a stop (or a crash) connect now.
  // A stored block that turns out invalid leaves a usable chain; a local
  // failure does not.
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
  consensus::ParentInfo info{parent->header, parent->median_time_past, parent->asert_anchor_time};
  DEPIN_RETURN_IF_ERROR(consensus::ContextualCheckHeader(
      header, info, options_.clock ? options_.clock() : NowSeconds(), params_));
  IndexNode* node = AddNode(header, parent, kBlockValidHeader);
  *out = node;
  return PersistNode(node, /*sync=*/false);
}

}  // namespace depin::chain
