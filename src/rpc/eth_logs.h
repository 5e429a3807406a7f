// Log queries and filters: eth_getLogs over a filter object's block range
// (at most kMaxLogBlockRange blocks and kMaxLogResults logs, else -32005),
// and the eth_newFilter / eth_getFilterChanges / eth_getFilterLogs
// handlers over the filter state in rpc/eth_filters.h. Blocks are skipped
// by their receipts' blooms before their logs are read.
//
// Internal to rpc/eth_*.cpp. Thread-safety: handlers; any RPC worker
// thread, concurrently.
#pragma once

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

RpcResult GetLogs(const EthApi& api, const RpcRequest& req);
RpcResult NewFilter(const EthApi& api, const RpcRequest& req);
RpcResult GetFilterChanges(const EthApi& api, const RpcRequest& req);
RpcResult GetFilterLogs(const EthApi& api, const RpcRequest& req);

}  // namespace depin::eth_rpc
