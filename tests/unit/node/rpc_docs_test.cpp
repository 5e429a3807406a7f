#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "node/init.h"
#include "rpc/node_methods.h"

namespace depin::node {
namespace {

// docs/rpc.md is generated from the method tables; regenerate with
//   build/bin/depind -dumprpcdocs > docs/rpc.md
// after changing a table.
TEST(RpcDocs, CheckedInReferenceMatchesTheTables) {
  std::ifstream in(std::string(DEPIN_SOURCE_DIR) + "/docs/rpc.md");
  ASSERT_TRUE(in) << "docs/rpc.md missing";
  std::stringstream text;
  text << in.rdbuf();
  EXPECT_EQ(text.str(), RpcDocsMarkdown())
      << "docs/rpc.md is stale: run depind -dumprpcdocs > docs/rpc.md";
}

TEST(RpcDocs, EveryIssueMethodIsRegisteredWithTheRightAccess) {
  NodeRpcContext empty;
  std::set<std::string> admin, pub;
  for (const RpcTable& table : NodeRpcTables(empty)) {
    for (const RpcMethod& m : table.methods) {
      EXPECT_FALSE(m.help.empty()) << m.name;
      EXPECT_FALSE(m.result.empty()) << m.name;
      (m.access == RpcAccess::kAdmin ? admin : pub).insert(m.name);
    }
  }
  for (const char* name :
       {"getblockchaininfo", "getblockcount", "getbestblockhash", "getblockhash", "getblockheader",
        "getblock", "getrawtransaction", "decoderawtransaction", "sendrawtransaction", "getaccount",
        "getmempoolinfo", "getrawmempool", "getmininginfo", "estimatefee", "getnetworkinfo",
        "uptime"}) {
    EXPECT_TRUE(pub.count(name)) << name;
  }
  for (const char* name : {"getblocktemplate", "submitblock", "generatetoaddress", "stop"}) {
    EXPECT_TRUE(admin.count(name)) << name;
  }
}

}  // namespace
}  // namespace depin::node
