// Blocks: inv / getdata / notfound, scheduling downloads over peers,
// decoding received bodies on a pool, the block thread that hands them to
// the chainstate, orphan blocks and what a new tip means for peers
// (net_manager_impl.h).
#include "net/net_manager_impl.h"

namespace depin::net {

void NetManager::Impl::BlockLoop() {
  SetThreadName("net-block");
  auto window_start = Clock::now();
  uint64_t window_blocks = 0;
  uint64_t window_txs = 0;
  while (true) {
    BlockJob job;
    {
      MutexLock lock(block_mu_);
      block_cv_.Wait(block_mu_, [this]() REQUIRES(block_mu_) {
        return block_stopping_ || !block_jobs_.empty();
      });
      if (block_stopping_) return;
      job = std::move(block_jobs_.front());
      block_jobs_.pop_front();
    }
    chain::BlockAcceptance acceptance = chain::BlockAcceptance::kInvalid;
    Status status = chainstate_.ProcessBlock(job.block, &acceptance);
    --queued_blocks_;
    if (acceptance == chain::BlockAcceptance::kAccepted) {
      ++window_blocks;
      window_txs += job.block->txs.size();
    }
    auto now = Clock::now();
    // The chainstate's own tip: best_tip_height_ is updated later, on the
    // message thread, and would make the last block of a catch-up look
    // unfinished (no progress line for a sync shorter than the interval).
    uint64_t tip = chainstate_.Tip().height;
    uint64_t best = std::max(best_header_height_.load(), tip);
    // Every 2 s while blocks arrive, and once when a catch-up of several
    // blocks ends (a short sync may take less than 2 s).
    bool caught_up = window_blocks > 1 && tip >= best && queued_blocks_.load() == 0;
    if (now - window_start >= kProgressLogInterval || caught_up) {
      double secs = std::max(1e-3, std::chrono::duration<double>(now - window_start).count());
      if (window_blocks > 0 && best > 0) {
        std::ostringstream line;
        line << std::fixed << std::setprecision(1) << "sync: height " << tip << " of " << best
             << " (" << 100.0 * static_cast<double>(tip) / static_cast<double>(best) << "%), "
             << static_cast<double>(window_blocks) / secs << " blocks/s, "
             << static_cast<double>(window_txs) / secs << " tx/s";
        LogInfo(options_.logger, LogCategory::kNet, "{}", line.str());
      }
      window_start = now;
      window_blocks = 0;
      window_txs = 0;
    }
    Post([this, peer = job.peer, block = std::move(job.block), status, acceptance]()
             REQUIRES(mu_) { OnBlockProcessed(peer, block, status, acceptance); });
  }
}

// Whether the peer has told us (with headers) that it has the block at
// `height` on the best header path. A height in its version message is no
// proof: on another branch the peer has other blocks at the same heights.
bool NetManager::Impl::PeerHasBlock(const Peer& peer, uint64_t height, const Hash256& hash) const {
  if (peer.best_header.IsZero() || peer.best_header_height < height) return false;
  if (peer.best_header == best_header_ || peer.known_blocks.Contains(hash)) return true;
  // Its best header is on our path (a peer behind the best one).
  auto d = to_download_.find(peer.best_header_height);
  return d != to_download_.end() && d->second == peer.best_header;
}

void NetManager::Impl::QueueBlock(uint64_t peer_id, std::shared_ptr<const Block> block) {
  const Hash256& parent = block->header.parent_hash;
  bool parent_ready = orphan_blocks_.count(parent) == 0 && decoding_.count(parent) == 0 &&
                      received_.count(parent) != 0;
  if (!parent_ready) {
    auto info = chainstate_.LookupBlock(parent);
    // An unknown parent cannot happen here (see orphan_blocks_); the
    // chainstate would refuse the block.
    parent_ready = !info || info->have_data || info->invalid;
  }
  if (!parent_ready) return AddOrphanBlock(peer_id, std::move(block));
  SubmitBlock(peer_id, std::move(block));
}

void NetManager::Impl::SubmitBlock(uint64_t peer_id, std::shared_ptr<const Block> block) {
  ++queued_blocks_;
  {
    MutexLock lock(block_mu_);
    block_jobs_.push_back(BlockJob{peer_id, std::move(block)});
  }
  block_cv_.NotifyOne();
}

void NetManager::Impl::AddOrphanBlock(uint64_t peer_id, std::shared_ptr<const Block> block) {
  const Hash256 hash = block->Hash();
  const uint64_t height = block->header.height;
  const size_t size = block->SerializedSize();
  if (size > options_.max_orphan_block_bytes) return SubmitBlock(peer_id, std::move(block));
  // Past a cap the orphans furthest from the tip go to the chainstate (the
  // new one, if it is the furthest): those nearest connect first, and the
  // pool keeps what is needed next.
  while (orphan_blocks_.size() >= options_.max_orphan_blocks ||
         orphan_block_bytes_ + size > options_.max_orphan_block_bytes) {
    if (orphans_by_height_.empty() || std::prev(orphans_by_height_.end())->first <= height) {
      LogDebug(options_.logger, LogCategory::kNet,
               "orphan block {} at height {} from peer {}: the pool is full; to the chainstate",
               hash.Hex(), height, peer_id);
      return SubmitBlock(peer_id, std::move(block));
    }
    const Hash256 victim = std::prev(orphans_by_height_.end())->second;
    OrphanBlock evicted = TakeOrphanBlock(victim);
    LogDebug(options_.logger, LogCategory::kNet,
             "orphan block {} at height {} makes way for a lower one; to the chainstate",
             victim.Hex(), evicted.block->header.height);
    SubmitBlock(evicted.peer, std::move(evicted.block));
  }
  orphans_by_parent_.emplace(block->header.parent_hash, hash);
  orphans_by_height_.emplace(height, hash);
  orphan_block_bytes_ += size;
  orphan_blocks_.emplace(hash, OrphanBlock{std::move(block), peer_id, size});
}

OrphanBlock NetManager::Impl::TakeOrphanBlock(const Hash256& hash) {
  auto it = orphan_blocks_.find(hash);
  OrphanBlock orphan = std::move(it->second);
  orphan_blocks_.erase(it);
  orphan_block_bytes_ -= orphan.size;
  orphans_by_height_.erase({orphan.block->header.height, hash});
  auto [first, last] = orphans_by_parent_.equal_range(orphan.block->header.parent_hash);
  for (auto p = first; p != last; ++p) {
    if (p->second == hash) {
      orphans_by_parent_.erase(p);
      break;
    }
  }
  return orphan;
}

void NetManager::Impl::ReleaseOrphanBlocks(const Hash256& parent) {
  std::vector<Hash256> children;
  auto [first, last] = orphans_by_parent_.equal_range(parent);
  for (auto p = first; p != last; ++p) children.push_back(p->second);
  for (const Hash256& child : children) {
    OrphanBlock orphan = TakeOrphanBlock(child);
    // In order behind the parent; if it was invalid, the chainstate
    // rejects them as such.
    QueueBlock(orphan.peer, std::move(orphan.block));
  }
}

void NetManager::Impl::SubmitStrandedOrphanBlocks() {
  std::vector<Hash256> stranded;
  for (const auto& [hash, orphan] : orphan_blocks_) {
    const BlockHeader& header = orphan.block->header;
    if (received_.count(header.parent_hash) != 0 || in_flight_.count(header.parent_hash) != 0)
      continue;
    auto d = to_download_.find(header.height - 1);
    if (d != to_download_.end() && d->second == header.parent_hash) continue;
    stranded.push_back(hash);
  }
  for (const Hash256& hash : stranded) {
    OrphanBlock orphan = TakeOrphanBlock(hash);
    LogDebug(options_.logger, LogCategory::kNet,
             "orphan block {}: its parent is no longer on its way; to the chainstate", hash.Hex());
    SubmitBlock(orphan.peer, std::move(orphan.block));
  }
}

void NetManager::Impl::ScheduleDownloads() {
  if (to_download_.empty()) return;
  if (queued_blocks_.load() >= options_.max_queued_blocks) return;
  uint64_t tip = chainstate_.Tip().height;
  uint64_t window_end = tip + options_.block_download_window;
  auto now = Clock::now();
  for (auto& [id, p] : peers_) {
    Peer& peer = *p;
    if (!peer.handshake_done || peer.disconnecting || peer.kind == ConnKind::kSeed) continue;
    if (peer.blocks_in_flight.size() >= options_.max_blocks_in_flight_per_peer) continue;
    std::vector<InvItem> request;
    bool window_full = true;
    for (const auto& [height, hash] : to_download_) {
      if (height > window_end) break;
      if (in_flight_.count(hash) != 0) continue;
      if (!PeerHasBlock(peer, height, hash) || peer.not_found.count(hash) != 0) continue;
      window_full = false;
      request.push_back(InvItem{InvType::kBlock, hash});
      in_flight_[hash] = InFlight{peer.id, now};
      peer.blocks_in_flight.insert(hash);
      if (peer.blocks_in_flight.size() >= options_.max_blocks_in_flight_per_peer) break;
    }
    if (!request.empty()) {
      LogDebug(options_.logger, LogCategory::kNet, "requesting {} blocks from peer {}",
               request.size(), peer.id);
      Send(peer, kMsgGetData, EncodeInv(request));
      continue;
    }
    if (!window_full) continue;
    // This peer could help but the window is taken: is the block at the
    // window's start held up by a slow peer?
    const auto& [first_height, first] = *to_download_.begin();
    if (!PeerHasBlock(peer, first_height, first)) continue;
    auto f = in_flight_.find(first);
    if (f == in_flight_.end() || f->second.peer == peer.id) continue;
    if (now - f->second.requested < options_.block_stall_timeout) continue;
    if (Peer* staller = FindPeer(f->second.peer)) {
      Disconnect(*staller, "stalling the block download");
      for (const Hash256& h : staller->blocks_in_flight) in_flight_.erase(h);
      staller->blocks_in_flight.clear();
    }
  }
}

void NetManager::Impl::HandleInv(Peer& peer, const Bytes& payload) {
  auto items = DecodeInv(payload);
  if (!items) {
    int score = items.status().Is(StatusKind::kLimitExceeded) ? kScoreOversized : kScoreMalformed;
    return Misbehaving(peer, score, "inv: " + items.status().ToString());
  }
  std::vector<InvItem> want;
  bool unknown_block = false;
  auto now = Clock::now();
  for (const InvItem& item : *items) {
    if (item.type == InvType::kBlock) {
      peer.known_blocks.Insert(item.hash);
      if (!chainstate_.LookupBlock(item.hash)) unknown_block = true;
      continue;
    }
    peer.known_txs.Insert(item.hash);
    if (mempool_ == nullptr) continue;
    if (recent_rejects_.Contains(item.hash) || mempool_->Contains(item.hash) ||
        orphan_txs_.count(item.hash) != 0)
      continue;
    auto r = tx_requested_.find(item.hash);
    if (r != tx_requested_.end() && now - r->second.requested < kTxRequestTimeout) continue;
    if (peer.tx_requests >= kMaxPeerTxRequests) {
      ++peer.tx_announcements_dropped;
      continue;
    }
    TrackTxRequest(peer, item.hash, now);
    want.push_back(item);
  }
  if (unknown_block) SendGetHeaders(peer, best_header_);
  if (!want.empty()) Send(peer, kMsgGetData, EncodeInv(want));
}

void NetManager::Impl::HandleGetData(Peer& peer, const Bytes& payload) {
  auto items = DecodeInv(payload);
  if (!items) {
    int score = items.status().Is(StatusKind::kLimitExceeded) ? kScoreOversized : kScoreMalformed;
    return Misbehaving(peer, score, "getdata: " + items.status().ToString());
  }
  peer.pending_getdata.insert(peer.pending_getdata.end(), items->begin(), items->end());
  ServeGetData(peer);
  // As Bitcoin Core: nothing more is read from a peer until what it asked
  // for is served, so a peer that asks without reading cannot grow the
  // queue (ServeGetData resumes from Tick as the send buffer drains).
  if (!peer.pending_getdata.empty()) peer.conn->HoldReading(true);
}

void NetManager::Impl::ServeGetData(Peer& peer) {
  std::vector<InvItem> not_found;
  while (!peer.pending_getdata.empty() && !peer.disconnecting) {
    if (peer.conn->SendQueueBytes() > options_.max_send_buffer) break;  // resumes in Tick
    InvItem item = peer.pending_getdata.front();
    peer.pending_getdata.pop_front();
    if (item.type == InvType::kBlock) {
      auto raw = chainstate_.ReadRawBlock(item.hash);
      if (!raw) {
        not_found.push_back(item);
        continue;
      }
      peer.known_blocks.Insert(item.hash);
      Send(peer, kMsgBlock, *raw);
    } else {
      TxRef tx = mempool_ != nullptr ? mempool_->Get(item.hash) : nullptr;
      if (!tx) {
        not_found.push_back(item);
        continue;
      }
      peer.known_txs.Insert(item.hash);
      Send(peer, kMsgTx, tx->tx.Encode());
    }
  }
  if (!not_found.empty()) Send(peer, kMsgNotFound, EncodeInv(not_found));
  if (peer.pending_getdata.empty() && peer.conn->reading_held()) peer.conn->HoldReading(false);
}

void NetManager::Impl::OnMessage(const std::shared_ptr<Connection>& conn,
                                 const std::string& command, Bytes payload) {
  Peer* peer = FindPeer(conn->id());
  if (peer != nullptr && (!peer->pending_getdata.empty() || !peer->held_messages.empty())) {
    peer->held_messages.emplace_back(command, std::move(payload));
    return;
  }
  const size_t size = payload.size();
  HandleMessage(conn->id(), command, payload);
  conn->MessageProcessed(size);
}

void NetManager::Impl::DrainHeldMessages(uint64_t id) {
  for (;;) {
    Peer* peer = FindPeer(id);
    if (peer == nullptr || peer->disconnecting || !peer->pending_getdata.empty() ||
        peer->held_messages.empty()) {
      return;
    }
    auto [command, payload] = std::move(peer->held_messages.front());
    peer->held_messages.pop_front();
    std::shared_ptr<Connection> conn = peer->conn;
    HandleMessage(id, command, payload);
    conn->MessageProcessed(payload.size());
  }
}

void NetManager::Impl::TrackTxRequest(Peer& peer, const Hash256& hash, Clock::time_point now) {
  ForgetTxRequest(hash);  // a timed-out request to another peer
  tx_requested_[hash] = InFlight{peer.id, now};
  ++peer.tx_requests;
}

void NetManager::Impl::ForgetTxRequest(const Hash256& hash) {
  auto it = tx_requested_.find(hash);
  if (it == tx_requested_.end()) return;
  if (Peer* holder = FindPeer(it->second.peer); holder != nullptr && holder->tx_requests > 0) {
    --holder->tx_requests;
  }
  tx_requested_.erase(it);
}

void NetManager::Impl::HandleNotFound(Peer& peer, const Bytes& payload) {
  auto items = DecodeInv(payload);
  if (!items) return Misbehaving(peer, kScoreMalformed, "notfound: " + items.status().ToString());
  for (const InvItem& item : *items) {
    if (item.type == InvType::kBlock) {
      auto f = in_flight_.find(item.hash);
      if (f != in_flight_.end() && f->second.peer == peer.id) {
        in_flight_.erase(f);
        peer.blocks_in_flight.erase(item.hash);
        peer.not_found.insert(item.hash);
      }
    } else {
      auto r = tx_requested_.find(item.hash);
      if (r != tx_requested_.end() && r->second.peer == peer.id) ForgetTxRequest(item.hash);
    }
  }
  ScheduleDownloads();
}

void NetManager::Impl::HandleBlock(Peer& peer, const Bytes& payload) {
  // The header alone says whether the block is wanted; the body (sender
  // recovery, nearly all of the cost) is decoded on the decode pool, several
  // blocks at once, and comes back through OnBlockDecoded.
  if (payload.size() < BlockHeader::kSerializedSize + 4) {
    return Misbehaving(peer, kScoreInvalidBlock, "malformed block: shorter than a header");
  }
  auto header = BlockHeader::Deserialize(ByteSpan(payload.data(), BlockHeader::kSerializedSize));
  if (!header) {
    return Misbehaving(peer, kScoreInvalidBlock, "malformed block: " + header.status().ToString());
  }
  const Hash256 hash = header->Hash();
  peer.known_blocks.Insert(hash);
  peer.last_block_time = Clock::now();
  auto f = in_flight_.find(hash);
  bool requested = f != in_flight_.end() && f->second.peer == peer.id;
  if (f != in_flight_.end()) {
    if (Peer* holder = FindPeer(f->second.peer)) holder->blocks_in_flight.erase(hash);
    in_flight_.erase(f);
  }
  if (!requested) {
    // Unsolicited: a miner pushing a new block is fine when it extends a
    // block we know; anything else is unrequested data.
    auto info = chainstate_.LookupBlock(hash);
    if (info && info->have_data) return;
    if (received_.count(hash) != 0) return;
    auto parent = chainstate_.LookupBlock(header->parent_hash);
    if (!parent) {
      Misbehaving(peer, kScoreUnrequested, "unrequested block " + hash.Hex());
      return;
    }
    // Nor is an unrequested block of a chain below the minimum chain work
    // stored (as Bitcoin Core's AcceptBlock).
    auto target = CompactToTarget(header->bits);
    const Uint256 work =
        SaturatingAdd(parent->chain_work, target.ok() ? WorkFromTarget(*target) : Uint256());
    if (work < min_chain_work_) {
      LogDebug(options_.logger, LogCategory::kNet,
               "unrequested block {} from peer {} is below the minimum chain work; ignored",
               hash.Hex(), peer.id);
      return;
    }
  }
  if (received_.count(hash) != 0) return;
  const uint64_t height = header->height;
  bool wanted = false;  // on the download path: asked for again if the body is bad
  if (auto d = to_download_.find(height); d != to_download_.end() && d->second == hash) {
    to_download_.erase(d);
    wanted = true;
  }
  received_.insert(hash);
  decoding_.insert(hash);
  std::function<void()> task = [this, peer_id = peer.id, height, hash, wanted, body = payload] {
    // Small blocks decode on one thread each (the pool runs several); a
    // large one spreads its senders over every decode thread.
    const unsigned threads =
        body.size() >= kSpreadDecodeBytes ? std::max(1u, options_.block_decode_threads) : 1u;
    auto decoded = DecodeBlock(body, params_.max_block_size, threads);
    std::shared_ptr<const Block> block;
    Status error;
    if (decoded.ok()) {
      block = std::make_shared<const Block>(std::move(decoded).value());
    } else {
      error = decoded.status();
    }
    Post([this, peer_id, height, hash, wanted, block = std::move(block), error]()
             REQUIRES(mu_) { OnBlockDecoded(peer_id, height, hash, wanted, block, error); });
  };
  // A full queue (or a stopped pool) decodes here instead.
  if (!decode_pool_ || !decode_pool_->TrySubmit(task)) task();
}

void NetManager::Impl::OnBlockDecoded(uint64_t peer_id, uint64_t height, const Hash256& hash,
                                      bool wanted, std::shared_ptr<const Block> block,
                                      const Status& error) {
  decoding_.erase(hash);
  if (!error.ok()) {
    // Ask again elsewhere; the sender pays for the malformed body.
    received_.erase(hash);
    if (wanted && chainstate_.Tip().height < height) to_download_.emplace(height, hash);
    if (Peer* peer = FindPeer(peer_id)) {
      Misbehaving(*peer, kScoreInvalidBlock, "malformed block: " + error.ToString());
    }
    ScheduleDownloads();
    return;
  }
  QueueBlock(peer_id, std::move(block));
  ScheduleDownloads();
}

void NetManager::Impl::OnBlockProcessed(uint64_t peer_id, std::shared_ptr<const Block> block,
                                        Status status, chain::BlockAcceptance acceptance) {
  const Hash256 hash = block->Hash();
  received_.erase(hash);
  LogDebug(options_.logger, LogCategory::kNet, "block {} at height {} from peer {}: {} {}",
           hash.Hex(), block->header.height, peer_id, static_cast<int>(acceptance),
           status.ToString());
  ReleaseOrphanBlocks(hash);
  Peer* peer = FindPeer(peer_id);
  switch (acceptance) {
    case chain::BlockAcceptance::kNotProcessed:
      // Shutting down, or our own disk failed (the chainstate has logged it
      // and the node is stopping): nothing is known against the sender.
      LogInfo(options_.logger, LogCategory::kNet, "block {} from peer {} not processed: {}",
              hash.Hex(), peer_id, status.ToString());
      break;
    case chain::BlockAcceptance::kInvalid:
      if (peer != nullptr) {
        Misbehaving(*peer, kScoreInvalidBlock,
                    "invalid block " + hash.Hex() + ": " + status.ToString());
      }
      if (status.Is(StatusKind::kMutated)) break;  // a mutated copy; the header may be fine
      {
        auto best = chainstate_.LookupBlock(best_header_);
        if (!best || best->invalid) {
          best_header_ = chainstate_.Tip().hash;
          best_header_height_ = chainstate_.Tip().height;
          RebuildDownloadList();
          for (auto& [id, p] : peers_) {
            if (p->handshake_done && !p->disconnecting) SendGetHeaders(*p, best_header_);
          }
        }
      }
      break;
    case chain::BlockAcceptance::kOrphan:
      // Not from a peer: every block handed over has a known parent header
      // (orphan_blocks_). Should it happen, the block is not kept; its
      // chain comes again through headers.
      if (peer != nullptr) SendGetHeaders(*peer, best_header_);
      break;
    case chain::BlockAcceptance::kAccepted:
    case chain::BlockAcceptance::kAlreadyKnown: {
      UpdateBestHeader(hash);
      break;
    }
  }
  ScheduleDownloads();
}

void NetManager::Impl::OnTipChanged() {
  std::vector<BlockHeader> connected;
  connected.swap(connected_headers_);
  std::vector<TxRef> returned;
  returned.swap(disconnected_txs_);
  for (const TxRef& tx : returned) {
    if (mempool_->Contains(tx->hash)) OnTxAdded(tx);
  }
  RetryOrphanTxs(std::nullopt);
  if (best_tip_height_.load() > best_header_height_.load()) {
    best_header_ = chainstate_.Tip().hash;
    best_header_height_ = best_tip_height_.load();
  }
  if (connected.empty()) return;
  // While catching up, announcing every connected block helps nobody. (Blocks
  // received but still queued do not count: the one just connected is among
  // them until its result arrives.)
  if (!to_download_.empty()) return;
  if (connected.size() > kMaxAnnounceHeaders)
    connected.erase(connected.begin(), connected.end() - kMaxAnnounceHeaders);
  std::vector<Hash256> hashes;
  hashes.reserve(connected.size());
  for (const BlockHeader& h : connected) hashes.push_back(h.Hash());
  for (auto& [id, p] : peers_) {
    Peer& peer = *p;
    if (!peer.handshake_done || peer.disconnecting) continue;
    // Only what follows the last block the peer has, so that the
    // announcement is a chain. A peer whose headers showed it the blocks
    // (its best header is ours, as for a peer we are syncing from) has
    // them though it never sent us each header: announcing them anyway
    // made it count "repeated headers we already have" and ban us during
    // a sync from several peers.
    size_t first = 0;
    for (size_t i = connected.size(); i > 0; --i) {
      if (peer.known_blocks.Contains(hashes[i - 1]) ||
          PeerHasBlock(peer, connected[i - 1].height, hashes[i - 1])) {
        first = i;
        break;
      }
    }
    if (first == connected.size()) continue;
    std::vector<BlockHeader> announce(connected.begin() + static_cast<std::ptrdiff_t>(first),
                                      connected.end());
    for (size_t i = first; i < connected.size(); ++i) peer.known_blocks.Insert(hashes[i]);
    Send(peer, kMsgHeaders, EncodeHeaders(announce));
  }
}

}  // namespace depin::net
