// getaddresshistory and getaddresssummary through the dispatcher over a real
// regtest chainstate with the address index: the agreed shapes, pages and
// cursors, and every refusal with its rule.
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "consensus/abi.h"
#include "consensus/test_module.h"
#include "index/address_index.h"
#include "index/tx_index.h"
#include "rpc/node_methods.h"
#include "rpc/rpc_dispatcher.h"
#include "test_util/keys.h"

namespace depin {
namespace {

constexpr uint64_t kGwei = 1'000'000'000;

crypto::PrivateKey Key(uint8_t i) { return test_util::TestKey(0x44, i); }
Address AddressOf(uint8_t i) { return test_util::TestAddress(0x44, i); }

class AddressMethodsTest : public ::testing::Test {
 protected:
  AddressMethodsTest() {
    params_ = consensus::RegtestParams();
    for (uint8_t i = 1; i <= 3; ++i) params_.genesis_alloc.push_back({AddressOf(i), Dpn(100)});
    modules_.Register(consensus::MakeTestModule());
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("depin-address-rpc-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    chain::ChainstateOptions options;
    options.datadir = dir_.string();
    options.sync_writes = false;
    options.script_threads = 1;
    options.signals = &signals_;
    chain_ = chain::Chainstate::Open(params_, modules_, options).value();
    chain::MempoolOptions pool_options;
    pool_options.verify_threads = 1;
    pool_ = std::make_unique<chain::Mempool>(pool_options, *chain_);
    miner_ = std::make_unique<chain::Miner>(chain::MinerOptions{}, *chain_, pool_.get());
    ctx_.params = &params_;
    ctx_.chainstate = chain_.get();
    ctx_.mempool = pool_.get();
    ctx_.miner = miner_.get();
  }
  ~AddressMethodsTest() override {
    dispatcher_.reset();
    address_index_.reset();
    miner_.reset();
    pool_.reset();
    chain_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  void StartDispatcher(bool with_index, bool start_index = true) {
    if (with_index) {
      index::IndexOptions index_options;
      index_options.datadir = dir_;
      address_index_ = std::make_unique<index::AddressIndex>(*chain_, index_options);
      if (start_index) {
        EXPECT_TRUE(address_index_->Start().ok());
      }
      for (int i = 0; i < 1000 && start_index && !address_index_->synced(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
      ctx_.address_index = address_index_.get();
    }
    dispatcher_ = std::make_unique<RpcDispatcher>();
    for (RpcTable& t : NodeRpcTables(ctx_)) EXPECT_TRUE(dispatcher_->AddTable(std::move(t)).ok());
  }

  rapidjson::Document Call(const std::string& method, const std::string& params) {
    RpcCallContext context;
    context.authenticated = true;
    std::string body =
        R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}";
    std::string reply = dispatcher_->Dispatch(body, context);
    rapidjson::Document doc;
    doc.Parse(reply.c_str());
    EXPECT_FALSE(doc.HasParseError()) << reply;
    return doc;
  }
  rapidjson::Document Result(const std::string& method, const std::string& params) {
    rapidjson::Document reply = Call(method, params);
    EXPECT_TRUE(reply.HasMember("result")) << method << " " << params;
    rapidjson::Document out;
    if (reply.HasMember("result")) out.CopyFrom(reply["result"], out.GetAllocator());
    return out;
  }
  std::pair<int, std::string> Error(const std::string& method, const std::string& params) {
    rapidjson::Document doc = Call(method, params);
    EXPECT_TRUE(doc.HasMember("error")) << method << " " << params;
    if (!doc.HasMember("error")) return {0, ""};
    return {doc["error"]["code"].GetInt(), doc["error"]["message"].GetString()};
  }

  Transaction Tx(uint8_t key, uint64_t nonce, const Address& to, uint64_t value,
                 Bytes data = {}) const {
    Transaction tx;
    tx.chain_id = params_.chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = Uint256(kGwei);
    tx.max_fee_per_gas = Uint256(20 * kGwei);
    tx.gas_limit = data.empty() ? 21000 : 300000;
    tx.to = to;
    tx.value = Uint256(value);
    tx.data = std::move(data);
    tx.Sign(Key(key));
    return tx;
  }
  void Send(const Transaction& tx) {
    Result("sendrawtransaction", "[\"" + HexEncode(tx.Encode()) + "\"]");
  }
  void Mine() { Result("generatetoaddress", "[1, \"" + AddressOf(60).Hex() + "\"]"); }
  static std::string Q(const Address& a) { return "\"" + a.Hex() + "\""; }

  consensus::ChainParams params_;
  consensus::ModuleRegistry modules_;
  std::filesystem::path dir_;
  chain::ValidationSignals signals_{chain::ValidationSignalsOptions{}};
  std::unique_ptr<chain::Chainstate> chain_;
  std::unique_ptr<chain::Mempool> pool_;
  std::unique_ptr<index::AddressIndex> address_index_;
  std::unique_ptr<chain::Miner> miner_;
  NodeRpcContext ctx_;
  std::unique_ptr<RpcDispatcher> dispatcher_;
};

TEST_F(AddressMethodsTest, HistoryAndSummaryHaveTheAgreedShapes) {
  StartDispatcher(/*with_index=*/true);
  const Address module = consensus::TestModuleAddress();
  const Bytes deposit = abi::Encoder().FinishCall(abi::SelectorOf("deposit()"));
  const Bytes withdraw =
      abi::Encoder().Uint(uint64_t{300}).FinishCall(abi::SelectorOf("withdraw(uint256)"));
  Transaction pay = Tx(1, 0, AddressOf(2), 5000);
  Send(pay);
  Mine();
  Send(Tx(1, 1, module, 1000, deposit));
  Mine();
  Transaction out = Tx(1, 2, module, 0, withdraw);
  Send(out);
  Mine();
  ASSERT_TRUE(address_index_->BlockUntilSyncedToCurrentChain());

  auto page = Result("getaddresshistory", "[" + Q(AddressOf(1)) + ", 2]");
  EXPECT_EQ(std::string(page["address"].GetString()), AddressOf(1).ToChecksumHex());
  ASSERT_EQ(page["entries"].Size(), 2u);
  const auto& payout = page["entries"][0];
  EXPECT_EQ(payout["height"].GetUint64(), 3u);
  EXPECT_EQ(std::string(payout["blockhash"].GetString()), chain_->Tip().hash.Hex());
  EXPECT_EQ(payout["txindex"].GetUint(), 0u);
  EXPECT_EQ(std::string(payout["txhash"].GetString()), out.Hash().Hex());
  EXPECT_STREQ(payout["kind"].GetString(), "transfer");
  EXPECT_STREQ(payout["direction"].GetString(), "in");
  EXPECT_EQ(std::string(payout["counterparty"].GetString()), module.ToChecksumHex());
  EXPECT_STREQ(payout["value"].GetString(), "300");
  EXPECT_EQ(std::string(payout["module"].GetString()), module.ToChecksumHex());
  EXPECT_EQ(std::string(payout["method"].GetString()), HexEncode(ByteSpan(withdraw.data(), 4)));
  EXPECT_STREQ(page["entries"][1]["kind"].GetString(), "tx");
  EXPECT_STREQ(page["entries"][1]["direction"].GetString(), "out");
  ASSERT_TRUE(page["next"].IsString());

  auto rest = Result("getaddresshistory",
                     "[" + Q(AddressOf(1)) + ", 100, \"" + page["next"].GetString() + "\"]");
  ASSERT_EQ(rest["entries"].Size(), 2u);
  EXPECT_TRUE(rest["next"].IsNull());
  const auto& oldest = rest["entries"][1];
  EXPECT_EQ(oldest["height"].GetUint64(), 1u);
  EXPECT_EQ(std::string(oldest["counterparty"].GetString()), AddressOf(2).ToChecksumHex());
  EXPECT_STREQ(oldest["value"].GetString(), "5000");
  EXPECT_TRUE(oldest["module"].IsNull());
  EXPECT_TRUE(oldest["method"].IsNull());

  auto sum = Result("getaddresssummary", "[" + Q(AddressOf(1)) + "]");
  EXPECT_EQ(std::string(sum["address"].GetString()), AddressOf(1).ToChecksumHex());
  EXPECT_EQ(std::string(sum["balance"].GetString()),
            chain_->GetAccount(AddressOf(1)).balance.ToDecimal());
  EXPECT_EQ(sum["nonce"].GetUint64(), 3u);
  EXPECT_FALSE(sum["ismodule"].GetBool());
  EXPECT_EQ(sum["txcount"].GetUint64(), 3u);
  EXPECT_STREQ(sum["sent"].GetString(), "6000");
  EXPECT_STREQ(sum["received"].GetString(), "0");
  EXPECT_EQ(sum["firstseen"]["height"].GetUint64(), 1u);
  EXPECT_EQ(std::string(sum["firstseen"]["txhash"].GetString()), pay.Hash().Hex());
  EXPECT_EQ(sum["lastseen"]["height"].GetUint64(), 3u);
  EXPECT_TRUE(sum["leases"].IsNull());
  EXPECT_TRUE(sum["orders"].IsNull());
  EXPECT_TRUE(sum["deals"].IsNull());
  EXPECT_TRUE(Result("getaddresssummary", "[" + Q(module) + "]")["ismodule"].GetBool());

  // An address never seen: empty, not an error.
  auto nobody = Result("getaddresssummary", "[" + Q(AddressOf(99)) + "]");
  EXPECT_EQ(nobody["txcount"].GetUint64(), 0u);
  EXPECT_TRUE(nobody["firstseen"].IsNull());
  EXPECT_TRUE(nobody["lastseen"].IsNull());
  EXPECT_EQ(Result("getaddresshistory", "[" + Q(AddressOf(99)) + "]")["entries"].Size(), 0u);
}

TEST_F(AddressMethodsTest, BadInputIsRefusedWithItsRule) {
  StartDispatcher(/*with_index=*/true);
  Send(Tx(1, 0, AddressOf(2), 1));
  Send(Tx(1, 1, AddressOf(2), 1));
  Mine();
  ASSERT_TRUE(address_index_->BlockUntilSyncedToCurrentChain());
  const std::string a = Q(AddressOf(1));
  auto [code, message] = Error("getaddresshistory", "[" + a + ", 101]");
  EXPECT_EQ(code, kRpcInvalidParams);
  EXPECT_EQ(message.rfind("addressindex-bad-count", 0), 0u) << message;
  EXPECT_EQ(Error("getaddresshistory", "[" + a + ", 0]").first, kRpcInvalidParams);
  for (const std::string& cursor :
       std::vector<std::string>{"junk", "00", std::string(40, '0'), std::string(40, 'z')}) {
    auto [c, m] = Error("getaddresshistory", "[" + a + ", 1, \"" + cursor + "\"]");
    EXPECT_EQ(c, kRpcInvalidParams) << cursor;
    EXPECT_EQ(m.rfind("addressindex-bad-cursor", 0), 0u) << m;
  }
  // A cursor issued for another address is not one for this address.
  auto page = Result("getaddresshistory", "[" + a + ", 1]");
  ASSERT_TRUE(page["next"].IsString());
  auto [c2, m2] = Error("getaddresshistory",
                        "[" + Q(AddressOf(2)) + ", 1, \"" + page["next"].GetString() + "\"]");
  EXPECT_EQ(c2, kRpcInvalidParams) << m2;
  EXPECT_EQ(Error("getaddresshistory", "[\"0x1234\"]").first, kRpcInvalidParams);
  EXPECT_EQ(Error("getaddresssummary", "[\"not an address\"]").first, kRpcInvalidParams);
  EXPECT_EQ(Error("getaddresshistory", "[" + a + ", -1]").first, kRpcInvalidParams);
}

TEST_F(AddressMethodsTest, WithoutTheIndexBothSayItIsDisabled) {
  StartDispatcher(/*with_index=*/false);
  for (const std::string method : {"getaddresshistory", "getaddresssummary"}) {
    auto [code, message] = Error(method, "[" + Q(AddressOf(1)) + "]");
    EXPECT_EQ(code, kRpcServerError);
    EXPECT_EQ(message.rfind("addressindex-disabled", 0), 0u) << message;
  }
}

TEST_F(AddressMethodsTest, AnIndexStillCatchingUpSaysItIsSyncing) {
  // Not started: it has not caught up (as while it builds in the background).
  StartDispatcher(/*with_index=*/true, /*start_index=*/false);
  for (const std::string method : {"getaddresshistory", "getaddresssummary"}) {
    auto [code, message] = Error(method, "[" + Q(AddressOf(1)) + "]");
    EXPECT_EQ(code, kRpcServerError);
    EXPECT_EQ(message.rfind("addressindex-syncing", 0), 0u) << message;
  }
}

}  // namespace
}  // namespace depin
