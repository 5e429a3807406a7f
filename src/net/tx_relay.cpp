// Tx relay: received txs into the mempool, the orphanage for txs waiting
// on a predecessor, and batched inv announcements of pool additions
// (net_manager_impl.h).
#include "net/net_manager_impl.h"

namespace depin::net {

void NetManager::Impl::HandleTx(Peer& peer, const Bytes& payload) {
  auto tx = DecodeAndVerifyTransaction(payload);
  if (!tx) {
    return Misbehaving(peer, kScoreInvalidTx, "malformed tx: " + tx.status().ToString());
  }
  const Hash256 hash = (*tx)->hash;
  peer.known_txs.Insert(hash);
  ForgetTxRequest(hash);
  if (mempool_ == nullptr || recent_rejects_.Contains(hash) || mempool_->Contains(hash)) return;
  AcceptTx(*tx, peer.id);
}

void NetManager::Impl::AcceptTx(const TxRef& tx, uint64_t from_peer) {
  Status s = mempool_->Add(tx);
  if (s.ok() || s.Is(StatusKind::kAlreadyKnown)) {
    RetryOrphanTxs(tx->sender);
    return;
  }
  if (IsOrphanTxError(s)) {
    AddOrphanTx(tx, from_peer);
    return;
  }
  recent_rejects_.Insert(tx->hash);
  if (!IsPolicyTxError(s)) {
    if (Peer* peer = FindPeer(from_peer))
      Misbehaving(*peer, kScoreInvalidTx, "invalid tx " + tx->hash.Hex() + ": " + s.ToString());
  } else {
    LogDebug(options_.logger, LogCategory::kNet, "tx {} from peer {} not accepted: {}",
             tx->hash.Hex(), from_peer, s.ToString());
  }
}

void NetManager::Impl::AddOrphanTx(const TxRef& tx, uint64_t peer) {
  if (orphan_txs_.count(tx->hash) != 0 || tx->size > options_.max_orphan_tx_bytes) return;
  while (!orphan_txs_.empty() && (orphan_txs_.size() >= options_.max_orphan_txs ||
                                  orphan_tx_bytes_ + tx->size > options_.max_orphan_tx_bytes)) {
    auto victim = orphan_txs_.begin();
    std::advance(victim, static_cast<std::ptrdiff_t>(rng_() % orphan_txs_.size()));
    orphan_tx_bytes_ -= victim->second.tx->size;
    orphan_txs_.erase(victim);
  }
  orphan_txs_[tx->hash] = OrphanTx{tx, peer, Clock::now()};
  orphan_tx_bytes_ += tx->size;
}

void NetManager::Impl::RetryOrphanTxs(const std::optional<Address>& sender) {
  if (mempool_ == nullptr) return;
  bool progress = true;
  while (progress && !orphan_txs_.empty()) {
    progress = false;
    for (auto it = orphan_txs_.begin(); it != orphan_txs_.end();) {
      const TxRef tx = it->second.tx;
      if (sender && tx->sender != *sender) {
        ++it;
        continue;
      }
      Status s = mempool_->Add(tx);
      if (IsOrphanTxError(s)) {
        ++it;
        continue;
      }
      orphan_tx_bytes_ -= tx->size;
      it = orphan_txs_.erase(it);
      if (s.ok()) progress = true;
    }
  }
}

void NetManager::Impl::OnTxAdded(const TxRef& tx) {
  for (auto& [id, p] : peers_) {
    Peer& peer = *p;
    if (!peer.handshake_done || peer.disconnecting) continue;
    if (peer.known_txs.Contains(tx->hash)) continue;
    peer.known_txs.Insert(tx->hash);
    peer.tx_inv_queue.push_back(tx->hash);
  }
}

void NetManager::Impl::AnnounceMempool(Peer& peer) {
  // A tx that entered the pool while no peer was connected (a provider's
  // PoSt sent right after a restart) would otherwise wait for the next
  // block to be mined without it; a new peer hears of the pool at once.
  if (mempool_ == nullptr) return;
  size_t queued = 0;
  for (const TxRef& tx : mempool_->All()) {
    if (queued == kMaxTxAnnounceOnConnect) break;
    if (peer.known_txs.Contains(tx->hash)) continue;
    peer.known_txs.Insert(tx->hash);
    peer.tx_inv_queue.push_back(tx->hash);
    ++queued;
  }
}

void NetManager::Impl::FlushTxInv() {
  for (auto& [id, p] : peers_) {
    Peer& peer = *p;
    if (peer.tx_inv_queue.empty()) continue;
    for (size_t at = 0; at < peer.tx_inv_queue.size(); at += kMaxInvBatch) {
      std::vector<InvItem> items;
      size_t end = std::min(peer.tx_inv_queue.size(), at + kMaxInvBatch);
      for (size_t i = at; i < end; ++i)
        items.push_back(InvItem{InvType::kTx, peer.tx_inv_queue[i]});
      Send(peer, kMsgInv, EncodeInv(items));
    }
    peer.tx_inv_queue.clear();
  }
}

}  // namespace depin::net
