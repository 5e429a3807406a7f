// Peers: misbehaviour and bans, sending, the version handshake, message
// dispatch, and the queries and operator commands over peers (net_manager_impl.h).
#include "net/net_manager_impl.h"

namespace depin::net {

void NetManager::Impl::Misbehaving(Peer& peer, int score, const std::string& reason) {
  peer.misbehavior += score;
  LogInfo(options_.logger, LogCategory::kNet, "peer {} ({}) misbehaving (+{} = {}): {}", peer.id,
          peer.address.ToString(), score, peer.misbehavior, reason);
  if (peer.misbehavior < kBanScore) return;
  if (!peer.whitelisted && !peer.manual()) {
    ban_man_.Ban(SubNet::Single(peer.address), options_.ban_seconds);
    ban_list_dirty_ = true;
    LogInfo(options_.logger, LogCategory::kNet, "banned {} for {} s", peer.address.IpString(),
            options_.ban_seconds);
  }
  Disconnect(peer, "misbehaviour score " + std::to_string(peer.misbehavior) + ": " + reason);
}

void NetManager::Impl::Send(Peer& peer, std::string_view command, const Bytes& payload) {
  if (peer.disconnecting) return;
  peer.conn->Send(command, payload);
}

void NetManager::Impl::SendVersion(Peer& peer) {
  VersionMessage v;
  v.timestamp = UnixNow();
  v.chain_id = params_.chain_id;
  v.genesis_hash = genesis_;
  v.best_height = chainstate_.Tip().height;
  do {
    v.nonce = rng_();
  } while (v.nonce == 0 || local_nonces_.count(v.nonce) != 0);
  peer.local_nonce = v.nonce;
  local_nonces_.insert(v.nonce);
  v.listen_port = listen_port_.load();
  v.addr_recv = peer.address;
  v.user_agent = options_.user_agent;
  Send(peer, kMsgVersion, EncodeVersion(v));
}

// Messages

void NetManager::Impl::OnFrameError(uint64_t id, const Status& error) {
  Peer* peer = FindPeer(id);
  if (peer == nullptr) return;
  switch (error.kind()) {
    case StatusKind::kMutated:  // bad checksum
      Misbehaving(*peer, kScoreBadChecksum, error.ToString());
      break;
    case StatusKind::kLimitExceeded:
      Misbehaving(*peer, kScoreOversized, error.ToString());
      break;
    case StatusKind::kInvalid:  // bad command, truncated frame
      Misbehaving(*peer, kScoreMalformed, error.ToString());
      Disconnect(*peer, error.ToString());
      break;
    default:
      // Bad magic: another network or garbage; the stream is lost.
      Disconnect(*peer, error.ToString());
      break;
  }
}

void NetManager::Impl::HandleMessage(uint64_t id, const std::string& command,
                                     const Bytes& payload) {
  Peer* p = FindPeer(id);
  if (p == nullptr || p->disconnecting) return;
  Peer& peer = *p;
  LogTrace(options_.logger, LogCategory::kNet, "peer {} sent {} ({} bytes)", id, command,
           payload.size());
  if (command == kMsgVersion) return HandleVersion(peer, payload);
  if (!peer.version_received) {
    Misbehaving(peer, kScoreBeforeHandshake, "'" + command + "' before version");
    return;
  }
  if (command == kMsgVerack) return HandleVerack(peer);
  if (!peer.handshake_done) {
    Misbehaving(peer, kScoreBeforeHandshake, "'" + command + "' before verack");
    return;
  }
  if (command == kMsgPing) {
    auto nonce = DecodeNonce(payload);
    if (!nonce) return Misbehaving(peer, kScoreMalformed, "ping: " + nonce.status().ToString());
    Send(peer, kMsgPong, EncodeNonce(*nonce));
  } else if (command == kMsgPong) {
    auto nonce = DecodeNonce(payload);
    if (!nonce) return Misbehaving(peer, kScoreMalformed, "pong: " + nonce.status().ToString());
    if (peer.ping_nonce != 0 && *nonce == peer.ping_nonce) {
      double ms = Millis(Clock::now() - peer.ping_sent);
      peer.last_ping_ms = ms;
      peer.min_ping_ms = std::min(ms, peer.min_ping_ms.value_or(ms));
      peer.ping_nonce = 0;
    }
  } else if (command == kMsgGetHeaders) {
    HandleGetHeaders(peer, payload);
  } else if (command == kMsgHeaders) {
    HandleHeaders(peer, payload);
  } else if (command == kMsgInv) {
    HandleInv(peer, payload);
  } else if (command == kMsgGetData) {
    HandleGetData(peer, payload);
  } else if (command == kMsgNotFound) {
    HandleNotFound(peer, payload);
  } else if (command == kMsgBlock) {
    HandleBlock(peer, payload);
  } else if (command == kMsgTx) {
    HandleTx(peer, payload);
  } else if (command == kMsgAddr) {
    HandleAddr(peer, payload);
  } else if (command == kMsgGetAddr) {
    if (Status s = DecodeEmpty(payload); !s.ok())
      return Misbehaving(peer, kScoreMalformed, "getaddr: " + s.ToString());
    HandleGetAddr(peer);
  } else {
    // Unknown commands are ignored so that newer peers can talk to us.
    LogDebug(options_.logger, LogCategory::kNet, "peer {} sent unknown command '{}'", id, command);
  }
}

void NetManager::Impl::HandleVersion(Peer& peer, const Bytes& payload) {
  if (peer.version_received) {
    Misbehaving(peer, 1, "duplicate version");
    return;
  }
  auto v = DecodeVersion(payload);
  if (!v) {
    Misbehaving(peer, kScoreMalformed, "version: " + v.status().ToString());
    Disconnect(peer, "malformed version");
    return;
  }
  if (v->version < kMinProtocolVersion) {
    return Disconnect(peer, "protocol version " + std::to_string(v->version) + " is too old");
  }
  if (v->chain_id != params_.chain_id) {
    return Disconnect(peer, "peer is on chain id " + std::to_string(v->chain_id));
  }
  if (v->genesis_hash != genesis_) {
    return Disconnect(peer, "peer has a different genesis " + v->genesis_hash.Hex());
  }
  if (peer.inbound() && local_nonces_.count(v->nonce) != 0) {
    // Our own outbound connection came back to us: drop both ends and
    // remember the target so it is not dialled again.
    for (auto& [id, other] : peers_) {
      if (other->local_nonce == v->nonce) {
        self_addresses_.insert(other->address);
        if (auto m = manual_.find(other->address); m != manual_.end()) manual_.erase(m);
        Disconnect(*other, "connected to self");
      }
    }
    return Disconnect(peer, "connected to self");
  }
  peer.version = *v;
  peer.version_received = true;
  peer.best_header_height = v->best_height;
  if (!peer.inbound() && (v->addr_recv.IsRoutable() || options_.allow_local_addresses) &&
      !v->addr_recv.IsUnspecified()) {
    NetAddress local = v->addr_recv;
    local.port = listen_port_.load();
    if (local.port != 0) local_addresses_.insert(local);
  }
  if (peer.inbound()) SendVersion(peer);
  Send(peer, kMsgVerack, {});
}

void NetManager::Impl::HandleVerack(Peer& peer) {
  if (peer.handshake_done) {
    Misbehaving(peer, 1, "duplicate verack");
    return;
  }
  peer.verack_received = true;
  peer.handshake_done = true;
  LogInfo(options_.logger, LogCategory::kNet,
          "peer {} connected: {} {}, {} {}, height {}, agent {}", peer.id, peer.address.ToString(),
          peer.inbound() ? "inbound" : "outbound", "version", peer.version.version,
          peer.version.best_height, peer.version.user_agent);
  if (!peer.inbound()) {
    addr_man_.Good(peer.address);
    Send(peer, kMsgGetAddr, {});
  } else if (peer.version.listen_port != 0) {
    NetAddress reachable = peer.address;
    reachable.port = peer.version.listen_port;
    addr_man_.Add({AddrEntry{UnixNow(), peer.version.services, reachable}}, peer.address);
  }
  if (peer.kind != ConnKind::kSeed) {
    // From the parent of our best header, as Bitcoin Core does, so that a
    // peer on the same best header answers with at least that header: it
    // then counts as having the block, which matters when the block's data
    // is still missing here (its first sender failed to deliver it).
    Hash256 from = best_header_;
    if (auto info = chainstate_.LookupBlock(best_header_); info && info->header.height > 0) {
      from = info->header.parent_hash;
    }
    SendGetHeaders(peer, from);
  }
  AnnounceMempool(peer);
  ScheduleDownloads();
}

// Queries and operator commands

std::vector<std::string> NetManager::Impl::LocalAddresses() const {
  MutexLock lock(mu_);
  std::vector<std::string> out;
  for (const NetAddress& a : local_addresses_) out.push_back(a.ToString());
  return out;
}

std::vector<PeerInfo> NetManager::Impl::GetPeerInfo() const {
  MutexLock lock(mu_);
  std::vector<PeerInfo> out;
  auto now = Clock::now();
  for (const auto& [id, p] : peers_) {
    const Peer& peer = *p;
    PeerInfo i;
    i.id = id;
    i.address = peer.address.ToString();
    i.local_address = peer.local.ToString();
    i.inbound = peer.inbound();
    i.manual = peer.manual();
    i.handshake_done = peer.handshake_done;
    i.version = peer.version.version;
    i.user_agent = peer.version.user_agent;
    i.services = peer.version.services;
    i.start_height = peer.version.best_height;
    i.synced_headers = peer.best_header.IsZero() ? 0 : peer.best_header_height;
    i.bytes_sent = peer.conn->bytes_sent();
    i.bytes_received = peer.conn->bytes_received();
    i.connected_seconds =
        std::chrono::duration_cast<std::chrono::seconds>(now - peer.conn->connected_at()).count();
    i.ping_ms = peer.last_ping_ms;
    i.min_ping_ms = peer.min_ping_ms;
    if (peer.ping_nonce != 0) i.ping_wait_ms = Millis(now - peer.ping_sent);
    i.misbehavior = peer.misbehavior;
    i.blocks_in_flight = peer.blocks_in_flight.size();
    i.addr_rate_limited = peer.addr_rate_limited;
    i.pending_getdata = peer.pending_getdata.size();
    i.tx_requests = peer.tx_requests;
    i.tx_announcements_dropped = peer.tx_announcements_dropped;
    out.push_back(std::move(i));
  }
  return out;
}

size_t NetManager::Impl::ConnectionCount(bool inbound, bool outbound) const {
  MutexLock lock(mu_);
  size_t n = 0;
  for (const auto& [id, p] : peers_) {
    if (!p->handshake_done || p->disconnecting) continue;
    if ((p->inbound() && inbound) || (!p->inbound() && outbound)) ++n;
  }
  return n;
}

NetTotals NetManager::Impl::Totals() const {
  MutexLock lock(mu_);
  NetTotals t;
  t.bytes_sent = closed_bytes_sent_.load();
  t.bytes_received = closed_bytes_received_.load();
  for (const auto& [id, p] : peers_) {
    if (p->conn->closed()) continue;
    t.bytes_sent += p->conn->bytes_sent();
    t.bytes_received += p->conn->bytes_received();
  }
  t.orphan_txs = orphan_txs_.size();
  t.orphan_tx_bytes = orphan_tx_bytes_;
  t.orphan_blocks = orphan_blocks_.size();
  t.orphan_block_bytes = orphan_block_bytes_;
  return t;
}

SyncProgress NetManager::Impl::Progress() const {
  MutexLock lock(mu_);
  SyncProgress s;
  s.tip_height = chainstate_.Tip().height;
  s.best_header_height = std::max(best_header_height_.load(), s.tip_height);
  s.blocks_in_flight = in_flight_.size();
  s.initial_block_download = s.best_header_height > s.tip_height;
  return s;
}

Status NetManager::Impl::AddNode(const std::string& text, const std::string& command) {
  auto a = NetAddress::Parse(text, params_.default_port);
  if (!a) return a.status();
  MutexLock lock(mu_);
  if (command == "add") {
    if (manual_.count(*a) != 0)
      return Status::Error(StatusKind::kAlreadyKnown, "net-node-already-added",
                           "node " + text + " is already added");
    manual_[*a] = ManualPeer{text, *a, false, Clock::now()};
    self_addresses_.erase(*a);
    return Status::Ok();
  }
  if (command == "remove") {
    if (manual_.erase(*a) == 0)
      return Status::NotFound("net-node-not-added", "node " + text + " was not added");
    for (auto& [id, p] : peers_) {
      if (p->address == *a) Disconnect(*p, "removed with addnode");
    }
    return Status::Ok();
  }
  if (command == "onetry") {
    if (!Connected(*a) && pending_connects_.insert(*a).second) ConnectTo(*a, ConnKind::kOneTry);
    return Status::Ok();
  }
  return Status::Error("net-bad-command", "command must be add, remove or onetry");
}

Status NetManager::Impl::DisconnectNode(const std::string& address, std::optional<uint64_t> id) {
  MutexLock lock(mu_);
  std::optional<NetAddress> target;
  if (!address.empty()) {
    auto a = NetAddress::Parse(address, params_.default_port);
    if (!a) return a.status();
    target = *a;
  }
  bool found = false;
  for (auto& [pid, p] : peers_) {
    if ((target && p->address == *target) || (!target && id && pid == *id)) {
      Disconnect(*p, "disconnectnode");
      found = true;
    }
  }
  if (!found)
    return Status::NotFound("net-node-not-connected", "node not found in connected nodes");
  return Status::Ok();
}

Status NetManager::Impl::SetBan(const std::string& subnet_text, const std::string& command,
                                uint64_t seconds, bool absolute) {
  auto subnet = SubNet::Parse(subnet_text);
  if (!subnet) return subnet.status();
  if (command == "add") {
    if (absolute) {
      ban_man_.Ban(*subnet, 0, seconds);
    } else {
      ban_man_.Ban(*subnet, seconds);
    }
    {
      MutexLock lock(mu_);
      for (auto& [id, p] : peers_) {
        if (subnet->Match(p->address)) Disconnect(*p, "banned by the operator");
      }
    }
    SaveBanList();
    return Status::Ok();
  }
  if (command == "remove") {
    if (!ban_man_.Unban(*subnet))
      return Status::NotFound("net-ban-not-found",
                              "subnet " + subnet->ToString() + " is not banned");
    SaveBanList();
    return Status::Ok();
  }
  return Status::Error("net-bad-command", "command must be add or remove");
}

void NetManager::Impl::ClearBanned() {
  ban_man_.Clear();
  SaveBanList();
}

void NetManager::Impl::PingAll() {
  MutexLock lock(mu_);
  for (auto& [id, p] : peers_) p->next_ping = Clock::now();
}

}  // namespace depin::net
