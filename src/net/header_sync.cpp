// Headers-first sync: locators, getheaders / headers, the best header
// and the list of blocks to download (net_manager_impl.h).
#include "net/net_manager_impl.h"

namespace depin::net {

std::vector<Hash256> NetManager::Impl::Locator(const Hash256& start) const {
  std::vector<Hash256> locator;
  auto info = chainstate_.LookupBlock(start);
  if (!info) return {genesis_};
  Hash256 hash = start;
  uint64_t height = info->header.height;
  bool active = info->in_active_chain;
  uint64_t step = 1;
  while (locator.size() < kMaxLocatorHashes - 1) {
    locator.push_back(hash);
    if (height == 0) break;
    uint64_t next = height > step ? height - step : 0;
    if (locator.size() >= 10) step *= 2;
    if (!active) {
      // Walk back along the side branch until it meets the active chain.
      while (height > next) {
        auto i = chainstate_.LookupBlock(hash);
        if (!i) return locator;
        if (i->in_active_chain) {
          active = true;
          break;
        }
        hash = i->header.parent_hash;
        --height;
      }
    }
    if (active) {
      auto h = chainstate_.GetBlockHashAtHeight(next);
      if (!h) break;
      hash = *h;
      height = next;
    }
  }
  if (locator.back() != genesis_) locator.push_back(genesis_);
  return locator;
}

void NetManager::Impl::SendGetHeaders(Peer& peer, const Hash256& from) {
  GetHeadersMessage m;
  m.locator = Locator(from);
  LogDebug(options_.logger, LogCategory::kNet,
           "sending getheaders to peer {} ({} locator hashes from {})", peer.id, m.locator.size(),
           from.Hex());
  Send(peer, kMsgGetHeaders, EncodeGetHeaders(m));
}

void NetManager::Impl::HandleGetHeaders(Peer& peer, const Bytes& payload) {
  auto m = DecodeGetHeaders(payload);
  if (!m) return Misbehaving(peer, kScoreMalformed, "getheaders: " + m.status().ToString());
  uint64_t start = 0;
  for (const Hash256& h : m->locator) {
    auto info = chainstate_.LookupBlock(h);
    if (info && info->in_active_chain) {
      start = info->header.height;
      break;
    }
  }
  std::vector<BlockHeader> headers;
  LogDebug(options_.logger, LogCategory::kNet, "peer {} getheaders: fork point at height {}",
           peer.id, start);
  for (uint64_t height = start + 1; headers.size() < kMaxHeadersPerMessage; ++height) {
    auto hash = chainstate_.GetBlockHashAtHeight(height);
    if (!hash) break;
    auto info = chainstate_.LookupBlock(*hash);
    if (!info) break;
    headers.push_back(info->header);
    peer.known_blocks.Insert(*hash);
    if (*hash == m->stop) break;
  }
  Send(peer, kMsgHeaders, EncodeHeaders(headers));
}

void NetManager::Impl::UpdateBestHeader(const Hash256& candidate) {
  auto c = chainstate_.LookupBlock(candidate);
  if (!c || c->invalid) return;
  auto best = chainstate_.LookupBlock(best_header_);
  if (best && !best->invalid && !(c->chain_work > best->chain_work)) return;
  best_header_ = candidate;
  best_header_height_ = c->header.height;
  RebuildDownloadList();
  LogDebug(options_.logger, LogCategory::kNet, "best header {} at height {}, {} blocks to download",
           candidate.Hex(), c->header.height, to_download_.size());
}

void NetManager::Impl::RebuildDownloadList() {
  to_download_.clear();
  // A chain below the minimum chain work is not downloaded (a header tree
  // from before the minimum was raised, or a chain of our own).
  auto best = chainstate_.LookupBlock(best_header_);
  if (!best || best->chain_work < min_chain_work_) return;
  Hash256 hash = best_header_;
  while (true) {
    auto info = chainstate_.LookupBlock(hash);
    if (!info || info->in_active_chain) break;
    if (!info->have_data && received_.count(hash) == 0) to_download_[info->header.height] = hash;
    hash = info->header.parent_hash;
  }
}

void NetManager::Impl::HandleHeaders(Peer& peer, const Bytes& payload) {
  auto headers = DecodeHeaders(payload);
  if (!headers) {
    int score = headers.status().Is(StatusKind::kLimitExceeded) ? kScoreOversized : kScoreMalformed;
    return Misbehaving(peer, score, "headers: " + headers.status().ToString());
  }
  if (headers->empty()) return;
  LogDebug(options_.logger, LogCategory::kNet, "peer {} sent {} headers, heights {}..{}", peer.id,
           headers->size(), headers->front().height, headers->back().height);
  std::vector<Hash256> hashes;
  hashes.reserve(headers->size());
  for (size_t i = 0; i < headers->size(); ++i) {
    hashes.push_back((*headers)[i].Hash());
    if (i > 0 && (*headers)[i].parent_hash != hashes[i - 1]) {
      return Misbehaving(peer, kScoreMalformed, "headers do not form a chain");
    }
  }
  if (peer.presync) return HandlePresyncHeaders(peer, *headers);
  auto parent = chainstate_.LookupBlock(headers->front().parent_hash);
  if (!parent) {
    // Does not connect: likely an announcement past what we know. Ask for
    // the gap, but a peer that keeps doing this is spamming.
    if (++peer.unconnecting_headers > kMaxUnconnectingHeaders) {
      peer.unconnecting_headers = 0;
      Misbehaving(peer, kScoreHeaderSpam, "too many headers that do not connect");
    }
    SendGetHeaders(peer, best_header_);
    return;
  }
  peer.unconnecting_headers = 0;
  if (parent->chain_work < min_chain_work_ && !parent->invalid) {
    // Below the minimum chain work: checked in memory, stored only once the
    // peer's chain shows the minimum (headers_presync.h).
    auto start = PresyncStartAt(headers->front().parent_hash);
    if (!start) return;
    peer.presync = std::make_unique<HeadersPresync>(params_, min_chain_work_, *start, UnixNow(),
                                                    presync_salt_);
    LogDebug(options_.logger, LogCategory::kNet,
             "peer {}: headers from height {} build on a chain below the minimum chain work; "
             "presyncing them",
             peer.id, headers->front().height);
    return HandlePresyncHeaders(peer, *headers);
  }
  size_t fresh = 0;
  for (const Hash256& h : hashes) fresh += !chainstate_.LookupBlock(h).has_value();
  if (!StoreHeaders(peer, *headers, hashes)) return;
  if (fresh == 0 && headers->size() < kMaxHeadersPerMessage) {
    if (++peer.useless_headers > kMaxUselessHeaderMessages) {
      peer.useless_headers = 0;
      Misbehaving(peer, kScoreHeaderSpam, "repeated headers we already have");
    }
  }
  if (headers->size() == kMaxHeadersPerMessage) SendGetHeaders(peer, hashes.back());
  ScheduleDownloads();
}

bool NetManager::Impl::StoreHeaders(Peer& peer, const std::vector<BlockHeader>& headers,
                                    const std::vector<Hash256>& hashes) {
  for (size_t i = 0; i < headers.size(); ++i) {
    Status s = chainstate_.ProcessHeader(headers[i]);
    if (!s.ok()) {
      if (s.Is(StatusKind::kNotYetValid)) {
        // Maybe our clock is behind; not the peer's fault.
        LogInfo(options_.logger, LogCategory::kNet, "header {} from peer {} is in the future",
                hashes[i].Hex(), peer.id);
        return false;
      }
      if (s.IsLocalFailure() || s.Is(StatusKind::kInterrupted)) {
        // Our disk failed (the node is stopping) or we are shutting down.
        LogInfo(options_.logger, LogCategory::kNet, "header {} from peer {} not stored: {}",
                hashes[i].Hex(), peer.id, s.ToString());
        return false;
      }
      Misbehaving(peer, kScoreInvalidHeader,
                  "invalid header " + hashes[i].Hex() + ": " + s.ToString());
      return false;
    }
    peer.known_blocks.Insert(hashes[i]);
  }
  const BlockHeader& last = headers.back();
  if (last.height >= peer.best_header_height || peer.best_header.IsZero()) {
    peer.best_header = hashes.back();
    peer.best_header_height = last.height;
  }
  UpdateBestHeader(hashes.back());
  return true;
}

std::optional<PresyncStart> NetManager::Impl::PresyncStartAt(const Hash256& hash) const {
  auto info = chainstate_.LookupBlock(hash);
  if (!info) return std::nullopt;
  PresyncStart start;
  start.header = info->header;
  start.chain_work = info->chain_work;
  start.asert_anchor_time = info->asert_anchor_time;
  std::vector<uint64_t> times{info->header.timestamp};
  Hash256 walk = info->header.parent_hash;
  for (uint64_t height = info->header.height; height > 0 && times.size() < params_.median_time_span;
       --height) {
    auto ancestor = chainstate_.LookupBlock(walk);
    if (!ancestor) break;
    times.push_back(ancestor->header.timestamp);
    walk = ancestor->header.parent_hash;
  }
  start.recent_times.assign(times.rbegin(), times.rend());
  return start;
}

void NetManager::Impl::SendPresyncGetHeaders(Peer& peer, const Hash256& last, const Hash256& base) {
  GetHeadersMessage m;
  m.locator = Locator(base);
  m.locator.insert(m.locator.begin(), last);
  if (m.locator.size() > kMaxLocatorHashes) m.locator.resize(kMaxLocatorHashes);
  Send(peer, kMsgGetHeaders, EncodeGetHeaders(m));
}

void NetManager::Impl::HandlePresyncHeaders(Peer& peer, const std::vector<BlockHeader>& headers) {
  HeadersPresync& presync = *peer.presync;
  const auto out = presync.Process(headers, headers.size() == kMaxHeadersPerMessage, UnixNow());
  const Hash256 start = presync.start_hash();
  if (!out.error.ok()) {
    peer.presync.reset();
    if (out.error.Is(StatusKind::kNotYetValid)) {
      LogInfo(options_.logger, LogCategory::kNet, "presync with peer {}: a header is in the future",
              peer.id);
    } else if (out.error.code() == "presync-chain-changed") {
      // Not a broken rule (its chain may have reorganised), but nothing it
      // presynced can be trusted: start afresh with another connection.
      Disconnect(peer, "headers presync: " + out.error.ToString());
    } else {
      Misbehaving(peer, kScoreInvalidHeader, "invalid header in presync: " + out.error.ToString());
    }
    return;
  }
  if (out.below_min_work) {
    LogInfo(options_.logger, LogCategory::kNet,
            "peer {}: its header chain ends at height {} below the minimum chain work; nothing "
            "of it stored",
            peer.id, presync.height());
    peer.presync.reset();
    return;
  }
  if (out.restart_from_start) {
    LogInfo(options_.logger, LogCategory::kNet,
            "peer {}: header chain reached the minimum chain work at height {}; downloading its "
            "headers again to store them",
            peer.id, presync.height());
    SendGetHeaders(peer, start);
    return;
  }
  if (!out.release.empty()) {
    std::vector<Hash256> hashes;
    hashes.reserve(out.release.size());
    for (const BlockHeader& h : out.release) hashes.push_back(h.Hash());
    if (!StoreHeaders(peer, out.release, hashes)) {
      peer.presync.reset();
      return;
    }
  }
  if (presync.phase() == HeadersPresync::Phase::kDone) {
    peer.presync.reset();
    if (out.continue_from) SendGetHeaders(peer, *out.continue_from);
  } else if (out.continue_from) {
    SendPresyncGetHeaders(peer, *out.continue_from, start);
  }
  ScheduleDownloads();
}

}  // namespace depin::net
