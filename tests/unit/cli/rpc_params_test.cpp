#include "cli/rpc_params.h"

#include <gtest/gtest.h>

namespace depin::cli {
namespace {

TEST(RpcParams, WordsThatParseAsJsonAreSentAsJson) {
  EXPECT_EQ(ParamToJson("5"), "5");
  EXPECT_EQ(ParamToJson("-3"), "-3");
  EXPECT_EQ(ParamToJson("1.25"), "1.25");
  EXPECT_EQ(ParamToJson("true"), "true");
  EXPECT_EQ(ParamToJson("false"), "false");
  EXPECT_EQ(ParamToJson("null"), "null");
  EXPECT_EQ(ParamToJson(R"({"a":1})"), R"({"a":1})");
  EXPECT_EQ(ParamToJson(R"({ "a" : [1, 2] })"), R"({"a":[1,2]})");
  EXPECT_EQ(ParamToJson(R"("quoted")"), R"("quoted")");
  EXPECT_EQ(ParamToJson("18446744073709551615"), "18446744073709551615");
}

TEST(RpcParams, OtherWordsAreStrings) {
  EXPECT_EQ(ParamToJson("0xabc"), R"("0xabc")");
  EXPECT_EQ(ParamToJson("hello"), R"("hello")");
  EXPECT_EQ(ParamToJson(""), R"("")");
  EXPECT_EQ(ParamToJson("5 6"), R"("5 6")");
  EXPECT_EQ(ParamToJson("{broken"), R"("{broken")");
  EXPECT_EQ(ParamToJson("say \"hi\"\n"), R"("say \"hi\"\n")");
  EXPECT_EQ(ParamToJson("True"), R"("True")");
}

TEST(RpcParams, IntegersBeyond64BitsStayExactAsStrings) {
  EXPECT_EQ(ParamToJson("1500000000000000000000"), R"("1500000000000000000000")");
  EXPECT_EQ(ParamToJson("1e21"), "1e21");  // a real JSON float stays one
}

TEST(RpcParams, PositionalParamsFormAnArray) {
  EXPECT_EQ(BuildPositionalParams({}), "[]");
  EXPECT_EQ(BuildPositionalParams({"5"}), "[5]");
  EXPECT_EQ(BuildPositionalParams({"0xabc", "true", R"({"a":1})"}), R"(["0xabc",true,{"a":1}])");
}

TEST(RpcParams, NamedParamsFormAnObject) {
  auto params = BuildNamedParams({"blockhash=0x12", "verbosity=2", "note=a=b"});
  ASSERT_TRUE(params);
  EXPECT_EQ(*params, R"({"blockhash":"0x12","verbosity":2,"note":"a=b"})");
  EXPECT_EQ(*BuildNamedParams({}), "{}");
  EXPECT_EQ(*BuildNamedParams({"empty="}), R"({"empty":""})");
}

TEST(RpcParams, NamedParamsRejectBadWords) {
  EXPECT_EQ(BuildNamedParams({"novalue"}).status().code(), "params-named-syntax");
  EXPECT_EQ(BuildNamedParams({"=5"}).status().code(), "params-named-syntax");
  EXPECT_EQ(BuildNamedParams({"a=1", "a=2"}).status().code(), "params-named-duplicate");
}

TEST(RpcParams, RequestIsJsonRpc2) {
  EXPECT_EQ(BuildRequest("getblockhash", "[5]", 7),
            R"({"jsonrpc":"2.0","id":7,"method":"getblockhash","params":[5]})");
}

}  // namespace
}  // namespace depin::cli
