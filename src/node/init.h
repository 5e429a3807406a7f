// Node start-up and shutdown: the one place where arguments become the
// options structs of each component (LoggerOptions, ChainstateOptions,
// MempoolOptions, MinerOptions, RpcServerOptions) and where components are
// created, wired and torn down in order.
//
// Start-up: parse the command line, read depin.conf, choose the network,
// prepare and lock the datadir, fork with -daemon, open debug.log, write the
// pid file, build the module registry, open the chainstate, create the
// mempool and miner, register the RPC tables and start the RPC server, start
// mining, print the dev banner. Shutdown (SIGINT, SIGTERM or `stop`): stop
// RPC, stop the miner, drop the mempool, flush and close the chainstate,
// remove the pid file, release the lock; each step is logged.
//
// Thread-safety: RunNode and the *FromArgs builders run on the main thread.
#pragma once

#include <chrono>
#include <string_view>

#include "chain/chainstate.h"
#include "chain/mempool.h"
#include "chain/miner.h"
#include "net/net_manager.h"
#include "node/args.h"
#include "node/node_context.h"
#include "rpc/eth_filters.h"
#include "rpc/eth_subscriptions.h"
#include "rpc/http_server.h"
#include "util/logging.h"
#include "util/status.h"

namespace depin::node {

inline constexpr std::string_view kDepindVersion = "0.1.0";

// depind's main(): returns the process exit code (0 after a clean shutdown,
// 1 when start-up fails; the reason is printed to stderr and the log).
int RunNode(int argc, const char* const* argv);

// Builders from arguments, exposed for unit tests. `args` must have had its
// network selected.
Result<LoggerOptions> LoggerOptionsFromArgs(const Args& args,
                                            const std::filesystem::path& network_dir,
                                            bool dev_mode);
// -testfailblockwrites is refused unless `regtest`.
Result<chain::ChainstateOptions> ChainstateOptionsFromArgs(const Args& args,
                                                           const std::filesystem::path& network_dir,
                                                           bool regtest, Logger* logger);
Result<chain::MempoolOptions> MempoolOptionsFromArgs(const Args& args, Logger* logger);
// Options shared by the optional indexes (-txindex ...): their folder is
// <network_dir>/indexes/<name>/, their cache a share of -dbcache.
Result<index::IndexOptions> IndexOptionsFromArgs(const Args& args,
                                                 const std::filesystem::path& network_dir,
                                                 Logger* logger);
// -devblocktime as an interval: 0 (mine as soon as a tx arrives) or 0.001 to
// 86400 seconds, kept to the millisecond. Checked before the datadir is
// touched. Errors: "args-bad-value" (out of range; the form was checked when
// the arguments were parsed).
Result<std::chrono::milliseconds> DevBlockIntervalFromArgs(const Args& args);
// Errors: "args-bad-value" for an unparsable -mineraddress or a missing one
// with -mine outside dev mode, and DevBlockIntervalFromArgs's.
// -gpu, -gpudevices and -gpuminbatch.
Result<compute::GpuOptions> GpuOptionsFromArgs(const Args& args, Logger* logger);

Result<chain::MinerOptions> MinerOptionsFromArgs(const Args& args,
                                                 const consensus::ChainParams& params,
                                                 bool dev_mode, Logger* logger);
// Errors: "args-bad-value" for out-of-range ports and limits.
Result<net::NetOptions> NetOptionsFromArgs(const Args& args, const consensus::ChainParams& params,
                                           const std::filesystem::path& network_dir,
                                           Logger* logger);
Result<RpcServerOptions> RpcServerOptionsFromArgs(const Args& args,
                                                  const consensus::ChainParams& params,
                                                  const std::filesystem::path& network_dir);

// What one RPC client may make the eth_ methods hold (NodeRpcContext):
// -rpcfiltersperclient, -rpcfiltertimeout, -rpcmaxsubscriptions.
struct RpcClientLimits {
  EthFilterLimits filters;
  size_t subscriptions_per_connection = kMaxSubscriptionsPerSession;
};
// Errors: "args-bad-value" for a limit out of range.
Result<RpcClientLimits> RpcClientLimitsFromArgs(const Args& args);

// The RPC reference (docs/rpc.md) rendered from the method tables.
std::string RpcDocsMarkdown();

}  // namespace depin::node
