// Block parameters of the eth_ methods: a number, "latest", "pending",
// "earliest", "safe", "finalized" or an EIP-1898 object (see
// rpc/eth_methods.h), resolved to a height, a block and the state after it
// by EthApi's ResolveHeight, ResolveBlock, RequireBlock and StateFor (defined
// in eth_block_params.cpp). Here: the table's "block" parameter and its
// help, the blockHash parameter as a block, and which calls read the tip's
// state only.
//
// Internal to rpc/eth_*.cpp. Thread-safety: pure functions, or reads of the
// internally synchronised chainstate; any thread.
#pragma once

#include <optional>
#include <string>

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

inline constexpr const char* kBlockHelp =
    "block number, tag (latest, pending, earliest, safe, finalized) or {blockHash} / "
    "{blockNumber}";

RpcParam BlockParam(std::string default_json, std::string help);

// For the methods that read state.
std::string StateBlockHelp();

// eth_getBalance / eth_getTransactionCount run on the I/O thread (O(1)) for
// the tip only: a past block's state reads the undo of every block since.
bool QueriesTipState(const Value* params);

// The block a request's "blockHash" names, when this node has its data.
std::optional<chain::BlockInfo> BlockByHashParam(const EthApi& api, const RpcRequest& req);

}  // namespace depin::eth_rpc
