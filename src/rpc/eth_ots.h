// Otterscan's API (the ots_ namespace, docs/explorer.md): the methods
// Otterscan calls on an Erigon node, answered from the chain, its module
// traces (consensus/module_trace.h) and the address index (-addressindex).
// Ethereum-style values (hex quantities, checksummed addresses). Internal to
// rpc/eth_*.cpp: EthRpcTables adds this table beside the eth_ one.
//
// What a chain without an EVM answers:
//   ots_getInternalOperations  value modules paid in the tx (type 0 only:
//                              nothing is created or self-destructs here)
//   ots_traceTransaction       the tx's own call and the nested module calls
//                              it made (Multicall3), as recorded at connect;
//                              a failed nested call is listed, what it did
//                              inside is not (it was reverted)
//   ots_getContractCreator     null: no contract is ever created
//   ots_getTransactionError    Error(string) of the module's rule, from a
//                              replay of the block up to the tx (within the
//                              state history kept)
//
// Thread-safety: handlers, as the eth_ ones.
#pragma once

#include <memory>

#include "rpc/eth_api.h"

namespace depin::eth_rpc {

RpcTable OtsRpcTable(std::shared_ptr<EthApi> api);

}  // namespace depin::eth_rpc
