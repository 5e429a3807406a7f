// Connections: start and stop, the message and accept loops, outbound
// connects, the peer table, eviction, and the timers that keep connections
// up (net_manager_impl.h).
#include "net/net_manager_impl.h"

namespace depin::net {

Status NetManager::Impl::Start() {
  if (started_) return Status::Ok();
  for (const std::string& w : options_.whitelist) {
    auto s = SubNet::Parse(w);
    if (!s) return s.status();
    whitelist_.push_back(*s);
  }
  // A damaged file was moved aside and the table starts empty; only a read
  // failure stops start-up.
  if (Status s = addr_man_.Load(); !s.ok() && !s.Is(StatusKind::kCorruption)) return s;
  if (Status s = ban_man_.Load(); !s.ok() && !s.Is(StatusKind::kCorruption)) return s;

  {
    MutexLock lock(mu_);
    best_header_ = chainstate_.Tip().hash;
    best_header_height_ = chainstate_.Tip().height;
    best_tip_height_ = chainstate_.Tip().height;
    for (const std::string& text : options_.connect) {
      auto a = NetAddress::Parse(text, params_.default_port);
      if (!a)
        return Status::Error("net-bad-address", "-connect=" + text + ": " + a.status().message());
      manual_[*a] = ManualPeer{text, *a, true, Clock::now()};
    }
    for (const std::string& text : options_.addnode) {
      auto a = NetAddress::Parse(text, params_.default_port);
      if (!a)
        return Status::Error("net-bad-address", "-addnode=" + text + ": " + a.status().message());
      manual_[*a] = ManualPeer{text, *a, false, Clock::now()};
    }
    for (const std::string& text : options_.seednode) {
      auto a = NetAddress::Parse(text, params_.default_port);
      if (!a)
        return Status::Error("net-bad-address", "-seednode=" + text + ": " + a.status().message());
      seeds_.push_back(*a);
    }
  }

  if (options_.listen) {
    std::vector<std::string> binds = options_.bind;
    if (binds.empty()) binds.push_back("0.0.0.0");
    for (const std::string& b : binds) {
      auto a = NetAddress::Parse(b, options_.port);
      if (!a)
        return Status::Error(StatusKind::kUnavailable, "net-bind-failed",
                             "-bind=" + b + ": " + a.status().message());
      auto acceptor = std::make_unique<tcp::acceptor>(io_);
      boost::system::error_code ec;
      tcp::endpoint ep = ToEndpoint(*a);
      acceptor->open(ep.protocol(), ec);
      if (!ec) acceptor->set_option(tcp::acceptor::reuse_address(true), ec);
      if (!ec) acceptor->bind(ep, ec);
      if (!ec) acceptor->listen(asio::socket_base::max_listen_connections, ec);
      if (ec) {
        return Status::Error(StatusKind::kUnavailable, "net-bind-failed",
                             "cannot listen on " + a->ToString() + ": " + ec.message());
      }
      NetAddress bound = FromEndpoint(acceptor->local_endpoint(ec));
      if (listen_port_ == 0) listen_port_ = bound.port;
      {
        MutexLock lock(mu_);
        local_addresses_.insert(bound);
      }
      LogInfo(options_.logger, LogCategory::kNet, "P2P listening on {}", bound.ToString());
      acceptors_.push_back(std::move(acceptor));
    }
  }

  if (chainstate_.signals() != nullptr) {
    chainstate_.signals()->Register(this);
    chain_listener_registered_ = true;
  }

  work_.emplace(io_.get_executor());
  for (auto& acceptor : acceptors_) StartAccept(*acceptor);
  unsigned n = std::max(1u, options_.io_threads);
  for (unsigned i = 0; i < n; ++i) {
    io_threads_.emplace_back([this, i] {
      SetThreadName("net-io" + std::to_string(i));
      io_.run();
    });
  }
  decode_pool_ = std::make_unique<ThreadPool>(
      "net-decode", std::max(1u, options_.block_decode_threads), kDecodeQueue);
  msg_thread_ = std::thread([this] { MessageLoop(); });
  block_thread_ = std::thread([this] { BlockLoop(); });
  started_ = true;
  return Status::Ok();
}

void NetManager::Impl::Stop() {
  if (!started_) return;
  started_ = false;
  if (chain_listener_registered_) {
    // Waits for a notification in flight; none arrives afterwards.
    chainstate_.signals()->Unregister(this);
    chain_listener_registered_ = false;
  }
  {
    MutexLock lock(queue_mu_);
    stopping_ = true;
  }
  queue_cv_.NotifyAll();
  // Decodes still running finish (their results are posted and dropped).
  if (decode_pool_) decode_pool_->Stop();
  if (msg_thread_.joinable()) msg_thread_.join();
  {
    MutexLock lock(block_mu_);
    block_stopping_ = true;
  }
  block_cv_.NotifyAll();
  if (block_thread_.joinable()) block_thread_.join();
  {
    MutexLock lock(mu_);
    for (auto& [id, peer] : peers_) peer->conn->Close("shutting down");
  }
  asio::post(io_, [this] {
    for (auto& acceptor : acceptors_) {
      boost::system::error_code ec;
      acceptor->close(ec);
    }
  });
  work_.reset();
  // Give the strands a moment to run their closes, then stop the loop.
  auto deadline = Clock::now() + milliseconds(500);
  while (Clock::now() < deadline && !io_.stopped()) {
    bool open = false;
    {
      MutexLock lock(mu_);
      for (auto& [id, peer] : peers_) open |= !peer->conn->closed();
    }
    if (!open) break;
    std::this_thread::sleep_for(milliseconds(10));
  }
  io_.stop();
  for (auto& t : io_threads_) t.join();
  io_threads_.clear();
  {
    MutexLock lock(mu_);
    peers_.clear();
  }
  SaveAddrMan();
  SaveBanList();
}

bool NetManager::Impl::SaveAddrMan() {
  Status s = addr_man_.Save();
  if (!s.ok()) LogWarn(options_.logger, LogCategory::kNet, "saving peers.dat: {}", s.ToString());
  return s.ok();
}

bool NetManager::Impl::SaveBanList() {
  Status s = ban_man_.Save();
  if (!s.ok()) LogWarn(options_.logger, LogCategory::kNet, "saving banlist.dat: {}", s.ToString());
  return s.ok();
}

void NetManager::Impl::Post(std::function<void()> task) {
  {
    MutexLock lock(queue_mu_);
    if (stopping_) return;
    tasks_.push_back(std::move(task));
  }
  queue_cv_.NotifyOne();
}

void NetManager::Impl::MessageLoop() {
  SetThreadName("net-msg");
  auto next_tick = Clock::now();
  auto next_save = Clock::now() + options_.save_interval;
  while (true) {
    std::deque<std::function<void()>> batch;
    {
      MutexLock lock(queue_mu_);
      queue_cv_.WaitFor(queue_mu_, kTickInterval,
                        [this]() REQUIRES(queue_mu_) { return stopping_ || !tasks_.empty(); });
      if (stopping_) return;
      batch.swap(tasks_);
    }
    for (auto& task : batch) {
      {
        MutexLock lock(mu_);
        task();
      }
      if (ban_list_dirty_.exchange(false)) SaveBanList();
    }
    if (Clock::now() >= next_tick || !batch.empty()) {
      MutexLock lock(mu_);
      Tick();
      next_tick = Clock::now() + kTickInterval;
    }
    if (ban_list_dirty_.exchange(false)) SaveBanList();
    if (!options_.datadir.empty() && Clock::now() >= next_save) {
      bool peers_saved = SaveAddrMan();
      bool bans_saved = SaveBanList();
      if (peers_saved && bans_saved) {
        LogDebug(options_.logger, LogCategory::kNet,
                 "saved peers.dat ({} addresses) and banlist.dat", addr_man_.Size());
      }
      next_save = Clock::now() + options_.save_interval;
    }
  }
}

void NetManager::Impl::StartAccept(tcp::acceptor& acceptor) {
  acceptor.async_accept([this, &acceptor](boost::system::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec) {
      auto s = std::make_shared<tcp::socket>(std::move(socket));
      Post([this, s]() REQUIRES(mu_) { OnAccepted(s); });
    }
    StartAccept(acceptor);
  });
}

void NetManager::Impl::ConnectTo(const NetAddress& address, ConnKind kind) {
  auto socket = std::make_shared<tcp::socket>(io_);
  auto timer = std::make_shared<asio::steady_timer>(io_, options_.connect_timeout);
  timer->async_wait([socket](boost::system::error_code ec) {
    if (!ec) {
      boost::system::error_code ignored;
      socket->close(ignored);
    }
  });
  socket->async_connect(
      ToEndpoint(address), [this, socket, timer, address, kind](boost::system::error_code ec) {
        timer->cancel();
        if (ec) {
          Post([this, address, ec]() REQUIRES(mu_) {
            pending_connects_.erase(address);
            LogDebug(options_.logger, LogCategory::kNet, "connecting to {} failed: {}",
                     address.ToString(), ec.message());
          });
          return;
        }
        Post([this, socket, address, kind]() REQUIRES(mu_) { OnConnected(socket, address, kind); });
      });
}

// Peers

Peer* NetManager::Impl::FindPeer(uint64_t id) {
  auto it = peers_.find(id);
  return it == peers_.end() ? nullptr : it->second.get();
}

bool NetManager::Impl::Connected(const NetAddress& address) const {
  for (const auto& [id, peer] : peers_) {
    if (peer->address == address) return true;
  }
  return false;
}

Peer& NetManager::Impl::AddPeer(tcp::socket socket, NetAddress address, ConnKind kind) {
  uint64_t id = next_peer_id_++;
  ConnectionOptions copts;
  copts.magic = magic_;
  copts.max_receive_buffer = options_.max_receive_buffer;
  copts.send_hard_limit = std::max(options_.max_send_buffer * 4, 2 * kMaxMessageSize);
  Connection::Callbacks cb;
  cb.on_message = [this](const std::shared_ptr<Connection>& c, std::string command, Bytes payload) {
    // The annotation goes before `mutable`: clang takes it only there (and
    // under GCC it expands to nothing).
    Post([this, c, command = std::move(command), payload = std::move(payload)]()
             REQUIRES(mu_) mutable { OnMessage(c, command, std::move(payload)); });
  };
  cb.on_frame_error = [this](const std::shared_ptr<Connection>& c, const Status& error) {
    Post([this, id = c->id(), error]() REQUIRES(mu_) { OnFrameError(id, error); });
  };
  cb.on_closed = [this](const std::shared_ptr<Connection>& c, const std::string& reason) {
    closed_bytes_sent_ += c->bytes_sent();
    closed_bytes_received_ += c->bytes_received();
    Post([this, id = c->id(), reason]() REQUIRES(mu_) { RemovePeer(id, reason); });
  };
  auto peer = std::make_unique<Peer>();
  peer->id = id;
  peer->kind = kind;
  peer->address = address;
  peer->whitelisted = std::any_of(whitelist_.begin(), whitelist_.end(),
                                  [&](const SubNet& s) { return s.Match(address); });
  peer->next_ping = Clock::now() + options_.ping_interval;
  peer->addr_tokens_updated = Clock::now();
  peer->conn = std::make_shared<Connection>(id, std::move(socket), kind == ConnKind::kInbound,
                                            address, copts, std::move(cb));
  peer->local = peer->conn->local();
  Peer& ref = *peer;
  peers_[id] = std::move(peer);
  ref.conn->Start();
  return ref;
}

void NetManager::Impl::OnAccepted(std::shared_ptr<tcp::socket> socket) {
  boost::system::error_code ec;
  tcp::endpoint remote = socket->remote_endpoint(ec);
  if (ec) return;
  NetAddress address = FromEndpoint(remote);
  bool whitelisted = std::any_of(whitelist_.begin(), whitelist_.end(),
                                 [&](const SubNet& s) { return s.Match(address); });
  if (!whitelisted && ban_man_.IsBanned(address)) {
    LogInfo(options_.logger, LogCategory::kNet, "refusing inbound {}: banned", address.ToString());
    socket->close(ec);
    return;
  }
  size_t max_inbound = options_.max_connections > options_.max_outbound
                           ? options_.max_connections - options_.max_outbound
                           : 0;
  size_t inbound = 0;
  for (const auto& [id, peer] : peers_) inbound += peer->inbound() && !peer->disconnecting;
  if (inbound >= max_inbound && !EvictInbound()) {
    LogInfo(options_.logger, LogCategory::kNet, "refusing inbound {}: connection slots full",
            address.ToString());
    socket->close(ec);
    return;
  }
  Peer& peer = AddPeer(std::move(*socket), address, ConnKind::kInbound);
  LogDebug(options_.logger, LogCategory::kNet, "inbound connection {} from {}", peer.id,
           address.ToString());
}

void NetManager::Impl::OnConnected(std::shared_ptr<tcp::socket> socket, NetAddress address,
                                   ConnKind kind) {
  pending_connects_.erase(address);
  Peer& peer = AddPeer(std::move(*socket), address, kind);
  addr_man_.Attempt(address);
  if (kind == ConnKind::kSeed) seed_peers_[peer.id] = Clock::now();
  LogDebug(options_.logger, LogCategory::kNet, "outbound connection {} to {}", peer.id,
           address.ToString());
  SendVersion(peer);
}

bool NetManager::Impl::EvictInbound() {
  std::vector<Peer*> candidates;
  for (auto& [id, peer] : peers_) {
    if (peer->inbound() && !peer->disconnecting && !peer->whitelisted)
      candidates.push_back(peer.get());
  }
  auto protect = [&](auto better) {
    std::sort(candidates.begin(), candidates.end(), better);
    size_t n = std::min(kProtectPerClass, candidates.size());
    candidates.erase(candidates.begin(), candidates.begin() + static_cast<std::ptrdiff_t>(n));
  };
  // Keep the fastest, the ones that gave us blocks lately and the oldest.
  protect([](Peer* a, Peer* b) {
    return a->min_ping_ms.value_or(1e18) < b->min_ping_ms.value_or(1e18);
  });
  protect([](Peer* a, Peer* b) { return a->last_block_time > b->last_block_time; });
  protect([](Peer* a, Peer* b) { return a->conn->connected_at() < b->conn->connected_at(); });
  if (candidates.empty()) return false;
  // Of the rest, the youngest connection goes.
  Peer* victim = *std::max_element(candidates.begin(), candidates.end(), [](Peer* a, Peer* b) {
    return a->conn->connected_at() < b->conn->connected_at();
  });
  Disconnect(*victim, "evicted to make room for a new inbound connection");
  return true;
}

void NetManager::Impl::Disconnect(Peer& peer, const std::string& reason) {
  if (peer.disconnecting) return;
  peer.disconnecting = true;
  LogInfo(options_.logger, LogCategory::kNet, "disconnecting peer {} ({}): {}", peer.id,
          peer.address.ToString(), reason);
  peer.conn->Close(reason);
}

void NetManager::Impl::RemovePeer(uint64_t id, const std::string& reason) {
  auto it = peers_.find(id);
  if (it == peers_.end()) return;
  Peer& peer = *it->second;
  LogDebug(options_.logger, LogCategory::kNet, "peer {} ({}) closed: {}", id,
           peer.address.ToString(), reason);
  for (const Hash256& h : peer.blocks_in_flight) in_flight_.erase(h);
  for (auto t = tx_requested_.begin(); t != tx_requested_.end();) {
    t = t->second.peer == id ? tx_requested_.erase(t) : std::next(t);
  }
  local_nonces_.erase(peer.local_nonce);
  seed_peers_.erase(id);
  if (auto m = manual_.find(peer.address); m != manual_.end()) {
    m->second.next_try = Clock::now() + options_.reconnect_interval;
  }
  if (peer.handshake_done) {
    LogInfo(options_.logger, LogCategory::kNet, "peer {} ({}) disconnected", id,
            peer.address.ToString());
  }
  peers_.erase(it);
  ScheduleDownloads();
}

// Timers

void NetManager::Impl::Tick() {
  FlushTxInv();
  std::vector<uint64_t> held;
  for (auto& [id, p] : peers_) {
    if (!p->pending_getdata.empty() && p->conn->SendQueueBytes() <= options_.max_send_buffer)
      ServeGetData(*p);
    if (p->pending_getdata.empty() && !p->held_messages.empty()) held.push_back(id);
  }
  for (uint64_t id : held) DrainHeldMessages(id);
  auto now = Clock::now();
  if (now - last_housekeeping_ >= kHousekeepingInterval) {
    last_housekeeping_ = now;
    Housekeeping();
  }
  ScheduleDownloads();
}

void NetManager::Impl::Housekeeping() {
  auto now = Clock::now();
  for (auto& [id, p] : peers_) {
    Peer& peer = *p;
    if (peer.disconnecting) continue;
    if (!peer.handshake_done) {
      if (now - peer.conn->connected_at() > options_.handshake_timeout)
        Disconnect(peer, "no handshake in time");
      continue;
    }
    if (peer.ping_nonce != 0 && now - peer.ping_sent > options_.ping_timeout) {
      Disconnect(peer, "ping timeout");
      continue;
    }
    if (peer.ping_nonce == 0 && now >= peer.next_ping) {
      do {
        peer.ping_nonce = rng_();
      } while (peer.ping_nonce == 0);
      peer.ping_sent = now;
      peer.next_ping = now + options_.ping_interval;
      Send(peer, kMsgPing, EncodeNonce(peer.ping_nonce));
    }
  }
  for (auto& [hash, f] : in_flight_) {
    if (now - f.requested > options_.block_download_timeout) {
      if (Peer* holder = FindPeer(f.peer)) Disconnect(*holder, "block download timed out");
    }
  }
  std::vector<Hash256> expired;
  for (const auto& [hash, request] : tx_requested_) {
    if (now - request.requested > kTxRequestTimeout) expired.push_back(hash);
  }
  for (const Hash256& hash : expired) ForgetTxRequest(hash);
  SubmitStrandedOrphanBlocks();
  for (auto it = orphan_txs_.begin(); it != orphan_txs_.end();) {
    if (now - it->second.added > kOrphanTxExpiry) {
      orphan_tx_bytes_ -= it->second.tx->size;
      it = orphan_txs_.erase(it);
    } else {
      ++it;
    }
  }
  for (auto it = seed_peers_.begin(); it != seed_peers_.end(); ++it) {
    if (now - it->second > kSeedLifetime) {
      if (Peer* p = FindPeer(it->first)) Disconnect(*p, "seed node lifetime over");
    }
  }
  MaintainConnections();
}

void NetManager::Impl::MaintainConnections() {
  auto now = Clock::now();
  bool connect_only = false;
  for (auto& [address, m] : manual_) {
    connect_only |= m.connect_only;
    if (now < m.next_try || Connected(address) || pending_connects_.count(address) != 0) continue;
    m.next_try = now + options_.reconnect_interval;
    pending_connects_.insert(address);
    ConnectTo(address, ConnKind::kManual);
  }
  if (!seeds_.empty()) {
    for (const NetAddress& seed : seeds_) {
      if (!Connected(seed) && pending_connects_.insert(seed).second)
        ConnectTo(seed, ConnKind::kSeed);
    }
    seeds_.clear();
  }
  if (connect_only || !options_.discover) return;
  size_t outbound = pending_connects_.size();
  for (const auto& [id, p] : peers_) outbound += p->kind == ConnKind::kAutomatic;
  for (int tries = 0; outbound < options_.max_outbound && tries < 10; ++tries) {
    auto entry = addr_man_.Select();
    if (!entry) break;
    const NetAddress& a = entry->address;
    if (Connected(a) || pending_connects_.count(a) != 0 || self_addresses_.count(a) != 0 ||
        local_addresses_.count(a) != 0 || ban_man_.IsBanned(a))
      continue;
    addr_man_.Attempt(a);
    pending_connects_.insert(a);
    ConnectTo(a, ConnKind::kAutomatic);
    ++outbound;
  }
}

}  // namespace depin::net
