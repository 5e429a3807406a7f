#include "net/net_manager.h"

// Asio's scheduler trips GCC's -Wnull-dereference at -O2 (a false positive in
// Boost headers that -isystem does not silence once inlined here).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <algorithm>
#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <iomanip>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <unordered_set>

#include "chain/validation_signals.h"
#include "net/connection.h"
#include "net/protocol.h"
#include "util/logging.h"
#include "util/sync.h"
#include "util/thread_pool.h"

namespace depin::net {

namespace {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Misbehaviour scores; 100 disconnects and bans.
constexpr int kBanScore = 100;
constexpr int kScoreInvalidHeader = 100;
// Received blocks waiting for a decode thread; beyond it they decode on the
// message thread (in-flight limits keep this far off in practice).
constexpr size_t kDecodeQueue = 1024;
// Blocks at least this large have their senders recovered over every decode
// thread; smaller ones take one thread each.
constexpr size_t kSpreadDecodeBytes = 64 << 10;
constexpr int kScoreInvalidBlock = 100;
constexpr int kScoreOversized = 100;
constexpr int kScoreMalformed = 20;
constexpr int kScoreBadChecksum = 20;
constexpr int kScoreUnrequested = 20;
constexpr int kScoreHeaderSpam = 20;
constexpr int kScoreInvalidTx = 10;
constexpr int kScoreBeforeHandshake = 10;

constexpr size_t kMaxUnconnectingHeaders = 10;
constexpr size_t kMaxUselessHeaderMessages = 50;
constexpr size_t kMaxAnnounceHeaders = 8;
constexpr size_t kKnownBlocksPerPeer = 20000;
constexpr size_t kKnownTxsPerPeer = 50000;
constexpr size_t kMaxRecentRejects = 20000;
constexpr size_t kMaxInvBatch = 1000;
// addr processing is rate limited per peer with a token bucket, as in
// Bitcoin Core: each address costs a token, tokens come back at 0.1 a
// second up to the cap, and addresses beyond the tokens are dropped. The
// bucket starts full, so the answer to our getaddr (at most
// kMaxAddrPerMessage) always gets through.
constexpr double kAddrTokenBucketMax = 1000;
constexpr double kAddrTokensPerSecond = 0.1;
static_assert(kAddrTokenBucketMax >= kMaxAddrPerMessage, "a getaddr answer fits in a full bucket");
constexpr auto kTickInterval = milliseconds(50);
constexpr auto kHousekeepingInterval = milliseconds(500);
constexpr auto kTxRequestTimeout = std::chrono::seconds(30);
constexpr auto kOrphanTxExpiry = std::chrono::minutes(20);
constexpr auto kSeedLifetime = std::chrono::seconds(30);
constexpr auto kProgressLogInterval = std::chrono::seconds(2);
// Inbound peers protected from eviction in each class.
constexpr size_t kProtectPerClass = 4;

uint64_t UnixNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

double Millis(Clock::duration d) {
  return std::chrono::duration_cast<std::chrono::microseconds>(d).count() / 1000.0;
}

// A set that forgets its oldest members past `max` entries.
class KnownSet {
 public:
  explicit KnownSet(size_t max) : max_(max) {}
  bool Contains(const Hash256& h) const { return set_.count(h) != 0; }
  void Insert(const Hash256& h) {
    if (!set_.insert(h).second) return;
    order_.push_back(h);
    if (order_.size() > max_) {
      set_.erase(order_.front());
      order_.pop_front();
    }
  }

 private:
  size_t max_;
  std::unordered_set<Hash256, FixedBytesHasher> set_;
  std::deque<Hash256> order_;
};

enum class ConnKind { kInbound, kAutomatic, kManual, kOneTry, kSeed };

struct Peer {
  std::shared_ptr<Connection> conn;
  uint64_t id = 0;
  ConnKind kind = ConnKind::kInbound;
  NetAddress address;
  NetAddress local;
  bool whitelisted = false;
  bool disconnecting = false;

  bool version_received = false;
  bool verack_received = false;
  bool handshake_done = false;
  VersionMessage version;
  uint64_t local_nonce = 0;

  uint64_t ping_nonce = 0;
  Clock::time_point ping_sent;
  Clock::time_point next_ping;
  std::optional<double> last_ping_ms;
  std::optional<double> min_ping_ms;

  int misbehavior = 0;

  Hash256 best_header;
  uint64_t best_header_height = 0;
  size_t unconnecting_headers = 0;
  size_t useless_headers = 0;
  std::set<Hash256> blocks_in_flight;
  std::unordered_set<Hash256, FixedBytesHasher> not_found;
  Clock::time_point last_block_time;

  KnownSet known_blocks{kKnownBlocksPerPeer};
  KnownSet known_txs{kKnownTxsPerPeer};
  std::vector<Hash256> tx_inv_queue;
  std::deque<InvItem> pending_getdata;
  bool getaddr_answered = false;
  double addr_tokens = kAddrTokenBucketMax;
  Clock::time_point addr_tokens_updated;
  uint64_t addr_rate_limited = 0;

  bool inbound() const { return kind == ConnKind::kInbound; }
  bool manual() const { return kind == ConnKind::kManual || kind == ConnKind::kOneTry; }
};

struct InFlight {
  uint64_t peer = 0;
  Clock::time_point requested;
};

struct ManualPeer {
  std::string text;
  NetAddress address;
  bool connect_only = false;  // from -connect
  Clock::time_point next_try;
};

struct OrphanTx {
  TxRef tx;
  uint64_t peer = 0;
  Clock::time_point added;
};

struct OrphanBlock {
  std::shared_ptr<const Block> block;
  uint64_t peer = 0;
  size_t size = 0;
};

// A tx the pool refused for reasons of its own or of our state (fees, pool
// limits, a nonce already used or not yet reached): not the sender's fault.
bool IsPolicyTxError(const Status& s) {
  switch (s.kind()) {
    case StatusKind::kPolicy:
    case StatusKind::kStale:
    case StatusKind::kMissingParent:
    case StatusKind::kAlreadyKnown:
    case StatusKind::kLimitExceeded:
    case StatusKind::kInterrupted:
      return true;
    default:
      return s.IsLocalFailure();
  }
}

// A tx that may become valid once a predecessor arrives (a nonce gap, or
// funds still to come): kept as an orphan.
bool IsOrphanTxError(const Status& s) { return s.Is(StatusKind::kMissingParent); }

}  // namespace

class NetManager::Impl : public chain::ValidationInterface {
 public:
  Impl(const consensus::ChainParams& params, chain::Chainstate& chainstate, chain::Mempool* mempool,
       NetOptions options)
      : params_(params),
        chainstate_(chainstate),
        mempool_(mempool),
        options_(std::move(options)),
        magic_(params.magic),
        genesis_(params.GenesisHash()),
        addr_man_(AddrManOptions{options_.datadir.empty() ? "" : options_.datadir / "peers.dat",
                                 options_.allow_local_addresses,
                                 {},
                                 options_.logger}),
        ban_man_(BanManOptions{options_.datadir.empty() ? "" : options_.datadir / "banlist.dat",
                               options_.ban_seconds,
                               {},
                               options_.logger}),
        rng_(std::random_device{}()) {}

  ~Impl() override { Stop(); }

  Status Start();
  void Stop();

  uint16_t listen_port() const { return listen_port_.load(); }
  std::vector<std::string> LocalAddresses() const;
  std::vector<PeerInfo> GetPeerInfo() const;
  size_t ConnectionCount(bool inbound, bool outbound) const;
  NetTotals Totals() const;
  SyncProgress Progress() const;
  Status AddNode(const std::string& address, const std::string& command);
  Status DisconnectNode(const std::string& address, std::optional<uint64_t> id);
  Status SetBan(const std::string& subnet, const std::string& command, uint64_t seconds,
                bool absolute) EXCLUDES(mu_);
  void ClearBanned() EXCLUDES(mu_);
  void PingAll();

  AddrMan& addr_man() { return addr_man_; }
  BanMan& ban_man() { return ban_man_; }

  // ValidationInterface (signals thread): posted to the message thread.
  void BlockConnected(const chain::BlockEvent& event) override {
    BlockHeader header = event.block->header;
    Post([this, header]() REQUIRES(mu_) { connected_headers_.push_back(header); });
  }
  // The mempool takes a disconnected block's txs back without announcing
  // them; peers on the other branch never saw them, so relay announces the
  // ones still in the pool once the reorg is done (OnTipChanged).
  void BlockDisconnected(const chain::BlockEvent& event) override {
    if (mempool_ == nullptr) return;
    std::vector<TxRef> txs = event.block->txs;
    Post([this, txs = std::move(txs)]() REQUIRES(mu_) {
      disconnected_txs_.insert(disconnected_txs_.end(), txs.begin(), txs.end());
    });
  }
  void TipChanged(const chain::TipInfo& tip) override {
    best_tip_height_.store(tip.height);
    Post([this]() REQUIRES(mu_) { OnTipChanged(); });
  }
  void TransactionAddedToMempool(const TxRef& tx) override {
    Post([this, tx]() REQUIRES(mu_) { OnTxAdded(tx); });
  }

 private:
  struct BlockJob {
    uint64_t peer = 0;
    std::shared_ptr<const Block> block;
  };

  // Threads and queues.
  void Post(std::function<void()> task) EXCLUDES(queue_mu_);
  void MessageLoop();
  void BlockLoop();
  void StartAccept(tcp::acceptor& acceptor);
  void ConnectTo(const NetAddress& address, ConnKind kind);
  // Write peers.dat / banlist.dat; a failure is logged, the node goes on.
  // File I/O, so never with mu_ held. True when written.
  bool SaveAddrMan() EXCLUDES(mu_);
  bool SaveBanList() EXCLUDES(mu_);

  // Everything below runs on the message thread with mu_ held.
  void OnAccepted(std::shared_ptr<tcp::socket> socket) REQUIRES(mu_);
  void OnConnected(std::shared_ptr<tcp::socket> socket, NetAddress address, ConnKind kind)
      REQUIRES(mu_);
  Peer& AddPeer(tcp::socket socket, NetAddress address, ConnKind kind) REQUIRES(mu_);
  void RemovePeer(uint64_t id, const std::string& reason) REQUIRES(mu_);
  Peer* FindPeer(uint64_t id) REQUIRES(mu_);
  bool EvictInbound() REQUIRES(mu_);
  void Disconnect(Peer& peer, const std::string& reason) REQUIRES(mu_);
  void Misbehaving(Peer& peer, int score, const std::string& reason) REQUIRES(mu_);
  void Send(Peer& peer, std::string_view command, const Bytes& payload) REQUIRES(mu_);
  void SendVersion(Peer& peer) REQUIRES(mu_);

  void OnFrameError(uint64_t id, const Status& error) REQUIRES(mu_);
  void HandleMessage(uint64_t id, const std::string& command, const Bytes& payload) REQUIRES(mu_);
  void HandleVersion(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleVerack(Peer& peer) REQUIRES(mu_);
  void HandleGetHeaders(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleHeaders(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleInv(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleGetData(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void ServeGetData(Peer& peer) REQUIRES(mu_);
  void HandleNotFound(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleBlock(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void OnBlockDecoded(uint64_t peer_id, uint64_t height, const Hash256& hash, bool wanted,
                      std::shared_ptr<const Block> block, const Status& error) REQUIRES(mu_);
  void HandleTx(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleAddr(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleGetAddr(Peer& peer) REQUIRES(mu_);

  void AcceptTx(const TxRef& tx, uint64_t from_peer) REQUIRES(mu_);
  void AddOrphanTx(const TxRef& tx, uint64_t peer) REQUIRES(mu_);
  void RetryOrphanTxs(const std::optional<Address>& sender) REQUIRES(mu_);
  void OnTxAdded(const TxRef& tx) REQUIRES(mu_);
  void OnTipChanged() REQUIRES(mu_);
  void OnBlockProcessed(uint64_t peer_id, std::shared_ptr<const Block> block, Status status,
                        chain::BlockAcceptance acceptance) REQUIRES(mu_);

  std::vector<Hash256> Locator(const Hash256& start) const;
  void SendGetHeaders(Peer& peer, const Hash256& from) REQUIRES(mu_);
  void UpdateBestHeader(const Hash256& candidate) REQUIRES(mu_);
  void RebuildDownloadList() REQUIRES(mu_);
  bool PeerHasBlock(const Peer& peer, uint64_t height, const Hash256& hash) const REQUIRES(mu_);
  void ScheduleDownloads() REQUIRES(mu_);
  void QueueBlock(uint64_t peer_id, std::shared_ptr<const Block> block) REQUIRES(mu_);
  void Tick() REQUIRES(mu_);
  void Housekeeping() REQUIRES(mu_);
  void MaintainConnections() REQUIRES(mu_);
  void FlushTxInv() REQUIRES(mu_);
  bool Connected(const NetAddress& address) const REQUIRES(mu_);

  const consensus::ChainParams& params_;
  chain::Chainstate& chainstate_;
  chain::Mempool* mempool_;
  const NetOptions options_;
  const Magic magic_;
  const Hash256 genesis_;
  AddrMan addr_man_;
  BanMan ban_man_;
  std::vector<SubNet> whitelist_;

  asio::io_context io_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work_;
  std::vector<std::thread> io_threads_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::atomic<uint16_t> listen_port_{0};
  std::thread msg_thread_;
  std::thread block_thread_;
  // Decodes block bodies (sender recovery, most of a block's cost) off the
  // message thread, several blocks at once; see HandleBlock.
  std::unique_ptr<ThreadPool> decode_pool_;
  bool started_ = false;
  bool chain_listener_registered_ = false;

  Mutex queue_mu_;
  CondVar queue_cv_;
  std::deque<std::function<void()>> tasks_ GUARDED_BY(queue_mu_);
  bool stopping_ GUARDED_BY(queue_mu_) = false;

  Mutex block_mu_;
  CondVar block_cv_;
  std::deque<BlockJob> block_jobs_ GUARDED_BY(block_mu_);
  bool block_stopping_ GUARDED_BY(block_mu_) = false;
  std::atomic<size_t> queued_blocks_{0};
  std::atomic<uint64_t> best_header_height_{0};
  std::atomic<uint64_t> best_tip_height_{0};
  // Set when a misbehaviour ban changed the list under mu_; the message
  // loop saves it as soon as the event that banned has released mu_.
  std::atomic<bool> ban_list_dirty_{false};

  // Totals of closed connections (open ones are summed live).
  std::atomic<uint64_t> closed_bytes_sent_{0};
  std::atomic<uint64_t> closed_bytes_received_{0};

  mutable Mutex mu_;
  uint64_t next_peer_id_ GUARDED_BY(mu_) = 1;
  std::map<uint64_t, std::unique_ptr<Peer>> peers_ GUARDED_BY(mu_);
  std::set<NetAddress> pending_connects_ GUARDED_BY(mu_);
  std::map<NetAddress, ManualPeer> manual_ GUARDED_BY(mu_);
  std::vector<NetAddress> seeds_ GUARDED_BY(mu_);
  std::map<uint64_t, Clock::time_point> seed_peers_ GUARDED_BY(mu_);
  std::set<NetAddress> local_addresses_ GUARDED_BY(mu_);
  std::set<NetAddress> self_addresses_ GUARDED_BY(mu_);  // outbound targets that were us
  std::unordered_set<uint64_t> local_nonces_ GUARDED_BY(mu_);

  // Sync.
  Hash256 best_header_ GUARDED_BY(mu_);
  std::map<uint64_t, Hash256> to_download_ GUARDED_BY(mu_);  // best header path, by height
  std::unordered_map<Hash256, InFlight, FixedBytesHasher> in_flight_ GUARDED_BY(mu_);
  // Received and not yet processed: queued for the block thread or held.
  std::unordered_set<Hash256, FixedBytesHasher> received_ GUARDED_BY(mu_);
  // Received blocks whose bodies are being decoded on decode_pool_ (a subset
  // of received_, not yet queued for the block thread).
  std::unordered_set<Hash256, FixedBytesHasher> decoding_ GUARDED_BY(mu_);
  // Received blocks whose parent's data has not been processed yet, by
  // parent hash. Chainstate only considers a block for activation when it is
  // stored with more work than the tip, and forgets it when its branch still
  // lacks data, so blocks go to the block thread parent first.
  std::unordered_map<Hash256, std::vector<BlockJob>, FixedBytesHasher> held_blocks_ GUARDED_BY(mu_);
  std::unordered_set<Hash256, FixedBytesHasher> held_hashes_ GUARDED_BY(mu_);
  std::map<Hash256, OrphanBlock> orphan_blocks_ GUARDED_BY(mu_);
  size_t orphan_block_bytes_ GUARDED_BY(mu_) = 0;
  std::vector<BlockHeader> connected_headers_ GUARDED_BY(mu_);
  std::vector<TxRef> disconnected_txs_ GUARDED_BY(mu_);

  // Tx relay.
  std::unordered_map<Hash256, InFlight, FixedBytesHasher> tx_requested_ GUARDED_BY(mu_);
  KnownSet recent_rejects_ GUARDED_BY(mu_){kMaxRecentRejects};
  std::map<Hash256, OrphanTx> orphan_txs_ GUARDED_BY(mu_);
  size_t orphan_tx_bytes_ GUARDED_BY(mu_) = 0;

  Clock::time_point last_housekeeping_ GUARDED_BY(mu_);
  std::mt19937_64 rng_ GUARDED_BY(mu_);
};

// ---------------------------------------------------------------------------
// Start and stop

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

// ---------------------------------------------------------------------------
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
    Post([this, c, command = std::move(command), payload = std::move(payload)]() REQUIRES(mu_) {
      HandleMessage(c->id(), command, payload);
      c->MessageProcessed(payload.size());
    });
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

// ---------------------------------------------------------------------------
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
  ScheduleDownloads();
}

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
  bool parent_ready = held_hashes_.count(parent) == 0 && decoding_.count(parent) == 0 &&
                      received_.count(parent) != 0;
  if (!parent_ready) {
    auto info = chainstate_.LookupBlock(parent);
    // An unknown parent goes to the chainstate, which reports an orphan.
    parent_ready = !info || info->have_data || info->invalid;
  }
  if (!parent_ready) {
    held_hashes_.insert(block->Hash());
    held_blocks_[parent].push_back(BlockJob{peer_id, std::move(block)});
    return;
  }
  ++queued_blocks_;
  {
    MutexLock lock(block_mu_);
    block_jobs_.push_back(BlockJob{peer_id, std::move(block)});
  }
  block_cv_.NotifyOne();
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
    tx_requested_[item.hash] = InFlight{peer.id, now};
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
      if (r != tx_requested_.end() && r->second.peer == peer.id) tx_requested_.erase(r);
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
    if (!chainstate_.LookupBlock(header->parent_hash)) {
      Misbehaving(peer, kScoreUnrequested, "unrequested block " + hash.Hex());
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
  if (auto h = held_blocks_.find(hash); h != held_blocks_.end()) {
    // Children held for this block go now, in order behind it; if it was
    // invalid, the chainstate rejects them as such.
    std::vector<BlockJob> children = std::move(h->second);
    held_blocks_.erase(h);
    for (BlockJob& child : children) {
      held_hashes_.erase(child.block->Hash());
      QueueBlock(child.peer, std::move(child.block));
    }
  }
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
      if (orphan_blocks_.count(hash) == 0) {
        size_t size = block->SerializedSize();
        while (!orphan_blocks_.empty() &&
               (orphan_blocks_.size() >= options_.max_orphan_blocks ||
                orphan_block_bytes_ + size > options_.max_orphan_block_bytes)) {
          auto victim = orphan_blocks_.begin();
          std::advance(victim, static_cast<std::ptrdiff_t>(rng_() % orphan_blocks_.size()));
          orphan_block_bytes_ -= victim->second.size;
          orphan_blocks_.erase(victim);
        }
        if (size <= options_.max_orphan_block_bytes) {
          orphan_blocks_[hash] = OrphanBlock{block, peer_id, size};
          orphan_block_bytes_ += size;
        }
      }
      if (peer != nullptr) SendGetHeaders(*peer, best_header_);
      break;
    case chain::BlockAcceptance::kAccepted:
    case chain::BlockAcceptance::kAlreadyKnown: {
      UpdateBestHeader(hash);
      // Orphans waiting for this block can go now.
      for (auto it = orphan_blocks_.begin(); it != orphan_blocks_.end();) {
        if (it->second.block->header.parent_hash == hash) {
          received_.insert(it->first);
          ++queued_blocks_;
          {
            MutexLock lock(block_mu_);
            block_jobs_.push_back(BlockJob{it->second.peer, it->second.block});
          }
          block_cv_.NotifyOne();
          orphan_block_bytes_ -= it->second.size;
          it = orphan_blocks_.erase(it);
        } else {
          ++it;
        }
      }
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
  for (auto& [id, p] : peers_) {
    Peer& peer = *p;
    if (!peer.handshake_done || peer.disconnecting) continue;
    std::vector<BlockHeader> announce;
    for (const BlockHeader& h : connected) {
      Hash256 hash = h.Hash();
      if (peer.known_blocks.Contains(hash)) continue;
      announce.push_back(h);
      peer.known_blocks.Insert(hash);
    }
    if (!announce.empty()) Send(peer, kMsgHeaders, EncodeHeaders(announce));
  }
}

void NetManager::Impl::HandleTx(Peer& peer, const Bytes& payload) {
  auto tx = DecodeAndVerifyTransaction(payload);
  if (!tx) {
    return Misbehaving(peer, kScoreInvalidTx, "malformed tx: " + tx.status().ToString());
  }
  const Hash256 hash = (*tx)->hash;
  peer.known_txs.Insert(hash);
  tx_requested_.erase(hash);
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

// ---------------------------------------------------------------------------
// Timers

void NetManager::Impl::Tick() {
  FlushTxInv();
  for (auto& [id, p] : peers_) {
    if (!p->pending_getdata.empty() && p->conn->SendQueueBytes() <= options_.max_send_buffer)
      ServeGetData(*p);
  }
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
  for (auto it = tx_requested_.begin(); it != tx_requested_.end();) {
    it = now - it->second.requested > kTxRequestTimeout ? tx_requested_.erase(it) : std::next(it);
  }
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

// ---------------------------------------------------------------------------
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

// ---------------------------------------------------------------------------

NetManager::NetManager(const consensus::ChainParams& params, chain::Chainstate& chainstate,
                       chain::Mempool* mempool, NetOptions options)
    : impl_(std::make_unique<Impl>(params, chainstate, mempool, std::move(options))) {}
NetManager::~NetManager() = default;
Status NetManager::Start() { return impl_->Start(); }
void NetManager::Stop() { impl_->Stop(); }
uint16_t NetManager::listen_port() const { return impl_->listen_port(); }
std::vector<std::string> NetManager::LocalAddresses() const { return impl_->LocalAddresses(); }
std::vector<PeerInfo> NetManager::GetPeerInfo() const { return impl_->GetPeerInfo(); }
size_t NetManager::ConnectionCount(bool inbound, bool outbound) const {
  return impl_->ConnectionCount(inbound, outbound);
}
NetTotals NetManager::Totals() const { return impl_->Totals(); }
SyncProgress NetManager::Progress() const { return impl_->Progress(); }
Status NetManager::AddNode(const std::string& address, const std::string& command) {
  return impl_->AddNode(address, command);
}
Status NetManager::DisconnectNode(const std::string& address, std::optional<uint64_t> id) {
  return impl_->DisconnectNode(address, id);
}
Status NetManager::SetBan(const std::string& subnet, const std::string& command, uint64_t seconds,
                          bool absolute) {
  return impl_->SetBan(subnet, command, seconds, absolute);
}
std::vector<BanEntry> NetManager::ListBanned() const { return impl_->ban_man().List(); }
void NetManager::ClearBanned() { impl_->ClearBanned(); }
void NetManager::PingAll() { impl_->PingAll(); }
AddrMan& NetManager::addr_man() { return impl_->addr_man(); }
BanMan& NetManager::ban_man() { return impl_->ban_man(); }

}  // namespace depin::net
