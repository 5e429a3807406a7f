// The storage market's native views (storage_getProvider, storage_listProviders,
// storage_getDeal, storage_listDeals, storage_getSector, storage_getDeadlines):
// the module's own views (docs/abi/storage.json) run as eth_call runs them, at
// any block parameter, answered as JSON objects. Internal to rpc/eth_*.cpp:
// EthRpcTables adds this table beside the eth_ one.
//
// Thread-safety: handlers, as the eth_ ones.
#pragma once

#include <memory>

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

RpcTable StorageRpcTable(std::shared_ptr<EthApi> api);

}  // namespace depin::eth_rpc
