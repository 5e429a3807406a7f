// The chain-facing native RPC methods (Bitcoin Core-style names, Ethereum
// conventions for values): blockchain, mempool, mining and control tables.
// Conventions shared by every method here:
//   - hashes, addresses and byte strings are 0x hex (addresses EIP-55);
//   - amounts are decimal strings in wei (they overflow JSON numbers);
//   - counts, heights, nonces and gas are JSON numbers;
//   - a rejected tx or block is -32000 with "rule-code: message", e.g.
//     "tx-nonce-too-low: nonce too low", so callers can match the rule.
//
// node/init fills a NodeRpcContext, which must outlive the tables, and
// registers the tables with the RpcDispatcher. Handlers read the pointers at
// call time, so tables can also be built over an empty context to render
// help and docs/rpc.md (`depind -dumprpcdocs`).
//
// Thread-safety: handlers run on RPC worker threads; the components they
// call (Chainstate, Mempool, Miner) are thread-safe, and the context itself
// is not modified after the server starts.
#pragma once

#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "consensus/params.h"
#include "consensus/pow.h"
#include "rpc/eth_filters.h"
#include "rpc/eth_subscriptions.h"
#include "rpc/rpc_table.h"

namespace depin {

namespace net {
class NetManager;
}
namespace index {
class BaseIndex;
class MarketIndex;
class TxIndex;
class AddressIndex;
}  // namespace index

// "Not found" for blocks and transactions, the code Bitcoin Core uses
// (RPC_INVALID_ADDRESS_OR_KEY), so explorers written for it keep working.
inline constexpr int kRpcNotFound = -5;

struct NodeRpcContext {
  const consensus::ChainParams* params = nullptr;
  chain::Chainstate* chainstate = nullptr;
  chain::Mempool* mempool = nullptr;
  chain::Miner* miner = nullptr;
  // Null with -txindex=0: mined txs cannot be looked up by hash.
  const index::TxIndex* tx_index = nullptr;
  // Null without -addressindex (getaddresshistory, ots_searchTransactions*).
  const index::AddressIndex* address_index = nullptr;
  // Null unless -marketindex: getmarketobjects, getmarketstats and
  // getstoragestats need it.
  const index::MarketIndex* market_index = nullptr;
  // Every index the node runs (getindexinfo).
  std::vector<const index::BaseIndex*> indexes;

  // Mining configuration as given to the node (getmininginfo,
  // getblocktemplate's default payee).
  bool mining_enabled = false;
  std::optional<Address> miner_address;
  unsigned miner_threads = 1;
  uint64_t mempool_max_bytes = 0;
  // The device layer (getgpuinfo); null until it is set up. gpu_mining:
  // -minegpu was given.
  const compute::Gpu* gpu = nullptr;
  bool gpu_mining = false;

  // Network facts for getnetworkinfo.
  std::string version;  // "0.1.0"
  uint16_t p2p_port = 0;
  uint16_t rpc_port = 0;
  std::optional<uint16_t> rpc_public_port;
  // Open P2P connections; unset when the node runs without P2P.
  std::function<size_t()> peer_count;
  // The running P2P layer (getnetworkinfo connections, getblockchaininfo
  // verificationprogress); null without P2P.
  const net::NetManager* net = nullptr;

  std::chrono::steady_clock::time_point start_time = std::chrono::steady_clock::now();
  // What one client may make the eth_ methods hold: polling filters per IP
  // and their timeout (-rpcfiltersperclient, -rpcfiltertimeout), and
  // subscriptions per websocket connection (-rpcmaxsubscriptions).
  EthFilterLimits filter_limits;
  size_t subscriptions_per_connection = kMaxSubscriptionsPerSession;
  // The `stop` method calls this; it must only signal (shutdown runs on the
  // main thread after the reply is sent).
  std::function<void()> request_shutdown;
};

// A mined tx's place in the active chain, through the tx index: nullopt when
// the chain holds no such tx. Fails with kUnavailable and "txindex-disabled"
// (-txindex=0), or "txindex-syncing" when the tx is not found while the
// index is still catching up (it may be in a block not reached yet); or with
// the index's database error.
Result<std::optional<chain::TxLocation>> FindMinedTx(const NodeRpcContext& ctx,
                                                     const Hash256& hash);

RpcTable BlockchainRpcTable(const NodeRpcContext& ctx);
RpcTable MempoolRpcTable(const NodeRpcContext& ctx);
RpcTable MiningRpcTable(const NodeRpcContext& ctx);
RpcTable GpuRpcTable(const NodeRpcContext& ctx);
RpcTable ControlRpcTable(const NodeRpcContext& ctx);
// invalidateblock / reconsiderblock (chain_admin_methods.cpp).
RpcTable ChainAdminRpcTable(const NodeRpcContext& ctx);
// getaddresshistory / getaddresssummary (address_methods.cpp).
RpcTable AddressRpcTable(const NodeRpcContext& ctx);
// Explorer statistics and search (explorer_methods.cpp): getblockstats,
// getchaintxstats, getmarketobjects, getmarketstats, getstoragestats, search.
RpcTable ExplorerRpcTable(const NodeRpcContext& ctx);

// All of them, in the order help and docs/rpc.md show them.
std::vector<RpcTable> NodeRpcTables(const NodeRpcContext& ctx);

namespace rpc_json {

using Alloc = rapidjson::Document::AllocatorType;

rapidjson::Value Str(std::string_view s, Alloc& a);
rapidjson::Value Hex(ByteSpan bytes, Alloc& a);
rapidjson::Value Wei(const Uint256& amount, Alloc& a);  // decimal string
rapidjson::Value AddressValue(const Address& address, Alloc& a);

// Difficulty of a compact target (consensus/pow.h), for the RPC result objects.
using consensus::Difficulty;

// A tx as JSON (hash, type, chainid, nonce, from, to, value, gas, fee caps,
// data, access list, signature, size). `sender` null when it does not
// recover (decoderawtransaction of a bad signature).
rapidjson::Value TxToJson(const Transaction& tx, const Hash256& hash, const Address* sender,
                          size_t size, Alloc& a);
// A receipt; `base_fee` gives effectivegasprice; `first_log_index` numbers
// the logs within the block.
rapidjson::Value ReceiptToJson(const Receipt& receipt, const Transaction& tx,
                               const Uint256& base_fee, uint64_t first_log_index, Alloc& a);
// The header fields shared by getblockheader and getblock.
void AddHeaderFields(const chain::BlockInfo& info, const chain::Chainstate& chainstate,
                     rapidjson::Value& obj, Alloc& a);

}  // namespace rpc_json

}  // namespace depin
