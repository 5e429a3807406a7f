// The compute market's native views (compute_getProvider,
// compute_listProviders, compute_getOrder, compute_listOrders,
// compute_listBids, compute_explainOrder, compute_getLease,
// compute_listLeases, compute_getEscrow): the module's own views
// (docs/abi/compute.json) run as eth_call runs them, at any block parameter,
// answered as JSON objects. Internal to rpc/eth_*.cpp: EthRpcTables adds this
// table beside the eth_ one.
//
// Thread-safety: handlers, as the eth_ ones.
#pragma once

#include <memory>

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

RpcTable ComputeRpcTable(std::shared_ptr<EthApi> api);

}  // namespace depin::eth_rpc
