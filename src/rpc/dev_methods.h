// The test-node methods of a dev node (`depind -dev`), under the names
// Hardhat Network and Anvil give them so that their tooling
// (hardhat-network-helpers, viem's test actions, Foundry scripts) drives a
// depind dev chain unchanged: evm_mine, evm_setAutomine,
// evm_setIntervalMining, evm_snapshot, evm_revert, evm_increaseTime,
// evm_setNextBlockTimestamp, and anvil_mine / hardhat_mine (plus
// anvil_setAutomine, anvil_setIntervalMining). Access is RpcAccess::kDev:
// node/init registers the table only with -dev, where no credentials are
// needed; on other nodes the names are unknown (-32601). docs/dev-node.md
// describes what each does to the chain.
//
// Thread-safety: handlers run on RPC workers; DevChain and Miner are
// thread-safe.
#pragma once

#include "chain/dev_chain.h"
#include "chain/miner.h"
#include "rpc/rpc_table.h"

namespace depin {

// Both may be null (rendering docs): handlers then answer "node is starting".
RpcTable DevRpcTable(chain::DevChain* dev, chain::Miner* miner);

}  // namespace depin
