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
  if (!chainstate_.LookupBlock(headers->front().parent_hash)) {
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
  size_t fresh = 0;
  for (size_t i = 0; i < headers->size(); ++i) {
    const BlockHeader& h = (*headers)[i];
    bool known = chainstate_.LookupBlock(hashes[i]).has_value();
    Status s = chainstate_.ProcessHeader(h);
    if (!s.ok()) {
      if (s.Is(StatusKind::kNotYetValid)) {
        // Maybe our clock is behind; not the peer's fault.
        LogInfo(options_.logger, LogCategory::kNet, "header {} from peer {} is in the future",
                hashes[i].Hex(), peer.id);
        return;
      }
      if (s.IsLocalFailure() || s.Is(StatusKind::kInterrupted)) {
        // Our disk failed (the node is stopping) or we are shutting down.
        LogInfo(options_.logger, LogCategory::kNet, "header {} from peer {} not stored: {}",
                hashes[i].Hex(), peer.id, s.ToString());
        return;
      }
      return Misbehaving(peer, kScoreInvalidHeader,
                         "invalid header " + hashes[i].Hex() + ": " + s.ToString());
    }
    fresh += !known;
    peer.known_blocks.Insert(hashes[i]);
  }
  if (fresh == 0 && headers->size() < kMaxHeadersPerMessage) {
    if (++peer.useless_headers > kMaxUselessHeaderMessages) {
      peer.useless_headers = 0;
      Misbehaving(peer, kScoreHeaderSpam, "repeated headers we already have");
    }
  }
  const BlockHeader& last = headers->back();
  if (last.height >= peer.best_header_height || peer.best_header.IsZero()) {
    peer.best_header = hashes.back();
    peer.best_header_height = last.height;
  }
  UpdateBestHeader(hashes.back());
  if (headers->size() == kMaxHeadersPerMessage) SendGetHeaders(peer, hashes.back());
  ScheduleDownloads();
}

}  // namespace depin::net
