#include "cli/cli_options.h"

#include <gtest/gtest.h>

#include "cli_test_util.h"

namespace depin::cli {
namespace {

Result<OptionMap> ParseGlobal(const std::vector<std::string>& words) {
  OptionMap vm;
  Status s = ParseOptionTokens(words, GlobalOptionsDescription(), /*separate_values=*/false, &vm,
                               /*positional=*/nullptr);
  if (!s.ok()) return s;
  return vm;
}

TEST(CliOptions, SplitsAtTheFirstWordWithoutADash) {
  const char* argv[] = {"depin-cli", "-regtest", "-rpcport=1", "getblockhash", "-5", "-named"};
  CommandLine line = SplitCommandLine(6, argv);
  EXPECT_EQ(line.global_tokens, (std::vector<std::string>{"-regtest", "-rpcport=1"}));
  EXPECT_EQ(line.command, "getblockhash");
  EXPECT_EQ(line.rest, (std::vector<std::string>{"-5", "-named"}));
}

TEST(CliOptions, AcceptsSingleAndDoubleDashes) {
  auto vm = ParseGlobal({"-regtest", "--rpcport=9000", "-rpcuser=alice", "-named=0"});
  ASSERT_TRUE(vm) << vm.status().ToString();
  EXPECT_TRUE(*FlagValue(*vm, "regtest"));
  EXPECT_FALSE(*FlagValue(*vm, "named"));
  EXPECT_FALSE(*FlagValue(*vm, "testnet"));
  EXPECT_EQ(OptionValue(*vm, "rpcport"), "9000");
  EXPECT_EQ(OptionValue(*vm, "rpcuser"), "alice");
}

TEST(CliOptions, RejectsUnknownOptionsAndBadFlags) {
  EXPECT_EQ(ParseGlobal({"-nosuch"}).status().code(), "cli-bad-option");
  auto vm = ParseGlobal({"-regtest=maybe"});
  ASSERT_TRUE(vm);
  EXPECT_FALSE(FlagValue(*vm, "regtest").ok());
}

TEST(CliOptions, CommandOptionsTakeSeparateValuesAndKeepPositionals) {
  boost::program_options::options_description d;
  d.add_options()("to", ValueOption(), "")("wait", FlagOption(), "");
  OptionMap vm;
  std::vector<std::string> positional;
  ASSERT_TRUE(
      ParseOptionTokens({"new", "--to", "0xab", "--wait", "-3", "x"}, d, true, &vm, &positional)
          .ok());
  EXPECT_EQ(OptionValue(vm, "to"), "0xab");
  EXPECT_TRUE(*FlagValue(vm, "wait"));
  EXPECT_EQ(positional, (std::vector<std::string>{"new", "-3", "x"}));
}

TEST(CliOptions, NetworkDefaultsComeFromChainParams) {
  ConfigFile empty;
  auto main = ResolveCliOptions(*ParseGlobal({"-datadir=/tmp/dd"}), &empty);
  ASSERT_TRUE(main);
  EXPECT_EQ(main->network, consensus::Network::kMain);
  EXPECT_EQ(main->rpcport, consensus::MainParams().default_rpc_port);
  EXPECT_EQ(main->rpccookiefile, std::filesystem::path("/tmp/dd/.cookie"));
  auto regtest = ResolveCliOptions(*ParseGlobal({"-datadir=/tmp/dd", "-regtest"}), &empty);
  ASSERT_TRUE(regtest);
  EXPECT_EQ(regtest->rpcport, 8545);
  EXPECT_EQ(regtest->network_dir, std::filesystem::path("/tmp/dd/regtest"));
  EXPECT_EQ(regtest->rpccookiefile, std::filesystem::path("/tmp/dd/regtest/.cookie"));
  auto test = ResolveCliOptions(*ParseGlobal({"-testnet"}), &empty);
  ASSERT_TRUE(test);
  EXPECT_EQ(test->rpcport, 18645);
  EXPECT_EQ(ResolveCliOptions(*ParseGlobal({"-testnet", "-regtest"}), &empty).status().code(),
            "cli-conflicting-networks");
}

TEST(CliOptions, ConfigSectionsAndCommandLinePrecedence) {
  auto config = ParseConfigText(
      "# comment\nrpcuser=top\nregtest=1\nrpcport=1000\n[regtest]\nrpcport=2000 # inline\n"
      "rpcpassword = secret\n[main]\nrpcport=3000\n",
      "depin.conf");
  ASSERT_TRUE(config) << config.status().ToString();
  auto o = ResolveCliOptions(*ParseGlobal({}), &*config);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->network, consensus::Network::kRegtest);  // chosen by the top level
  EXPECT_EQ(o->rpcport, 2000);                          // the section beats the top level
  EXPECT_EQ(o->rpcuser, "top");
  EXPECT_EQ(o->rpcpassword, "secret");
  EXPECT_EQ(RpcCredentials(*o), "top:secret");
  auto cmd = ResolveCliOptions(*ParseGlobal({"-rpcport=4000", "-rpcuser=cli"}), &*config);
  ASSERT_TRUE(cmd);
  EXPECT_EQ(cmd->rpcport, 4000);
  EXPECT_EQ(cmd->rpcuser, "cli");
}

TEST(CliOptions, ConfigSyntaxErrorsNameTheLine) {
  auto bad = ParseConfigText("rpcport=1\njunk\n", "x.conf");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.status().code(), "config-parse");
  EXPECT_NE(bad.status().message().find("x.conf:2"), std::string::npos);
  EXPECT_EQ(ParseConfigText("[regtest\n", "x.conf").status().code(), "config-parse");
}

TEST(CliOptions, RpcConnectMayCarryThePort) {
  ConfigFile empty;
  auto o = ResolveCliOptions(*ParseGlobal({"-rpcconnect=10.0.0.1:7000"}), &empty);
  ASSERT_TRUE(o);
  EXPECT_EQ(o->rpcconnect, "10.0.0.1");
  EXPECT_EQ(o->rpcport, 7000);
  auto v6 = ResolveCliOptions(*ParseGlobal({"-rpcconnect=[::1]:7001"}), &empty);
  ASSERT_TRUE(v6);
  EXPECT_EQ(v6->rpcconnect, "::1");
  EXPECT_EQ(v6->rpcport, 7001);
  auto explicit_port =
      ResolveCliOptions(*ParseGlobal({"-rpcconnect=h:7000", "-rpcport=7002"}), &empty);
  EXPECT_EQ(explicit_port->rpcport, 7002);
  EXPECT_EQ(ResolveCliOptions(*ParseGlobal({"-rpcport=70000"}), &empty).status().code(),
            "cli-bad-option");
}

TEST(CliOptions, CookieIsReadFromTheNetworkFolder) {
  testing::ScratchDir dir;
  std::filesystem::create_directories(dir.path() / "regtest");
  dir.Write("regtest/.cookie", "__cookie__:abcdef\n");
  ConfigFile empty;
  auto o = ResolveCliOptions(*ParseGlobal({"-datadir=" + dir.path().string(), "-regtest"}), &empty);
  ASSERT_TRUE(o);
  EXPECT_EQ(RpcCredentials(*o), "__cookie__:abcdef");
  // -rpcpassword wins over the cookie.
  auto p = ResolveCliOptions(
      *ParseGlobal({"-datadir=" + dir.path().string(), "-regtest", "-rpcpassword=pw"}), &empty);
  EXPECT_EQ(RpcCredentials(*p), ":pw");
  // No cookie, no password: no credentials (public methods still work).
  auto none = ResolveCliOptions(*ParseGlobal({"-datadir=" + dir.path().string()}), &empty);
  EXPECT_EQ(RpcCredentials(*none), "");
}

TEST(CliOptions, ConfigFileIsReadFromTheDatadir) {
  testing::ScratchDir dir;
  dir.Write("depin.conf", "testnet=1\n[test]\nrpcport=5555\n");
  auto o = ResolveCliOptions(*ParseGlobal({"-datadir=" + dir.path().string()}));
  ASSERT_TRUE(o) << o.status().ToString();
  EXPECT_EQ(o->network, consensus::Network::kTest);
  EXPECT_EQ(o->rpcport, 5555);
  EXPECT_EQ(ResolveCliOptions(*ParseGlobal({"-datadir=" + dir.path().string(), "-conf=nope.conf"}))
                .status()
                .code(),
            "config-missing");
}

}  // namespace
}  // namespace depin::cli
