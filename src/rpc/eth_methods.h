// The Ethereum-compatible JSON-RPC methods (eth_, net_, web3_) that
// ethers.js, viem and MetaMask use, with Ethereum's value formats
// (quantities as minimal 0x hex, data as 0x hex) and go-ethereum's error
// messages and codes: a rejected tx is -32000 with geth's text ("nonce too
// low", "insufficient funds for gas * price + value", ...); a reverting
// eth_call / eth_estimateGas is code 3, "execution reverted: <reason>", with
// the ABI-encoded Error(string) as data. Every method is public.
//
// Block parameters take a number, "latest", "pending" (the tip: blocks are
// not built ahead), "earliest", "safe" (kSafeConfirmations behind the tip)
// and "finalized" (params.max_reorg_depth behind the tip: a conventional
// depth; reorganisations are not refused at any depth, so it is a policy, not
// a guarantee), or an EIP-1898 object with blockHash or
// blockNumber. State queries (balances, nonces, eth_call, eth_estimateGas)
// answer for the tip and for the active chain's blocks up to
// Chainstate::StateHistoryDepth() back (rebuilt from undo); older ones are
// -32000 "historical state not available: ...", an unknown block "header
// not found". eth_call at an older block N runs in block N+1's context, as
// at the tip it runs in the next block's. Account reads at the tip stay
// inline on the I/O thread; at a past block they go to a worker.
//
// node/init builds the tables over its NodeRpcContext (which must outlive
// them); the tables own the filter and subscription state, which listens to
// the chainstate and mempool for as long as the tables live.
//
// EthRpcTables also returns the markets' native views (compute_*,
// rpc/eth_compute.h; storage_*, rpc/eth_storage.h), which run the modules'
// views as eth_call does (rpc/eth_module_view.h).
//
// The table is assembled in eth_methods.cpp; the handlers live beside their
// concept: block parameters in rpc/eth_block_params, eth_call and
// eth_estimateGas in rpc/eth_call, fees in rpc/eth_fees, logs and log
// filters in rpc/eth_logs, over the state they share in rpc/eth_api.h.
//
// Thread-safety: handlers run concurrently on RPC worker threads; the shared
// state they touch is internally synchronised.
#pragma once

#include <cstdint>
#include <vector>

#include "rpc/node_methods.h"
#include "rpc/rpc_table.h"

namespace depin {

// "safe" is this many blocks behind the tip (about 90 s at 15 s spacing).
inline constexpr uint64_t kSafeConfirmations = 6;
// eth_getLogs / eth_getFilterLogs: widest block range and most logs returned.
inline constexpr uint64_t kMaxLogBlockRange = 10000;
inline constexpr size_t kMaxLogResults = 10000;
// eth_feeHistory: most blocks per call (as geth).
inline constexpr uint64_t kMaxFeeHistoryBlocks = 1024;
// eth_feeHistory: most reward percentiles per call (geth's query limit). A
// reply row holds one entry per percentile per block, so without this a
// small request asks for a reply thousands of times its size.
inline constexpr size_t kMaxRewardPercentiles = 100;
// eth_getCode of a native module address: non-empty so tools treat it as a
// contract, and 0xfe (EVM INVALID) so nothing could ever run it.
inline constexpr const char* kModuleCodeMarker = "0xfe";
// Tip suggested when recent blocks hold no txs to sample: 1 gwei (geth's).
inline constexpr uint64_t kDefaultSuggestedTipWei = 1'000'000'000;
// Recent blocks sampled for eth_maxPriorityFeePerGas / eth_gasPrice.
inline constexpr uint64_t kTipSampleBlocks = 20;

// The "eth" table (eth_, net_ and web3_ methods). With a null chainstate
// (docs) the handlers answer "node is starting".
std::vector<RpcTable> EthRpcTables(const NodeRpcContext& ctx);

}  // namespace depin
