// Processing headers and blocks, activating the best chain, connecting and
// disconnecting blocks (chainstate_impl.h).
#include <chrono>

#include "chain/chainstate_impl.h"
#include "chain/receipt_store.h"

namespace depin::chain {

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
  MutexLock process(process_mu_);
  MutexLock lock(mu_);
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
    MutexLock process(process_mu_);
    {
      MutexLock lock(mu_);
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
      if (node->Has(kBlockHaveData) && !node->Has(kBlockSetAside)) {
        *out = BlockAcceptance::kAlreadyKnown;
        return Status::Ok();
      }
      if (node->Has(kBlockSetAside)) {
        // A block rewound on a dev chain, mined or sent again: it and its
        // rewound ancestors may lead the chain once more.
        for (IndexNode* n = node; n != nullptr && n->Has(kBlockSetAside); n = n->parent) {
          n->status &= ~static_cast<uint32_t>(kBlockSetAside);
          if (Status w = PersistNode(n, /*sync=*/false); !w.ok()) {
            return Fatal(w, "indexing block " + n->hash.Hex());
          }
        }
      } else {
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

Status Chainstate::Impl::InvalidateBlock(const Hash256& hash) {
  std::vector<Event> events;
  Status result;
  {
    MutexLock process(process_mu_);
    {
      MutexLock lock(mu_);
      if (closed_)
        return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
      if (!fatal_.ok()) return fatal_;
      IndexNode* node = Find(hash);
      if (node == nullptr) return Status::NotFound("block-not-found", "block not found");
      if (node->parent == nullptr)
        return Status::Error("invalidate-genesis", "cannot invalidate the genesis block");
      LogInfo(options_.logger, LogCategory::kChain,
              "invalidating block {} at height {} (operator request)", hash.Hex(),
              node->header.height);
      if (InActiveChain(node)) {
        while (Tip() != node->parent) {
          Status s = DisconnectTip(events);
          if (!s.ok()) {
            result = Fatal(s.IsLocalFailure() ? s : s.WithKind(StatusKind::kCorruption),
                           "disconnecting blocks for invalidateblock");
            break;
          }
        }
      }
      if (result.ok()) {
        MarkFailed(node, Status::Error("block-invalidated", "invalidated by the operator"));
        RefillCandidates();
        result = ActivateBestChain(events, nullptr);
        if (result.IsLocalFailure()) {
          Fatal(result, "connecting blocks");
        } else if (!result.ok()) {
          // Another branch broke a rule on the way: it is marked, and the
          // chain rests on the best valid block; the request itself worked.
          LogWarn(options_.logger, LogCategory::kChain, "after invalidateblock: {}",
                  result.ToString());
          result = Status::Ok();
        }
      }
    }
    Notify(events);
  }
  return result;
}

Status Chainstate::Impl::ReconsiderBlock(const Hash256& hash) {
  std::vector<Event> events;
  Status result;
  {
    MutexLock process(process_mu_);
    {
      MutexLock lock(mu_);
      if (closed_)
        return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
      if (!fatal_.ok()) return fatal_;
      IndexNode* node = Find(hash);
      if (node == nullptr) return Status::NotFound("block-not-found", "block not found");
      LogInfo(options_.logger, LogCategory::kChain,
              "reconsidering block {} at height {} (operator request)", hash.Hex(),
              node->header.height);
      WriteBatch batch;
      auto clear = [&](IndexNode* n) REQUIRES(mu_) {
        if (!n->Failed()) return;
        n->status &= ~(kBlockFailed | kBlockFailedChild);
        batch.Put(MakeKey(dbkey::kBlockIndex, n->hash.span()), EncodeBlockIndexRecord(n->Record()));
      };
      for (auto& [other_hash, other] : index_) {
        const IndexNode* walk = other.get();
        while (walk != nullptr && walk->header.height > node->header.height) walk = walk->parent;
        if (walk == node) clear(other.get());
      }
      for (IndexNode* p = node->parent; p != nullptr; p = p->parent) clear(p);
      if (Status w = db_->Write(batch, /*sync=*/true); !w.ok()) {
        return Fatal(w, "storing reconsidered blocks");
      }
      RecomputeBestHeader();
      RefillCandidates();
      result = ActivateBestChain(events, nullptr);
      if (result.IsLocalFailure()) Fatal(result, "connecting blocks");
    }
    Notify(events);
  }
  return result;
}

Status Chainstate::Impl::RewindTo(const Hash256& hash) {
  std::vector<Event> events;
  Status result;
  {
    MutexLock process(process_mu_);
    {
      MutexLock lock(mu_);
      if (closed_)
        return Status::Error(StatusKind::kInterrupted, "chainstate-closed", "chainstate is closed");
      if (!fatal_.ok()) return fatal_;
      if (params_.network != consensus::Network::kRegtest) {
        return Status::Error("rewind-regtest-only", "only a regtest chain can be rewound");
      }
      IndexNode* target = Find(hash);
      if (target == nullptr) {
        return Status::Error(StatusKind::kNotFound, "block-not-found",
                             "unknown block " + hash.Hex());
      }
      if (!InActiveChain(target)) {
        return Status::Error("block-not-active",
                             "block " + hash.Hex() + " is not in the active chain");
      }
      const IndexNode* tip = Tip();
      if (tip == nullptr) return Status::Error("chainstate-empty", "the chain has no tip");
      const uint64_t depth = tip->header.height - target->header.height;
      if (depth > params_.max_reorg_depth) {
        return Status::Error(StatusKind::kLimitExceeded, "reorg-too-deep",
                             "rewinding " + std::to_string(depth) +
                                 " blocks exceeds the undo kept (" +
                                 std::to_string(params_.max_reorg_depth) + ")");
      }
      if (depth > 0) {
        LogInfo(options_.logger, LogCategory::kChain,
                "rewinding {} blocks to {} at height {} (dev chain)", depth, target->hash.Hex(),
                target->header.height);
      }
      while (Tip() != target) {
        IndexNode* node = Tip();
        Status s = DisconnectTip(events);
        if (!s.ok()) {
          result = Fatal(s.IsLocalFailure() ? s : s.WithKind(StatusKind::kCorruption),
                         "rewinding the chain");
          break;
        }
        node->status |= kBlockSetAside;
        candidates_.erase(node);
        if (Status w = PersistNode(node, /*sync=*/false); !w.ok()) {
          result = Fatal(w, "indexing block " + node->hash.Hex());
          break;
        }
      }
      // Headers above the new tip were the rewound blocks': the best header
      // is found again as new blocks arrive.
      best_header_ = Tip();
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
      if (c->Failed() || c->Has(kBlockSetAside) || c->chain_work <= tip->chain_work) {
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
      if (!fork->Has(kBlockHaveData) || fork->Failed() || fork->Has(kBlockSetAside)) {
        complete = false;
      }
      path.push_back(fork);
      fork = fork->parent;
    }
    if (!complete) {
      candidates_.erase(best);
      continue;
    }
    // No depth limit: undo is kept for every block (as Bitcoin Core). A
    // missing undo record stops the node in DisconnectTip ("undo-missing").
    const uint64_t depth = tip->header.height - fork->header.height;
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
  const auto started = std::chrono::steady_clock::now();
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
  ProofCheckQueue proof_queue(
      modules_, &proof_cache_,
      consensus::ProofCheckOptions{.threads = threads_,
                                   .hash = options_.proof_hash,
                                   .device_min_checks = consensus::kDeviceMinChecks});
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
    auto side = std::async(side_policy, [&exec, &batch, node] {
      std::vector<Bytes> encoded;
      encoded.reserve(exec->receipts.size());
      for (const Receipt& r : exec->receipts) encoded.push_back(r.Encode());
      const Hash256 receipts_root = ReceiptsRootOfEncoded(encoded);
      StateStore::WriteDiff(batch, exec->diff);
      batch.Put(MakeKey(dbkey::kUndo, node->hash.span()), EncodeUndoDiff(exec->diff));
      batch.Put(MakeKey(dbkey::kReceipts, node->hash.span()),
                EncodeReceipts(exec->receipts, encoded));
      // Beside the receipts, not consensus data: explorers read it.
      batch.Put(MakeKey(dbkey::kModuleTrace, node->hash.span()),
                consensus::EncodeBlockTrace(exec->trace));
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
  event.trace = std::make_shared<const consensus::BlockTrace>(std::move(exec->trace));
  event.connect_time = std::chrono::steady_clock::now() - started;
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
  // The trace stays stored by block hash, as the receipts do: an index
  // rewinding through this block later still reads it. Subscribers get it
  // to undo what they derived from it.
  std::shared_ptr<const consensus::BlockTrace> trace;
  auto raw_trace = db_->Get(MakeKey(dbkey::kModuleTrace, node->hash.span()));
  if (!raw_trace.ok()) return raw_trace.status();
  if (raw_trace->has_value()) {
    auto decoded = consensus::DecodeBlockTrace(**raw_trace);
    if (!decoded.ok()) return decoded.status();
    trace = std::make_shared<const consensus::BlockTrace>(std::move(decoded).value());
  }

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
  event.trace = std::move(trace);
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
    MutexLock lock(mu_);
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

}  // namespace depin::chain
