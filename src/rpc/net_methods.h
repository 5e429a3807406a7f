// P2P RPC methods (Bitcoin Core names): getpeerinfo, getconnectioncount,
// addnode, disconnectnode, setban, listbanned, clearbanned, getnettotals,
// ping. Methods that change state or reveal peers' addresses are admin.
// NetworkInfoFields fills the P2P part of getnetworkinfo (connections in
// and out, local addresses, network active) for the control table.
//
// node/init creates the table with a pointer to the running NetManager
// (null when networking is off or for docs: the methods then fail with
// "P2P networking is disabled").
//
// Thread-safety: handlers run on RPC worker threads; NetManager is
// thread-safe.
#pragma once

#include <rapidjson/document.h>

#include "net/net_manager.h"
#include "rpc/rpc_table.h"

namespace depin {

RpcTable NetRpcTable(net::NetManager* net);

// Adds networkactive, connections, connections_in, connections_out and
// localaddresses to `obj` (net may be null: no connections).
void NetworkInfoFields(const net::NetManager* net, rapidjson::Value& obj,
                       rapidjson::Document::AllocatorType& a);

}  // namespace depin
