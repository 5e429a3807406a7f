// Internal to the P2P layer (not for other components): the peer and
// download records and the Impl behind NetManager's pimpl. Its methods
// live in one file per concern:
//   connection_manager.cpp  start/stop, loops, connects, the peer table, timers;
//   peer_manager.cpp        misbehaviour, sending, handshake, dispatch, queries;
//   header_sync.cpp         locators and headers-first sync;
//   block_download.cpp      inv/getdata, download scheduling, decoding, the block thread;
//   tx_relay.cpp            tx relay and the orphanage;
//   addr_relay.cpp          addr / getaddr.
// Thread-safety: as NetManager (net_manager.h): mu_ guards the peer and
// sync state; the message thread runs posted tasks with it held.
#pragma once

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
#include "net/headers_presync.h"
#include "net/protocol.h"
#include "util/logging.h"
#include "util/sync.h"
#include "util/thread_pool.h"

namespace depin::net {

namespace asio = boost::asio;
using asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

// Misbehaviour scores; 100 disconnects and bans.
inline constexpr int kBanScore = 100;
inline constexpr int kScoreInvalidHeader = 100;
// Received blocks waiting for a decode thread; beyond it they decode on the
// message thread (in-flight limits keep this far off in practice).
inline constexpr size_t kDecodeQueue = 1024;
// Blocks at least this large have their senders recovered over every decode
// thread; smaller ones take one thread each.
inline constexpr size_t kSpreadDecodeBytes = 64 << 10;
inline constexpr int kScoreInvalidBlock = 100;
inline constexpr int kScoreOversized = 100;
inline constexpr int kScoreMalformed = 20;
inline constexpr int kScoreBadChecksum = 20;
inline constexpr int kScoreUnrequested = 20;
inline constexpr int kScoreHeaderSpam = 20;
inline constexpr int kScoreInvalidTx = 10;
inline constexpr int kScoreBeforeHandshake = 10;

inline constexpr size_t kMaxUnconnectingHeaders = 10;
inline constexpr size_t kMaxUselessHeaderMessages = 50;
inline constexpr size_t kMaxAnnounceHeaders = 8;
// Pool txs announced to a peer when it connects: what a peer takes from one
// peer before it stops tracking announcements (kMaxPeerTxRequests).
inline constexpr size_t kMaxTxAnnounceOnConnect = 5000;
inline constexpr size_t kKnownBlocksPerPeer = 20000;
inline constexpr size_t kKnownTxsPerPeer = 50000;
inline constexpr size_t kMaxRecentRejects = 20000;
inline constexpr size_t kMaxInvBatch = 1000;
// Txs one peer may have us fetch from it at once (Bitcoin Core's
// MAX_PEER_TX_ANNOUNCEMENTS): an inv flood cannot grow the request map
// past peers x this.
inline constexpr size_t kMaxPeerTxRequests = 5000;
// addr processing is rate limited per peer with a token bucket, as in
// Bitcoin Core: each address costs a token, tokens come back at 0.1 a
// second up to the cap, and addresses beyond the tokens are dropped. The
// bucket starts full, so the answer to our getaddr (at most
// kMaxAddrPerMessage) always gets through.
inline constexpr double kAddrTokenBucketMax = 1000;
inline constexpr double kAddrTokensPerSecond = 0.1;
static_assert(kAddrTokenBucketMax >= kMaxAddrPerMessage, "a getaddr answer fits in a full bucket");
inline constexpr auto kTickInterval = milliseconds(50);
inline constexpr auto kHousekeepingInterval = milliseconds(500);
inline constexpr auto kTxRequestTimeout = std::chrono::seconds(30);
inline constexpr auto kOrphanTxExpiry = std::chrono::minutes(20);
inline constexpr auto kSeedLifetime = std::chrono::seconds(30);
inline constexpr auto kProgressLogInterval = std::chrono::seconds(2);
// Inbound peers protected from eviction in each class.
inline constexpr size_t kProtectPerClass = 4;

inline uint64_t UnixNow() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

inline double Millis(Clock::duration d) {
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
  // Set while the peer's headers build on a chain below the minimum chain
  // work: they are checked and kept here, not stored (headers_presync.h).
  std::unique_ptr<HeadersPresync> presync;
  std::set<Hash256> blocks_in_flight;
  std::unordered_set<Hash256, FixedBytesHasher> not_found;
  Clock::time_point last_block_time;

  KnownSet known_blocks{kKnownBlocksPerPeer};
  KnownSet known_txs{kKnownTxsPerPeer};
  std::vector<Hash256> tx_inv_queue;
  std::deque<InvItem> pending_getdata;
  // Messages read from the peer while its getdata was being served: handled
  // in order once it is (bounded by the connection's receive buffer, since
  // they are not reported processed until then).
  std::deque<std::pair<std::string, Bytes>> held_messages;
  size_t tx_requests = 0;  // entries of tx_requested_ naming this peer
  uint64_t tx_announcements_dropped = 0;
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

// A block in the orphan block pool (NetManager::Impl::orphan_blocks_).
struct OrphanBlock {
  std::shared_ptr<const Block> block;
  uint64_t peer = 0;
  size_t size = 0;  // serialized bytes
};

// A tx the pool refused for reasons of its own or of our state (fees, pool
// limits, a nonce already used or not yet reached): not the sender's fault.
inline bool IsPolicyTxError(const Status& s) {
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
inline bool IsOrphanTxError(const Status& s) { return s.Is(StatusKind::kMissingParent); }

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
        min_chain_work_(options_.min_chain_work.value_or(params.min_chain_work)),
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
  // Hands `headers` to the chainstate, scoring the peer for invalid ones;
  // false when it stopped (an invalid or future header, a local failure).
  bool StoreHeaders(Peer& peer, const std::vector<BlockHeader>& headers,
                    const std::vector<Hash256>& hashes) REQUIRES(mu_);
  void HandlePresyncHeaders(Peer& peer, const std::vector<BlockHeader>& headers) REQUIRES(mu_);
  // The presync start at tree block `hash` (which must be known).
  std::optional<PresyncStart> PresyncStartAt(const Hash256& hash) const;
  // getheaders for the headers after `last`, which is not in the tree
  // (presync): the locator is `last` then the tree's locator from `base`.
  void SendPresyncGetHeaders(Peer& peer, const Hash256& last, const Hash256& base) REQUIRES(mu_);
  void HandleInv(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void HandleGetData(Peer& peer, const Bytes& payload) REQUIRES(mu_);
  void ServeGetData(Peer& peer) REQUIRES(mu_);
  // A message from the connection: handled now, or held behind the peer's
  // pending getdata (Bitcoin Core's fPauseRecv / vRecvGetData order).
  void OnMessage(const std::shared_ptr<Connection>& conn, const std::string& command, Bytes payload)
      REQUIRES(mu_);
  // Handles held messages while nothing is pending.
  void DrainHeldMessages(uint64_t id) REQUIRES(mu_);
  // Records / forgets a tx fetch from a peer, keeping Peer::tx_requests.
  void TrackTxRequest(Peer& peer, const Hash256& hash, Clock::time_point now) REQUIRES(mu_);
  void ForgetTxRequest(const Hash256& hash) REQUIRES(mu_);
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
  // Queues announcements of the pool's txs to a peer that just connected.
  void AnnounceMempool(Peer& peer) REQUIRES(mu_);
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
  // Hands a block to the block thread (and so to the chainstate).
  void SubmitBlock(uint64_t peer_id, std::shared_ptr<const Block> block) REQUIRES(mu_);
  void AddOrphanBlock(uint64_t peer_id, std::shared_ptr<const Block> block) REQUIRES(mu_);
  OrphanBlock TakeOrphanBlock(const Hash256& hash) REQUIRES(mu_);
  // The orphans waiting for `parent` go on, now that its result is known.
  void ReleaseOrphanBlocks(const Hash256& parent) REQUIRES(mu_);
  // Orphans whose parent is no longer on its way go to the chainstate.
  void SubmitStrandedOrphanBlocks() REQUIRES(mu_);
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
  // Header chains below this work are not stored or downloaded
  // (NetOptions::min_chain_work, else params.min_chain_work).
  const Uint256 min_chain_work_;
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
  // Received and not yet processed: being decoded, queued for the block
  // thread or in the orphan block pool.
  std::unordered_set<Hash256, FixedBytesHasher> received_ GUARDED_BY(mu_);
  // Received blocks whose bodies are being decoded on decode_pool_ (a subset
  // of received_, not yet queued for the block thread).
  std::unordered_set<Hash256, FixedBytesHasher> decoding_ GUARDED_BY(mu_);
  // The orphan block pool: received blocks whose parent's data is neither
  // stored nor queued for the block thread, kept in memory so that they go
  // to the chainstate parent first and connect from memory when it comes.
  //
  // Every block reaching the pool has a parent whose *header* is known: a
  // requested block comes from the header tree (to_download_), and an
  // unrequested one whose parent header is unknown is refused in
  // HandleBlock with a misbehaviour score (the header tree never forgets a
  // header, so the chainstate never answers BlockAcceptance::kOrphan for a
  // block from a peer). What puts a block here:
  //   - out-of-order delivery of requested blocks: blocks of a header chain
  //     asked of one peer (up to max_blocks_in_flight_per_peer in one
  //     getdata) or of several, one of them arriving before its parent
  //     because the parent's holder is slower, withholds it or stalls, or
  //     because the parent is still being decoded on the decode pool;
  //   - a block pushed unrequested (a miner's new block) on top of a block
  //     whose header we have but whose data is still on its way.
  // Bounded by NetOptions::max_orphan_blocks and max_orphan_block_bytes
  // (-maxorphanblocks, -maxorphanblockbuffer): past either, the orphans
  // furthest from the tip go to the chainstate instead, which stores them
  // on disk under their missing ancestor and connects them when it arrives
  // (as Bitcoin Core stores every block that arrives out of order). So does
  // an orphan whose parent is no longer on its way (its branch stopped
  // being the best one). Nothing is dropped, nothing is asked for twice,
  // and the peer is not punished: out-of-order delivery is honest.
  std::unordered_map<Hash256, OrphanBlock, FixedBytesHasher> orphan_blocks_ GUARDED_BY(mu_);
  std::multimap<Hash256, Hash256> orphans_by_parent_ GUARDED_BY(mu_);  // parent -> orphan
  std::set<std::pair<uint64_t, Hash256>> orphans_by_height_ GUARDED_BY(mu_);
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
  // Keys the presync commitment bits: a peer cannot know which of its
  // headers they sample, or their values.
  const uint64_t presync_salt_ =
      (uint64_t{std::random_device{}()} << 32) | uint64_t{std::random_device{}()};
};

}  // namespace depin::net
