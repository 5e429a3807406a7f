// Transport-free tests of JSON-RPC dispatch: envelope shapes, batches,
// notifications, access rules, table-driven argument checks, help and docs.
#include "rpc/rpc_dispatcher.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <stdexcept>
#include <string>

namespace depin {
namespace {

RpcTable TestTable() {
  RpcTable t{"test", {}};
  t.methods.push_back(RpcMethod{.name = "echo",
                                .access = RpcAccess::kPublic,
                                .params = {RpcParam::Required("value", RpcType::kAny, "anything")},
                                .help = "Returns its argument.",
                                .result = "the argument",
                                .handler = [](const RpcRequest& req) -> RpcResult {
                                  rapidjson::Document d;
                                  d.CopyFrom(req.Get("value"), d.GetAllocator());
                                  return RpcResult(std::move(d));
                                }});
  t.methods.push_back(
      RpcMethod{.name = "add",
                .access = RpcAccess::kPublic,
                .params = {RpcParam::Required("a", RpcType::kInteger, "first"),
                           RpcParam::Optional("b", RpcType::kInteger, "10", "second")},
                .help = "Adds two integers.",
                .result = "integer",
                .handler = [](const RpcRequest& req) -> RpcResult {
                  return RpcResult::Int(req.GetInt("a") + req.GetInt("b"));
                }});
  t.methods.push_back(RpcMethod{.name = "types",
                                .access = RpcAccess::kPublic,
                                .params = {RpcParam::Required("s", RpcType::kString, ""),
                                           RpcParam::Required("q", RpcType::kHexQuantity, ""),
                                           RpcParam::Required("d", RpcType::kHexData, ""),
                                           RpcParam::Optional("h", RpcType::kHash, "", ""),
                                           RpcParam::Optional("a", RpcType::kAddress, "", ""),
                                           RpcParam::Optional("big", RpcType::kHexU256, "", ""),
                                           RpcParam::Optional("flag", RpcType::kBool, "false", ""),
                                           RpcParam::Optional("u", RpcType::kUint, "", ""),
                                           RpcParam::Optional("o", RpcType::kObject, "", ""),
                                           RpcParam::Optional("arr", RpcType::kArray, "", "")},
                                .help = "Exercises parameter types.",
                                .result = "string",
                                .handler = [](const RpcRequest& req) -> RpcResult {
                                  std::string out =
                                      req.GetString("s") + "|" + std::to_string(req.GetUint("q")) +
                                      "|" + std::to_string(req.GetBytes("d").size()) + "|" +
                                      (req.GetBool("flag") ? "true" : "false") + "|" +
                                      (req.Has("h") ? req.GetFixed<32>("h").Hex() : "-") + "|" +
                                      (req.Has("big") ? req.GetU256("big").Hex() : "-");
                                  return RpcResult::String(out);
                                }});
  t.methods.push_back(RpcMethod{
      .name = "stop",
      .access = RpcAccess::kAdmin,
      .params = {},
      .help = "Stops the node.",
      .result = "string",
      .handler = [](const RpcRequest&) -> RpcResult { return RpcResult::String("stopping"); }});
  t.methods.push_back(
      RpcMethod{.name = "revert",
                .access = RpcAccess::kPublic,
                .params = {},
                .help = "Fails like eth_call.",
                .result = "never",
                .handler = [](const RpcRequest&) -> RpcResult {
                  return RpcError{kRpcExecutionReverted, "execution reverted", "\"0x08c379a0\""};
                }});
  t.methods.push_back(RpcMethod{.name = "throws",
                                .access = RpcAccess::kPublic,
                                .params = {},
                                .help = "Throws.",
                                .result = "never",
                                .handler = [](const RpcRequest&) -> RpcResult {
                                  throw std::runtime_error("secret detail");
                                }});
  t.methods.push_back(RpcMethod{
      .name = "raw",
      .access = RpcAccess::kPublic,
      .params = {RpcParam::Optional("anything", RpcType::kAny, "", "")},
      .help = "Takes raw params.",
      .result = "params count",
      .handler = [](const RpcRequest& req) -> RpcResult {
        const rapidjson::Value* p = req.raw_params();
        return RpcResult::Uint(p == nullptr ? 0 : (p->IsArray() ? p->Size() : p->MemberCount()));
      },
      .raw_params = true});
  return t;
}

class DispatcherTest : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(dispatcher_.AddTable(TestTable()).ok()); }

  rapidjson::Document Call(std::string_view body, bool authenticated = false,
                           bool public_port = false) {
    RpcCallContext ctx;
    ctx.authenticated = authenticated;
    ctx.public_port = public_port;
    std::string out = dispatcher_.Dispatch(body, ctx);
    rapidjson::Document d;
    d.Parse(out.data(), out.size());
    EXPECT_FALSE(d.HasParseError()) << out;
    return d;
  }

  // Error code of a single-request call; 0 if it succeeded.
  int ErrorCode(std::string_view body, bool authenticated = false, bool public_port = false) {
    auto d = Call(body, authenticated, public_port);
    if (!d.IsObject() || !d.HasMember("error")) return 0;
    return d["error"]["code"].GetInt();
  }

  std::string ErrorMessage(std::string_view body) {
    auto d = Call(body);
    return d["error"]["message"].GetString();
  }

  RpcDispatcher dispatcher_;
};

TEST_F(DispatcherTest, SingleCallReturnsResultWithSameId) {
  auto d = Call(R"({"jsonrpc":"2.0","id":"abc","method":"add","params":[2,3]})");
  EXPECT_STREQ(d["jsonrpc"].GetString(), "2.0");
  EXPECT_STREQ(d["id"].GetString(), "abc");
  EXPECT_EQ(d["result"].GetInt(), 5);
}

TEST_F(DispatcherTest, NamedParamsAndDefaults) {
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"b":5,"a":1}})");
  EXPECT_EQ(d["result"].GetInt(), 6);
  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1}})");
  EXPECT_EQ(d["result"].GetInt(), 11);
  // A positional null means "not given": the default applies.
  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,null]})");
  EXPECT_EQ(d["result"].GetInt(), 11);
}

TEST_F(DispatcherTest, TypedGetters) {
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x1f","0xabcd",)"
                R"("0x0000000000000000000000000000000000000000000000000000000000000001",)"
                R"(null,"0x100",true]})");
  ASSERT_TRUE(d.HasMember("result")) << d["error"]["message"].GetString();
  EXPECT_STREQ(d["result"].GetString(),
               "x|31|2|true|0x0000000000000000000000000000000000000000000000000000000000000001|"
               "0x0000000000000000000000000000000000000000000000000000000000000100");
}

TEST_F(DispatcherTest, ParseErrors) {
  EXPECT_EQ(ErrorCode("{"), kRpcParseError);
  EXPECT_EQ(ErrorCode(""), kRpcParseError);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"add"} trailing)"), kRpcParseError);
  EXPECT_EQ(ErrorCode("\xff\xfe"), kRpcParseError);
  EXPECT_EQ(ErrorCode(std::string(100, '[') + std::string(100, ']')), kRpcParseError);
  auto d = Call("{");
  EXPECT_TRUE(d["id"].IsNull());
}

TEST_F(DispatcherTest, InvalidRequestShapes) {
  const char* cases[] = {
      R"(1)",
      R"("x")",
      R"(null)",
      R"({"jsonrpc":"2.0","id":1})",
      R"({"jsonrpc":"2.0","id":1,"method":5})",
      R"({"jsonrpc":"1.0","id":1,"method":"add","params":[1]})",
      R"({"id":1,"method":"add","params":[1]})",
      R"({"jsonrpc":2.0,"id":1,"method":"add","params":[1]})",
      R"({"jsonrpc":"2.0","id":1,"method":"add","params":5})",
      R"({"jsonrpc":"2.0","id":1,"method":"add","params":"1"})",
      R"({"jsonrpc":"2.0","id":1,"method":"add","params":null})",
      R"({"jsonrpc":"2.0","id":{},"method":"add","params":[1]})",
      R"({"jsonrpc":"2.0","id":[1],"method":"add","params":[1]})",
      R"({"jsonrpc":"2.0","id":true,"method":"add","params":[1]})",
      R"([])",
  };
  for (const char* c : cases) EXPECT_EQ(ErrorCode(c), kRpcInvalidRequest) << c;
  // An invalid request is answered even without an id.
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","method":7})"), kRpcInvalidRequest);
  // With an unusable id the error carries id null.
  auto d = Call(R"({"jsonrpc":"2.0","id":{},"method":"add"})");
  EXPECT_TRUE(d["id"].IsNull());
  // With a usable id the error echoes it.
  d = Call(R"({"jsonrpc":"1.0","id":7,"method":"add"})");
  EXPECT_EQ(d["id"].GetInt(), 7);
}

TEST_F(DispatcherTest, MethodNotFound) {
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"nope"})"), kRpcMethodNotFound);
  EXPECT_NE(ErrorMessage(R"({"jsonrpc":"2.0","id":1,"method":"nope"})").find("nope"),
            std::string::npos);
}

TEST_F(DispatcherTest, InvalidParamsArePrecise) {
  struct Case {
    const char* body;
    const char* message_part;
  } cases[] = {
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2,3]})", "at most 2"},
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":[]})", "missing required parameter 'a'"},
      {R"({"jsonrpc":"2.0","id":1,"method":"add"})", "missing required parameter 'a'"},
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":["1"]})", "'a' (position 1)"},
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1.5]})", "expected integer"},
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,true]})", "'b' (position 2)"},
      {R"({"jsonrpc":"2.0","id":1,"method":"add","params":{"a":1,"c":2}})",
       "unknown parameter 'c'"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","1f","0x00"]})", "0x"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x01","0x00"]})",
       "leading zeros"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x","0x00"]})", "'q'"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x1ffffffffffffffff","0x00"]})",
       "64 bits"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x1","0x0"]})", "odd"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x1","0xzz"]})", "hex digit"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x1","0x","0x00"]})", "32 bytes"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":["x","0x1","0x",null,"0x00"]})",
       "20 bytes"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":{"s":"x","q":"0x1","d":"0x","big":)"
       R"("0x10000000000000000000000000000000000000000000000000000000000000000"}})",
       "256 bits"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":{"s":"x","q":"0x1","d":"0x","u":-1}})",
       "non-negative"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":{"s":"x","q":"0x1","d":"0x","o":[]}})",
       "expected object"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":{"s":"x","q":"0x1","d":"0x","arr":{}}})",
       "expected array"},
      {R"({"jsonrpc":"2.0","id":1,"method":"types","params":{"s":1,"q":"0x1","d":"0x"}})",
       "expected string"},
  };
  for (const auto& c : cases) {
    auto d = Call(c.body);
    ASSERT_TRUE(d.HasMember("error")) << c.body;
    EXPECT_EQ(d["error"]["code"].GetInt(), kRpcInvalidParams) << c.body;
    std::string msg = d["error"]["message"].GetString();
    EXPECT_NE(msg.find(c.message_part), std::string::npos) << c.body << " -> " << msg;
  }
}

TEST_F(DispatcherTest, ApplicationErrorCarriesCodeAndData) {
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"revert"})");
  EXPECT_EQ(d["error"]["code"].GetInt(), 3);
  EXPECT_STREQ(d["error"]["message"].GetString(), "execution reverted");
  EXPECT_STREQ(d["error"]["data"].GetString(), "0x08c379a0");
}

TEST_F(DispatcherTest, ThrowingHandlerIsInternalErrorWithoutDetail) {
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"throws"})");
  EXPECT_EQ(d["error"]["code"].GetInt(), kRpcInternalError);
  EXPECT_EQ(std::string(d["error"]["message"].GetString()).find("secret"), std::string::npos);
}

TEST_F(DispatcherTest, RawParamsSkipChecks) {
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"raw","params":[1,2,3,4]})");
  EXPECT_EQ(d["result"].GetUint(), 4u);
  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"raw"})");
  EXPECT_EQ(d["result"].GetUint(), 0u);
}

TEST_F(DispatcherTest, NotificationGetsNoResponse) {
  RpcCallContext ctx;
  EXPECT_EQ(dispatcher_.Dispatch(R"({"jsonrpc":"2.0","method":"add","params":[1]})", ctx), "");
  // Not even for errors that concern a valid request.
  EXPECT_EQ(dispatcher_.Dispatch(R"({"jsonrpc":"2.0","method":"nope"})", ctx), "");
  EXPECT_EQ(dispatcher_.Dispatch(R"({"jsonrpc":"2.0","method":"add","params":["x"]})", ctx), "");
  EXPECT_EQ(dispatcher_.Dispatch(R"([{"jsonrpc":"2.0","method":"add","params":[1]}])", ctx), "");
}

TEST_F(DispatcherTest, BatchOf150WithNotificationsAndErrors) {
  std::string body = "[";
  for (int i = 0; i < 150; ++i) {
    body += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"add","params":[)" +
            std::to_string(i) + "]},";
  }
  body += R"({"jsonrpc":"2.0","method":"add","params":[1]},)";  // notification
  body += R"(5,)";                                              // invalid entry
  body += R"({"jsonrpc":"2.0","id":"x","method":"nope"}])";
  auto d = Call(body);
  ASSERT_TRUE(d.IsArray());
  ASSERT_EQ(d.Size(), 152u);
  for (int i = 0; i < 150; ++i) {
    EXPECT_EQ(d[i]["id"].GetInt(), i);
    EXPECT_EQ(d[i]["result"].GetInt(), i + 10);
  }
  EXPECT_EQ(d[150]["error"]["code"].GetInt(), kRpcInvalidRequest);
  EXPECT_EQ(d[151]["error"]["code"].GetInt(), kRpcMethodNotFound);
}

TEST_F(DispatcherTest, BatchLimits) {
  RpcCallContext ctx;
  std::string body = R"([{"jsonrpc":"2.0","id":1,"method":"add","params":[1]},)"
                     R"({"jsonrpc":"2.0","id":2,"method":"add","params":[1]}])";
  std::string out = dispatcher_.Dispatch(body, ctx, /*max_batch=*/1);
  rapidjson::Document d;
  d.Parse(out.c_str());
  ASSERT_TRUE(d.IsObject());
  EXPECT_EQ(d["error"]["code"].GetInt(), kRpcInvalidRequest);
}

TEST_F(DispatcherTest, EachBatchEntryCostsAToken) {
  int tokens = 3;
  int charged = 0;
  RpcCallContext ctx;
  ctx.charge = [&](double cost) {
    ++charged;
    if (tokens < 1) return false;
    tokens -= static_cast<int>(cost);
    return true;
  };
  std::string body = "[";
  for (int i = 0; i < 5; ++i) {
    body += R"({"jsonrpc":"2.0","id":)" + std::to_string(i) + R"(,"method":"add","params":[1]},)";
  }
  body += R"({"jsonrpc":"2.0","method":"add","params":[1]}])";  // a refused notification
  std::string out = dispatcher_.Dispatch(body, ctx);
  rapidjson::Document d;
  d.Parse(out.c_str());
  ASSERT_TRUE(d.IsArray()) << out;
  ASSERT_EQ(d.Size(), 5u);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(d[i]["result"].GetInt(), 11) << i;
  for (int i = 3; i < 5; ++i) {
    EXPECT_EQ(d[i]["error"]["code"].GetInt(), kRpcLimitExceeded) << i;
    EXPECT_EQ(d[i]["id"].GetInt(), i);
  }
  EXPECT_EQ(charged, 6);
  // A single request is one entry.
  tokens = 1;
  EXPECT_EQ(dispatcher_.Dispatch(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1]})", ctx),
            R"({"jsonrpc":"2.0","id":1,"result":11})");
  EXPECT_NE(dispatcher_.Dispatch(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1]})", ctx)
                .find(std::to_string(kRpcLimitExceeded)),
            std::string::npos);
}

TEST_F(DispatcherTest, AdminNeedsAuthenticationAndNeverRunsOnPublicPort) {
  const char* stop = R"({"jsonrpc":"2.0","id":1,"method":"stop"})";
  EXPECT_EQ(ErrorCode(stop, /*authenticated=*/false), kRpcUnauthorized);
  EXPECT_EQ(ErrorCode(stop, /*authenticated=*/true), 0);
  EXPECT_EQ(ErrorCode(stop, /*authenticated=*/true, /*public_port=*/true), kRpcMethodNotFound);
  EXPECT_EQ(ErrorCode(stop, /*authenticated=*/false, /*public_port=*/true), kRpcMethodNotFound);
}

TEST_F(DispatcherTest, DevMethodsNeedNoAuthenticationAndNeverRunOnPublicPort) {
  RpcTable dev{"dev", {}};
  dev.methods.push_back(RpcMethod{
      .name = "evm_tick",
      .access = RpcAccess::kDev,
      .params = {RpcParam::Optional("n", RpcType::kUintOrQuantity, "1", "a count")},
      .help = "Counts.",
      .result = "the count",
      .handler = [](const RpcRequest& req) { return RpcResult::Uint(req.GetUint("n")); }});
  ASSERT_TRUE(dispatcher_.AddTable(std::move(dev)).ok());
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"evm_tick","params":["0x10"]})");
  EXPECT_EQ(d["result"].GetUint64(), 16u);
  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"evm_tick","params":[7]})");
  EXPECT_EQ(d["result"].GetUint64(), 7u);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"evm_tick","params":[-7]})"),
            kRpcInvalidParams);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"evm_tick","params":["7"]})"),
            kRpcInvalidParams);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"evm_tick"})", false,
                      /*public_port=*/true),
            kRpcMethodNotFound);
  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"help"})");
  EXPECT_NE(std::string(d["result"].GetString()).find("evm_tick ( n )  [dev]"), std::string::npos);
  std::string md = RenderRpcMarkdown(dispatcher_.tables());
  EXPECT_NE(md.find("`evm_tick ( n )` — **dev** (only with `-dev`)"), std::string::npos) << md;
}

TEST_F(DispatcherTest, WarmupAnswersMinus28ExceptAnAuthenticatedStop) {
  int stops = 0;
  dispatcher_.SetWarmup("node is starting: loading", [&stops] { ++stops; });
  const char* add = R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1,2]})";
  EXPECT_EQ(ErrorCode(add), kRpcInWarmup);
  EXPECT_EQ(ErrorMessage(add), "node is starting: loading");
  // Unknown methods too: the node cannot tell yet what it will serve.
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"nope"})"), kRpcInWarmup);
  // Malformed requests are still malformed.
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"1.0","id":1,"method":"add"})"), kRpcInvalidRequest);
  // The message follows the progress.
  dispatcher_.SetWarmup("node is starting: height 5");
  EXPECT_EQ(ErrorMessage(add), "node is starting: height 5");

  const char* stop = R"({"jsonrpc":"2.0","id":1,"method":"stop"})";
  EXPECT_EQ(ErrorCode(stop, /*authenticated=*/false), kRpcInWarmup);
  EXPECT_EQ(ErrorCode(stop, /*authenticated=*/true, /*public_port=*/true), kRpcInWarmup);
  EXPECT_EQ(stops, 0);
  auto d = Call(stop, /*authenticated=*/true);
  EXPECT_STREQ(d["result"].GetString(), "depind stopping");
  EXPECT_EQ(stops, 1);
}

TEST_F(DispatcherTest, DuplicateMethodAndBadDefaultRejected) {
  EXPECT_EQ(dispatcher_.AddTable(TestTable()).code(), "rpc-duplicate-method");
  RpcTable bad{"bad", {}};
  bad.methods.push_back(
      RpcMethod{.name = "baddefault",
                .access = RpcAccess::kPublic,
                .params = {RpcParam::Optional("x", RpcType::kBool, "notjson", "")},
                .help = "",
                .result = "",
                .handler = [](const RpcRequest&) -> RpcResult { return RpcResult::Null(); }});
  EXPECT_EQ(dispatcher_.AddTable(bad).code(), "rpc-bad-default");
  bad.methods[0].params[0].default_json = "1";  // valid JSON, wrong type
  EXPECT_EQ(dispatcher_.AddTable(bad).code(), "rpc-bad-default");
  EXPECT_EQ(dispatcher_.FindMethod("baddefault"), nullptr);
}

TEST_F(DispatcherTest, HelpListsAndDescribesFromTable) {
  auto d = Call(R"({"jsonrpc":"2.0","id":1,"method":"help"})");
  std::string list = d["result"].GetString();
  EXPECT_NE(list.find("== test =="), std::string::npos) << list;
  EXPECT_NE(list.find("add a ( b )"), std::string::npos) << list;
  EXPECT_NE(list.find("stop  [admin]"), std::string::npos) << list;

  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"help","params":["add"]})");
  std::string one = d["result"].GetString();
  EXPECT_NE(one.find("Adds two integers."), std::string::npos) << one;
  EXPECT_NE(one.find("2. b  (integer, optional, default=10) second"), std::string::npos) << one;

  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"help","params":["nope"]})"),
            kRpcInvalidParams);
  // The public port neither lists nor describes admin methods.
  d = Call(R"({"jsonrpc":"2.0","id":1,"method":"help"})", false, /*public_port=*/true);
  EXPECT_EQ(std::string(d["result"].GetString()).find("stop"), std::string::npos);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":1,"method":"help","params":["stop"]})", false,
                      /*public_port=*/true),
            kRpcInvalidParams);
}

TEST_F(DispatcherTest, MarkdownFromTables) {
  std::string md = RenderRpcMarkdown(dispatcher_.tables());
  EXPECT_NE(md.find("## test"), std::string::npos);
  EXPECT_NE(md.find("### add"), std::string::npos);
  EXPECT_NE(md.find("| 2 | `b` | integer | no | `10` | second |"), std::string::npos) << md;
  EXPECT_NE(md.find("`stop` — **admin**"), std::string::npos) << md;
  EXPECT_NE(md.find("### help"), std::string::npos);
}

TEST(RpcTypes, HexQuantityParsing) {
  auto q = ParseHexQuantity("0x0");
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q->IsZero());
  q = ParseHexQuantity("0xabc");
  ASSERT_TRUE(q.ok());
  EXPECT_EQ((*q)[30], 0x0a);
  EXPECT_EQ((*q)[31], 0xbc);
  EXPECT_FALSE(ParseHexQuantity("abc").ok());
  EXPECT_FALSE(ParseHexQuantity("0x").ok());
  EXPECT_FALSE(ParseHexQuantity("0x00").ok());
  EXPECT_FALSE(ParseHexQuantity("0xg").ok());
  EXPECT_FALSE(ParseHexQuantity("0x" + std::string(65, 'f')).ok());
  EXPECT_TRUE(ParseHexQuantity("0x" + std::string(64, 'f')).ok());
}

TEST(DispatcherObserver, SeesEveryHandledCallWithItsOutcome) {
  RpcDispatcher dispatcher;
  ASSERT_TRUE(dispatcher.AddTable(TestTable()).ok());
  std::vector<std::pair<std::string, bool>> seen;
  dispatcher.SetCallObserver(
      [&seen](const std::string& method, std::chrono::nanoseconds elapsed, bool ok) {
        EXPECT_GE(elapsed.count(), 0);
        seen.emplace_back(method, ok);
      });
  RpcCallContext ctx;
  dispatcher.Dispatch(R"({"jsonrpc":"2.0","id":1,"method":"add","params":[1]})", ctx);
  // A batch: each entry; a notification runs too.
  dispatcher.Dispatch(R"([{"jsonrpc":"2.0","id":2,"method":"echo","params":[3]},
                          {"jsonrpc":"2.0","method":"add","params":[4]}])",
                      ctx);
  // Refused before a handler runs: not seen (unknown method, bad params,
  // admin without credentials).
  dispatcher.Dispatch(R"({"jsonrpc":"2.0","id":3,"method":"nope"})", ctx);
  dispatcher.Dispatch(R"({"jsonrpc":"2.0","id":4,"method":"add","params":["x"]})", ctx);
  dispatcher.Dispatch(R"({"jsonrpc":"2.0","id":5,"method":"stop"})", ctx);
  // Handlers that fail or throw: seen, not ok.
  dispatcher.Dispatch(R"({"jsonrpc":"2.0","id":6,"method":"revert"})", ctx);
  dispatcher.Dispatch(R"({"jsonrpc":"2.0","id":7,"method":"throws"})", ctx);
  EXPECT_EQ(
      seen,
      (std::vector<std::pair<std::string, bool>>{
          {"add", true}, {"echo", true}, {"add", true}, {"revert", false}, {"throws", false}}));
}

}  // namespace
}  // namespace depin
