#include "cli/cli.h"

#include <gtest/gtest.h>

#include "cli/rpc_client.h"
#include "cli_test_util.h"

namespace depin::cli {
namespace {

using testing::OneShotHttpServer;
using testing::RunCliWith;

std::string Body(const std::string& request) {
  size_t end = request.find("\r\n\r\n");
  return end == std::string::npos ? "" : request.substr(end + 4);
}

std::vector<std::string> Against(const OneShotHttpServer& server, std::vector<std::string> words) {
  std::vector<std::string> args{"-datadir=/nonexistent-depin-test",
                                "-rpcport=" + std::to_string(server.port())};
  args.insert(args.end(), words.begin(), words.end());
  return args;
}

TEST(Cli, NumbersAreSentAsNumbersAndStringResultsPrintBare) {
  OneShotHttpServer server(
      OneShotHttpServer::JsonResponse(R"({"jsonrpc":"2.0","id":1,"result":"0xabc"})"));
  auto run = RunCliWith(Against(server, {"getblockhash", "5"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "0xabc\n");
  std::string request = server.request();
  EXPECT_EQ(Body(request), R"({"jsonrpc":"2.0","id":1,"method":"getblockhash","params":[5]})");
  EXPECT_NE(request.find("POST / HTTP/1.1"), std::string::npos);
  EXPECT_NE(request.find("Content-Type: application/json"), std::string::npos);
}

TEST(Cli, HexWordsAreStringsAndObjectsPrettyPrint) {
  OneShotHttpServer server(OneShotHttpServer::JsonResponse(
      R"({"jsonrpc":"2.0","id":1,"result":{"balance":"7","nonce":2}})"));
  auto run = RunCliWith(Against(server, {"getaccount", "0xabc", "true", R"({"a":1})"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "{\n  \"balance\": \"7\",\n  \"nonce\": 2\n}\n");
  EXPECT_EQ(Body(server.request()),
            R"({"jsonrpc":"2.0","id":1,"method":"getaccount","params":["0xabc",true,{"a":1}]})");
}

TEST(Cli, NamedSendsAnObject) {
  OneShotHttpServer server(
      OneShotHttpServer::JsonResponse(R"({"jsonrpc":"2.0","id":1,"result":null})"));
  auto run = RunCliWith(Against(server, {"-named", "getblock", "blockhash=0x01", "verbosity=2"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "");  // null prints nothing
  EXPECT_EQ(
      Body(server.request()),
      R"({"jsonrpc":"2.0","id":1,"method":"getblock","params":{"blockhash":"0x01","verbosity":2}})");
}

TEST(Cli, RpcErrorsGoToStderrWithCodeAndExitOne) {
  OneShotHttpServer server(OneShotHttpServer::JsonResponse(
      R"({"jsonrpc":"2.0","id":1,"error":{"code":-32602,"message":"block height out of range"}})"));
  auto run = RunCliWith(Against(server, {"getblockhash", "999"}));
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.out, "");
  EXPECT_EQ(run.err, "error code: -32602\nerror message:\nblock height out of range\n");
}

TEST(Cli, Http401IsAnAuthorizationFailure) {
  OneShotHttpServer server(
      "HTTP/1.1 401 Unauthorized\r\nContent-Type: text/plain\r\nContent-Length: 13\r\n"
      "WWW-Authenticate: Basic realm=\"jsonrpc\"\r\nConnection: close\r\n\r\nunauthorized\n");
  auto run = RunCliWith(Against(server, {"-rpcpassword=wrong", "stop"}));
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: Authorization failed: Incorrect rpcuser or rpcpassword\n");
  EXPECT_NE(server.request().find("Authorization: Basic " + Base64Encode(":wrong")),
            std::string::npos);
}

TEST(Cli, CookieFromTheDatadirIsSentAsBasicAuth) {
  testing::ScratchDir dir;
  std::filesystem::create_directories(dir.path() / "regtest");
  dir.Write("regtest/.cookie", "__cookie__:0123abcd");
  OneShotHttpServer server(
      OneShotHttpServer::JsonResponse(R"({"jsonrpc":"2.0","id":1,"result":12})"));
  auto run = RunCliWith({"-datadir=" + dir.path().string(), "-regtest",
                         "-rpcport=" + std::to_string(server.port()), "getblockcount"});
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "12\n");
  EXPECT_NE(server.request().find("Authorization: Basic " + Base64Encode("__cookie__:0123abcd")),
            std::string::npos);
}

TEST(Cli, NonJsonHttpErrorsNameTheStatus) {
  OneShotHttpServer server(
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\nContent-Length: 26\r\n"
      "Connection: close\r\n\r\nwork queue depth exceeded\n");
  auto run = RunCliWith(Against(server, {"getblockcount"}));
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: server returned HTTP 503: work queue depth exceeded\n");
}

TEST(Cli, NodeDownIsAConnectError) {
  uint16_t port = 0;
  {
    // A port that was just free: bind, read it, close.
    OneShotHttpServer probe("");
    port = probe.port();
  }
  auto run = RunCliWith(
      {"-datadir=/nonexistent-depin-test", "-rpcport=" + std::to_string(port), "getblockcount"});
  EXPECT_EQ(run.code, 1);
  EXPECT_EQ(run.err, "error: Could not connect to the server 127.0.0.1:" + std::to_string(port) +
                         " (is depind running?)\n");
}

TEST(Cli, UsageErrors) {
  EXPECT_EQ(RunCliWith({}).code, 1);
  EXPECT_EQ(RunCliWith({"-nosuchoption", "getblockcount"}).code, 1);
  auto help = RunCliWith({"-help"});
  EXPECT_EQ(help.code, 0);
  EXPECT_NE(help.out.find("-rpcport"), std::string::npos);
  auto send_help = RunCliWith({"send", "-help"});
  EXPECT_EQ(send_help.code, 0);
  EXPECT_NE(send_help.out.find("--from"), std::string::npos);
}

TEST(Cli, Base64MatchesRfc4648) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

}  // namespace
}  // namespace depin::cli
