// Fee suggestions and history: eth_feeHistory here; eth_gasPrice and
// eth_maxPriorityFeePerGas answer from EthApi::SuggestedTip (defined in
// eth_fees.cpp), the median effective tip of the last kTipSampleBlocks
// blocks, cached per tip.
//
// Internal to rpc/eth_*.cpp. Thread-safety: handlers; any RPC worker
// thread, concurrently (the tip cache is guarded by its own mutex).
#pragma once

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

// Base fees, gas used ratios and tip percentiles (weighted by gas used, as
// geth) of up to kMaxFeeHistoryBlocks blocks ending at newestBlock.
RpcResult FeeHistory(const EthApi& api, const RpcRequest& req);

}  // namespace depin::eth_rpc
