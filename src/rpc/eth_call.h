// eth_call and eth_estimateGas: a call object simulated on the state after
// a block (rpc/eth_block_params.h), in the context of the block after it;
// a reverting call is geth's code 3 "execution reverted: <reason>" with the
// ABI-encoded Error(string) as data. eth_estimateGas bisects for the
// smallest gas limit at which the call succeeds.
//
// Internal to rpc/eth_*.cpp. Thread-safety: handlers; any RPC worker
// thread, concurrently.
#pragma once

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

RpcResult Call(const EthApi& api, const RpcRequest& req);

// Gas used at the block gas limit (or the caller's gas), then the smallest
// limit at which the call still succeeds (a module may need more allowance
// than it ends up using), found by bisection.
RpcResult EstimateGas(const EthApi& api, const RpcRequest& req);

}  // namespace depin::eth_rpc
