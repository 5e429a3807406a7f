// NetManager end to end in one process: real loopback sockets between
// managers over their own temp-datadir Chainstates, and raw sockets that
// speak (or break) the protocol by hand.
#include "net/net_manager.h"

// Asio trips GCC's -Wnull-dereference at -O2 (a false positive in Boost).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <filesystem>
#include <thread>

#include "chain/miner.h"
#include "consensus/module.h"
#include "crypto/secp256k1.h"
#include "net/ban_man.h"
#include "net/protocol.h"
#include "test_util/keys.h"

namespace depin::net {
namespace {

using namespace std::chrono_literals;
namespace asio = boost::asio;
using asio::ip::tcp;

crypto::PrivateKey Key(uint8_t i) { return test_util::TestKey(0x33, i); }
Address AddressOf(uint8_t i) { return test_util::TestAddress(0x33, i); }

consensus::ChainParams Params() {
  consensus::ChainParams p = consensus::RegtestParams();
  for (uint8_t i = 1; i <= 4; ++i) p.genesis_alloc.push_back({AddressOf(i), Dpn(1000)});
  return p;
}

TxRef Transfer(uint8_t from, uint64_t nonce, const Address& to) {
  Transaction tx;
  tx.type = TxType::kDynamicFee;
  tx.chain_id = consensus::RegtestParams().chain_id;
  tx.nonce = nonce;
  tx.max_priority_fee_per_gas = Uint256(kWeiPerGwei);
  tx.max_fee_per_gas = Uint256(1000 * kWeiPerGwei);
  tx.gas_limit = 21000;
  tx.to = to;
  tx.value = Uint256(12345);
  tx.Sign(Key(from));
  return MakeVerifiedTx(tx).value();
}

template <typename Pred>
bool WaitFor(Pred pred, std::chrono::milliseconds timeout = 30s) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    if (pred()) return true;
    std::this_thread::sleep_for(20ms);
  }
  return pred();
}

class TestNode {
 public:
  explicit TestNode(std::vector<std::string> connect = {}, NetOptions extra = {}) {
    static std::atomic<int> n{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("depin-net-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    chain::ChainstateOptions co;
    co.datadir = dir_.string();
    co.script_threads = 1;
    co.sync_writes = false;
    co.signals = &signals_;
    chainstate_ = chain::Chainstate::Open(params_, modules_, co).value();
    mempool_ = std::make_unique<chain::Mempool>(chain::MempoolOptions{}, *chainstate_);
    chain::MinerOptions mo;
    mo.threads = 1;
    mo.coinbase = AddressOf(9);
    miner_ = std::make_unique<chain::Miner>(mo, *chainstate_, mempool_.get());
    NetOptions o = std::move(extra);
    o.datadir = dir_;
    o.listen = true;
    o.port = 0;
    o.bind = {"127.0.0.1"};
    o.connect = std::move(connect);
    o.discover = false;
    o.allow_local_addresses = true;
    o.reconnect_interval = 200ms;
    net_ = std::make_unique<NetManager>(params_, *chainstate_, mempool_.get(), o);
    Status s = net_->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  ~TestNode() {
    net_->Stop();
    net_.reset();
    miner_.reset();
    mempool_.reset();
    chainstate_.reset();
    std::filesystem::remove_all(dir_);
  }
  std::string Endpoint() const { return "127.0.0.1:" + std::to_string(net_->listen_port()); }
  chain::Chainstate& chain() { return *chainstate_; }
  chain::Mempool& mempool() { return *mempool_; }
  chain::Miner& miner() { return *miner_; }
  NetManager& net() { return *net_; }
  const consensus::ChainParams& params() const { return params_; }
  const std::filesystem::path& dir() const { return dir_; }
  size_t HandshakedPeers() {
    size_t n = 0;
    for (const PeerInfo& p : net_->GetPeerInfo()) n += p.handshake_done;
    return n;
  }

 private:
  consensus::ChainParams params_ = Params();
  consensus::ModuleRegistry modules_;
  std::filesystem::path dir_;
  chain::ValidationSignals signals_{chain::ValidationSignalsOptions{}};
  std::unique_ptr<chain::Chainstate> chainstate_;
  std::unique_ptr<chain::Mempool> mempool_;
  std::unique_ptr<chain::Miner> miner_;
  std::unique_ptr<NetManager> net_;
};

// A hand-driven peer on a blocking socket.
class RawPeer {
 public:
  RawPeer(uint16_t port, Magic magic) : socket_(io_), magic_(magic) {
    socket_.connect(tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    timeval tv{0, 200000};
    ::setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  void SendRaw(ByteSpan bytes) {
    boost::system::error_code ec;
    asio::write(socket_, asio::buffer(bytes.data(), bytes.size()), ec);
  }
  void Send(std::string_view command, ByteSpan payload) {
    SendRaw(EncodeMessage(magic_, command, payload));
  }
  // The next message, skipping pings and the like unless asked for.
  std::optional<std::pair<std::string, Bytes>> Read(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!Fill(kMessageHeaderSize, deadline)) return std::nullopt;
      auto h = DecodeMessageHeader(ByteSpan(buf_).first(kMessageHeaderSize), magic_);
      if (!h) return std::nullopt;
      if (!Fill(kMessageHeaderSize + h->length, deadline)) return std::nullopt;
      Bytes payload(buf_.begin() + kMessageHeaderSize,
                    buf_.begin() + static_cast<std::ptrdiff_t>(kMessageHeaderSize + h->length));
      buf_.erase(buf_.begin(),
                 buf_.begin() + static_cast<std::ptrdiff_t>(kMessageHeaderSize + h->length));
      return std::make_pair(h->command, payload);
    }
    return std::nullopt;
  }
  std::optional<Bytes> ReadCommand(std::string_view command,
                                   std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      auto m = Read(std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now()));
      if (!m) return std::nullopt;
      if (m->first == command) return m->second;
    }
    return std::nullopt;
  }
  // True once the node has closed the connection.
  bool WaitClosed(std::chrono::milliseconds timeout = 5s) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (std::chrono::steady_clock::now() < deadline) {
      uint8_t b[4096];
      boost::system::error_code ec;
      socket_.read_some(asio::buffer(b), ec);
      if (ec == asio::error::eof || ec == asio::error::connection_reset) return true;
      if (ec && ec != asio::error::would_block && ec != asio::error::try_again) return true;
    }
    return false;
  }
  void Handshake(const consensus::ChainParams& params, uint64_t chain_id_override = 0,
                 std::optional<Hash256> genesis_override = std::nullopt) {
    VersionMessage v;
    v.chain_id = chain_id_override != 0 ? chain_id_override : params.chain_id;
    v.genesis_hash = genesis_override.value_or(params.GenesisHash());
    v.nonce = 0xdead0000beefull;
    v.user_agent = "/raw-test/";
    Send(kMsgVersion, EncodeVersion(v));
    Send(kMsgVerack, {});
  }

 private:
  bool Fill(size_t n, std::chrono::steady_clock::time_point deadline) {
    while (buf_.size() < n) {
      if (std::chrono::steady_clock::now() >= deadline) return false;
      uint8_t b[65536];
      boost::system::error_code ec;
      size_t got = socket_.read_some(asio::buffer(b), ec);
      if (ec == asio::error::would_block || ec == asio::error::try_again) continue;
      if (ec) return false;
      buf_.insert(buf_.end(), b, b + got);
    }
    return true;
  }

  asio::io_context io_;
  tcp::socket socket_;
  Magic magic_;
  Bytes buf_;
};

TEST(NetManager, TwoNodesSyncTwoHundredBlocks) {
  TestNode a;
  ASSERT_TRUE(a.miner().Generate(200, AddressOf(9)).ok());
  TestNode b({a.Endpoint()});
  ASSERT_TRUE(WaitFor([&] { return b.chain().Tip().hash == a.chain().Tip().hash; }, 60s))
      << "b at " << b.chain().Tip().height;
  EXPECT_EQ(b.chain().Tip().height, 200u);
  EXPECT_EQ(b.chain().StateRoot(), a.chain().StateRoot());
  EXPECT_EQ(a.net().ConnectionCount(true, false), 1u);
  EXPECT_EQ(b.net().ConnectionCount(false, true), 1u);
}

// A node on the lighter branch meets the heavier one while still connected
// to a peer of its own branch (which has other blocks at the same heights):
// it fetches the fork only where it exists and reorganises.
TEST(NetManager, ReorganisesToAHeavierBranchFromANewPeer) {
  TestNode a;
  TestNode b;
  ASSERT_TRUE(a.miner().Generate(15, AddressOf(9)).ok());
  ASSERT_TRUE(b.miner().Generate(22, AddressOf(8)).ok());
  TestNode c({a.Endpoint()});
  ASSERT_TRUE(WaitFor([&] { return c.chain().Tip().hash == a.chain().Tip().hash; }, 60s));
  ASSERT_TRUE(c.net().AddNode(b.Endpoint(), "add").ok());
  ASSERT_TRUE(WaitFor([&] { return c.chain().Tip().hash == b.chain().Tip().hash; }, 60s))
      << "c at " << c.chain().Tip().height;
  EXPECT_EQ(c.chain().StateRoot(), b.chain().StateRoot());
  // c announces the heavier chain to a, which reorganises too.
  ASSERT_TRUE(WaitFor([&] { return a.chain().Tip().hash == b.chain().Tip().hash; }, 60s))
      << "a at " << a.chain().Tip().height;
}

TEST(NetManager, RelaysTxsAndBlocks) {
  TestNode a;
  TestNode b({a.Endpoint()});
  ASSERT_TRUE(WaitFor([&] { return a.HandshakedPeers() == 1 && b.HandshakedPeers() == 1; }));
  TxRef tx = Transfer(1, 0, AddressOf(2));
  ASSERT_TRUE(b.mempool().Add(tx).ok());
  ASSERT_TRUE(WaitFor([&] { return a.mempool().Contains(tx->hash); }));
  auto mined = a.miner().Generate(1, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  ASSERT_TRUE(WaitFor([&] { return b.chain().Tip().hash == mined->front(); }));
  // The pool drops the mined tx before ProcessBlock returns on b's block
  // thread, which may still be a moment after the new tip is visible here.
  EXPECT_TRUE(WaitFor([&] { return !b.mempool().Contains(tx->hash); }));
  auto block = b.chain().ReadBlock(mined->front());
  ASSERT_TRUE(block.ok());
  ASSERT_EQ((*block)->txs.size(), 1u);
  EXPECT_EQ((*block)->txs[0]->hash, tx->hash);
}

TEST(NetManager, HandshakeOnAnotherChainIdOrGenesisDisconnects) {
  TestNode a;
  {
    RawPeer raw(a.net().listen_port(), a.params().magic);
    raw.Handshake(a.params(), /*chain_id_override=*/999);
    EXPECT_TRUE(raw.WaitClosed());
  }
  {
    Hash256 other;
    other.bytes.fill(0x42);
    RawPeer raw(a.net().listen_port(), a.params().magic);
    raw.Handshake(a.params(), 0, other);
    EXPECT_TRUE(raw.WaitClosed());
  }
  // Another network is not misbehaviour: nothing is banned.
  EXPECT_TRUE(a.net().ListBanned().empty());
  RawPeer honest(a.net().listen_port(), a.params().magic);
  honest.Handshake(a.params());
  EXPECT_TRUE(honest.ReadCommand(kMsgVerack).has_value());
}

TEST(NetManager, SelfConnectionIsDropped) {
  TestNode a;
  ASSERT_TRUE(a.net().AddNode(a.Endpoint(), "onetry").ok());
  std::this_thread::sleep_for(500ms);
  EXPECT_TRUE(WaitFor([&] { return a.net().GetPeerInfo().empty(); }, 5s));
  EXPECT_EQ(a.HandshakedPeers(), 0u);
}

TEST(NetManager, OversizedLengthIsNeverReadAndBans) {
  TestNode a;
  RawPeer raw(a.net().listen_port(), a.params().magic);
  Bytes header(kMessageHeaderSize, 0);
  std::copy(a.params().magic.begin(), a.params().magic.end(), header.begin());
  std::memcpy(header.data() + 4, "block", 5);
  WriteLE32(header.data() + 16, 0xfffffff0u);
  raw.SendRaw(header);  // and no payload at all: the node must not wait for it
  EXPECT_TRUE(raw.WaitClosed(3s));
  EXPECT_TRUE(WaitFor([&] { return !a.net().ListBanned().empty(); }, 3s));
  a.net().ClearBanned();
  RawPeer honest(a.net().listen_port(), a.params().magic);
  honest.Handshake(a.params());
  EXPECT_TRUE(honest.ReadCommand(kMsgVerack).has_value());
}

TEST(NetManager, GarbageAndBadChecksums) {
  TestNode a;
  {
    RawPeer raw(a.net().listen_port(), a.params().magic);
    Bytes junk(64, 0x5a);
    raw.SendRaw(junk);
    EXPECT_TRUE(raw.WaitClosed());
  }
  RawPeer raw(a.net().listen_port(), a.params().magic);
  raw.Handshake(a.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  Bytes frame = EncodeMessage(a.params().magic, kMsgPing, EncodeNonce(5));
  frame.back() ^= 0xff;
  raw.SendRaw(frame);
  // One bad checksum costs score, not the connection.
  raw.Send(kMsgPing, EncodeNonce(6));
  auto pong = raw.ReadCommand(kMsgPong);
  ASSERT_TRUE(pong.has_value());
  EXPECT_EQ(DecodeNonce(*pong).value(), 6u);
  // Unknown commands are ignored.
  raw.Send("whatever", Bytes{1, 2, 3});
  raw.Send(kMsgPing, EncodeNonce(7));
  EXPECT_TRUE(raw.ReadCommand(kMsgPong).has_value());
}

TEST(NetManager, InvalidBlockBansThePeerOthersUnaffected) {
  TestNode a;
  TestNode b({a.Endpoint()});
  ASSERT_TRUE(WaitFor([&] { return a.HandshakedPeers() == 1; }));
  RawPeer raw(a.net().listen_port(), a.params().magic);
  raw.Handshake(a.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  Block bad;
  bad.header.parent_hash = a.params().GenesisHash();
  bad.header.height = 7;  // not parent + 1
  bad.header.bits = a.params().pow_limit_bits;
  bad.header.timestamp = a.params().genesis_time + 15;
  raw.Send(kMsgBlock, bad.Serialize());
  EXPECT_TRUE(raw.WaitClosed());
  ASSERT_TRUE(WaitFor([&] { return !a.net().ListBanned().empty(); }, 3s));
  EXPECT_EQ(a.net().ListBanned().front().subnet.ToString(), "127.0.0.1/32");
  // The honest peer keeps its connection and still gets blocks.
  auto mined = a.miner().Generate(2, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  EXPECT_TRUE(WaitFor([&] { return b.chain().Tip().hash == mined->back(); }));
  EXPECT_EQ(a.HandshakedPeers(), 1u);
}

// A block message: `header`, then one 3-byte "tx" that is no transaction.
Bytes WithUndecodableBody(const BlockHeader& header) {
  Bytes payload = header.Serialize();
  const uint8_t body[] = {1, 0, 0, 0, 3, 0, 0, 0, 0xde, 0xad, 0xbe};
  payload.insert(payload.end(), std::begin(body), std::end(body));
  return payload;
}

// The body is decoded off the message thread; a body that does not decode
// still costs its sender the ban, found again by peer id afterwards.
TEST(NetManager, UndecodableBlockBodyBansThePeerOthersUnaffected) {
  TestNode a;
  TestNode b({a.Endpoint()});
  ASSERT_TRUE(WaitFor([&] { return a.HandshakedPeers() == 1; }));
  RawPeer raw(a.net().listen_port(), a.params().magic);
  raw.Handshake(a.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  BlockHeader header;
  header.parent_hash = a.params().GenesisHash();  // extends a known block: not "unrequested"
  header.height = 1;
  header.bits = a.params().pow_limit_bits;
  header.timestamp = a.params().genesis_time + 15;
  raw.Send(kMsgBlock, WithUndecodableBody(header));
  EXPECT_TRUE(raw.WaitClosed());
  ASSERT_TRUE(WaitFor([&] { return !a.net().ListBanned().empty(); }, 3s));
  auto mined = a.miner().Generate(2, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  EXPECT_TRUE(WaitFor([&] { return b.chain().Tip().hash == mined->back(); }));
  EXPECT_EQ(a.HandshakedPeers(), 1u);
}

// A block asked for during sync whose body does not decode bans its sender
// and is fetched again from another peer.
TEST(NetManager, UndecodableRequestedBlockIsFetchedElsewhere) {
  TestNode c;
  auto mined = c.miner().Generate(1, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  auto block = c.chain().ReadBlock(mined->back());
  ASSERT_TRUE(block.ok());
  TestNode a;
  RawPeer raw(a.net().listen_port(), a.params().magic);
  raw.Handshake(a.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  raw.Send(kMsgHeaders, EncodeHeaders({(*block)->header}));
  ASSERT_TRUE(raw.ReadCommand(kMsgGetData).has_value());  // a asks raw for the block
  raw.Send(kMsgBlock, WithUndecodableBody((*block)->header));
  EXPECT_TRUE(raw.WaitClosed());
  ASSERT_TRUE(WaitFor([&] { return !a.net().ListBanned().empty(); }, 3s));
  EXPECT_EQ(a.chain().Tip().height, 0u);
  // c lives on the same (now banned) loopback address.
  a.net().ClearBanned();
  ASSERT_TRUE(a.net().AddNode(c.Endpoint(), "onetry").ok());
  EXPECT_TRUE(WaitFor([&] { return a.HandshakedPeers() == 1; }, 5s));
  EXPECT_TRUE(WaitFor([&] { return a.chain().Tip().hash == mined->back(); }));
}

// 1000 routable addresses, each in a /16 group of its own so that they
// spread over the AddrMan's buckets; `batch` picks a disjoint range.
std::vector<AddrEntry> RoutableAddrs(uint32_t batch) {
  std::vector<AddrEntry> out;
  uint64_t an_hour_ago =
      static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::seconds>(
                                std::chrono::system_clock::now().time_since_epoch())
                                .count()) -
      3600;
  for (uint32_t i = 0; i < kMaxAddrPerMessage; ++i) {
    uint32_t first_octet = 20 + batch * 4 + i / 250;
    uint32_t ip = (first_octet << 24) | ((i % 250) << 16) | 0x0101u;
    out.push_back(AddrEntry{an_hour_ago, kServiceNetwork, NetAddress::FromIpv4(ip, 9645)});
  }
  return out;
}

// Everything a RawPeer sent before this has been processed once it returns.
void Sync(RawPeer& raw, uint64_t nonce) {
  raw.Send(kMsgPing, EncodeNonce(nonce));
  auto pong = raw.ReadCommand(kMsgPong);
  ASSERT_TRUE(pong.has_value());
  ASSERT_EQ(DecodeNonce(*pong).value(), nonce);
}

// Below the minimum chain work (NetOptions::min_chain_work), a peer's
// headers and unrequested blocks are not stored, and it is not punished; a
// node without the minimum stores the same header and block.
TEST(NetManager, LowWorkHeadersAndUnrequestedBlocksAreNotStored) {
  TestNode miner;
  auto mined = miner.miner().Generate(1, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  auto block = miner.chain().ReadBlock(mined->front()).value();
  NetOptions high;
  high.min_chain_work = Uint256(1) << 200;
  TestNode guarded({}, high);
  TestNode open;
  for (TestNode* node : {&guarded, &open}) {
    RawPeer raw(node->net().listen_port(), node->params().magic);
    raw.Handshake(node->params());
    ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
    raw.Send(kMsgHeaders, EncodeHeaders({block->header}));
    Sync(raw, 77);
    const bool stored = node == &open;
    EXPECT_EQ(node->chain().LookupBlock(block->Hash()).has_value(), stored);
    raw.Send(kMsgBlock, block->Serialize());  // pushed, not asked for
    Sync(raw, 78);
    if (stored) {
      EXPECT_TRUE(WaitFor([&] { return node->chain().Tip().hash == block->Hash(); }));
    } else {
      std::this_thread::sleep_for(200ms);  // the block thread would have taken it by now
      EXPECT_FALSE(node->chain().LookupBlock(block->Hash()).has_value());
      EXPECT_EQ(node->chain().Tip().height, 0u);
    }
    // Not the peer's fault: still connected, not banned.
    EXPECT_EQ(node->HandshakedPeers(), 1u);
    EXPECT_TRUE(node->net().ListBanned().empty());
  }
}

// The blocks `miner` mined, oldest first.
std::vector<std::shared_ptr<const Block>> MinedBlocks(TestNode& miner,
                                                      const std::vector<Hash256>& hashes) {
  std::vector<std::shared_ptr<const Block>> blocks;
  for (const Hash256& h : hashes) blocks.push_back(miner.chain().ReadBlock(h).value());
  return blocks;
}

// Sends the headers of `blocks` and reads the node's getdata for them.
void AnnounceAndExpectRequest(RawPeer& raw,
                              const std::vector<std::shared_ptr<const Block>>& blocks) {
  std::vector<BlockHeader> headers;
  for (const auto& b : blocks) headers.push_back(b->header);
  raw.Send(kMsgHeaders, EncodeHeaders(headers));
  auto getdata = raw.ReadCommand(kMsgGetData);
  ASSERT_TRUE(getdata.has_value());
  auto items = DecodeInv(*getdata);
  ASSERT_TRUE(items.ok());
  ASSERT_EQ(items->size(), blocks.size());
}

bool HasData(TestNode& node, const Hash256& hash) {
  auto info = node.chain().LookupBlock(hash);
  return info && info->have_data;
}

// Blocks delivered newest first without the first one are all orphans: the
// pool keeps the max_orphan_blocks nearest the tip in memory, the others
// wait on disk in the chainstate; the peer is not punished, and the first
// block connects them all.
TEST(NetManager, OrphanBlocksPastTheCapWaitOnDiskThenConnect) {
  TestNode miner;
  auto mined = miner.miner().Generate(8, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  auto blocks = MinedBlocks(miner, *mined);
  NetOptions capped;
  capped.max_orphan_blocks = 3;
  TestNode node({}, capped);
  RawPeer raw(node.net().listen_port(), node.params().magic);
  raw.Handshake(node.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  AnnounceAndExpectRequest(raw, blocks);
  for (size_t i = blocks.size() - 1; i >= 1; --i) raw.Send(kMsgBlock, blocks[i]->Serialize());
  ASSERT_TRUE(WaitFor([&] {
    for (size_t i = 4; i < blocks.size(); ++i) {
      if (!HasData(node, blocks[i]->Hash())) return false;
    }
    return true;
  })) << "heights 5..8 stored on disk";
  NetTotals totals = node.net().Totals();
  EXPECT_EQ(totals.orphan_blocks, 3u);
  size_t held_bytes = 0;
  for (size_t i = 1; i <= 3; ++i) {
    EXPECT_FALSE(HasData(node, blocks[i]->Hash())) << "height " << i + 1 << " is held";
    held_bytes += blocks[i]->SerializedSize();
  }
  EXPECT_EQ(totals.orphan_block_bytes, held_bytes);
  EXPECT_EQ(node.chain().Tip().height, 0u);
  raw.Send(kMsgBlock, blocks[0]->Serialize());
  ASSERT_TRUE(WaitFor([&] { return node.chain().Tip().hash == mined->back(); }));
  totals = node.net().Totals();
  EXPECT_EQ(totals.orphan_blocks, 0u);
  EXPECT_EQ(totals.orphan_block_bytes, 0u);
  auto peers = node.net().GetPeerInfo();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].misbehavior, 0);
}

// An orphan whose parent stops being on its way (the peer has not got it,
// and a heavier branch took over the best header) leaves the pool for the
// chainstate, which stores it.
TEST(NetManager, OrphanBlockWhoseParentIsNoLongerComingIsStored) {
  TestNode miner;
  auto mined = miner.miner().Generate(3, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  auto branch = MinedBlocks(miner, *mined);
  TestNode other;
  auto heavier_hashes = other.miner().Generate(5, AddressOf(8));
  ASSERT_TRUE(heavier_hashes.ok());
  auto heavier = MinedBlocks(other, *heavier_hashes);
  TestNode node;
  RawPeer raw(node.net().listen_port(), node.params().magic);
  raw.Handshake(node.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  AnnounceAndExpectRequest(raw, branch);
  raw.Send(kMsgBlock, branch[2]->Serialize());
  ASSERT_TRUE(WaitFor([&] { return node.net().Totals().orphan_blocks == 1; }));
  // The parent stays in flight: the orphan waits for it.
  std::this_thread::sleep_for(1200ms);  // past two housekeeping rounds
  EXPECT_EQ(node.net().Totals().orphan_blocks, 1u);
  EXPECT_FALSE(HasData(node, branch[2]->Hash()));
  raw.Send(kMsgNotFound, EncodeInv({InvItem{InvType::kBlock, branch[0]->Hash()},
                                    InvItem{InvType::kBlock, branch[1]->Hash()}}));
  AnnounceAndExpectRequest(raw, heavier);
  ASSERT_TRUE(WaitFor([&] { return HasData(node, branch[2]->Hash()); }));
  EXPECT_EQ(node.net().Totals().orphan_blocks, 0u);
  EXPECT_EQ(node.net().Totals().orphan_block_bytes, 0u);
  for (const auto& b : heavier) raw.Send(kMsgBlock, b->Serialize());
  ASSERT_TRUE(WaitFor([&] { return node.chain().Tip().hash == heavier_hashes->back(); }));
  auto peers = node.net().GetPeerInfo();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers[0].misbehavior, 0);
}

// A peer whose headers show it has our chain (its best header is ours) is
// not sent announcements of the blocks we connect while catching up to it:
// it would count them as repeated headers and, over a long sync from
// several peers, ban us.
TEST(NetManager, BlocksAPeerShowedUsAreNotAnnouncedToIt) {
  TestNode miner;
  auto mined = miner.miner().Generate(10, AddressOf(9));
  ASSERT_TRUE(mined.ok());
  auto blocks = MinedBlocks(miner, *mined);
  TestNode node;
  RawPeer source(node.net().listen_port(), node.params().magic);
  source.Handshake(node.params());
  ASSERT_TRUE(source.ReadCommand(kMsgVerack).has_value());
  AnnounceAndExpectRequest(source, blocks);
  // A second peer on the same chain answers our getheaders (from the
  // parent of our best header) with the best header alone.
  RawPeer other(node.net().listen_port(), node.params().magic);
  other.Handshake(node.params());
  ASSERT_TRUE(other.ReadCommand(kMsgGetHeaders).has_value());
  other.Send(kMsgHeaders, EncodeHeaders({blocks.back()->header}));
  Sync(other, 90);
  for (const auto& b : blocks) source.Send(kMsgBlock, b->Serialize());
  ASSERT_TRUE(WaitFor([&] { return node.chain().Tip().hash == mined->back(); }));
  other.Send(kMsgPing, EncodeNonce(91));
  std::vector<std::string> seen;
  while (true) {
    auto m = other.Read();
    ASSERT_TRUE(m.has_value()) << "no pong";
    if (m->first == kMsgPong && DecodeNonce(m->second).value() == 91) break;
    seen.push_back(m->first);
  }
  for (const std::string& command : seen) EXPECT_NE(command, kMsgHeaders);
}

uint64_t AddrRateLimited(TestNode& node) {
  auto peers = node.net().GetPeerInfo();
  EXPECT_EQ(peers.size(), 1u);
  return peers.empty() ? 0 : peers.front().addr_rate_limited;
}

// The bucket starts with 1000 tokens (a full getaddr answer) and refills at
// 0.1 a second: of 3000 addresses sent in a burst only the first 1000 (and
// a token or two of refill on a slow machine) are looked at.
TEST(NetManager, AddrBeyondTheRateLimitIsDropped) {
  TestNode a;
  RawPeer raw(a.net().listen_port(), a.params().magic);
  raw.Handshake(a.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  Sync(raw, 1);
  size_t before = a.net().addr_man().Size();

  std::vector<std::vector<AddrEntry>> batches;
  for (uint32_t b = 0; b < 3; ++b) batches.push_back(RoutableAddrs(b));
  raw.Send(kMsgAddr, EncodeAddr(batches[0]));
  Sync(raw, 2);
  size_t first = a.net().addr_man().Size() - before;
  // A few of the 1000 may collide in a bucket slot; none is rate limited.
  EXPECT_GE(first, 950u);
  EXPECT_LE(first, 1000u);
  EXPECT_EQ(AddrRateLimited(a), 0u);

  raw.Send(kMsgAddr, EncodeAddr(batches[1]));
  raw.Send(kMsgAddr, EncodeAddr(batches[2]));
  Sync(raw, 3);
  uint64_t limited = AddrRateLimited(a);
  EXPECT_GE(limited, 1990u);
  EXPECT_LE(limited, 2000u);
  size_t later = a.net().addr_man().Size() - before - first;
  EXPECT_LE(later, 2000u - limited);
  size_t known_from_later = 0;
  for (size_t b = 1; b < 3; ++b) {
    for (const AddrEntry& e : batches[b])
      known_from_later += a.net().addr_man().PositionOf(e.address).has_value();
  }
  EXPECT_EQ(known_from_later, later);
  // Dropped addresses are not misbehaviour.
  auto peers = a.net().GetPeerInfo();
  ASSERT_EQ(peers.size(), 1u);
  EXPECT_EQ(peers.front().misbehavior, 0);
}

// Bans reach banlist.dat when they are made, not only at shutdown: setban
// and clearbanned before returning, a misbehaviour ban right after the
// message that earned it.
TEST(NetManager, BansAreSavedWithoutAShutdown) {
  TestNode a;
  const auto file = a.dir() / "banlist.dat";
  auto saved = [&file] {
    BanMan bans(BanManOptions{file, 3600, {}, nullptr});
    EXPECT_TRUE(bans.Load().ok());
    return bans.List();
  };
  EXPECT_FALSE(std::filesystem::exists(file));

  ASSERT_TRUE(a.net().SetBan("10.1.2.0/24", "add", 600, /*absolute=*/false).ok());
  ASSERT_TRUE(std::filesystem::exists(file));
  auto list = saved();
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list.front().subnet.ToString(), "10.1.2.0/24");

  ASSERT_TRUE(a.net().SetBan("10.1.2.0/24", "remove", 0, /*absolute=*/false).ok());
  EXPECT_TRUE(saved().empty());

  ASSERT_TRUE(a.net().SetBan("10.1.3.4", "add", 600, /*absolute=*/false).ok());
  ASSERT_EQ(saved().size(), 1u);
  a.net().ClearBanned();
  EXPECT_TRUE(saved().empty());

  RawPeer raw(a.net().listen_port(), a.params().magic);
  Bytes header(kMessageHeaderSize, 0);
  std::copy(a.params().magic.begin(), a.params().magic.end(), header.begin());
  std::memcpy(header.data() + 4, "block", 5);
  WriteLE32(header.data() + 16, 0xfffffff0u);
  raw.SendRaw(header);
  EXPECT_TRUE(raw.WaitClosed(3s));
  EXPECT_TRUE(WaitFor(
      [&] {
        auto l = saved();
        return l.size() == 1 && l.front().subnet.ToString() == "127.0.0.1/32";
      },
      3s));
}

// With a short save interval peers.dat and banlist.dat appear while the
// node runs (the default is every 15 minutes).
TEST(NetManager, SavesPeersAndBansPeriodically) {
  NetOptions o;
  o.save_interval = 200ms;
  TestNode a({}, o);
  const auto peers_file = a.dir() / "peers.dat";
  RawPeer raw(a.net().listen_port(), a.params().magic);
  raw.Handshake(a.params());
  ASSERT_TRUE(raw.ReadCommand(kMsgVerack).has_value());
  std::vector<AddrEntry> entries = RoutableAddrs(0);
  entries.resize(5);
  raw.Send(kMsgAddr, EncodeAddr(entries));
  Sync(raw, 1);
  ASSERT_EQ(a.net().addr_man().Size(), 5u);
  EXPECT_TRUE(WaitFor(
      [&] {
        AddrMan saved(AddrManOptions{peers_file, true, {}, nullptr});
        return saved.Load().ok() && saved.Size() == 5;
      },
      5s));
  // The ban list is written right after the addresses, in the same save.
  EXPECT_TRUE(WaitFor([&] { return std::filesystem::exists(a.dir() / "banlist.dat"); }, 5s));
}

// A ban list that cannot be written is logged; the ban still holds in
// memory and the node carries on.
TEST(NetManager, UnwritableBanListIsNotFatal) {
  TestNode a;
  // A directory where the temporary file should go makes every write fail.
  std::filesystem::create_directories(a.dir() / "banlist.dat.new");
  ASSERT_TRUE(a.net().SetBan("10.1.2.0/24", "add", 600, /*absolute=*/false).ok());
  EXPECT_FALSE(std::filesystem::exists(a.dir() / "banlist.dat"));
  EXPECT_EQ(a.net().ListBanned().size(), 1u);
  RawPeer honest(a.net().listen_port(), a.params().magic);
  honest.Handshake(a.params());
  EXPECT_TRUE(honest.ReadCommand(kMsgVerack).has_value());
}

}  // namespace
}  // namespace depin::net
