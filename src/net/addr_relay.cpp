// Address relay: addr and getaddr, rate-limited per peer
// (net_manager_impl.h).
#include "net/net_manager_impl.h"

namespace depin::net {

void NetManager::Impl::HandleAddr(Peer& peer, const Bytes& payload) {
  auto entries = DecodeAddr(payload);
  if (!entries) {
    return Misbehaving(peer, kScoreMalformed, "addr: " + entries.status().ToString());
  }
  const size_t received = entries->size();
  auto now_steady = Clock::now();
  if (peer.addr_tokens < kAddrTokenBucketMax) {
    double elapsed = std::chrono::duration<double>(
                         std::max(now_steady - peer.addr_tokens_updated, Clock::duration::zero()))
                         .count();
    peer.addr_tokens =
        std::min(kAddrTokenBucketMax, peer.addr_tokens + elapsed * kAddrTokensPerSecond);
  }
  peer.addr_tokens_updated = now_steady;
  const auto allowed = std::min(received, static_cast<size_t>(peer.addr_tokens));
  peer.addr_tokens -= static_cast<double>(allowed);
  if (allowed < received) {
    // Over the limit: a random part of the message is kept, so the order a
    // peer puts its addresses in does not choose which get through. The
    // rest is dropped without a score, as honest peers may gossip bursts.
    std::shuffle(entries->begin(), entries->end(), rng_);
    entries->resize(allowed);
    peer.addr_rate_limited += received - allowed;
  }
  size_t added = addr_man_.Add(*entries, peer.address);
  LogDebug(options_.logger, LogCategory::kNet,
           "peer {} sent {} addresses, {} new, {} dropped by the rate limit", peer.id, received,
           added, received - allowed);
  if (peer.kind == ConnKind::kSeed) {
    Disconnect(peer, "seed node answered");
    return;
  }
  // Pass a few fresh addresses on, as a gossip network does.
  uint64_t now = UnixNow();
  if (received <= 10 && added > 0) {
    std::vector<AddrEntry> fresh;
    for (const AddrEntry& e : *entries) {
      if (e.time + 600 >= now) fresh.push_back(e);
    }
    if (fresh.empty()) return;
    std::vector<Peer*> targets;
    for (auto& [id, p] : peers_) {
      if (p->handshake_done && !p->disconnecting && p->id != peer.id) targets.push_back(p.get());
    }
    std::shuffle(targets.begin(), targets.end(), rng_);
    for (size_t i = 0; i < targets.size() && i < 2; ++i)
      Send(*targets[i], kMsgAddr, EncodeAddr(fresh));
  }
}

void NetManager::Impl::HandleGetAddr(Peer& peer) {
  // Answered once per connection, and only to inbound peers, so an outbound
  // peer cannot map our address table.
  if (!peer.inbound() || peer.getaddr_answered) return;
  peer.getaddr_answered = true;
  Send(peer, kMsgAddr, EncodeAddr(addr_man_.GetAddresses(kMaxAddrPerMessage)));
}

}  // namespace depin::net
