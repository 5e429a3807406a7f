#include "node/init.h"

#include <gtest/gtest.h>

namespace depin::node {
namespace {

Args ParsedArgs(const std::vector<std::string>& argv, std::string_view conf = "") {
  std::vector<const char*> ptrs = {"depind"};
  for (const std::string& a : argv) ptrs.push_back(a.c_str());
  Args args;
  EXPECT_TRUE(args.ParseCommandLine(static_cast<int>(ptrs.size()), ptrs.data()).ok());
  if (!conf.empty()) {
    EXPECT_TRUE(args.ReadConfigText(conf, "test.conf").ok());
  }
  EXPECT_TRUE(args.SelectNetwork().ok());
  return args;
}

TEST(InitOptions, RpcDefaultsComeFromTheNetwork) {
  Args args = ParsedArgs({"-regtest"});
  auto o = RpcServerOptionsFromArgs(args, consensus::RegtestParams(), "/tmp/net");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->port, consensus::RegtestParams().default_rpc_port);
  EXPECT_FALSE(o->public_port.has_value());
  EXPECT_EQ(o->cookie_dir, std::filesystem::path("/tmp/net"));
  EXPECT_EQ(o->threads, 4u);
}

TEST(InitOptions, RpcArgumentsMapOntoServerOptions) {
  Args args =
      ParsedArgs({"-regtest", "-rpcport=1234", "-rpcbind=127.0.0.2", "-rpcallowip=10.0.0.0/8",
                  "-rpcpublicport=4321", "-rpcthreads=8", "-rpcservertimeout=5", "-rpcauth=a:b$c"});
  auto o = RpcServerOptionsFromArgs(args, consensus::RegtestParams(), "/tmp/net");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->port, 1234);
  EXPECT_EQ(o->bind_addresses, std::vector<std::string>{"127.0.0.2"});
  // Loopback stays allowed next to the configured subnet.
  EXPECT_NE(std::find(o->allow_ips.begin(), o->allow_ips.end(), "10.0.0.0/8"), o->allow_ips.end());
  EXPECT_GT(o->allow_ips.size(), 1u);
  EXPECT_EQ(o->public_port, std::optional<uint16_t>(4321));
  EXPECT_EQ(o->threads, 8u);
  EXPECT_EQ(o->read_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(o->rpcauth, std::vector<std::string>{"a:b$c"});
}

TEST(InitOptions, OutOfRangeRpcValuesAreErrors) {
  EXPECT_FALSE(
      RpcServerOptionsFromArgs(ParsedArgs({"-rpcport=70000"}), consensus::MainParams(), "/x").ok());
  EXPECT_FALSE(
      RpcServerOptionsFromArgs(ParsedArgs({"-rpcthreads=0"}), consensus::MainParams(), "/x").ok());
}

TEST(InitOptions, RpcLimitsHaveDefaultsAndMapOntoOptions) {
  auto d = RpcServerOptionsFromArgs(ParsedArgs({"-regtest"}), consensus::RegtestParams(), "/x");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->header_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(d->max_connections, 512u);
  EXPECT_EQ(d->public_max_connections, 512u);
  EXPECT_EQ(d->public_max_connections_per_ip, 32u);
  EXPECT_EQ(d->admin_threads, 2u);
  EXPECT_EQ(d->auth_failure_budget, 10u);
  EXPECT_EQ(d->vhosts, std::vector<std::string>{"localhost"});
  EXPECT_TRUE(d->cors_domains.empty());
  auto o = RpcServerOptionsFromArgs(
      ParsedArgs({"-regtest", "-rpcheadertimeout=2", "-rpcmaxconnections=7",
                  "-rpcpublicmaxconnections=9", "-rpcpublicmaxperip=3", "-rpcadminthreads=1",
                  "-rpcauthfailures=4", "-rpcvhosts=rpc.example", "-rpcvhosts=localhost",
                  "-rpccorsdomain=https://wallet.example"}),
      consensus::RegtestParams(), "/x");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->header_timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(o->max_connections, 7u);
  EXPECT_EQ(o->public_max_connections, 9u);
  EXPECT_EQ(o->public_max_connections_per_ip, 3u);
  EXPECT_EQ(o->admin_threads, 1u);
  EXPECT_EQ(o->auth_failure_budget, 4u);
  EXPECT_EQ(o->vhosts, (std::vector<std::string>{"rpc.example", "localhost"}));
  EXPECT_EQ(o->cors_domains, std::vector<std::string>{"https://wallet.example"});
  for (const char* bad :
       {"-rpcheadertimeout=0", "-rpcmaxconnections=0", "-rpcpublicmaxperip=-1",
        "-rpcadminthreads=65", "-rpcauthfailures=0", "-rpcpublicmaxconnections=0"}) {
    EXPECT_EQ(
        RpcServerOptionsFromArgs(ParsedArgs({bad}), consensus::MainParams(), "/x").status().code(),
        "args-bad-value")
        << bad;
  }
  auto limits = RpcClientLimitsFromArgs(ParsedArgs({"-regtest"}));
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(limits->filters.per_client, 256u);
  EXPECT_EQ(limits->filters.timeout, std::chrono::milliseconds(300000));
  EXPECT_EQ(limits->subscriptions_per_connection, 1000u);
  limits = RpcClientLimitsFromArgs(ParsedArgs(
      {"-regtest", "-rpcfiltersperclient=5", "-rpcfiltertimeout=2", "-rpcmaxsubscriptions=3"}));
  ASSERT_TRUE(limits.ok());
  EXPECT_EQ(limits->filters.per_client, 5u);
  EXPECT_EQ(limits->filters.timeout, std::chrono::milliseconds(2000));
  EXPECT_EQ(limits->subscriptions_per_connection, 3u);
  for (const char* bad : {"-rpcfiltersperclient=0", "-rpcfiltersperclient=10001",
                          "-rpcfiltertimeout=0", "-rpcmaxsubscriptions=0"}) {
    EXPECT_EQ(RpcClientLimitsFromArgs(ParsedArgs({bad})).status().code(), "args-bad-value") << bad;
  }
}

TEST(InitOptions, MineNeedsAnAddressExceptInDevMode) {
  Args mine = ParsedArgs({"-regtest", "-mine"});
  EXPECT_EQ(MinerOptionsFromArgs(mine, consensus::RegtestParams(), /*dev_mode=*/false, nullptr)
                .status()
                .code(),
            "args-bad-value");
  Args dev = ParsedArgs({"-dev"});
  auto o = MinerOptionsFromArgs(dev, consensus::RegtestParams(), /*dev_mode=*/true, nullptr);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->coinbase, consensus::DevAccounts().front());
  EXPECT_TRUE(o->dev);
  EXPECT_EQ(o->dev_block_interval, std::chrono::seconds(2));
  EXPECT_FALSE(o->dev_automine);
  Args dev5 = ParsedArgs({"-dev", "-devblocktime=5", "-minethreads=3"});
  auto o5 = MinerOptionsFromArgs(dev5, consensus::RegtestParams(), /*dev_mode=*/true, nullptr);
  ASSERT_TRUE(o5.ok());
  EXPECT_EQ(o5->dev_block_interval, std::chrono::seconds(5));
  EXPECT_EQ(o5->threads, 3u);
  // Outside dev mode -devblocktime does nothing.
  auto plain = MinerOptionsFromArgs(ParsedArgs({"-regtest"}), consensus::RegtestParams(),
                                    /*dev_mode=*/false, nullptr);
  ASSERT_TRUE(plain.ok());
  EXPECT_FALSE(plain->dev);
  EXPECT_EQ(plain->dev_block_interval, std::chrono::milliseconds(0));
}

TEST(InitOptions, DevBlockTimeZeroMinesOnDemandAndFractionsAreMilliseconds) {
  auto on_demand = MinerOptionsFromArgs(ParsedArgs({"-dev", "-devblocktime=0"}),
                                        consensus::RegtestParams(), /*dev_mode=*/true, nullptr);
  ASSERT_TRUE(on_demand.ok());
  EXPECT_TRUE(on_demand->dev_automine);
  EXPECT_EQ(on_demand->dev_block_interval, std::chrono::milliseconds(0));
  auto half = MinerOptionsFromArgs(ParsedArgs({"-dev", "-devblocktime=0.5"}),
                                   consensus::RegtestParams(), /*dev_mode=*/true, nullptr);
  ASSERT_TRUE(half.ok());
  EXPECT_FALSE(half->dev_automine);
  EXPECT_EQ(half->dev_block_interval, std::chrono::milliseconds(500));
  EXPECT_EQ(*DevBlockIntervalFromArgs(ParsedArgs({"-devblocktime=0.001"})),
            std::chrono::milliseconds(1));
  EXPECT_EQ(*DevBlockIntervalFromArgs(ParsedArgs({"-devblocktime=86400"})), std::chrono::hours(24));
}

TEST(InitOptions, BadDevBlockTimesAreRefusedWithTheirValue) {
  // The form is checked when the command line is parsed...
  for (const char* bad : {"-devblocktime=-1", "-devblocktime=nan", "-devblocktime=inf",
                          "-devblocktime=abc", "-devblocktime=1e3", "-devblocktime=.5",
                          "-devblocktime=1.", "-devblocktime=+2", "-devblocktime=0x10"}) {
    Args args;
    const char* argv[] = {"depind", bad};
    Status s = args.ParseCommandLine(2, argv);
    EXPECT_EQ(s.code(), "args-bad-value") << bad;
    EXPECT_NE(s.message().find("takes a number >= 0"), std::string::npos) << s.message();
  }
  // ...and the range by DevBlockIntervalFromArgs (before the datadir exists).
  for (const char* bad :
       {"-devblocktime=86400.5", "-devblocktime=99999999999999999999999", "-devblocktime=0.0001"}) {
    auto interval = DevBlockIntervalFromArgs(ParsedArgs({bad}));
    ASSERT_FALSE(interval.ok()) << bad;
    EXPECT_EQ(interval.status().code(), "args-bad-value");
    EXPECT_NE(interval.status().message().find("-devblocktime must be"), std::string::npos);
    EXPECT_FALSE(MinerOptionsFromArgs(ParsedArgs({"-dev", bad}), consensus::RegtestParams(),
                                      /*dev_mode=*/true, nullptr)
                     .ok());
  }
}

TEST(InitOptions, MinerAddressIsChecked) {
  Args bad = ParsedArgs({"-regtest", "-mineraddress=0x12"});
  EXPECT_FALSE(MinerOptionsFromArgs(bad, consensus::RegtestParams(), false, nullptr).ok());
  Args good =
      ParsedArgs({"-regtest", "-mine", "-mineraddress=0x70997970C51812dc3A010C7d01b50e0d17dc79C8"});
  auto o = MinerOptionsFromArgs(good, consensus::RegtestParams(), false, nullptr);
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->coinbase.ToChecksumHex(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
}

TEST(InitOptions, RequestAndQueueLimitsHaveDefaultsAndMapOntoOptions) {
  auto d = RpcServerOptionsFromArgs(ParsedArgs({"-regtest"}), consensus::RegtestParams(), "/x");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->max_body_bytes, size_t{8} << 20);
  EXPECT_EQ(d->max_batch, 1000u);
  EXPECT_EQ(d->work_queue_depth, 64u);
  auto o = RpcServerOptionsFromArgs(
      ParsedArgs({"-regtest", "-rpcmaxbody=16", "-rpcmaxbatch=5", "-rpcworkqueue=3"}),
      consensus::RegtestParams(), "/x");
  ASSERT_TRUE(o.ok());
  EXPECT_EQ(o->max_body_bytes, size_t{16} << 10);
  EXPECT_EQ(o->max_batch, 5u);
  EXPECT_EQ(o->work_queue_depth, 3u);
  for (const char* bad : {"-rpcmaxbody=0", "-rpcmaxbatch=0", "-rpcworkqueue=0"}) {
    EXPECT_EQ(
        RpcServerOptionsFromArgs(ParsedArgs({bad}), consensus::MainParams(), "/x").status().code(),
        "args-bad-value")
        << bad;
  }

  auto pool = MempoolOptionsFromArgs(ParsedArgs({}), nullptr);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool->max_future_bytes, 0u);  // the mempool takes max_bytes / 8
  EXPECT_EQ(pool->max_future_txs_per_sender, 16u);
  pool = MempoolOptionsFromArgs(
      ParsedArgs({"-maxmempool=100", "-maxmempoolfuture=4", "-mempoolfuturepersender=2"}), nullptr);
  ASSERT_TRUE(pool.ok());
  EXPECT_EQ(pool->max_future_bytes, size_t{4} << 20);
  EXPECT_EQ(pool->max_future_txs_per_sender, 2u);
  for (const char* bad :
       {"-maxmempoolfuture=-1", "-maxmempoolfuture=301", "-mempoolfuturepersender=0"}) {
    EXPECT_EQ(MempoolOptionsFromArgs(ParsedArgs({bad}), nullptr).status().code(), "args-bad-value")
        << bad;
  }

  auto net =
      NetOptionsFromArgs(ParsedArgs({"-regtest"}), consensus::RegtestParams(), "/x", nullptr);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->max_orphan_txs, 100u);
  net = NetOptionsFromArgs(ParsedArgs({"-regtest", "-maxorphantx=7"}), consensus::RegtestParams(),
                           "/x", nullptr);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->max_orphan_txs, 7u);
  EXPECT_FALSE(NetOptionsFromArgs(ParsedArgs({"-regtest", "-maxorphantx=-1"}),
                                  consensus::RegtestParams(), "/x", nullptr)
                   .ok());
  net = NetOptionsFromArgs(ParsedArgs({"-regtest"}), consensus::RegtestParams(), "/x", nullptr);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->max_orphan_blocks, 1024u);
  EXPECT_EQ(net->max_orphan_block_bytes, size_t{32} << 20);
  net = NetOptionsFromArgs(
      ParsedArgs({"-regtest", "-maxorphanblocks=3", "-maxorphanblockbuffer=100"}),
      consensus::RegtestParams(), "/x", nullptr);
  ASSERT_TRUE(net.ok());
  EXPECT_EQ(net->max_orphan_blocks, 3u);
  EXPECT_EQ(net->max_orphan_block_bytes, size_t{100} << 10);
  for (const char* bad : {"-maxorphanblocks=-1", "-maxorphanblocks=100001",
                          "-maxorphanblockbuffer=-1", "-maxorphanblockbuffer=4194305"}) {
    auto r = NetOptionsFromArgs(ParsedArgs({"-regtest", bad}), consensus::RegtestParams(), "/x",
                                nullptr);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.status().code(), "args-bad-value") << bad;
  }
}

TEST(InitOptions, SizesAreMebibytes) {
  Args args = ParsedArgs({"-dbcache=100", "-maxmempool=50"});
  EXPECT_EQ(ChainstateOptionsFromArgs(args, "/x", /*regtest=*/false, nullptr)->db_cache_bytes,
            size_t{100} << 20);
  EXPECT_EQ(MempoolOptionsFromArgs(args, nullptr)->max_bytes, size_t{50} << 20);
}

TEST(InitOptions, BlockWriteFaultInjectionIsRegtestOnly) {
  Args args = ParsedArgs({"-testfailblockwrites=2"});
  auto main_net = ChainstateOptionsFromArgs(args, "/x", /*regtest=*/false, nullptr);
  ASSERT_FALSE(main_net.ok());
  EXPECT_EQ(main_net.status().code(), "args-bad-value");
  auto regtest = ChainstateOptionsFromArgs(args, "/x", /*regtest=*/true, nullptr);
  ASSERT_TRUE(regtest.ok());
  ASSERT_TRUE(regtest->block_fault_hook);
  // Two writes pass, then every write fails as on a full disk; syncs pass.
  EXPECT_TRUE(regtest->block_fault_hook(chain::BlockFileOp::kWrite, 0).ok());
  EXPECT_TRUE(regtest->block_fault_hook(chain::BlockFileOp::kSync, 0).ok());
  EXPECT_TRUE(regtest->block_fault_hook(chain::BlockFileOp::kWrite, 0).ok());
  EXPECT_TRUE(regtest->block_fault_hook(chain::BlockFileOp::kWrite, 0).IsLocalFailure());
  EXPECT_TRUE(regtest->block_fault_hook(chain::BlockFileOp::kWrite, 0).IsLocalFailure());
  EXPECT_FALSE(ChainstateOptionsFromArgs(ParsedArgs({"-testfailblockwrites=-1"}), "/x",
                                         /*regtest=*/true, nullptr)
                   .ok());
  EXPECT_FALSE(
      ChainstateOptionsFromArgs(ParsedArgs({}), "/x", /*regtest=*/true, nullptr)->block_fault_hook);
}

TEST(InitOptions, OutOfRangeSizesAndTipsAreRejectedNotClamped) {
  for (const char* bad : {"-dbcache=3", "-dbcache=-1"}) {
    auto o = ChainstateOptionsFromArgs(ParsedArgs({bad}), "/x", /*regtest=*/false, nullptr);
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.status().code(), "args-bad-value");
    EXPECT_NE(o.status().message().find("-dbcache"), std::string::npos);
  }
  for (const char* bad : {"-maxmempool=0", "-maxmempool=-5", "-mintxtip=-1"}) {
    auto o = MempoolOptionsFromArgs(ParsedArgs({bad}), nullptr);
    ASSERT_FALSE(o.ok()) << bad;
    EXPECT_EQ(o.status().code(), "args-bad-value");
  }
  auto tip = MempoolOptionsFromArgs(ParsedArgs({"-mintxtip=7"}), nullptr);
  ASSERT_TRUE(tip.ok());
  EXPECT_EQ(tip->min_tip, Uint256(7));
}

TEST(InitOptions, LoggingFromArgs) {
  auto quiet = LoggerOptionsFromArgs(ParsedArgs({}), "/net", /*dev_mode=*/false);
  ASSERT_TRUE(quiet.ok());
  EXPECT_EQ(quiet->file, std::filesystem::path("/net/debug.log"));
  EXPECT_FALSE(quiet->print_to_console);
  EXPECT_EQ(quiet->min_level, LogLevel::kInfo);
  EXPECT_EQ(quiet->debug_categories, 0u);

  auto debug = LoggerOptionsFromArgs(ParsedArgs({"-debug=rpc", "-debug=net"}), "/net", false);
  ASSERT_TRUE(debug.ok());
  EXPECT_EQ(debug->min_level, LogLevel::kDebug);
  EXPECT_EQ(debug->debug_categories,
            static_cast<uint32_t>(LogCategory::kRpc) | static_cast<uint32_t>(LogCategory::kNet));

  auto dev = LoggerOptionsFromArgs(ParsedArgs({"-dev"}), "/net", /*dev_mode=*/true);
  ASSERT_TRUE(dev.ok());
  EXPECT_TRUE(dev->print_to_console);

  EXPECT_FALSE(LoggerOptionsFromArgs(ParsedArgs({"-debug=nosuch"}), "/net", false).ok());
  EXPECT_FALSE(LoggerOptionsFromArgs(ParsedArgs({"-loglevel=loud"}), "/net", false).ok());
}

}  // namespace
}  // namespace depin::node
