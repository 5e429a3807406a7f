#include "node/args.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace depin::node {
namespace {

Status Parse(Args& args, const std::vector<std::string>& argv) {
  std::vector<const char*> ptrs = {"depind"};
  for (const std::string& a : argv) ptrs.push_back(a.c_str());
  return args.ParseCommandLine(static_cast<int>(ptrs.size()), ptrs.data());
}

TEST(Args, SingleAndDoubleDashAndBareFlags) {
  Args args;
  ASSERT_TRUE(
      Parse(args, {"-regtest", "--rpcport=1234", "-datadir=/tmp/x", "-printtoconsole"}).ok());
  ASSERT_TRUE(args.SelectNetwork().ok());
  EXPECT_TRUE(args.GetBool("regtest", false));
  EXPECT_TRUE(args.GetBool("printtoconsole", false));
  EXPECT_EQ(args.GetInt("rpcport", 0), 1234);
  EXPECT_EQ(args.GetString("datadir", ""), "/tmp/x");
  EXPECT_FALSE(args.IsSet("mine"));
  EXPECT_EQ(args.GetInt("rpcthreads", 4), 4);
}

TEST(Args, FlagDoesNotSwallowTheNextOption) {
  Args args;
  Status s = Parse(args, {"-regtest", "-nosuchoption=1"});
  EXPECT_EQ(s.code(), "args-unknown-option");
  Args b;
  ASSERT_TRUE(Parse(b, {"-regtest", "-rpcport=5"}).ok());
  EXPECT_EQ(b.GetInt("rpcport", 0), 5);
  Args c;
  EXPECT_FALSE(Parse(c, {"-rpcport", "5"}).ok());  // values need '='
}

TEST(Args, UnknownOptionIsAnErrorNamingIt) {
  Args args;
  Status s = Parse(args, {"-rpcprot=1"});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), "args-unknown-option");
  EXPECT_NE(s.message().find("rpcprot"), std::string::npos);
}

TEST(Args, NoPrefixGuessing) {
  Args args;
  EXPECT_FALSE(Parse(args, {"-rpc=1"}).ok());
}

TEST(Args, BadIntegerAndFlagValuesAreErrors) {
  Args a;
  EXPECT_EQ(Parse(a, {"-rpcport=abc"}).code(), "args-bad-value");
  Args b;
  EXPECT_EQ(Parse(b, {"-mine=yes"}).code(), "args-bad-value");
  Args c;
  EXPECT_FALSE(Parse(c, {"stray"}).ok());
}

TEST(Args, RepeatedListOptionsAccumulate) {
  Args args;
  ASSERT_TRUE(Parse(args, {"-debug=rpc", "-debug=net"}).ok());
  EXPECT_EQ(args.GetList("debug"), (std::vector<std::string>{"rpc", "net"}));
}

TEST(Args, CommandLineWinsOverSectionOverTopLevel) {
  Args args;
  ASSERT_TRUE(Parse(args, {"-regtest", "-rpcthreads=9"}).ok());
  ASSERT_TRUE(args.ReadConfigText("rpcthreads=2\nmaxmempool=100\ndbcache=10\n"
                                  "[regtest]\nmaxmempool=50\n[main]\ndbcache=999\n",
                                  "test.conf")
                  .ok());
  ASSERT_EQ(*args.SelectNetwork(), consensus::Network::kRegtest);
  EXPECT_EQ(args.GetInt("rpcthreads", 0), 9);
  EXPECT_EQ(args.GetInt("maxmempool", 0), 50);
  EXPECT_EQ(args.GetInt("dbcache", 0), 10);  // [main] does not apply to regtest
}

TEST(Args, NetworkFromConfigTopLevel) {
  Args args;
  ASSERT_TRUE(Parse(args, {}).ok());
  ASSERT_TRUE(args.ReadConfigText("testnet=1\n", "c").ok());
  EXPECT_EQ(*args.SelectNetwork(), consensus::Network::kTest);
}

TEST(Args, DevImpliesRegtestAndConflictsWithTestnet) {
  Args a;
  ASSERT_TRUE(Parse(a, {"-dev"}).ok());
  EXPECT_EQ(*a.SelectNetwork(), consensus::Network::kRegtest);
  Args b;
  ASSERT_TRUE(Parse(b, {"-dev", "-testnet"}).ok());
  EXPECT_EQ(b.SelectNetwork().status().code(), "args-conflicting-networks");
}

TEST(Args, ConfigErrorsNameTheFileAndOption) {
  Args a;
  Status s = a.ReadConfigText("bogus=1\n", "my.conf");
  EXPECT_EQ(s.code(), "args-unknown-option");
  EXPECT_NE(s.message().find("my.conf"), std::string::npos);
  EXPECT_NE(s.message().find("bogus"), std::string::npos);

  Args b;
  EXPECT_EQ(b.ReadConfigText("[regtest]\nregtest=1\n", "c").code(), "config-not-in-section");
  Args c;
  EXPECT_EQ(c.ReadConfigText("conf=/x\n", "c").code(), "config-not-in-section");
  Args d;
  EXPECT_EQ(d.ReadConfigText("rpcport=x\n", "c").code(), "config-bad-value");
  Args e;
  EXPECT_EQ(e.ReadConfigText("[mainnet]\nrpcport=1\n", "c").code(), "args-unknown-option");
}

TEST(Args, MissingConfigFileIsOkUnlessRequired) {
  Args args;
  EXPECT_TRUE(args.ReadConfigFile("/nonexistent/depin.conf", /*required=*/false).ok());
  EXPECT_EQ(args.ReadConfigFile("/nonexistent/depin.conf", /*required=*/true).code(),
            "config-missing");
}

TEST(Args, SoftSetDoesNotOverride) {
  Args args;
  ASSERT_TRUE(Parse(args, {"-mine=0"}).ok());
  EXPECT_FALSE(args.SoftSet("mine", "1"));
  EXPECT_TRUE(args.SoftSet("devblocktime", "2"));
  EXPECT_FALSE(args.GetBool("mine", true));
  EXPECT_EQ(args.GetInt("devblocktime", 0), 2);
}

TEST(Args, EveryOptionHasHelpAndAppearsInHelpText) {
  std::string help = ArgsHelpText();
  for (const ArgSpec& spec : NodeArgSpecs()) {
    EXPECT_FALSE(spec.help.empty()) << spec.name;
    EXPECT_NE(help.find("-" + spec.name), std::string::npos) << spec.name;
  }
}

// depin.conf.example is generated from the option table; regenerate with
//   build/bin/depind -dumpconfexample > depin.conf.example
// if this fails after adding an option.
TEST(Args, ConfigExampleIsCurrent) {
  std::ifstream in(std::string(DEPIN_SOURCE_DIR) + "/depin.conf.example");
  ASSERT_TRUE(in) << "depin.conf.example missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), ConfigExampleText());
}

TEST(Args, ConfigExampleParses) {
  // Uncommenting every "#name=value" default must give a valid file.
  std::istringstream in(ConfigExampleText());
  std::string line, uncommented;
  int options = 0;
  while (std::getline(in, line)) {
    size_t eq = line.find('=');
    if (line.size() > 1 && line[0] == '#' && line[1] != ' ' && eq != std::string::npos &&
        eq + 1 < line.size()) {
      uncommented += line.substr(1) + "\n";
      ++options;
    }
  }
  EXPECT_GT(options, 10);
  Args args;
  Status s = args.ReadConfigText(uncommented, "example");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace depin::node
