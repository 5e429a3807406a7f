// NetManager: the node's P2P layer. It owns the I/O threads (Boost.Asio),
// the listeners, outbound connections (-connect, -addnode, -seednode and,
// outside regtest, addresses from the AddrMan), the AddrMan and BanMan, and
// the protocol logic: version/verack handshake (chain id, genesis, self-
// connection nonce), ping/pong, headers-first sync with a parallel block
// download window and stall detection, relay of blocks (headers
// announcements) and txs (inv/getdata), bounded orphan pools, addr gossip
// with a per-peer rate limit, misbehaviour scores that disconnect and ban,
// per-peer buffer limits and inbound eviction. peers.dat and banlist.dat are
// written every `save_interval`, at shutdown, and the ban list also right
// after every change.
//
// Threads:
//   - I/O threads run the sockets (one Connection strand per peer);
//   - the message thread ("net-msg") runs every protocol decision, one event
//     at a time, so peer and sync state needs no finer locking; it also
//     writes peers.dat and banlist.dat, between events, without the
//     manager's lock;
//   - the block thread ("net-block") calls Chainstate::ProcessBlock, which is
//     blocking and serialized, so the network keeps reading meanwhile.
// Validation signals (chainstate.signals(): blocks, tip, txs admitted to the
// mempool) arrive on the signals thread and are posted to the message thread.
//
// Thread-safety: every public method may be called from any thread (RPC
// handlers). Start and Stop from the owner's thread only.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "consensus/params.h"
#include "net/addr_man.h"
#include "net/ban_man.h"
#include "net/net_address.h"
#include "util/status.h"

namespace depin {
class Logger;
}

namespace depin::net {

struct NetOptions {
  // Where peers.dat and banlist.dat live; empty: nothing persisted.
  std::filesystem::path datadir;
  bool listen = true;
  uint16_t port = 0;                  // 0: any free port (tests); node/init passes -port
  std::vector<std::string> bind;      // addresses to listen on; empty: all interfaces
  std::vector<std::string> connect;   // only these peers, no automatic outbound
  std::vector<std::string> addnode;   // these peers in addition, kept connected
  std::vector<std::string> seednode;  // ask for addresses, then disconnect
  size_t max_connections = 125;
  size_t max_outbound = 8;
  // Automatic outbound connections from the AddrMan (off in regtest).
  bool discover = true;
  // Accept and gossip non-routable addresses (regtest, tests).
  bool allow_local_addresses = false;
  // Subnets whose peers are never banned (misbehaviour only disconnects).
  std::vector<std::string> whitelist;

  size_t max_receive_buffer = size_t{5} << 20;  // per peer, unprocessed bytes
  size_t max_send_buffer = size_t{1} << 20;     // per peer; serving pauses above
  uint64_t ban_seconds = 24 * 3600;
  // peers.dat and banlist.dat are also written this often while running,
  // so a crash loses at most this much of the address table.
  std::chrono::milliseconds save_interval = std::chrono::minutes(15);

  std::chrono::milliseconds handshake_timeout{10000};
  std::chrono::milliseconds ping_interval{60000};
  std::chrono::milliseconds ping_timeout{120000};
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds reconnect_interval{2000};  // manual peers
  // A peer holding the block that keeps the download window from moving
  // for this long is disconnected and the block asked of another.
  std::chrono::milliseconds block_stall_timeout{5000};
  // Any requested block not delivered in this time drops the peer.
  std::chrono::milliseconds block_download_timeout{60000};
  size_t block_download_window = 1024;
  // Header chains with less work are neither stored nor downloaded
  // (-minimumchainwork); unset: the network's params.min_chain_work.
  std::optional<Uint256> min_chain_work;
  size_t max_blocks_in_flight_per_peer = 16;
  // Received blocks waiting for the block thread; requests pause above.
  size_t max_queued_blocks = 64;

  size_t max_orphan_txs = 100;
  size_t max_orphan_tx_bytes = size_t{5} << 20;
  // The orphan block pool: blocks received before their parent's data,
  // kept in memory to connect from there (net_manager_impl.h). Past either
  // cap the ones furthest from the tip wait on disk in the chainstate. The
  // count matches block_download_window, so that in a sync from several
  // peers the bytes decide (at 16 a sixth of the blocks went to disk and the
  // sync took twice as long, docs/BENCHMARKS.md).
  size_t max_orphan_blocks = 1024;
  size_t max_orphan_block_bytes = size_t{32} << 20;

  unsigned io_threads = 1;
  // Threads decoding received block bodies (sender recovery), several
  // blocks at once, off the message thread.
  unsigned block_decode_threads = 1;
  std::string user_agent = "/depind/";
  Logger* logger = nullptr;
};

struct PeerInfo {
  uint64_t id = 0;
  std::string address;
  std::string local_address;
  bool inbound = false;
  bool manual = false;
  bool handshake_done = false;
  uint32_t version = 0;
  std::string user_agent;
  uint64_t services = 0;
  uint64_t start_height = 0;
  uint64_t synced_headers = 0;  // best header height known from this peer
  uint64_t bytes_sent = 0;
  uint64_t bytes_received = 0;
  int64_t connected_seconds = 0;
  std::optional<double> ping_ms;
  std::optional<double> min_ping_ms;
  std::optional<double> ping_wait_ms;
  int misbehavior = 0;
  size_t blocks_in_flight = 0;
  // Addresses from this peer's addr messages dropped by the rate limit.
  uint64_t addr_rate_limited = 0;
  // Inventory this peer asked for that is not yet sent (reading from the
  // peer is held while there is any).
  size_t pending_getdata = 0;
  // Txs this peer announced that we are fetching from it (at most
  // kMaxPeerTxRequests), and announcements dropped past that cap.
  size_t tx_requests = 0;
  uint64_t tx_announcements_dropped = 0;
};

struct NetTotals {
  uint64_t bytes_received = 0;
  uint64_t bytes_sent = 0;
  // What the orphan pools hold now (NetOptions::max_orphan_*).
  size_t orphan_txs = 0;
  size_t orphan_tx_bytes = 0;
  size_t orphan_blocks = 0;
  size_t orphan_block_bytes = 0;
};

struct SyncProgress {
  uint64_t tip_height = 0;
  uint64_t best_header_height = 0;
  size_t blocks_in_flight = 0;
  bool initial_block_download = false;
};

class NetManager {
 public:
  NetManager(const consensus::ChainParams& params, chain::Chainstate& chainstate,
             chain::Mempool* mempool, NetOptions options);
  ~NetManager();
  NetManager(const NetManager&) = delete;
  NetManager& operator=(const NetManager&) = delete;

  // Loads peers.dat and banlist.dat, binds the listeners ("net-bind-failed"),
  // starts the threads and the outbound connections.
  Status Start();
  // Closes every connection, joins the threads, saves peers.dat and the ban
  // list. Idempotent.
  void Stop();

  // The port the first listener is bound to (0 when not listening).
  uint16_t listen_port() const;
  std::vector<std::string> LocalAddresses() const;

  std::vector<PeerInfo> GetPeerInfo() const;
  size_t ConnectionCount(bool inbound, bool outbound) const;
  NetTotals Totals() const;
  SyncProgress Progress() const;

  // addnode: "add" keeps a manual peer connected, "remove" forgets it (and
  // disconnects it), "onetry" connects once. Errors: "net-bad-address",
  // "net-node-already-added", "net-node-not-added", "net-bad-command".
  Status AddNode(const std::string& address, const std::string& command);
  // By address ("1.2.3.4:9000") or, when `address` is empty, by id.
  // "net-node-not-connected" when no such peer.
  Status DisconnectNode(const std::string& address, std::optional<uint64_t> id);
  // Bans a subnet and disconnects matching peers; "remove" lifts it. The
  // ban list is saved before returning (a failed write is logged).
  // Errors: "net-bad-subnet", "net-ban-not-found", "net-bad-command".
  Status SetBan(const std::string& subnet, const std::string& command, uint64_t seconds,
                bool absolute);
  std::vector<BanEntry> ListBanned() const;
  // Empties the ban list and saves it.
  void ClearBanned();
  // Sends a ping to every peer; results show in GetPeerInfo.
  void PingAll();

  AddrMan& addr_man();
  // Changes made directly through the BanMan reach banlist.dat at the next
  // periodic save or at shutdown; SetBan and ClearBanned save at once.
  BanMan& ban_man();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace depin::net
