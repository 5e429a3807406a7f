#include "chain/chainstate.h"

#include "chain/chainstate_impl.h"
#include "chain/receipt_store.h"

namespace depin::chain {

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

Status Chainstate::RewindTo(const Hash256& hash) { return impl_->RewindTo(hash); }
Status Chainstate::InvalidateBlock(const Hash256& hash) { return impl_->InvalidateBlock(hash); }

Status Chainstate::ReconsiderBlock(const Hash256& hash) { return impl_->ReconsiderBlock(hash); }

TipInfo Chainstate::Tip() const {
  MutexLock lock(impl_->mu_);
  return impl_->MakeTipInfo();
}

std::optional<Hash256> Chainstate::GetBlockHashAtHeight(uint64_t height) const {
  MutexLock lock(impl_->mu_);
  if (height >= impl_->active_.size()) return std::nullopt;
  return impl_->active_[height]->hash;
}

std::optional<BlockInfo> Chainstate::LookupBlock(const Hash256& hash) const {
  MutexLock lock(impl_->mu_);
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
  info.asert_anchor_time = n->asert_anchor_time;
  return info;
}

Result<std::shared_ptr<const Block>> Chainstate::ReadBlock(const Hash256& hash) const {
  FlatFilePos pos;
  {
    MutexLock lock(impl_->mu_);
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
    MutexLock lock(impl_->mu_);
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

Result<std::optional<consensus::BlockTrace>> Chainstate::ReadModuleTrace(
    const Hash256& hash) const {
  if (!impl_->db_)
    return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
  auto raw = impl_->db_->Get(MakeKey(dbkey::kModuleTrace, hash.span()));
  if (!raw.ok()) return raw.status();
  if (!raw->has_value()) return std::optional<consensus::BlockTrace>();
  auto trace = consensus::DecodeBlockTrace(**raw);
  if (!trace.ok()) return trace.status();
  return std::optional<consensus::BlockTrace>(std::move(trace).value());
}

std::shared_ptr<const consensus::StateReader> Chainstate::StateAtTip() const {
  MutexLock lock(impl_->mu_);
  return std::shared_ptr<const consensus::StateReader>(impl_->state_->Snapshot());
}

Result<std::shared_ptr<const consensus::StateReader>> Chainstate::Impl::StateAfter(
    uint64_t height, const Hash256* hash) const {
  std::shared_ptr<const DbSnapshot> snapshot;
  std::vector<Hash256> undone;  // the blocks above `height`, lowest first
  {
    MutexLock lock(mu_);
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
  MutexLock lock(impl_->mu_);
  return impl_->tip_lanes_.Root();
}

Chainstate::NextBlock Chainstate::NextBlockContext() const {
  MutexLock lock(impl_->mu_);
  const IndexNode* tip = impl_->Tip();
  NextBlock next;
  next.height = tip->header.height + 1;
  next.parent_hash = tip->hash;
  next.bits = consensus::NextWorkRequired(tip->header, tip->asert_anchor_time, impl_->params_);
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
  MutexLock lock(impl_->mu_);
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
    MutexLock lock(impl_->mu_);
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
const crypto::HashBackend* Chainstate::proof_hash() const { return impl_->options_.proof_hash; }

uint64_t Chainstate::SizeOnDisk() const {
  return impl_->blocks_->SizeOnDisk() + impl_->db_->ApproximateSize();
}

ValidationSignals* Chainstate::signals() const { return impl_->options_.signals; }

void Chainstate::AttachMempool(Mempool* mempool) {
  MutexLock process(impl_->process_mu_);
  impl_->mempool_ = mempool;
}

void Chainstate::DetachMempool(Mempool* mempool) {
  MutexLock process(impl_->process_mu_);
  if (impl_->mempool_ == mempool) impl_->mempool_ = nullptr;
}

void Chainstate::Close() {
  if (!impl_) return;
  MutexLock process(impl_->process_mu_);
  MutexLock lock(impl_->mu_);
  if (impl_->closed_) return;
  impl_->closed_ = true;
  impl_->state_.reset();
  impl_->blocks_.reset();
  impl_->db_.reset();
  LogInfo(impl_->options_.logger, LogCategory::kChain, "chainstate closed");
}

}  // namespace depin::chain
