#include "node/init.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include <charconv>
#include <chrono>
#include <iostream>
#include <thread>

#include "chain/block_file_reader.h"
#include "consensus/multicall.h"
#include "consensus/test_module.h"
#include "index/address_index.h"
#include "index/market_index.h"
#include "index/tx_index.h"
#include "market/compute_market.h"
#include "market/provider/compute_provider_role.h"
#include "node/dev_accounts.h"
#include "rpc/dev_methods.h"
#include "rpc/eth_methods.h"
#include "rpc/explorer_routes.h"
#include "rpc/net_methods.h"
#include "storage/market.h"
#include "storage/provider/provider_http.h"
#include "storage/provider/provider_role.h"

namespace depin::node {

namespace fs = std::filesystem;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailure = 1;
constexpr size_t kDevAccountCount = 10;

// Waits for the stop reply to reach the client before the server closes
// its connection.
constexpr auto kStopReplyGrace = std::chrono::milliseconds(200);

// A start-up failure: printed to stderr and, once the log is open, logged.
int Fail(NodeContext& node, const Status& status) {
  std::cerr << "depind: error: " << status.message() << std::endl;
  if (node.logger)
    LogError(node.logger.get(), LogCategory::kNode, "start-up failed: {}", status.ToString());
  return kExitFailure;
}

// -daemon: forks; the parent waits until the child reports whether start-up
// succeeded and exits with that result, so `depind -daemon && depin-cli ...`
// works in scripts. Returns the pipe the child reports on (-1 without
// -daemon), or an error in the parent's stead.
struct DaemonHandle {
  int report_fd = -1;
  void Report(bool ok) {
    if (report_fd < 0) return;
    char byte = ok ? '1' : '0';
    [[maybe_unused]] ssize_t n = ::write(report_fd, &byte, 1);
    ::close(report_fd);
    report_fd = -1;
  }
};

Result<DaemonHandle> Daemonize() {
  int fds[2];
  if (::pipe(fds) != 0) return Status::Error("daemon-failed", "pipe() failed");
  pid_t pid = ::fork();
  if (pid < 0) return Status::Error("daemon-failed", "fork() failed");
  if (pid > 0) {
    ::close(fds[1]);
    char byte = '0';
    ssize_t n = ::read(fds[0], &byte, 1);
    ::_exit(n == 1 && byte == '1' ? kExitOk : kExitFailure);
  }
  ::close(fds[0]);
  ::setsid();
  int devnull = ::open("/dev/null", O_RDWR);
  if (devnull >= 0) {
    ::dup2(devnull, STDIN_FILENO);
    ::dup2(devnull, STDOUT_FILENO);
    // Start-up errors from here on are in debug.log; the parent's exit code
    // says whether there are any.
    ::dup2(devnull, STDERR_FILENO);
    if (devnull > STDERR_FILENO) ::close(devnull);
  }
  return DaemonHandle{fds[1]};
}

// -storageprovider and its options, checked before anything starts.
Result<std::unique_ptr<storage::StorageProviderRole>> MakeStorageProviderRole(NodeContext& node) {
  auto key = storage::LoadProviderKey(node.args.GetString("storageprovider", ""));
  if (!key.ok()) return key.status();
  storage::ProviderOptions o;
  o.key_file = node.args.GetString("storageprovider", "");
  o.sector_dir = node.args.GetString("sectordir", "");
  if (o.sector_dir.empty()) o.sector_dir = (node.network_dir / "storage").string();
  o.parent_cache_dir = node.args.GetString("parentcachedir", "");
  // Only a working device: without one the library's own multi-threaded CPU trees
  // are faster than the device backend's CPU fallback.
  o.seal_hash = node.gpu != nullptr && node.gpu->active() ? node.gpu->hash_backend() : nullptr;
  auto price = Uint256::FromDecimal(node.args.GetString("storageprice", "1000000000"));
  if (!price.ok()) {
    return Status::Error("args-bad-value", "-storageprice must be a decimal amount of wei");
  }
  o.price_per_gib = *price;
  if (node.args.IsSet("storagestake")) {
    auto stake = Uint256::FromDecimal(node.args.GetString("storagestake", ""));
    if (!stake.ok()) {
      return Status::Error("args-bad-value", "-storagestake must be a decimal amount of wei");
    }
    o.stake = *stake;
  }
  const int64_t min_deal = node.args.GetInt("storagemindeal", 1);
  if (min_deal < 1) return Status::Error("args-bad-value", "-storagemindeal must be at least 1");
  o.min_duration = static_cast<uint64_t>(min_deal);
  if (node.args.IsSet("storagesectorsize")) {
    auto size = storage::proofs::ParseSectorSize(node.args.GetString("storagesectorsize", ""));
    if (!size.ok()) return Status::Error("args-bad-value", size.status().message());
    o.sector_size = size->bytes();
  }
  if (node.args.IsSet("storagediskreserve")) {
    const std::string text = node.args.GetString("storagediskreserve", "");
    uint64_t mib = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), mib);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
        mib > (uint64_t{1} << 40)) {
      return Status::Error("args-bad-value", "-storagediskreserve must be a number of MiB");
    }
    o.disk_reserve = mib << 20;
  }
  if (node.args.IsSet("testsealpause")) {
    if (node.params.network != consensus::Network::kRegtest) {
      return Status::Error("args-bad-value", "-testsealpause is only available on regtest");
    }
    const int64_t ms = node.args.GetInt("testsealpause", 0);
    if (ms < 0 || ms > 600'000) {
      return Status::Error("args-bad-value", "-testsealpause must be 0..600000 ms");
    }
    o.seal_pause = std::chrono::milliseconds(ms);
  }
  o.uri = node.args.GetString("storageuri", "");
  if (o.uri.empty()) {
    // Where this node serves the data routes; the public port needs no auth
    // and is the one meant for strangers.
    const int64_t port = node.rpc_context.rpc_public_port ? *node.rpc_context.rpc_public_port
                                                          : node.rpc_context.rpc_port;
    o.uri = "http://127.0.0.1:" + std::to_string(port) + "/";
  }
  return std::make_unique<storage::StorageProviderRole>(std::move(o), std::move(key).value(),
                                                        node.params);
}

// -computeprovider and its options.
Result<std::unique_ptr<market::ComputeProviderRole>> MakeComputeProviderRole(NodeContext& node) {
  auto key = storage::LoadProviderKey(node.args.GetString("computeprovider", ""));
  if (!key.ok()) return key.status();
  market::ComputeProviderOptions o;
  o.work_dir = node.args.GetString("computedir", "");
  if (o.work_dir.empty()) o.work_dir = (node.network_dir / "compute").string();
  if (!node.args.IsSet("gpus")) {
    return Status::Error("args-bad-value",
                         "-computeprovider needs -gpus=VENDOR:MODEL:COUNT:VRAMGIB[:pcie|sxm] "
                         "or -gpus=auto");
  }
  std::string gpus = node.args.GetString("gpus", "");
  if (gpus == "none") {
    return Status::Error("args-bad-value",
                         "-gpus=none offers nothing: a compute provider registers at least one "
                         "GPU (-gpus=auto or VENDOR:MODEL:COUNT:VRAMGIB)");
  }
  if (gpus == "auto" || gpus == "detect") {
    // The device layer's discovery, under the names the market stores.
    auto offer = compute::DetectGpuOffer(compute::EnumerateDevices());
    if (!offer) return Status::Error("args-bad-value", "-gpus=auto: no GPU found");
    gpus = offer->vendor + ":" + offer->model + ":" + std::to_string(offer->count) + ":" +
           std::to_string(offer->vram_gib);
    LogInfo(node.logger.get(), LogCategory::kNode, "-gpus=auto: offering {}", gpus);
  }
  auto attributes =
      market::GpuAttributesFromArgs(gpus, node.args.GetString("computeattributes", ""));
  if (!attributes.ok()) return attributes.status();
  o.attributes = *attributes;
  if (node.args.IsSet("bidprice")) {
    auto prices = market::ParseBidPrices(node.args.GetString("bidprice", ""));
    if (!prices.ok()) return prices.status();
    o.bid_prices = *prices;
  }
  if (node.args.IsSet("computestake")) {
    auto stake = Uint256::FromDecimal(node.args.GetString("computestake", ""));
    if (!stake.ok()) {
      return Status::Error("args-bad-value", "-computestake must be a decimal amount of wei");
    }
    o.stake = *stake;
  }
  o.lease_hook = node.args.GetString("leasehook", "");
  if (!o.lease_hook.empty() && ::access(o.lease_hook.c_str(), X_OK) != 0) {
    return Status::Error("args-bad-value", "-leasehook " + o.lease_hook + " is not executable");
  }
  const int64_t every = node.args.GetInt("computewithdrawevery", 100);
  if (every < 1) return Status::Error("args-bad-value", "-computewithdrawevery must be >= 1");
  o.withdraw_every = static_cast<uint64_t>(every);
  o.host_uri = node.args.GetString("computeuri", "");
  if (o.host_uri.empty()) {
    const int64_t port = node.rpc_context.rpc_public_port ? *node.rpc_context.rpc_public_port
                                                          : node.rpc_context.rpc_port;
    o.host_uri = "http://127.0.0.1:" + std::to_string(port) + "/";
  }
  return std::make_unique<market::ComputeProviderRole>(std::move(o), std::move(key).value(),
                                                       node.params);
}

void BuildModules(NodeContext& node) {
  if (node.params.enable_test_module)
    node.modules.Register(consensus::MakeTestModule(), node.params.test_module_activation_height);
  if (node.params.compute.activation_height != consensus::kNeverActive) {
    node.modules.Register(market::MakeComputeMarket(node.params.compute),
                          node.params.compute.activation_height);
  }
  if (node.params.storage.activation_height != consensus::kNeverActive) {
    node.modules.Register(storage::MakeStorageMarket(node.params.storage),
                          node.params.storage.activation_height);
  }
  if (node.params.multicall_activation_height != consensus::kNeverActive) {
    node.modules.Register(consensus::MakeMulticall(), node.params.multicall_activation_height);
  }
}

// Everything before the first thread: arguments, config, network, datadir,
// lock. Returns an exit code to stop with (help, version, errors), or
// nullopt to go on.
std::optional<int> ParseAndPrepare(NodeContext& node, int argc, const char* const* argv) {
  if (Status s = node.args.ParseCommandLine(argc, argv); !s.ok()) return Fail(node, s);
  if (node.args.GetBool("help", false)) {
    std::cout << ArgsHelpText();
    return kExitOk;
  }
  if (node.args.GetBool("version", false)) {
    std::cout << "depind " << kDepindVersion << "\n";
    return kExitOk;
  }
  if (node.args.GetBool("dumpconfexample", false)) {
    std::cout << ConfigExampleText();
    return kExitOk;
  }
  if (node.args.GetBool("dumprpcdocs", false)) {
    std::cout << RpcDocsMarkdown();
    return kExitOk;
  }

  // A missing datadir is created, explicit or not, as geth does: `make run`
  // and tutorials pass -datadir for folders that do not exist yet. The
  // folder is logged at start so a typo is easy to spot.
  node.datadir = ResolveDataDir(node.args.GetString("datadir", ""));
  bool explicit_conf = node.args.IsSet("conf");
  fs::path conf = node.args.GetString("conf", "depin.conf");
  if (conf.is_relative()) conf = node.datadir / conf;
  if (Status s = node.args.ReadConfigFile(conf, /*required=*/explicit_conf); !s.ok()) {
    return Fail(node, s);
  }
  auto network = node.args.SelectNetwork();
  if (!network) return Fail(node, network.status());
  node.params = consensus::ParamsFor(*network);

  node.dev_mode = node.args.GetBool("dev", false);
  // Option values that can be checked without the datadir are checked
  // before it is created: a typo must not leave an empty chain behind.
  if (auto interval = DevBlockIntervalFromArgs(node.args); !interval) {
    return Fail(node, interval.status());
  }
  if (auto gpu = GpuOptionsFromArgs(node.args, nullptr); !gpu) return Fail(node, gpu.status());
  if (node.args.GetBool("explorer", false) && !ExplorerBuiltIn()) {
    return Fail(node, Status::Error("explorer-not-built",
                                    "-explorer: this depind was built with -DDEPIN_EXPLORER=OFF"));
  }
  if (node.dev_mode) {
    node.args.SoftSet("mine", "1");
    node.args.SoftSet("printtoconsole", "1");
    // A dev chain mines at minimum difficulty: anyone who could reach its
    // P2P port could reorganise it. Loopback only, unless -bind says more.
    node.args.SoftSet("bind", "127.0.0.1");
  }

  auto net_dir = PrepareNetworkDir(node.datadir, node.params.datadir_sub,
                                   /*create_datadir=*/true);
  if (!net_dir) return Fail(node, net_dir.status());
  node.network_dir = *net_dir;
  auto lock = DataDirLock::Acquire(node.network_dir);
  if (!lock) return Fail(node, lock.status());
  node.lock = std::move(*lock);
  return std::nullopt;
}

Status StartComponents(NodeContext& node) {
  Logger* logger = node.logger.get();
  LogInfo(logger, LogCategory::kNode, "depind {} starting: network {}, datadir {}", kDepindVersion,
          node.params.name, node.network_dir.string());

  BuildModules(node);
  for (const consensus::Module* m : node.modules.All()) {
    LogInfo(logger, LogCategory::kNode, "module {} at {}", m->name(), m->address().ToChecksumHex());
  }

  // RPC answers from the start: -28 "node is starting" with what it is doing
  // until the chainstate is loaded, so operators and wallets can tell a
  // starting node from a dead one.
  auto rpc_options = RpcServerOptionsFromArgs(node.args, node.params, node.network_dir);
  if (!rpc_options) return rpc_options.status();
  auto rpc_client_limits = RpcClientLimitsFromArgs(node.args);
  if (!rpc_client_limits) return rpc_client_limits.status();
  node.rpc_warmup_dispatcher = std::make_unique<RpcDispatcher>(logger);
  node.rpc_warmup_dispatcher->SetWarmup("node is starting: loading the chainstate",
                                        [&node] { node.shutdown.Request(); });
  node.rpc_server = std::make_unique<RpcServer>(*rpc_options, *node.rpc_warmup_dispatcher, logger);
  DEPIN_RETURN_IF_ERROR(node.rpc_server->Start());
  NodeRpcContext& rc = node.rpc_context;
  rc.rpc_port = node.rpc_server->port();
  rc.rpc_public_port = node.rpc_server->public_port();
  LogInfo(logger, LogCategory::kNode, "RPC listening on port {}{}", rc.rpc_port,
          rc.rpc_public_port ? ", public port " + std::to_string(*rc.rpc_public_port) : "");
  if (node.args.IsSet("metrics")) {
    auto address = ParseMetricsAddress(node.args.GetString("metrics", ""));
    if (!address.ok()) return address.status();
    std::vector<std::string> allow = node.args.GetList("metricsallowip");
    if (allow.empty()) allow = {"127.0.0.1", "::1"};
    node.metrics = std::make_unique<NodeMetrics>(node, *address, std::move(allow));
    DEPIN_RETURN_IF_ERROR(node.metrics->Start());
    LogInfo(logger, LogCategory::kNode, "metrics listening on {}:{} (/metrics, /health)",
            address->host, node.metrics->port());
  }

  auto started = std::chrono::steady_clock::now();
  // -reindex: the block files move to blocks.reindex/, the chainstate starts
  // empty and every block is replayed from there. A reindex interrupted by a
  // stop, a signal or a crash resumes at the next start: blocks.reindex/ is
  // still there, and the blocks already stored again are skipped.
  const fs::path reindex_dir = node.network_dir / "blocks.reindex";
  std::error_code ec;
  const bool resume = fs::exists(reindex_dir, ec);
  const bool reindex = node.args.GetBool("reindex", false) || resume;
  if (reindex && !resume) {
    if (fs::exists(node.network_dir / "blocks", ec))
      fs::rename(node.network_dir / "blocks", reindex_dir, ec);
    if (!ec) fs::remove_all(node.network_dir / "chainstate", ec);
    if (ec) return Status::Error("reindex-failed", "cannot prepare the reindex: " + ec.message());
    LogInfo(logger, LogCategory::kNode, "reindex: rebuilding the chainstate from {}",
            reindex_dir.string());
  } else if (resume) {
    LogInfo(logger, LogCategory::kNode,
            "reindex: resuming the interrupted rebuild from {} (blocks already stored are "
            "skipped)",
            reindex_dir.string());
  }
  node.signals =
      std::make_unique<chain::ValidationSignals>(chain::ValidationSignalsOptions{logger});
  auto chainstate_options = ChainstateOptionsFromArgs(
      node.args, node.network_dir, node.params.network == consensus::Network::kRegtest, logger);
  if (!chainstate_options) return chainstate_options.status();
  if (node.dev_mode) {
    // Test-node methods move the dev chain's time (evm_increaseTime); the
    // node judges its own blocks by the same clock.
    node.dev_clock = std::make_unique<chain::DevClock>();
    chainstate_options->clock = [clock = node.dev_clock.get()] { return clock->AdjustedNow(); };
    // A dev chain trades the per-block fsync of the chainstate batch for
    // latency (test mode mines a block per tx): a crash of depind loses
    // nothing (the writes are in the OS). A crash of the machine may lose
    // more than the last blocks: without fsync LevelDB promises no prefix
    // (a log it retired unsynced can lose batches that a later synced write
    // outlives; state_store_fault_injection_test), so a dev chainstate may
    // need -reindex after a power cut. Block files are still synced before
    // the index points at them.
    chainstate_options->sync_writes = false;
  }
  // A local failure while changing the chain (a full disk) stops the node
  // with a failure exit code, as Bitcoin Core's AbortNode.
  chainstate_options->fatal_error = [&node](const Status&) { node.shutdown.RequestFatal(); };
  chainstate_options->signals = node.signals.get();
  // The GPU (or the CPU, said in one log line) for proof checks, sealing
  // trees and -minegpu.
  auto gpu_options = GpuOptionsFromArgs(node.args, logger);
  if (!gpu_options) return gpu_options.status();
  node.gpu = compute::Gpu::Open(*gpu_options);
  rc.gpu = node.gpu.get();
  chainstate_options->proof_hash = node.gpu->hash_backend();
  auto chainstate = chain::Chainstate::Open(node.params, node.modules, *chainstate_options);
  if (!chainstate) {
    const Status& s = chainstate.status();
    // Damage found at open: say where, and what repairs it. LevelDB's own
    // text ("Corruption: block checksum mismatch") names neither.
    if (s.Is(StatusKind::kCorruption) && !reindex) {
      const bool in_blocks = s.code().starts_with("blockstore-");
      const fs::path where = node.network_dir / (in_blocks ? "blocks" : "chainstate");
      return Status::Corruption(
          s.code(), std::string(in_blocks ? "the block files in " : "the chainstate database in ") +
                        where.string() + (in_blocks ? " are" : " is") + " damaged (" + s.message() +
                        "); restart with -reindex to rebuild the chainstate from the block files");
    }
    return s;
  }
  node.chainstate = std::move(*chainstate);
  if (reindex) {
    // Decoding (sender recovery over every core) runs on a read-ahead thread
    // beside the connecting one, as in initial sync.
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    node.rpc_warmup_dispatcher->SetWarmup(
        "node is starting: rebuilding the chainstate from the block files (-reindex)");
    if (node.report_started) {
      LogInfo(logger, LogCategory::kNode,
              "reindex: with -daemon, start-up is reported now; RPC answers -28 until the "
              "rebuild is done");
      node.report_started();
    }
    uint64_t polls = 0;
    auto stats =
        chain::ReplayBlockFiles(reindex_dir, *node.chainstate, logger, cores, [&node, &polls] {
          if (++polls % 256 == 0) {
            node.rpc_warmup_dispatcher->SetWarmup(
                "node is starting: rebuilding the chainstate from the block files (-reindex), "
                "height " +
                std::to_string(node.chainstate->Tip().height));
          }
          return node.shutdown.requested();
        });
    if (!stats && stats.status().Is(StatusKind::kInterrupted)) {
      LogInfo(logger, LogCategory::kNode, "reindex: {}; it resumes at the next start",
              stats.status().message());
      return Status::Error(StatusKind::kInterrupted, "shutdown-requested",
                           "shutdown requested during the reindex");
    }
    if (!stats) return stats.status();
    LogInfo(logger, LogCategory::kNode,
            "reindex: {} blocks read, {} stored, {} already stored, {} invalid, {} without "
            "parent, {} records skipped",
            stats->blocks_read, stats->blocks_accepted, stats->blocks_known, stats->blocks_invalid,
            stats->blocks_unlinked, stats->records_skipped);
    fs::remove_all(reindex_dir, ec);
  }
  chain::TipInfo tip = node.chainstate->Tip();
  LogInfo(logger, LogCategory::kNode, "chainstate loaded in {} ms: height {}, tip {}",
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                started)
              .count(),
          tip.height, tip.hash.Hex());

  auto mempool_options = MempoolOptionsFromArgs(node.args, logger);
  if (!mempool_options) return mempool_options.status();
  node.mempool = std::make_unique<chain::Mempool>(*mempool_options, *node.chainstate);

  auto miner_options = MinerOptionsFromArgs(node.args, node.params, node.dev_mode, logger);
  if (!miner_options) return miner_options.status();
  miner_options->dev_clock = node.dev_clock.get();
  if (node.args.GetBool("minegpu", false)) {
    miner_options->gpu = node.gpu.get();
    rc.gpu_mining = true;
    if (!node.gpu->active()) {
      LogInfo(logger, LogCategory::kNode, "-minegpu: no GPU is active; mining on the CPU");
    }
  }
  bool mine = node.args.GetBool("mine", false);
  // The miner exists even without -mine: generatetoaddress uses it.
  node.miner = std::make_unique<chain::Miner>(*miner_options, *node.chainstate, node.mempool.get());
  if (node.dev_mode) {
    auto faucet = DeriveDevFaucet();
    if (!faucet) return faucet.status();
    node.dev_chain = std::make_unique<chain::DevChain>(
        *node.chainstate, *node.mempool, *node.miner, *node.dev_clock, miner_options->coinbase,
        chain::DevFaucet{faucet->key, faucet->address});
  }

  // Indexes catch up in the background; RPC reports their progress.
  auto index_options = IndexOptionsFromArgs(node.args, node.network_dir, logger);
  if (!index_options) return index_options.status();
  if (node.args.GetBool("txindex", true)) {
    auto tx_index = std::make_unique<index::TxIndex>(*node.chainstate, *index_options);
    rc.tx_index = tx_index.get();
    node.roles.Add(std::make_unique<IndexRole>(std::move(tx_index)));
  } else {
    LogInfo(logger, LogCategory::kNode,
            "tx index disabled (-txindex=0): mined txs cannot be looked up by hash");
  }
  if (node.args.GetBool("addressindex", false)) {
    auto address_index = std::make_unique<index::AddressIndex>(*node.chainstate, *index_options);
    rc.address_index = address_index.get();
    node.roles.Add(std::make_unique<IndexRole>(std::move(address_index)));
  }
  if (node.args.GetBool("marketindex", false)) {
    auto market_index = std::make_unique<index::MarketIndex>(*node.chainstate, *index_options);
    rc.market_index = market_index.get();
    node.roles.Add(std::make_unique<IndexRole>(std::move(market_index)));
  }
  for (const auto& role : node.roles.all()) {
    if (auto* index_role = dynamic_cast<const IndexRole*>(role.get())) {
      rc.indexes.push_back(&index_role->index());
    }
  }
  if (node.args.IsSet("storageprovider")) {
    auto role = MakeStorageProviderRole(node);
    if (!role.ok()) return role.status();
    node.roles.Add(std::move(role).value());
  }
  if (node.args.IsSet("computeprovider")) {
    auto role = MakeComputeProviderRole(node);
    if (!role.ok()) return role.status();
    node.roles.Add(std::move(role).value());
  }
  RoleContext role_context{node.chainstate.get(), node.signals.get(), node.mempool.get(), logger};
  DEPIN_RETURN_IF_ERROR(node.roles.StartAll(role_context));

  auto net_options = NetOptionsFromArgs(node.args, node.params, node.network_dir, logger);
  if (!net_options) return net_options.status();
  node.net = std::make_unique<net::NetManager>(node.params, *node.chainstate, node.mempool.get(),
                                               *net_options);
  DEPIN_RETURN_IF_ERROR(node.net->Start());

  node.rpc_warmup_dispatcher->SetWarmup("node is starting: starting P2P and RPC");
  rc.params = &node.params;
  rc.chainstate = node.chainstate.get();
  rc.mempool = node.mempool.get();
  rc.miner = node.miner.get();
  rc.mining_enabled = mine;
  if (mine || node.args.IsSet("mineraddress")) rc.miner_address = miner_options->coinbase;
  rc.miner_threads = miner_options->threads;
  rc.mempool_max_bytes = mempool_options->max_bytes;
  rc.version = std::string(kDepindVersion);
  rc.p2p_port = static_cast<uint16_t>(node.args.GetInt("port", node.params.default_port));
  rc.request_shutdown = [&node] { node.shutdown.Request(); };
  rc.filter_limits = rpc_client_limits->filters;
  rc.subscriptions_per_connection = rpc_client_limits->subscriptions_per_connection;
  rc.net = node.net.get();
  if (node.net) {
    rc.peer_count = [net = node.net.get()] {
      return net->ConnectionCount(/*inbound=*/true, /*outbound=*/true);
    };
  }

  node.rpc_dispatcher = std::make_unique<RpcDispatcher>(logger);
  for (RpcTable& table : NodeRpcTables(rc)) {
    DEPIN_RETURN_IF_ERROR(node.rpc_dispatcher->AddTable(std::move(table)));
  }
  // The eth_ tables listen to the chainstate and mempool while they live;
  // the dispatcher (their owner) is destroyed before both.
  for (RpcTable& table : EthRpcTables(rc)) {
    DEPIN_RETURN_IF_ERROR(node.rpc_dispatcher->AddTable(std::move(table)));
  }
  DEPIN_RETURN_IF_ERROR(node.rpc_dispatcher->AddTable(NetRpcTable(node.net.get())));
  DEPIN_RETURN_IF_ERROR(node.rpc_dispatcher->AddTable(storage::StorageProviderRpcTable(
      dynamic_cast<storage::StorageProviderRole*>(node.roles.Find("storageprovider")))));
  // The test-node methods exist on a dev node only: elsewhere -32601.
  if (node.dev_mode) {
    DEPIN_RETURN_IF_ERROR(
        node.rpc_dispatcher->AddTable(DevRpcTable(node.dev_chain.get(), node.miner.get())));
  }
  auto* compute_provider =
      dynamic_cast<market::ComputeProviderRole*>(node.roles.Find("computeprovider"));
  DEPIN_RETURN_IF_ERROR(
      node.rpc_dispatcher->AddTable(market::ComputeProviderRpcTable(compute_provider)));
  // Every table and the observer before the first request reaches the
  // dispatcher (RpcDispatcher's thread-safety).
  if (node.metrics) node.rpc_dispatcher->SetCallObserver(node.metrics->RpcObserver());
  node.rpc_server->SetDispatcher(*node.rpc_dispatcher);
  HttpRoutes routes;
  if (auto* provider =
          dynamic_cast<storage::StorageProviderRole*>(node.roles.Find("storageprovider"))) {
    routes = storage::StorageProviderRoutes(provider);
    LogInfo(logger, LogCategory::kNode,
            "serving deal uploads and retrievals at /storage/deals/ and /piece/");
  }
  if (compute_provider != nullptr) {
    for (HttpRoute& r : market::ComputeProviderRoutes(compute_provider)) {
      routes.push_back(std::move(r));
    }
    LogInfo(logger, LogCategory::kNode, "taking lease manifests at /compute/leases/");
  }
  if (node.args.GetBool("explorer", false)) {
    for (HttpRoute& r : ExplorerRoutes()) routes.push_back(std::move(r));
    LogInfo(logger, LogCategory::kNode, "serving the web explorer at /explorer/ on RPC port {}",
            node.rpc_server->port());
  }
  if (!routes.empty()) {
    node.rpc_server->SetRoutes(std::make_shared<const HttpRoutes>(std::move(routes)));
  }
  if (node.metrics) node.metrics->SetReady();
  LogInfo(logger, LogCategory::kNode, "RPC ready");

  if (mine) {
    node.miner->Start();
    LogInfo(logger, LogCategory::kNode, "mining to {}{}", miner_options->coinbase.ToChecksumHex(),
            miner_options->dev ? ", " + DevMiningText(miner_options->dev_block_interval) : "");
  }

  if (node.dev_mode) {
    auto accounts = DeriveDevAccounts(kDevAccountCount);
    if (!accounts) return accounts.status();
    std::string host =
        rpc_options->bind_addresses.empty() ? "127.0.0.1" : rpc_options->bind_addresses.front();
    if (host.find(':') != std::string::npos) host = "[" + host + "]";
    std::string url = "http://" + host + ":" + std::to_string(rc.rpc_port);
    std::string banner =
        DevBanner(*accounts, Dpn(consensus::kDevAccountBalanceDpn), url, node.params.chain_id,
                  DevMiningText(miner_options->dev_block_interval));
    std::cout << banner << std::flush;
    LogInfo(logger, LogCategory::kNode,
            "dev mode: RPC at {}, 10 funded accounts from the "
            "development mnemonic",
            url);
  }
  return Status::Ok();
}

void Shutdown(NodeContext& node, const std::string& reason) {
  Logger* logger = node.logger.get();
  LogInfo(logger, LogCategory::kNode, "shutdown requested ({})", reason);
  auto started = std::chrono::steady_clock::now();
  // The metrics endpoints read every component below: they go first.
  if (node.metrics) {
    node.metrics->Stop();
    node.metrics.reset();
  }
  if (node.rpc_server) {
    LogInfo(logger, LogCategory::kNode, "shutdown: stopping RPC server");
    node.rpc_server->Stop();
  }
  if (node.miner) {
    LogInfo(logger, LogCategory::kNode, "shutdown: stopping miner");
    node.miner->Stop();
  }
  if (node.net) {
    LogInfo(logger, LogCategory::kNode, "shutdown: stopping P2P");
    node.net->Stop();
  }
  // Tables hold pointers into the components below; the server is stopped,
  // so nothing calls them any more.
  node.rpc_server.reset();
  node.rpc_dispatcher.reset();
  node.rpc_warmup_dispatcher.reset();
  node.net.reset();
  node.dev_chain.reset();
  node.miner.reset();
  // No block arrives any more: let the indexes hear the last ones, then stop them.
  if (node.signals) node.signals->SyncWithValidationQueue();
  node.roles.StopAll();
  if (node.mempool) {
    LogInfo(logger, LogCategory::kNode, "shutdown: dropping {} mempool txs", node.mempool->Size());
    node.mempool.reset();
  }
  if (node.signals) {
    // Subscribers still registered hear what is queued before the chainstate closes.
    node.signals->Stop();
  }
  if (node.chainstate) {
    LogInfo(logger, LogCategory::kNode, "shutdown: flushing and closing the chainstate");
    node.chainstate->Close();
    node.chainstate.reset();
  }
  node.signals.reset();
  node.pid_file.reset();
  LogInfo(logger, LogCategory::kNode, "shutdown: done in {} ms",
          std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                started)
              .count());
}

}  // namespace

Result<LoggerOptions> LoggerOptionsFromArgs(const Args& args, const fs::path& network_dir,
                                            bool dev_mode) {
  LoggerOptions o;
  o.file = network_dir / "debug.log";
  o.print_to_console = args.GetBool("printtoconsole", dev_mode);
  auto level = ParseLogLevel(args.GetString("loglevel", "info"));
  if (!level) return level.status();
  auto categories = ParseLogCategories(args.GetList("debug"));
  if (!categories) return categories.status();
  o.debug_categories = *categories;
  // -debug=<category> asks for debug lines; without it info is the floor.
  o.min_level = args.IsSet("loglevel") ? *level
                : *categories != 0     ? LogLevel::kDebug
                                       : LogLevel::kInfo;
  return o;
}

Result<chain::ChainstateOptions> ChainstateOptionsFromArgs(const Args& args,
                                                           const fs::path& network_dir,
                                                           bool regtest, Logger* logger) {
  chain::ChainstateOptions o;
  o.datadir = network_dir.string();
  const int64_t mib = args.GetInt("dbcache", 64);
  if (mib < 4 || mib > (int64_t{1} << 20)) {
    return Status::Error("args-bad-value", "-dbcache must be 4..1048576 (MiB)");
  }
  o.db_cache_bytes = static_cast<size_t>(mib) << 20;
  o.logger = logger;
  if (args.IsSet("testfailblockwrites")) {
    if (!regtest) {
      return Status::Error("args-bad-value", "-testfailblockwrites is only available on regtest");
    }
    const int64_t after = args.GetInt("testfailblockwrites", 0);
    if (after < 0) return Status::Error("args-bad-value", "-testfailblockwrites must be >= 0");
    auto left = std::make_shared<std::atomic<int64_t>>(after);
    o.block_fault_hook = [left](chain::BlockFileOp op, uint32_t) {
      if (op != chain::BlockFileOp::kWrite || left->fetch_sub(1) > 0) return Status::Ok();
      return Status::IoError("test-disk-full",
                             "No space left on device (injected by -testfailblockwrites)");
    };
  }
  return o;
}

Result<index::IndexOptions> IndexOptionsFromArgs(const Args& args, const fs::path& network_dir,
                                                 Logger* logger) {
  index::IndexOptions o;
  o.datadir = network_dir;
  const int64_t mib = args.GetInt("dbcache", 64);
  if (mib < 4 || mib > (int64_t{1} << 20)) {
    return Status::Error("args-bad-value", "-dbcache must be 4..1048576 (MiB)");
  }
  // An eighth of -dbcache: lookups by tx hash are random reads either way.
  o.db_cache_bytes = (static_cast<size_t>(mib) << 20) / 8;
  o.logger = logger;
  return o;
}

Result<chain::MempoolOptions> MempoolOptionsFromArgs(const Args& args, Logger* logger) {
  chain::MempoolOptions o;
  const int64_t mib = args.GetInt("maxmempool", 300);
  if (mib < 1 || mib > (int64_t{1} << 20)) {
    return Status::Error("args-bad-value", "-maxmempool must be 1..1048576 (MiB)");
  }
  o.max_bytes = static_cast<size_t>(mib) << 20;
  const int64_t min_tip = args.GetInt("mintxtip", 0);
  if (min_tip < 0) return Status::Error("args-bad-value", "-mintxtip must be >= 0 (wei per gas)");
  o.min_tip = Uint256(static_cast<uint64_t>(min_tip));
  const int64_t future_mib = args.GetInt("maxmempoolfuture", 0);
  if (future_mib < 0 || future_mib > mib) {
    return Status::Error("args-bad-value", "-maxmempoolfuture must be 0..-maxmempool (MiB)");
  }
  o.max_future_bytes = static_cast<size_t>(future_mib) << 20;
  const int64_t per_sender = args.GetInt("mempoolfuturepersender", 16);
  if (per_sender < 1 || per_sender > 10000) {
    return Status::Error("args-bad-value", "-mempoolfuturepersender must be 1..10000");
  }
  o.max_future_txs_per_sender = static_cast<uint32_t>(per_sender);
  o.logger = logger;
  return o;
}

Result<compute::GpuOptions> GpuOptionsFromArgs(const Args& args, Logger* logger) {
  compute::GpuOptions o;
  auto mode = compute::ParseGpuMode(args.GetString("gpu", "auto"));
  if (!mode.ok()) return Status::Error("args-bad-value", mode.status().message());
  o.mode = *mode;
  const std::string devices = args.GetString("gpudevices", "");
  size_t start = 0;
  while (start < devices.size()) {
    size_t comma = devices.find(',', start);
    if (comma == std::string::npos) comma = devices.size();
    std::string id = devices.substr(start, comma - start);
    if (id.rfind("cuda:", 0) != 0 && id.rfind("opencl:", 0) != 0) {
      return Status::Error("args-bad-value",
                           "-gpudevices: '" + id + "' is not cuda:<n> or opencl:<n>");
    }
    o.devices.push_back(std::move(id));
    start = comma + 1;
  }
  const int64_t min_batch = args.GetInt("gpuminbatch", 4096);
  if (min_batch < 1) return Status::Error("args-bad-value", "-gpuminbatch must be at least 1");
  o.min_batch = static_cast<size_t>(min_batch);
  o.logger = logger;
  return o;
}

Result<chain::MinerOptions> MinerOptionsFromArgs(const Args& args,
                                                 const consensus::ChainParams& params,
                                                 bool dev_mode, Logger* logger) {
  chain::MinerOptions o;
  int64_t threads = args.GetInt("minethreads", 1);
  if (threads < 0 || threads > 1024) {
    return Status::Error("args-bad-value", "-minethreads must be 0..1024");
  }
  o.threads = static_cast<unsigned>(threads);
  o.logger = logger;
  if (args.IsSet("mineraddress")) {
    auto address = Address::Parse(args.GetString("mineraddress", ""));
    if (!address) {
      return Status::Error("args-bad-value", "-mineraddress: " + address.status().message());
    }
    o.coinbase = *address;
  } else if (dev_mode && !consensus::DevAccounts().empty()) {
    o.coinbase = consensus::DevAccounts().front();
  } else if (args.GetBool("mine", false)) {
    return Status::Error("args-bad-value", "-mine needs -mineraddress=<address> to pay");
  }
  auto interval = DevBlockIntervalFromArgs(args);
  if (!interval) return interval.status();
  if (dev_mode) {
    o.dev = true;
    o.dev_block_interval = *interval;
    o.dev_automine = interval->count() == 0;
  }
  (void)params;
  return o;
}

Result<std::chrono::milliseconds> DevBlockIntervalFromArgs(const Args& args) {
  constexpr double kMaxSeconds = 86400;
  const double seconds = args.GetDecimal("devblocktime", 2);
  const std::string text = args.GetString("devblocktime", "2");
  if (!(seconds >= 0) || seconds > kMaxSeconds) {
    return Status::Error("args-bad-value",
                         "-devblocktime must be 0 (mine as soon as a tx arrives) or a number of "
                         "seconds up to 86400, not " +
                             text);
  }
  const auto ms = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000.0 + 0.5));
  if (seconds > 0 && ms.count() == 0) {
    return Status::Error("args-bad-value",
                         "-devblocktime must be at least 0.001 seconds, or 0 to mine as soon as a "
                         "tx arrives; not " +
                             text);
  }
  return ms;
}

Result<net::NetOptions> NetOptionsFromArgs(const Args& args, const consensus::ChainParams& params,
                                           const fs::path& network_dir, Logger* logger) {
  net::NetOptions o;
  o.datadir = network_dir;
  int64_t port = args.GetInt("port", params.default_port);
  if (port < 0 || port > 65535) return Status::Error("args-bad-value", "-port must be 0..65535");
  o.port = static_cast<uint16_t>(port);
  o.connect = args.GetList("connect");
  o.addnode = args.GetList("addnode");
  o.seednode = args.GetList("seednode");
  o.bind = args.GetList("bind");
  o.whitelist = args.GetList("whitelist");
  // -connect means "only these peers": no listening unless asked for.
  o.listen = args.GetBool("listen", o.connect.empty());
  int64_t max_connections = args.GetInt("maxconnections", 125);
  int64_t max_outbound = args.GetInt("maxoutbound", 8);
  if (max_connections < 0 || max_connections > 10000 || max_outbound < 0 ||
      max_outbound > max_connections) {
    return Status::Error("args-bad-value",
                         "-maxconnections must be 0..10000 and -maxoutbound at most that");
  }
  o.max_connections = static_cast<size_t>(max_connections);
  o.max_outbound = static_cast<size_t>(max_outbound);
  int64_t bantime = args.GetInt("bantime", 86400);
  if (bantime < 1) return Status::Error("args-bad-value", "-bantime must be at least 1");
  o.ban_seconds = static_cast<uint64_t>(bantime);
  int64_t recv_kib = args.GetInt("maxreceivebuffer", 5000);
  int64_t send_kib = args.GetInt("maxsendbuffer", 1000);
  if (recv_kib < 1 || send_kib < 1)
    return Status::Error("args-bad-value", "-maxreceivebuffer and -maxsendbuffer must be >= 1");
  o.max_receive_buffer = static_cast<size_t>(recv_kib) << 10;
  o.max_send_buffer = static_cast<size_t>(send_kib) << 10;
  int64_t orphans = args.GetInt("maxorphantx", 100);
  if (orphans < 0 || orphans > 100000)
    return Status::Error("args-bad-value", "-maxorphantx must be 0..100000");
  o.max_orphan_txs = static_cast<size_t>(orphans);
  int64_t orphan_blocks = args.GetInt("maxorphanblocks", 1024);
  if (orphan_blocks < 0 || orphan_blocks > 100000)
    return Status::Error("args-bad-value", "-maxorphanblocks must be 0..100000");
  o.max_orphan_blocks = static_cast<size_t>(orphan_blocks);
  int64_t orphan_block_kib = args.GetInt("maxorphanblockbuffer", 32768);
  if (orphan_block_kib < 0 || orphan_block_kib > (int64_t{4} << 20))
    return Status::Error("args-bad-value", "-maxorphanblockbuffer must be 0..4194304 (KiB)");
  o.max_orphan_block_bytes = static_cast<size_t>(orphan_block_kib) << 10;
  if (args.IsSet("minimumchainwork")) {
    auto work = Uint256::FromHex(args.GetString("minimumchainwork", ""));
    if (!work.ok()) {
      return Status::Error("args-bad-value",
                           "-minimumchainwork must be a hex number of at most 64 digits");
    }
    o.min_chain_work = *work;
  }
  const bool regtest = params.network == consensus::Network::kRegtest;
  // Regtest peers come from -connect/-addnode only, and live on loopback.
  o.discover = !regtest;
  o.allow_local_addresses = regtest;
  unsigned cores = std::max(1u, std::thread::hardware_concurrency());
  // Received blocks are decoded (senders recovered) on a pool of one thread
  // per core, several blocks at once, while the chain thread connects.
  o.block_decode_threads = cores;
  o.user_agent = "/depind:" + std::string(kDepindVersion) + "/";
  o.logger = logger;
  return o;
}

Result<RpcServerOptions> RpcServerOptionsFromArgs(const Args& args,
                                                  const consensus::ChainParams& params,
                                                  const fs::path& network_dir) {
  RpcServerOptions o;
  int64_t port = args.GetInt("rpcport", params.default_rpc_port);
  if (port < 0 || port > 65535) return Status::Error("args-bad-value", "-rpcport must be 0..65535");
  o.port = static_cast<uint16_t>(port);
  if (std::vector<std::string> bind = args.GetList("rpcbind"); !bind.empty()) {
    o.bind_addresses = bind;
  }
  // Loopback is always allowed; -rpcallowip adds to it.
  for (const std::string& ip : args.GetList("rpcallowip")) o.allow_ips.push_back(ip);
  int64_t public_port = args.GetInt("rpcpublicport", 0);
  if (public_port < 0 || public_port > 65535) {
    return Status::Error("args-bad-value", "-rpcpublicport must be 0..65535");
  }
  if (public_port > 0) o.public_port = static_cast<uint16_t>(public_port);
  if (std::vector<std::string> bind = args.GetList("rpcpublicbind"); !bind.empty()) {
    o.public_bind_addresses = bind;
  }
  int64_t rate = args.GetInt("rpcpublicrate", 20);
  if (rate < 1) return Status::Error("args-bad-value", "-rpcpublicrate must be at least 1");
  o.public_rate_per_second = static_cast<double>(rate);
  o.public_rate_burst = 2.0 * static_cast<double>(rate);
  int64_t timeout = args.GetInt("rpcservertimeout", 30);
  if (timeout < 1) return Status::Error("args-bad-value", "-rpcservertimeout must be at least 1");
  o.read_timeout = std::chrono::seconds(timeout);
  int64_t threads = args.GetInt("rpcthreads", 4);
  if (threads < 1 || threads > 256)
    return Status::Error("args-bad-value", "-rpcthreads must be 1..256");
  o.threads = static_cast<size_t>(threads);
  // The RPC limits (docs/operations.md "Limits"): each at least 1.
  auto positive = [&args](const char* name, int64_t fallback, int64_t max) -> Result<size_t> {
    int64_t v = args.GetInt(name, fallback);
    if (v < 1 || v > max) {
      return Status::Error("args-bad-value",
                           std::string("-") + name + " must be 1.." + std::to_string(max));
    }
    return static_cast<size_t>(v);
  };
  auto header_timeout = positive("rpcheadertimeout", 5, 3600);
  if (!header_timeout) return header_timeout.status();
  o.header_timeout = std::chrono::seconds(*header_timeout);
  auto max_connections = positive("rpcmaxconnections", 512, 100000);
  if (!max_connections) return max_connections.status();
  o.max_connections = *max_connections;
  auto public_max = positive("rpcpublicmaxconnections", 512, 100000);
  if (!public_max) return public_max.status();
  o.public_max_connections = *public_max;
  auto per_ip = positive("rpcpublicmaxperip", 32, 100000);
  if (!per_ip) return per_ip.status();
  o.public_max_connections_per_ip = *per_ip;
  auto admin_threads = positive("rpcadminthreads", 2, 64);
  if (!admin_threads) return admin_threads.status();
  o.admin_threads = *admin_threads;
  auto auth_failures = positive("rpcauthfailures", 10, 1000000);
  if (!auth_failures) return auth_failures.status();
  o.auth_failure_budget = *auth_failures;
  auto body_kib = positive("rpcmaxbody", 8192, 1 << 20);
  if (!body_kib) return body_kib.status();
  o.max_body_bytes = *body_kib << 10;
  auto batch = positive("rpcmaxbatch", 1000, 100000);
  if (!batch) return batch.status();
  o.max_batch = *batch;
  auto work_queue = positive("rpcworkqueue", 64, 100000);
  if (!work_queue) return work_queue.status();
  o.work_queue_depth = *work_queue;
  if (std::vector<std::string> vhosts = args.GetList("rpcvhosts"); !vhosts.empty()) {
    o.vhosts = vhosts;
  }
  o.cors_domains = args.GetList("rpccorsdomain");
  o.cookie_dir = network_dir;
  o.rpcauth = args.GetList("rpcauth");
  return o;
}

Result<RpcClientLimits> RpcClientLimitsFromArgs(const Args& args) {
  RpcClientLimits limits;
  int64_t per_client = args.GetInt("rpcfiltersperclient", 256);
  if (per_client < 1 || per_client > static_cast<int64_t>(limits.filters.max_filters)) {
    return Status::Error("args-bad-value", "-rpcfiltersperclient must be 1.." +
                                               std::to_string(limits.filters.max_filters));
  }
  limits.filters.per_client = static_cast<size_t>(per_client);
  int64_t timeout = args.GetInt("rpcfiltertimeout", 300);
  if (timeout < 1 || timeout > 86400) {
    return Status::Error("args-bad-value", "-rpcfiltertimeout must be 1..86400");
  }
  limits.filters.timeout = std::chrono::seconds(timeout);
  int64_t subs = args.GetInt("rpcmaxsubscriptions", 1000);
  if (subs < 1 || subs > 100000) {
    return Status::Error("args-bad-value", "-rpcmaxsubscriptions must be 1..100000");
  }
  limits.subscriptions_per_connection = static_cast<size_t>(subs);
  return limits;
}

std::string RpcDocsMarkdown() {
  NodeRpcContext empty;
  RpcDispatcher dispatcher(nullptr);
  for (RpcTable& table : NodeRpcTables(empty)) {
    Status s = dispatcher.AddTable(std::move(table));
    if (!s.ok()) return "error: " + s.ToString() + "\n";
  }
  for (RpcTable& table : EthRpcTables(empty)) {
    Status s = dispatcher.AddTable(std::move(table));
    if (!s.ok()) return "error: " + s.ToString() + "\n";
  }
  if (Status s = dispatcher.AddTable(NetRpcTable(nullptr)); !s.ok()) {
    return "error: " + s.ToString() + "\n";
  }
  if (Status s = dispatcher.AddTable(storage::StorageProviderRpcTable(nullptr)); !s.ok()) {
    return "error: " + s.ToString() + "\n";
  }
  if (Status s = dispatcher.AddTable(market::ComputeProviderRpcTable(nullptr)); !s.ok()) {
    return "error: " + s.ToString() + "\n";
  }
  if (Status s = dispatcher.AddTable(DevRpcTable(nullptr, nullptr)); !s.ok()) {
    return "error: " + s.ToString() + "\n";
  }
  return RenderRpcMarkdown(dispatcher.tables());
}

int RunNode(int argc, const char* const* argv) {
  SetThreadName("init");
  // Keys, the RPC cookie, wallets' txs in the mempool and the logs are the
  // operator's alone: folders 0700 and files 0600, as Bitcoin Core does.
  ::umask(077);
  NodeContext node;
  if (std::optional<int> exit_code = ParseAndPrepare(node, argc, argv)) return *exit_code;

  DaemonHandle daemon;
  if (node.args.GetBool("daemon", false)) {
    auto handle = Daemonize();
    if (!handle) return Fail(node, handle.status());
    daemon = *handle;
  }

  auto logger_options = LoggerOptionsFromArgs(node.args, node.network_dir, node.dev_mode);
  if (!logger_options) {
    daemon.Report(false);
    return Fail(node, logger_options.status());
  }
  node.logger = std::make_unique<Logger>(*logger_options);
  if (Status s = node.logger->Open(); !s.ok()) {
    daemon.Report(false);
    return Fail(node, s);
  }
  SetDefaultLogger(node.logger.get());

  if (Status s = node.shutdown.InstallSignalHandlers(); !s.ok()) {
    daemon.Report(false);
    return Fail(node, s);
  }

  if (node.args.IsSet("pid")) {
    fs::path pid_path = node.args.GetString("pid", "depind.pid");
    if (pid_path.is_relative()) pid_path = node.network_dir / pid_path;
    auto pid = PidFile::Create(pid_path);
    if (!pid) {
      daemon.Report(false);
      return Fail(node, pid.status());
    }
    node.pid_file = std::move(*pid);
  }

  if (daemon.report_fd >= 0) node.report_started = [&daemon] { daemon.Report(true); };
  if (Status s = StartComponents(node); !s.ok()) {
    if (s.Is(StatusKind::kInterrupted) && !node.shutdown.fatal()) {
      // A signal or stop during a long start-up (a reindex): not a failure.
      // A `stop` request's reply goes out before the server stops.
      std::this_thread::sleep_for(kStopReplyGrace);
      daemon.Report(true);
      Shutdown(node, "shutdown requested during start-up");
      SetDefaultLogger(nullptr);
      return kExitOk;
    }
    daemon.Report(false);
    int code = Fail(node, s);
    Shutdown(node, "start-up failure");
    SetDefaultLogger(nullptr);
    return code;
  }
  daemon.Report(true);
  LogInfo(node.logger.get(), LogCategory::kNode, "depind started");

  std::string reason = node.shutdown.Wait([&node] {
    if (Status s = node.logger->Reopen(); !s.ok()) {
      std::cerr << "depind: cannot reopen debug.log: " << s.message() << std::endl;
    }
  });
  if (reason == "stop request") std::this_thread::sleep_for(kStopReplyGrace);
  Shutdown(node, reason);
  SetDefaultLogger(nullptr);
  if (node.shutdown.fatal()) {
    std::cerr << "depind: stopped after a fatal error; see debug.log" << std::endl;
    return kExitFailure;
  }
  return kExitOk;
}

}  // namespace depin::node
