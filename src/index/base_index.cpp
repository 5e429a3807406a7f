#include "index/base_index.h"

#include <chrono>
#include <cstdio>

#include "util/logging.h"

namespace depin::index {

namespace {

namespace key {
inline constexpr uint8_t kLocator = 'B';  // 'B' -> best hash || LE64 height
inline constexpr uint8_t kGenesis = 'G';  // 'G' -> genesis hash of the chain indexed
}  // namespace key

constexpr auto kProgressInterval = std::chrono::seconds(10);

std::string OneDecimal(double v) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%.1f", v);
  return buf;
}

Bytes EncodeLocator(const Hash256& best, uint64_t height) {
  Bytes out(best.begin(), best.end());
  out.resize(40);
  WriteLE64(out.data() + 32, height);
  return out;
}

}  // namespace

BaseIndex::BaseIndex(std::string name, chain::Chainstate& chainstate, const IndexOptions& options)
    : name_(std::move(name)),
      chainstate_(chainstate),
      options_(options),
      dir_(options.datadir / "indexes" / name_) {}

BaseIndex::~BaseIndex() { Stop(); }

Status BaseIndex::OpenDb(std::string* why) {
  why->clear();
  std::error_code ec;
  std::filesystem::create_directories(dir_, ec);
  if (ec) {
    return Status::IoError("index-dir-unwritable",
                           "cannot create " + dir_.string() + ": " + ec.message());
  }
  chain::ChainDbOptions o;
  o.path = dir_;
  o.cache_bytes = options_.db_cache_bytes;
  o.write_buffer_bytes = size_t{4} << 20;
  o.max_open_files = 64;
  o.env = options_.env;
  auto db = chain::ChainDb::Open(o);
  if (!db.ok()) {
    // Derived data: damage or an unknown format is repaired by rebuilding;
    // an I/O failure (permissions, disk) is the operator's to fix.
    if (db.status().Is(StatusKind::kIo)) return db.status();
    *why = "its database cannot be opened (" + db.status().ToString() + ")";
    return Status::Ok();
  }
  db_ = std::move(db).value();

  const Hash256 genesis = chainstate_.params().GenesisHash();
  auto stored_genesis = db_->Get(chain::MakeKey(key::kGenesis));
  if (!stored_genesis.ok()) {
    if (stored_genesis.status().Is(StatusKind::kIo)) return stored_genesis.status();
    *why = "its genesis record cannot be read (" + stored_genesis.status().ToString() + ")";
    return Status::Ok();
  }
  auto raw_locator = db_->Get(chain::MakeKey(key::kLocator));
  if (!raw_locator.ok()) {
    if (raw_locator.status().Is(StatusKind::kIo)) return raw_locator.status();
    *why = "its best block cannot be read (" + raw_locator.status().ToString() + ")";
    return Status::Ok();
  }
  if (!stored_genesis->has_value() && !raw_locator->has_value()) {
    *why = "it is new";
    return Status::Ok();
  }
  if (!stored_genesis->has_value() || (*stored_genesis)->size() != 32 ||
      !raw_locator->has_value() || (*raw_locator)->size() != 40) {
    *why = "its database is damaged (genesis or best-block record malformed)";
    return Status::Ok();
  }
  if (Hash256((*stored_genesis)->data()) != genesis) {
    *why =
        "it was built for another chain (genesis " + Hash256((*stored_genesis)->data()).Hex() + ")";
    return Status::Ok();
  }
  locator_.best = Hash256((*raw_locator)->data());
  locator_.height = ReadLE64((*raw_locator)->data() + 32);
  return Status::Ok();
}

Status BaseIndex::Rebuild(const std::string& why) {
  db_.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir_, ec);
  if (ec) {
    return Status::IoError("index-dir-unwritable",
                           "cannot remove " + dir_.string() + ": " + ec.message());
  }
  std::string again;
  DEPIN_RETURN_IF_ERROR(OpenDb(&again));
  if (!db_ || again != "it is new") {
    return Status::Corruption("index-unusable",
                              "index " + name_ + " cannot be created in " + dir_.string());
  }
  locator_.best = chainstate_.params().GenesisHash();
  locator_.height = 0;
  chain::WriteBatch batch;
  batch.Put(chain::MakeKey(key::kGenesis), locator_.best.span());
  WriteLocator(batch, locator_);
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/true));
  if (why != "it is new") {
    LogWarn(options_.logger, LogCategory::kIndex, "index {}: {}; rebuilding it from genesis", name_,
            why);
  } else {
    LogInfo(options_.logger, LogCategory::kIndex, "index {}: created in {}", name_, dir_.string());
  }
  return Status::Ok();
}

Status BaseIndex::Start() {
  if (chainstate_.signals() == nullptr) {
    return Status::Error("index-no-signals", "index " + name_ + " needs validation signals");
  }
  {
    MutexLock lock(write_mu_);
    std::string why;
    DEPIN_RETURN_IF_ERROR(OpenDb(&why));
    if (why.empty()) why = CustomRebuildReason();
    if (!why.empty()) DEPIN_RETURN_IF_ERROR(Rebuild(why));
    LogInfo(options_.logger, LogCategory::kIndex, "index {}: best block {} at height {}", name_,
            locator_.best.Hex(), locator_.height);
  }
  interrupt_ = false;
  // Subscribed before catching up, so that no block connected meanwhile is
  // missed: until synced_ the events are left to the catch-up thread.
  chainstate_.signals()->Register(this);
  registered_ = true;
  thread_ = std::thread([this] { ThreadSync(); });
  return Status::Ok();
}

void BaseIndex::Stop() {
  interrupt_ = true;
  if (thread_.joinable()) thread_.join();
  if (registered_) {
    chainstate_.signals()->Unregister(this);
    registered_ = false;
  }
  MutexLock lock(write_mu_);
  db_.reset();
}

IndexSummary BaseIndex::Summary() const {
  MutexLock lock(write_mu_);
  IndexSummary s;
  s.name = name_;
  s.synced = synced_.load() && !failed_;
  s.best_block_height = locator_.height;
  s.best_block_hash = locator_.best;
  return s;
}

bool BaseIndex::BlockUntilSyncedToCurrentChain() const {
  if (!synced_.load()) return false;
  {
    MutexLock lock(write_mu_);
    if (failed_) return false;
    if (locator_.best == chainstate_.Tip().hash) return true;
  }
  // Every block connected so far has its event queued: once delivered, the
  // index has it.
  chainstate_.signals()->SyncWithValidationQueue();
  return true;
}

void BaseIndex::WriteLocator(chain::WriteBatch& batch, const Locator& locator) {
  batch.Put(chain::MakeKey(key::kLocator), EncodeLocator(locator.best, locator.height));
}

Result<IndexBlock> BaseIndex::ReadIndexBlock(const Hash256& hash) const {
  auto info = chainstate_.LookupBlock(hash);
  if (!info || !info->have_data) {
    return Status::NotFound("index-block-missing", "block " + hash.Hex() + " is not stored");
  }
  IndexBlock out;
  out.hash = hash;
  out.parent_hash = info->header.parent_hash;
  out.height = info->header.height;
  if (NeedsFullBlocks()) {
    auto block = chainstate_.ReadBlock(hash);
    if (!block.ok()) return block.status();
    auto receipts = chainstate_.ReadReceipts(hash);
    if (!receipts.ok()) return receipts.status();
    out.block = *block;
    out.receipts = std::make_shared<const std::vector<Receipt>>(std::move(receipts).value());
    auto trace = chainstate_.ReadModuleTrace(hash);
    if (!trace.ok()) return trace.status();
    if (trace->has_value()) {
      out.trace = std::make_shared<const consensus::BlockTrace>(std::move(**trace));
    }
    for (const TxRef& tx : (*block)->txs) out.tx_hashes.push_back(tx->hash);
    return out;
  }
  auto raw = chainstate_.ReadRawBlock(hash);
  if (!raw.ok()) return raw.status();
  auto hashes = DecodeBlockTxHashes(*raw, chainstate_.params().max_block_size);
  if (!hashes.ok()) return hashes.status().WithKind(StatusKind::kCorruption);
  out.tx_hashes = std::move(hashes).value();
  if (NeedsReceipts()) {
    auto receipts = chainstate_.ReadReceipts(hash);
    if (!receipts.ok()) return receipts.status();
    out.receipts = std::make_shared<const std::vector<Receipt>>(std::move(receipts).value());
  }
  return out;
}

IndexBlock BaseIndex::FromEvent(const chain::BlockEvent& event) const {
  IndexBlock out;
  out.hash = event.hash;
  out.parent_hash = event.block->header.parent_hash;
  out.height = event.height;
  out.tx_hashes.reserve(event.block->txs.size());
  for (const TxRef& tx : event.block->txs) out.tx_hashes.push_back(tx->hash);
  out.block = event.block;
  out.receipts = event.receipts;
  out.trace = event.trace;
  return out;
}

Status BaseIndex::Append(const IndexBlock& block) {
  chain::WriteBatch batch;
  DEPIN_RETURN_IF_ERROR(CustomAppend(batch, block));
  const Locator next{block.hash, block.height};
  WriteLocator(batch, next);
  // Not synced: a crash loses at most the last blocks, which the next start
  // indexes again from the stored best block.
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/false));
  locator_ = next;
  return Status::Ok();
}

Status BaseIndex::Remove(const IndexBlock& block) {
  chain::WriteBatch batch;
  DEPIN_RETURN_IF_ERROR(CustomRemove(batch, block));
  const Locator prev{block.parent_hash, block.height - 1};
  WriteLocator(batch, prev);
  DEPIN_RETURN_IF_ERROR(db_->Write(batch, /*sync=*/false));
  locator_ = prev;
  return Status::Ok();
}

Result<BaseIndex::Step> BaseIndex::StepTowardsTip() {
  const chain::TipInfo tip = chainstate_.Tip();
  if (locator_.best == tip.hash) return Step::kDone;
  auto best = chainstate_.LookupBlock(locator_.best);
  if (!best) {
    // Unknown to this chainstate (rebuilt from other block files): nothing
    // to rewind through.
    return Status::NotFound("index-best-unknown",
                            "best block " + locator_.best.Hex() + " is not in the block tree");
  }
  if (!best->in_active_chain) {
    // Left the active chain (a reorg while catching up or while stopped):
    // undo it with the block the store still holds.
    auto block = ReadIndexBlock(locator_.best);
    if (!block.ok()) return block.status();
    DEPIN_RETURN_IF_ERROR(Remove(*block));
    return Step::kProgress;
  }
  auto next = chainstate_.GetBlockHashAtHeight(locator_.height + 1);
  if (!next) return Step::kDone;  // the tip went back meanwhile; its events will say so
  auto block = ReadIndexBlock(*next);
  if (!block.ok()) return block.status();
  if (block->parent_hash != locator_.best) return Step::kProgress;  // a reorg meanwhile: look again
  DEPIN_RETURN_IF_ERROR(Append(*block));
  return Step::kProgress;
}

Status BaseIndex::CatchUp() {
  while (!interrupt_.load()) {
    auto step = StepTowardsTip();
    if (!step.ok()) return step.status();
    if (*step == Step::kDone) return Status::Ok();
  }
  return Status::Ok();
}

void BaseIndex::Fail(const Status& status) {
  failed_ = true;
  LogError(options_.logger, LogCategory::kIndex,
           "index {}: stopped at height {}: {}; it resumes from there at the next start", name_,
           locator_.height, status.ToString());
}

void BaseIndex::ThreadSync() {
  SetThreadName("index-" + name_);
  const auto started = std::chrono::steady_clock::now();
  auto last_log = started;
  uint64_t blocks = 0;  // appended or rewound
  bool rebuilt = false;
  while (!interrupt_.load()) {
    MutexLock lock(write_mu_);
    auto step = StepTowardsTip();
    if (!step.ok()) {
      if (step.status().Is(StatusKind::kNotFound) && !rebuilt) {
        // The best block is gone from the block tree: start again from genesis.
        rebuilt = true;
        Status s = Rebuild(step.status().message());
        blocks = 0;
        if (s.ok()) continue;
        step = s;
      }
      Fail(step.status());
      return;
    }
    if (*step == Step::kDone) {
      // Checked and set under write_mu_: an event the signals thread left
      // to this thread (synced_ still false) was for a block already in the
      // chain, which this last step saw.
      synced_ = true;
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      LogInfo(options_.logger, LogCategory::kIndex,
              "index {}: synced at height {} ({} blocks in {} s)", name_, locator_.height, blocks,
              OneDecimal(seconds));
      return;
    }
    ++blocks;
    const auto now = std::chrono::steady_clock::now();
    if (now - last_log >= kProgressInterval) {
      last_log = now;
      const uint64_t tip = chainstate_.Tip().height;
      LogInfo(options_.logger, LogCategory::kIndex, "index {}: catching up, height {} of {} ({}%)",
              name_, locator_.height, tip,
              OneDecimal(tip == 0 ? 100.0
                                  : 100.0 * static_cast<double>(locator_.height) /
                                        static_cast<double>(tip)));
    }
  }
}

void BaseIndex::BlockConnected(const chain::BlockEvent& event) {
  MutexLock lock(write_mu_);
  if (!synced_.load() || failed_ || !db_) return;
  Status s =
      event.block->header.parent_hash == locator_.best ? Append(FromEvent(event)) : CatchUp();
  if (!s.ok()) Fail(s);
}

void BaseIndex::BlockDisconnected(const chain::BlockEvent& event) {
  MutexLock lock(write_mu_);
  if (!synced_.load() || failed_ || !db_) return;
  // The index may be ahead of the events (it read the chain while catching
  // up): then the chainstate, not the event, says where to go.
  Status s = event.hash == locator_.best ? Remove(FromEvent(event)) : CatchUp();
  if (!s.ok()) Fail(s);
}

}  // namespace depin::index
