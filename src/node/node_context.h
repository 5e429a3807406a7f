// NodeContext: everything a running depind owns, in one struct owned by
// main (through RunNode). Components are created by node/init in dependency
// order and destroyed by Shutdown() in reverse; nothing here is global, so
// tests can run several nodes in one process.
//
// Thread-safety: the struct is filled and torn down by the main thread. While
// the node runs, other threads reach components only through the references
// they were given at construction.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>

#include "chain/chainstate.h"
#include "chain/dev_chain.h"
#include "chain/dev_clock.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "chain/validation_signals.h"
#include "compute/gpu.h"
#include "consensus/module.h"
#include "consensus/params.h"
#include "net/net_manager.h"
#include "node/args.h"
#include "node/datadir.h"
#include "node/metrics.h"
#include "node/role.h"
#include "node/shutdown.h"
#include "rpc/http_server.h"
#include "rpc/node_methods.h"
#include "rpc/rpc_dispatcher.h"
#include "util/logging.h"

namespace depin::node {

struct NodeContext {
  Args args;
  consensus::ChainParams params;
  std::filesystem::path datadir;      // -datadir
  std::filesystem::path network_dir;  // datadir or datadir/<network>
  bool dev_mode = false;

  std::unique_ptr<Logger> logger;
  std::unique_ptr<DataDirLock> lock;
  std::unique_ptr<PidFile> pid_file;

  consensus::ModuleRegistry modules;
  // -dev only: the time the dev chain's blocks carry (test-node methods move
  // it); read by the chainstate and the miner, so created before both.
  std::unique_ptr<chain::DevClock> dev_clock;
  // Created before the chainstate (which enqueues on it) and stopped after
  // every subscriber is gone, before the chainstate closes.
  std::unique_ptr<chain::ValidationSignals> signals;
  // The GPU for proof checks, sealing and -minegpu (inactive: the CPU).
  // Created before the chainstate and destroyed after everything using it.
  std::unique_ptr<compute::Gpu> gpu;
  std::unique_ptr<chain::Chainstate> chainstate;
  std::unique_ptr<chain::Mempool> mempool;
  std::unique_ptr<chain::Miner> miner;
  // -dev only: what the test-node RPC methods (evm_*, anvil_*) act through.
  std::unique_ptr<chain::DevChain> dev_chain;
  // Indexes (-txindex) and provider roles: started in the order added once
  // the chainstate and mempool exist, stopped in reverse before them.
  Roles roles;
  std::unique_ptr<net::NetManager> net;  // null with -listen=0 and no peers configured

  // What the RPC method tables read; must outlive the dispatcher.
  NodeRpcContext rpc_context;
  // Answers -28 "node is starting" until the chainstate is loaded (a
  // reindex can take hours); then the server switches to rpc_dispatcher.
  std::unique_ptr<RpcDispatcher> rpc_warmup_dispatcher;
  std::unique_ptr<RpcDispatcher> rpc_dispatcher;
  std::unique_ptr<RpcServer> rpc_server;
  // -metrics: Prometheus /metrics and /health on their own listener.
  std::unique_ptr<NodeMetrics> metrics;

  ShutdownSignal shutdown;
  // With -daemon: tells the waiting parent that start-up succeeded. Called
  // once start-up is done, or earlier when a -reindex begins (hours of work
  // the parent should not wait for; RPC answers -28 meanwhile). No-op
  // without -daemon; idempotent.
  std::function<void()> report_started;
};

}  // namespace depin::node
