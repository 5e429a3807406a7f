// The eth_ table through the dispatcher, over a real regtest chainstate (with
// the test module) and mempool: value formats, geth's error messages and
// codes, module calls, blocks, receipts, logs, filters and subscriptions.
#include "rpc/eth_methods.h"

#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <unistd.h>

#include <atomic>
#include <ctime>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "chain/block_assembler.h"
#include "chain/miner.h"
#include "chain/validation_signals.h"
#include "consensus/abi.h"
#include "consensus/executor.h"
#include "consensus/test_module.h"
#include "index/tx_index.h"
#include "rpc/eth_subscriptions.h"
#include "rpc/rpc_dispatcher.h"
#include "test_util/keys.h"

namespace depin {
namespace {

constexpr uint64_t kGwei = 1'000'000'000;

crypto::PrivateKey Key(uint8_t i) { return test_util::TestKey(0x22, i); }
Address AddressOf(uint8_t i) { return test_util::TestAddress(0x22, i); }

// A websocket stand-in that records what is pushed to it.
class FakeSession : public RpcSession {
 public:
  uint64_t id() const override { return 7; }
  bool Send(std::string json) override {
    std::lock_guard<std::mutex> lock(mu_);
    sent_.push_back(std::move(json));
    return true;
  }
  bool IsOpen() const override { return open_; }
  void AddCloseHook(std::function<void()> hook) override { hooks_.push_back(std::move(hook)); }
  void Close() override {
    open_ = false;
    for (auto& h : hooks_) h();
    hooks_.clear();
  }
  std::vector<std::string> sent() {
    std::lock_guard<std::mutex> lock(mu_);
    return sent_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> sent_;
  std::vector<std::function<void()>> hooks_;
  bool open_ = true;
};

class EthMethodsTest : public ::testing::Test {
 protected:
  // `max_reorg_depth` (when non-zero) also bounds the state history.
  explicit EthMethodsTest(uint64_t max_reorg_depth = 0) {
    params_ = consensus::RegtestParams();
    if (max_reorg_depth != 0) params_.max_reorg_depth = max_reorg_depth;
    for (uint8_t i = 1; i <= 5; ++i) params_.genesis_alloc.push_back({AddressOf(i), Dpn(100)});
    params_.genesis_alloc.push_back({AddressOf(9), Uint256(1000)});  // poor
    modules_.Register(consensus::MakeTestModule());
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("depin-eth-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
    chain::ChainstateOptions options;
    options.datadir = dir_.string();
    options.sync_writes = false;
    options.script_threads = 1;
    options.signals = &signals_;
    chain_ = chain::Chainstate::Open(params_, modules_, options).value();
    chain::MempoolOptions pool_options;
    pool_options.min_tip = Uint256(kGwei);
    pool_options.verify_threads = 1;
    pool_ = std::make_unique<chain::Mempool>(pool_options, *chain_);
    ctx_.params = &params_;
    ctx_.chainstate = chain_.get();
    index::IndexOptions index_options;
    index_options.datadir = dir_;
    tx_index_ = std::make_unique<index::TxIndex>(*chain_, index_options);
    EXPECT_TRUE(tx_index_->Start().ok());
    // Caught up at once (the chain is at genesis), on its own thread.
    for (int i = 0; i < 1000 && !tx_index_->synced(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ctx_.tx_index = tx_index_.get();
    ctx_.indexes = {tx_index_.get()};
    ctx_.mempool = pool_.get();
    ctx_.version = "0.1.0";
    dispatcher_ = std::make_unique<RpcDispatcher>();
    for (RpcTable& t : EthRpcTables(ctx_)) EXPECT_TRUE(dispatcher_->AddTable(std::move(t)).ok());
  }
  ~EthMethodsTest() override {
    dispatcher_.reset();
    tx_index_.reset();
    pool_.reset();
    chain_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  // The response object of one call; `params` is JSON text.
  rapidjson::Document Call(const std::string& method, const std::string& params = "[]",
                           const RpcCallContext& context = {}) {
    std::string body =
        R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}";
    std::string reply = dispatcher_->Dispatch(body, context);
    rapidjson::Document doc;
    doc.Parse(reply.c_str());
    EXPECT_FALSE(doc.HasParseError()) << reply;
    return doc;
  }
  std::string Result(const std::string& method, const std::string& params = "[]") {
    rapidjson::Document doc = Call(method, params);
    EXPECT_TRUE(doc.HasMember("result")) << method << " " << params;
    if (!doc.HasMember("result") || !doc["result"].IsString()) return "";
    return doc["result"].GetString();
  }
  // "code message" of an error reply.
  std::pair<int, std::string> Error(const std::string& method, const std::string& params) {
    rapidjson::Document doc = Call(method, params);
    EXPECT_TRUE(doc.HasMember("error")) << method << " " << params;
    if (!doc.HasMember("error")) return {0, ""};
    return {doc["error"]["code"].GetInt(), doc["error"]["message"].GetString()};
  }

  Transaction MakeTx(uint8_t key, uint64_t nonce, Uint256 tip = Uint256(2 * kGwei),
                     Uint256 fee_cap = Uint256(20 * kGwei), std::optional<Address> to = {},
                     Bytes data = {}, uint64_t gas = 21000) const {
    Transaction tx;
    tx.chain_id = params_.chain_id;
    tx.nonce = nonce;
    tx.max_priority_fee_per_gas = tip;
    tx.max_fee_per_gas = fee_cap;
    tx.gas_limit = gas;
    tx.to = to ? *to : AddressOf(50);
    tx.value = data.empty() ? Uint256(1) : Uint256();
    tx.data = std::move(data);
    tx.Sign(Key(key));
    return tx;
  }
  static std::string RawParam(const Transaction& tx) {
    return "[\"" + HexEncode(tx.Encode()) + "\"]";
  }
  Transaction SetTx(uint8_t key, uint64_t nonce, uint64_t k, uint64_t v) const {
    Bytes data = abi::Encoder()
                     .Uint(Uint256(k))
                     .Uint(Uint256(v))
                     .FinishCall(abi::SelectorOf("set(uint256,uint256)"));
    return MakeTx(key, nonce, Uint256(2 * kGwei), Uint256(20 * kGwei),
                  consensus::TestModuleAddress(), std::move(data), 200000);
  }

  std::shared_ptr<Block> Mine() { return MineOn(*chain_, pool_.get(), AddressOf(60)); }

  // Mines one block on `chain`'s tip from `pool` (may be null).
  static std::shared_ptr<Block> MineOn(chain::Chainstate& chain, const chain::Mempool* pool,
                                       const Address& coinbase) {
    chain::BlockAssembler assembler(chain::BlockAssemblerOptions{}, chain, pool);
    auto tmpl = assembler.CreateNewBlock(coinbase, static_cast<uint64_t>(std::time(nullptr)));
    EXPECT_TRUE(tmpl.ok()) << tmpl.status().ToString();
    std::shared_ptr<Block> block = tmpl->block;
    chain::SearchResult found = chain::SearchNonce(
        block->header, tmpl->target, 1, [] { return false; }, nullptr);
    EXPECT_TRUE(found.found);
    block->header.nonce = found.nonce;
    Status s = chain.ProcessBlock(block);
    EXPECT_TRUE(s.ok()) << s.ToString();
    return block;
  }

  consensus::ChainParams params_;
  consensus::ModuleRegistry modules_;
  std::filesystem::path dir_;
  // Before the chainstate, which enqueues on it; destroyed after every subscriber.
  chain::ValidationSignals signals_{chain::ValidationSignalsOptions{}};
  std::unique_ptr<chain::Chainstate> chain_;
  std::unique_ptr<chain::Mempool> pool_;
  std::unique_ptr<index::TxIndex> tx_index_;
  NodeRpcContext ctx_;
  std::unique_ptr<RpcDispatcher> dispatcher_;
};

// go-ethereum's answers on a proof-of-work chain: the etherbase (or an
// error without one), whether the miner runs, and its hash rate.
TEST_F(EthMethodsTest, CoinbaseMiningAndHashrateAnswerAsGeth) {
  auto [code, message] = Error("eth_coinbase", "[]");
  EXPECT_EQ(code, kRpcServerError);
  EXPECT_EQ(message, "etherbase must be explicitly specified");
  EXPECT_FALSE(Call("eth_mining")["result"].GetBool());
  EXPECT_EQ(Result("eth_hashrate"), "0x0");

  ctx_.miner_address = AddressOf(3);
  EXPECT_EQ(Result("eth_coinbase"), AddressOf(3).ToChecksumHex());
  chain::MinerOptions options;
  options.coinbase = AddressOf(3);
  options.dev = true;
  options.dev_block_interval = std::chrono::seconds(60);  // started, but no block within the test
  chain::Miner miner(options, *chain_, pool_.get());
  ctx_.miner = &miner;
  EXPECT_FALSE(Call("eth_mining")["result"].GetBool());
  miner.Start();
  EXPECT_TRUE(Call("eth_mining")["result"].GetBool());
  miner.Stop();
  EXPECT_FALSE(Call("eth_mining")["result"].GetBool());
  // A search measures the rate: one block mined through the miner.
  ASSERT_TRUE(miner.Generate(1, AddressOf(3)).ok());
  EXPECT_NE(Result("eth_hashrate"), "0x0");
  EXPECT_EQ(Result("eth_hashrate"),
            eth_json::QuantityHex(static_cast<uint64_t>(std::max(0.0, miner.hashrate()))));
  ctx_.miner = nullptr;
}

TEST_F(EthMethodsTest, QuantitiesAreMinimalHex) {
  EXPECT_EQ(Result("eth_chainId"), "0x539");
  EXPECT_EQ(Result("net_version"), "1337");
  EXPECT_EQ(Result("eth_blockNumber"), "0x0");
  EXPECT_EQ(Result("eth_getBalance", "[\"" + AddressOf(1).ToChecksumHex() + "\",\"latest\"]"),
            Dpn(100).ToQuantityHex());
  EXPECT_EQ(Result("eth_getTransactionCount", "[\"" + AddressOf(1).ToChecksumHex() + "\"]"), "0x0");
  EXPECT_EQ(Result("web3_sha3", "[\"0x\"]"),
            "0xc5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470");
  EXPECT_EQ(Result("web3_clientVersion"), "depind/v0.1.0");
  rapidjson::Document accounts = Call("eth_accounts");
  EXPECT_TRUE(accounts["result"].IsArray() && accounts["result"].Empty());
}

TEST_F(EthMethodsTest, UnknownMethodIsMethodNotFound) {
  EXPECT_EQ(Error("eth_sendTransaction", "[{}]").first, kRpcMethodNotFound);
}

TEST_F(EthMethodsTest, CodeMarksModulesAsContracts) {
  EXPECT_EQ(Result("eth_getCode", "[\"" + consensus::TestModuleAddress().ToChecksumHex() + "\"]"),
            kModuleCodeMarker);
  EXPECT_EQ(Result("eth_getCode", "[\"" + AddressOf(1).ToChecksumHex() + "\"]"), "0x");
}

TEST_F(EthMethodsTest, RejectedTransactionsUseGethMessages) {
  auto expect = [&](const Transaction& tx, const std::string& prefix) {
    auto [code, message] = Error("eth_sendRawTransaction", RawParam(tx));
    EXPECT_EQ(code, kRpcServerError) << message;
    EXPECT_EQ(message.rfind(prefix, 0), 0u) << message << " should start with " << prefix;
  };
  Transaction first = MakeTx(1, 0);
  EXPECT_EQ(Result("eth_sendRawTransaction", RawParam(first)), first.Hash().Hex());
  expect(first, "already known");
  expect(MakeTx(1, 0, Uint256(2 * kGwei), Uint256(21 * kGwei)),
         "replacement transaction underpriced");
  expect(MakeTx(1, 500), "nonce too high");
  expect(MakeTx(2, 0, Uint256(0)), "transaction underpriced");
  expect(MakeTx(2, 0, Uint256(1), Uint256(1)), "max fee per gas less than block base fee");
  expect(MakeTx(9, 0), "insufficient funds for gas * price + value");
  expect(MakeTx(2, 0, Uint256(2 * kGwei), Uint256(20 * kGwei), std::nullopt, {}, 20000),
         "intrinsic gas too low");
  Transaction wrong_chain = MakeTx(2, 0);
  wrong_chain.chain_id = 5;
  wrong_chain.Sign(Key(2));
  expect(wrong_chain, "invalid chain id");
  expect(MakeTx(2, 0, Uint256(2 * kGwei), Uint256(20 * kGwei), AddressOf(50), Bytes{1, 2}, 50000),
         "data sent to a non-module address");
  Mine();
  expect(MakeTx(1, 0), "nonce too low");
  EXPECT_EQ(Result("eth_getTransactionCount", "[\"" + AddressOf(1).ToChecksumHex() + "\"]"), "0x1");
}

TEST_F(EthMethodsTest, PendingNonceCountsThePool) {
  std::string param = "[\"" + AddressOf(3).ToChecksumHex() + "\",\"pending\"]";
  EXPECT_EQ(Result("eth_getTransactionCount", param), "0x0");
  Result("eth_sendRawTransaction", RawParam(MakeTx(3, 0)));
  Result("eth_sendRawTransaction", RawParam(MakeTx(3, 1)));
  EXPECT_EQ(Result("eth_getTransactionCount", param), "0x2");
  EXPECT_EQ(Result("eth_getTransactionCount", "[\"" + AddressOf(3).ToChecksumHex() + "\"]"), "0x0");
}

TEST_F(EthMethodsTest, FailingCallIsExecutionRevertedWithErrorData) {
  Bytes data = abi::Encoder().String("boom").FinishCall(abi::SelectorOf("fail(string)"));
  std::string call = R"([{"to":")" + consensus::TestModuleAddress().ToChecksumHex() +
                     R"(","data":")" + HexEncode(data) + R"("},"latest"])";
  rapidjson::Document doc = Call("eth_call", call);
  ASSERT_TRUE(doc.HasMember("error"));
  EXPECT_EQ(doc["error"]["code"].GetInt(), kRpcExecutionReverted);
  // The reason starts with the rule name, so wallets show which rule refused.
  EXPECT_STREQ(doc["error"]["message"].GetString(), "execution reverted: testmod-fail: boom");
  EXPECT_EQ(doc["error"]["data"].GetString(),
            HexEncode(consensus::EncodeRevertReason("testmod-fail: boom")));
  doc = Call("eth_estimateGas",
             call.substr(0, call.size() - std::string(",\"latest\"]").size()) + "]");
  ASSERT_TRUE(doc.HasMember("error"));
  EXPECT_EQ(doc["error"]["code"].GetInt(), kRpcExecutionReverted);
}

TEST_F(EthMethodsTest, CallThatRunsOutOfGasIsNotARevert) {
  Bytes data = abi::Encoder()
                   .Uint(Uint256(uint64_t{1} << 62))
                   .FinishCall(abi::SelectorOf("burnGas(uint256)"));
  std::string call = R"([{"to":")" + consensus::TestModuleAddress().ToChecksumHex() +
                     R"(","data":")" + HexEncode(data) + R"("}])";
  auto [code, message] = Error("eth_estimateGas", call);
  EXPECT_EQ(code, kRpcServerError);
  EXPECT_EQ(message.rfind("gas required exceeds allowance", 0), 0u) << message;
  EXPECT_EQ(Error("eth_call", call), std::make_pair(kRpcServerError, std::string("out of gas")));
}

TEST_F(EthMethodsTest, ViewCallAndGasEstimate) {
  Result("eth_sendRawTransaction", RawParam(SetTx(1, 0, 7, 42)));
  Mine();
  Bytes get = abi::Encoder().Uint(Uint256(7)).FinishCall(abi::SelectorOf("get(uint256)"));
  std::string to = consensus::TestModuleAddress().ToChecksumHex();
  EXPECT_EQ(Result("eth_call", R"([{"to":")" + to + R"(","input":")" + HexEncode(get) + R"("}])"),
            Uint256(42).ToHash().Hex());
  Bytes set = abi::Encoder()
                  .Uint(Uint256(8))
                  .Uint(Uint256(1))
                  .FinishCall(abi::SelectorOf("set(uint256,uint256)"));
  std::string estimate =
      Result("eth_estimateGas", R"([{"from":")" + AddressOf(2).ToChecksumHex() + R"(","to":")" +
                                    to + R"(","data":")" + HexEncode(set) + R"("}])");
  auto gas = Uint256::FromHex(estimate);
  ASSERT_TRUE(gas.ok()) << estimate;
  EXPECT_GT(gas->Low64(), 21000u);
  // The estimate is enough: a tx with exactly that limit succeeds.
  Transaction tx = SetTx(2, 0, 8, 1);
  tx.gas_limit = gas->Low64();
  tx.Sign(Key(2));
  Result("eth_sendRawTransaction", RawParam(tx));
  Mine();
  rapidjson::Document receipt = Call("eth_getTransactionReceipt", "[\"" + tx.Hash().Hex() + "\"]");
  EXPECT_STREQ(receipt["result"]["status"].GetString(), "0x1");
  EXPECT_EQ(Result("eth_estimateGas", R"([{"to":")" + AddressOf(40).ToChecksumHex() + R"("}])"),
            "0x5208");
}

// What wallets meet first when they send data to a plain account or deploy a
// contract: eth_estimateGas (and eth_call) answer as a revert whose reason is
// the rule, the form ethers and viem put in their error messages.
TEST_F(EthMethodsTest, CallsNoTxCouldMakeAnswerAsRevertsNamingTheRule) {
  const std::string plain = AddressOf(40).ToChecksumHex();
  const std::string from = AddressOf(1).ToChecksumHex();
  for (const char* method : {"eth_estimateGas", "eth_call"}) {
    rapidjson::Document doc =
        Call(method, R"([{"from":")" + from + R"(","to":")" + plain + R"(","data":"0x1234"}])");
    ASSERT_TRUE(doc.HasMember("error")) << method;
    EXPECT_EQ(doc["error"]["code"].GetInt(), kRpcExecutionReverted);
    const std::string message = doc["error"]["message"].GetString();
    EXPECT_EQ(message.rfind("execution reverted: tx-data-to-non-module: data sent to a non-module "
                            "address " +
                                plain,
                            0),
              0u)
        << message;
    // data: Error(string) of the same reason, which ethers decodes.
    const std::string reason = message.substr(std::string("execution reverted: ").size());
    EXPECT_EQ(std::string(doc["error"]["data"].GetString()),
              HexEncode(consensus::EncodeRevertReason(reason)));

    doc = Call(method, R"([{"from":")" + from + R"(","data":"0x6080"}])");
    ASSERT_TRUE(doc.HasMember("error")) << method;
    EXPECT_EQ(doc["error"]["code"].GetInt(), kRpcExecutionReverted);
    EXPECT_NE(std::string(doc["error"]["message"].GetString())
                  .find("execution reverted: tx-contract-creation: contract creation is not "
                        "supported"),
              std::string::npos);
  }
  // A plain transfer (no data) is still fine.
  EXPECT_EQ(Result("eth_estimateGas", R"([{"to":")" + plain + R"("}])"), "0x5208");
}

TEST_F(EthMethodsTest, CallSeesTheRandomnessOfItsBlocksAncestors) {
  Mine();
  Mine();
  const std::string to = consensus::TestModuleAddress().ToChecksumHex();
  auto randomness = [&](uint64_t lookback, const std::string& block) {
    Bytes data = abi::Encoder().Uint(lookback).FinishCall(abi::SelectorOf("randomness(uint256)"));
    return Call("eth_call", R"([{"to":")" + to + R"(","input":")" + HexEncode(data) + R"("},")" +
                                block + R"("])");
  };
  // At the tip the call runs in the next block: one back is the tip itself.
  rapidjson::Document latest = randomness(1, "latest");
  ASSERT_TRUE(latest.HasMember("result"));
  EXPECT_EQ(latest["result"].GetString(), chain_->Tip().hash.Hex());
  rapidjson::Document two_back = randomness(2, "latest");
  EXPECT_EQ(two_back["result"].GetString(), chain_->GetBlockHashAtHeight(1)->Hex());
  // At block 1 the call runs in block 2: one back is block 1.
  rapidjson::Document at_one = randomness(1, "0x1");
  EXPECT_EQ(at_one["result"].GetString(), chain_->GetBlockHashAtHeight(1)->Hex());
  // Never the block itself.
  rapidjson::Document itself = randomness(0, "latest");
  ASSERT_TRUE(itself.HasMember("error"));
  EXPECT_EQ(itself["error"]["message"].GetString(),
            std::string("execution reverted: randomness-not-ancestor: randomness at height 3 is "
                        "not an ancestor of block 3: a block never draws on itself or later "
                        "blocks"));
}

TEST_F(EthMethodsTest, DeferredWorkLogsReachGetLogsUnderTheSystemReceipt) {
  const uint64_t due = chain_->Tip().height + 2;
  Bytes data = abi::Encoder().Uint(due).Uint(5).Uint(50'000).FinishCall(
      abi::SelectorOf("schedule(uint256,uint256,uint256)"));
  Result("eth_sendRawTransaction", RawParam(MakeTx(1, 0, Uint256(2 * kGwei), Uint256(20 * kGwei),
                                                   consensus::TestModuleAddress(), data, 200'000)));
  Mine();
  std::shared_ptr<Block> due_block = Mine();
  ASSERT_EQ(due_block->header.height, due);
  auto receipts = chain_->ReadReceipts(due_block->Hash());
  ASSERT_TRUE(receipts.ok());
  ASSERT_EQ(receipts->size(), due_block->txs.size() + 1);  // the system receipt
  const std::string topic = abi::EventTopic("DeferredRan(uint256,uint256,uint256)").Hex();
  rapidjson::Document logs = Call(
      "eth_getLogs", R"([{"fromBlock":"0x0","toBlock":"latest","topics":[")" + topic + R"("]}])");
  ASSERT_TRUE(logs.HasMember("result"));
  ASSERT_EQ(logs["result"].Size(), 1u);
  const auto& log = logs["result"][0];
  EXPECT_EQ(log["blockHash"].GetString(), due_block->Hash().Hex());
  EXPECT_EQ(log["transactionHash"].GetString(), consensus::SystemTxHash(due_block->Hash()).Hex());
  EXPECT_EQ(log["transactionIndex"].GetString(), eth_json::QuantityHex(due_block->txs.size()));
  EXPECT_EQ(log["topics"][1].GetString(), Uint256(5).ToHash().Hex());
}

TEST_F(EthMethodsTest, BlocksReceiptsAndLogsCarryEthereumFields) {
  Transaction a = SetTx(1, 0, 1, 10);
  Transaction b = SetTx(2, 0, 2, 20);
  Result("eth_sendRawTransaction", RawParam(a));
  Result("eth_sendRawTransaction", RawParam(b));
  std::shared_ptr<Block> block = Mine();
  ASSERT_EQ(block->txs.size(), 2u);

  rapidjson::Document doc = Call("eth_getBlockByNumber", R"(["0x1",true])");
  const rapidjson::Value& r = doc["result"];
  EXPECT_EQ(std::string(r["hash"].GetString()), block->Hash().Hex());
  EXPECT_STREQ(r["number"].GetString(), "0x1");
  EXPECT_STREQ(r["sha3Uncles"].GetString(),
               "0x1dcc4de8dec75d7aab85b567b6ccd41ad312451b948a7413f0a142fd40d49347");
  EXPECT_EQ(std::string(r["nonce"].GetString()).size(), 18u);
  EXPECT_EQ(std::string(r["mixHash"].GetString()), block->header.extra.Hex());
  EXPECT_EQ(std::string(r["logsBloom"].GetString()).size(), 2u + 512u);
  EXPECT_NE(std::string(r["logsBloom"].GetString()), Bloom().Hex());
  EXPECT_EQ(std::string(r["miner"].GetString()), AddressOf(60).ToChecksumHex());
  EXPECT_TRUE(r["uncles"].IsArray() && r["uncles"].Empty());
  EXPECT_EQ(r["transactions"].Size(), 2u);
  EXPECT_STREQ(r["transactions"][1]["transactionIndex"].GetString(), "0x1");
  EXPECT_STREQ(r["transactions"][1]["type"].GetString(), "0x2");
  auto difficulty = Uint256::FromHex(r["difficulty"].GetString());
  auto total = Uint256::FromHex(r["totalDifficulty"].GetString());
  ASSERT_TRUE(difficulty.ok() && total.ok());
  EXPECT_FALSE(difficulty->IsZero());
  EXPECT_GT(*total, *difficulty);  // genesis work plus this block's

  // Log indexes run across the block's txs.
  rapidjson::Document second = Call("eth_getTransactionReceipt", "[\"" + b.Hash().Hex() + "\"]");
  const rapidjson::Value& rec = second["result"];
  EXPECT_STREQ(rec["transactionIndex"].GetString(), "0x1");
  EXPECT_STREQ(rec["logs"][0]["logIndex"].GetString(), "0x1");
  EXPECT_TRUE(rec["contractAddress"].IsNull());
  EXPECT_EQ(std::string(rec["from"].GetString()), AddressOf(2).ToChecksumHex());

  std::string topic = abi::EventTopic("ValueSet(address,uint256,uint256)").Hex();
  rapidjson::Document logs =
      Call("eth_getLogs", R"([{"fromBlock":"0x0","toBlock":"latest","topics":[")" + topic +
                              R"(",null,")" + Uint256(2).ToHash().Hex() + R"("]}])");
  ASSERT_TRUE(logs["result"].IsArray());
  ASSERT_EQ(logs["result"].Size(), 1u);
  EXPECT_EQ(std::string(logs["result"][0]["transactionHash"].GetString()), b.Hash().Hex());
  rapidjson::Document none = Call("eth_getLogs", R"([{"address":")" + AddressOf(1).ToChecksumHex() +
                                                     R"(","fromBlock":"0x0"}])");
  EXPECT_EQ(none["result"].Size(), 0u);
  // A range past the tip ends at the tip (as geth).
  EXPECT_EQ(Call("eth_getLogs", R"([{"fromBlock":"0x0","toBlock":"0x100000"}])")["result"].Size(),
            2u);
  rapidjson::Document receipts = Call("eth_getBlockReceipts", "[\"0x1\"]");
  EXPECT_EQ(receipts["result"].Size(), 2u);
  EXPECT_TRUE(Call("eth_getBlockByNumber", R"(["0x7",false])")["result"].IsNull());
  EXPECT_EQ(Result("eth_getBlockTransactionCountByNumber", R"(["latest"])"), "0x2");
}

TEST_F(EthMethodsTest, PollingFiltersCollectNewBlocksTxsAndLogs) {
  std::string blocks = Result("eth_newBlockFilter");
  std::string pending = Result("eth_newPendingTransactionFilter");
  std::string logs =
      Result("eth_newFilter",
             R"([{"address":")" + consensus::TestModuleAddress().ToChecksumHex() + R"("}])");
  Transaction tx = SetTx(1, 0, 3, 30);
  Result("eth_sendRawTransaction", RawParam(tx));
  std::shared_ptr<Block> block = Mine();
  rapidjson::Document b = Call("eth_getFilterChanges", "[\"" + blocks + "\"]");
  ASSERT_EQ(b["result"].Size(), 1u);
  EXPECT_EQ(std::string(b["result"][0].GetString()), block->Hash().Hex());
  rapidjson::Document p = Call("eth_getFilterChanges", "[\"" + pending + "\"]");
  ASSERT_EQ(p["result"].Size(), 1u);
  EXPECT_EQ(std::string(p["result"][0].GetString()), tx.Hash().Hex());
  rapidjson::Document l = Call("eth_getFilterChanges", "[\"" + logs + "\"]");
  ASSERT_EQ(l["result"].Size(), 1u);
  EXPECT_FALSE(l["result"][0]["removed"].GetBool());
  EXPECT_EQ(Call("eth_getFilterChanges", "[\"" + logs + "\"]")["result"].Size(), 0u);
  EXPECT_EQ(Call("eth_getFilterLogs", "[\"" + logs + "\"]")["result"].Size(), 1u);
  EXPECT_TRUE(Call("eth_uninstallFilter", "[\"" + logs + "\"]")["result"].GetBool());
  EXPECT_EQ(Error("eth_getFilterChanges", "[\"" + logs + "\"]").second, "filter not found");
}

TEST_F(EthMethodsTest, SubscriptionsPushToTheirSession) {
  auto session = std::make_shared<FakeSession>();
  RpcCallContext ws;
  ws.session = session;
  EXPECT_EQ(Error("eth_subscribe", R"(["newHeads"])").second, "notifications not supported");
  rapidjson::Document heads = Call("eth_subscribe", R"(["newHeads"])", ws);
  rapidjson::Document logs = Call("eth_subscribe", R"(["logs",{"topics":[]}])", ws);
  rapidjson::Document txs = Call("eth_subscribe", R"(["newPendingTransactions"])", ws);
  std::string heads_id = heads["result"].GetString();
  Result("eth_sendRawTransaction", RawParam(SetTx(1, 0, 4, 40)));
  std::shared_ptr<Block> block = Mine();
  signals_.SyncWithValidationQueue();  // notifications go out on the signals thread
  std::vector<std::string> sent = session->sent();
  ASSERT_EQ(sent.size(), 3u);  // pending tx, head, log
  rapidjson::Document head;
  head.Parse(sent[1].c_str());
  EXPECT_STREQ(head["method"].GetString(), "eth_subscription");
  EXPECT_EQ(std::string(head["params"]["subscription"].GetString()), heads_id);
  EXPECT_EQ(std::string(head["params"]["result"]["hash"].GetString()), block->Hash().Hex());
  EXPECT_TRUE(Call("eth_unsubscribe", "[\"" + heads_id + "\"]", ws)["result"].GetBool());
  EXPECT_FALSE(Call("eth_unsubscribe", "[\"" + heads_id + "\"]", ws)["result"].GetBool());
  session->Close();  // drops the session's other subscriptions
  Mine();
  signals_.SyncWithValidationQueue();
  EXPECT_EQ(session->sent().size(), 3u);
}

TEST_F(EthMethodsTest, PendingTransactionsAsHashesOrWholeTxs) {
  auto session = std::make_shared<FakeSession>();
  RpcCallContext ws;
  ws.session = session;
  std::string hashes =
      Call("eth_subscribe", R"(["newPendingTransactions"])", ws)["result"].GetString();
  std::string full =
      Call("eth_subscribe", R"(["newPendingTransactions",true])", ws)["result"].GetString();
  rapidjson::Document bad = Call("eth_subscribe", R"(["newPendingTransactions",{"x":1}])", ws);
  ASSERT_TRUE(bad.HasMember("error"));
  EXPECT_EQ(bad["error"]["code"].GetInt(), kRpcInvalidParams);
  Transaction tx = SetTx(1, 0, 6, 60);
  Result("eth_sendRawTransaction", RawParam(tx));
  signals_.SyncWithValidationQueue();  // notifications go out on the signals thread
  std::vector<std::string> sent = session->sent();
  ASSERT_EQ(sent.size(), 2u);
  for (const std::string& n : sent) {
    rapidjson::Document d;
    d.Parse(n.c_str());
    const std::string id = d["params"]["subscription"].GetString();
    const rapidjson::Value& result = d["params"]["result"];
    if (id == hashes) {
      ASSERT_TRUE(result.IsString());
      EXPECT_EQ(std::string(result.GetString()), tx.Hash().Hex());
    } else {
      EXPECT_EQ(id, full);
      ASSERT_TRUE(result.IsObject());
      EXPECT_EQ(std::string(result["hash"].GetString()), tx.Hash().Hex());
      EXPECT_TRUE(result["blockHash"].IsNull());
      EXPECT_EQ(std::string(result["nonce"].GetString()), "0x0");
    }
  }
}

TEST_F(EthMethodsTest, SubscriptionsPerConnectionAreBounded) {
  auto session = std::make_shared<FakeSession>();
  RpcCallContext ws;
  ws.session = session;
  for (size_t i = 0; i < kMaxSubscriptionsPerSession; ++i) {
    ASSERT_TRUE(Call("eth_subscribe", R"(["newHeads"])", ws).HasMember("result"));
  }
  rapidjson::Document over = Call("eth_subscribe", R"(["newHeads"])", ws);
  ASSERT_TRUE(over.HasMember("error"));
  EXPECT_EQ(over["error"]["code"].GetInt(), kRpcLimitExceeded);
  session->Close();
  auto again = std::make_shared<FakeSession>();
  ws.session = again;
  EXPECT_TRUE(Call("eth_subscribe", R"(["newHeads"])", ws).HasMember("result"));
}

TEST_F(EthMethodsTest, ReorgSendsRemovedLogs) {
  auto session = std::make_shared<FakeSession>();
  RpcCallContext ws;
  ws.session = session;
  std::string sub = Call("eth_subscribe", R"(["logs",{}])", ws)["result"].GetString();
  std::string filter = Result("eth_newFilter", "[{}]");
  Transaction tx = SetTx(1, 0, 5, 50);
  Result("eth_sendRawTransaction", RawParam(tx));
  Mine();
  EXPECT_EQ(Call("eth_getFilterChanges", "[\"" + filter + "\"]")["result"].Size(), 1u);

  // A heavier branch from genesis, mined on a second chainstate, replaces the
  // block with the log.
  auto dir = dir_.string() + "-fork";
  chain::ChainstateOptions options;
  options.datadir = dir;
  options.sync_writes = false;
  options.script_threads = 1;
  auto fork = chain::Chainstate::Open(params_, modules_, options).value();
  std::shared_ptr<Block> b1 = MineOn(*fork, nullptr, AddressOf(61));
  std::shared_ptr<Block> b2 = MineOn(*fork, nullptr, AddressOf(61));
  ASSERT_TRUE(chain_->ProcessBlock(b1).ok());
  ASSERT_TRUE(chain_->ProcessBlock(b2).ok());
  ASSERT_EQ(chain_->Tip().hash, b2->Hash());

  rapidjson::Document changes = Call("eth_getFilterChanges", "[\"" + filter + "\"]");
  ASSERT_EQ(changes["result"].Size(), 1u);
  EXPECT_TRUE(changes["result"][0]["removed"].GetBool());
  EXPECT_EQ(std::string(changes["result"][0]["transactionHash"].GetString()), tx.Hash().Hex());
  signals_.SyncWithValidationQueue();  // notifications go out on the signals thread
  std::vector<std::string> sent = session->sent();
  ASSERT_EQ(sent.size(), 2u);
  rapidjson::Document removed;
  removed.Parse(sent[1].c_str());
  EXPECT_EQ(std::string(removed["params"]["subscription"].GetString()), sub);
  EXPECT_TRUE(removed["params"]["result"]["removed"].GetBool());
  // The tx is pending again: no receipt, a tx object without a block.
  EXPECT_TRUE(
      Call("eth_getTransactionReceipt", "[\"" + tx.Hash().Hex() + "\"]")["result"].IsNull());
  fork.reset();
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

TEST_F(EthMethodsTest, BlockTags) {
  Mine();
  Mine();
  EXPECT_EQ(Result("eth_blockNumber"), "0x2");
  rapidjson::Document safe = Call("eth_getBlockByNumber", R"(["safe",false])");
  EXPECT_STREQ(safe["result"]["number"].GetString(), "0x0");  // fewer than 6 confirmations
  rapidjson::Document earliest = Call("eth_getBlockByNumber", R"(["earliest",false])");
  EXPECT_STREQ(earliest["result"]["number"].GetString(), "0x0");
  std::string address = AddressOf(1).ToChecksumHex();
  EXPECT_FALSE(Result("eth_getBalance", "[\"" + address + "\",\"0x2\"]").empty());
  EXPECT_EQ(Error("eth_getBalance", "[\"" + address + "\",\"soon\"]").first, kRpcInvalidParams);
  EXPECT_EQ(Error("eth_getBalance", "[\"" + address + "\",\"0x3\"]"),
            std::make_pair(kRpcServerError, std::string("header not found")));
  EXPECT_EQ(Error("eth_getCode", "[\"" + address + "\",\"0x3\"]"),
            std::make_pair(kRpcServerError, std::string("header not found")));
}

TEST_F(EthMethodsTest, StateQueriesAtAnOlderBlockSeeThatBlocksState) {
  const std::string alice = AddressOf(1).ToChecksumHex();
  const std::string fresh = AddressOf(51).ToChecksumHex();
  const std::string module = consensus::TestModuleAddress().ToChecksumHex();
  const Uint256 escrow(1000);
  // Block 1: alice sets key 7 to 42; key 2 deposits 1000 wei.
  // Block 2: alice sets key 7 to 43; key 3 funds `fresh`.
  // Block 3: key 2 withdraws its deposit.
  Transaction deposit =
      MakeTx(2, 0, Uint256(2 * kGwei), Uint256(20 * kGwei), consensus::TestModuleAddress(),
             abi::Encoder().FinishCall(abi::SelectorOf("deposit()")), 100000);
  deposit.value = escrow;
  deposit.Sign(Key(2));
  const Bytes withdraw_call =
      abi::Encoder().Uint(escrow).FinishCall(abi::SelectorOf("withdraw(uint256)"));
  std::vector<std::vector<Transaction>> blocks = {
      {SetTx(1, 0, 7, 42), deposit},
      {SetTx(1, 1, 7, 43), MakeTx(3, 0, Uint256(2 * kGwei), Uint256(20 * kGwei), AddressOf(51))},
      {MakeTx(2, 1, Uint256(2 * kGwei), Uint256(20 * kGwei), consensus::TestModuleAddress(),
              withdraw_call, 100000)},
  };
  auto account = [&](const std::string& address, const std::string& block) {
    return std::make_pair(
        Result("eth_getBalance", "[\"" + address + "\",\"" + block + "\"]"),
        Result("eth_getTransactionCount", "[\"" + address + "\",\"" + block + "\"]"));
  };
  std::vector<std::pair<std::string, std::string>> alice_at = {account(alice, "latest")};
  std::vector<std::string> hashes = {chain_->Tip().hash.Hex()};
  for (const auto& txs : blocks) {
    for (const Transaction& tx : txs) Result("eth_sendRawTransaction", RawParam(tx));
    std::shared_ptr<Block> block = Mine();
    ASSERT_EQ(block->txs.size(), txs.size());
    alice_at.push_back(account(alice, "latest"));
    hashes.push_back(block->Hash().Hex());
  }
  ASSERT_NE(alice_at[1], alice_at[3]);

  for (uint64_t h = 0; h <= 3; ++h) {
    EXPECT_EQ(account(alice, eth_json::QuantityHex(h)), alice_at[h]) << "block " << h;
    EXPECT_EQ(Result("eth_getBalance", "[\"" + alice + "\",{\"blockHash\":\"" + hashes[h] + "\"}]"),
              alice_at[h].first)
        << "block " << h;
  }
  EXPECT_EQ(account(alice, "earliest"), alice_at[0]);
  EXPECT_EQ(Result("eth_getBalance", "[\"" + alice + "\",{\"blockNumber\":\"0x2\"}]"),
            alice_at[2].first);
  // Created in block 2: absent (zero) before.
  EXPECT_EQ(account(fresh, "0x1"), std::make_pair(std::string("0x0"), std::string("0x0")));
  EXPECT_EQ(Result("eth_getBalance", "[\"" + fresh + "\",\"0x2\"]"), "0x1");
  // The module's escrow account exists in blocks 1 and 2 only (emptied, then deleted).
  EXPECT_EQ(Result("eth_getBalance", "[\"" + module + "\",\"0x0\"]"), "0x0");
  EXPECT_EQ(Result("eth_getBalance", "[\"" + module + "\",\"0x2\"]"), escrow.ToQuantityHex());
  EXPECT_EQ(Result("eth_getBalance", "[\"" + module + "\",\"latest\"]"), "0x0");

  // eth_call runs on the state after the named block.
  const std::string get =
      HexEncode(abi::Encoder().Uint(Uint256(7)).FinishCall(abi::SelectorOf("get(uint256)")));
  auto call_get = [&](const std::string& block) {
    return Result("eth_call",
                  R"([{"to":")" + module + R"(","input":")" + get + R"("},)" + block + "]");
  };
  EXPECT_EQ(call_get("\"earliest\""), Uint256(0).ToHash().Hex());
  EXPECT_EQ(call_get("\"0x1\""), Uint256(42).ToHash().Hex());
  EXPECT_EQ(call_get("{\"blockHash\":\"" + hashes[2] + "\"}"), Uint256(43).ToHash().Hex());
  EXPECT_EQ(call_get("\"latest\""), Uint256(43).ToHash().Hex());
  // The withdrawal succeeds where the deposit is still held, and reverts at
  // the tip; eth_estimateGas agrees.
  const std::string withdraw = R"([{"from":")" + AddressOf(2).ToChecksumHex() + R"(","to":")" +
                               module + R"(","input":")" + HexEncode(withdraw_call) + R"("},)";
  EXPECT_EQ(Result("eth_call", withdraw + "\"0x2\"]"), "0x");
  EXPECT_EQ(Error("eth_call", withdraw + "\"latest\"]").first, kRpcExecutionReverted);
  EXPECT_FALSE(Result("eth_estimateGas", withdraw + "\"0x1\"]").empty());
  EXPECT_EQ(Error("eth_estimateGas", withdraw + "\"latest\"]").first, kRpcExecutionReverted);
}

TEST_F(EthMethodsTest, OnlyTipStateQueriesRunInline) {
  const std::string address = AddressOf(1).ToChecksumHex();
  auto body = [](const std::string& method, const std::string& params) {
    return R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}";
  };
  EXPECT_TRUE(dispatcher_->RunsInline(body("eth_getBalance", "[\"" + address + "\"]")));
  EXPECT_TRUE(dispatcher_->RunsInline(body("eth_getBalance", "[\"" + address + "\",\"latest\"]")));
  EXPECT_TRUE(dispatcher_->RunsInline(
      body("eth_getTransactionCount", "[\"" + address + "\",\"pending\"]")));
  EXPECT_TRUE(dispatcher_->RunsInline(
      body("eth_getBalance", R"({"address":")" + address + R"(","block":"latest"})")));
  EXPECT_FALSE(dispatcher_->RunsInline(body("eth_getBalance", "[\"" + address + "\",\"0x1\"]")));
  EXPECT_FALSE(
      dispatcher_->RunsInline(body("eth_getTransactionCount", "[\"" + address + "\",\"safe\"]")));
  EXPECT_FALSE(dispatcher_->RunsInline(
      body("eth_getBalance", R"({"address":")" + address + R"(","block":"earliest"})")));
}

// A network that keeps 4 blocks of undo: the history reaches 4 blocks back.
class EthShallowHistoryTest : public EthMethodsTest {
 protected:
  EthShallowHistoryTest() : EthMethodsTest(/*max_reorg_depth=*/4) {}
};

TEST_F(EthShallowHistoryTest, StateOlderThanTheHistoryIsNotAvailable) {
  for (int i = 0; i < 6; ++i) Mine();
  const std::string address = AddressOf(60).ToChecksumHex();  // the miner
  EXPECT_NE(Result("eth_getBalance", "[\"" + address + "\",\"0x2\"]"),
            Result("eth_getBalance", "[\"" + address + "\",\"0x3\"]"));
  auto [code, message] = Error("eth_getBalance", "[\"" + address + "\",\"0x1\"]");
  EXPECT_EQ(code, kRpcServerError);
  EXPECT_EQ(message.rfind("historical state not available: ", 0), 0u) << message;
  EXPECT_NE(message.find("last 4 blocks"), std::string::npos) << message;
  EXPECT_EQ(Error("eth_getTransactionCount", "[\"" + address + "\",\"earliest\"]").first,
            kRpcServerError);
  EXPECT_EQ(Error("eth_call", R"([{"to":")" + address + R"("},"0x1"])").first, kRpcServerError);
  // finalized is max_reorg_depth behind the tip: still within reach.
  EXPECT_EQ(Result("eth_getBalance", "[\"" + address + "\",\"finalized\"]"),
            Result("eth_getBalance", "[\"" + address + "\",\"0x2\"]"));
  // Code and storage do not depend on state: answered at every block.
  EXPECT_EQ(Result("eth_getCode", "[\"" + address + "\",\"0x1\"]"), "0x");
  EXPECT_EQ(Result("eth_getStorageAt", "[\"" + address + "\",\"0x0\",\"earliest\"]"),
            Hash256().Hex());
}

TEST_F(EthMethodsTest, FeeSuggestionsAndHistory) {
  Result("eth_sendRawTransaction", RawParam(MakeTx(1, 0, Uint256(3 * kGwei))));
  Mine();
  EXPECT_EQ(Result("eth_maxPriorityFeePerGas"), Uint256(3 * kGwei).ToQuantityHex());
  rapidjson::Document h = Call("eth_feeHistory", R"(["0x2","latest",[50]])");
  const rapidjson::Value& r = h["result"];
  EXPECT_STREQ(r["oldestBlock"].GetString(), "0x0");
  EXPECT_EQ(r["baseFeePerGas"].Size(), 3u);
  EXPECT_EQ(r["gasUsedRatio"].Size(), 2u);
  EXPECT_STREQ(r["reward"][1][0].GetString(), Uint256(3 * kGwei).ToQuantityHex().c_str());
}

TEST_F(EthMethodsTest, FeeHistoryTakesAtMost100StrictlyIncreasingPercentiles) {
  Mine();
  auto percentiles = [](size_t n, double step) {
    std::string out = "[";
    for (size_t i = 0; i < n; ++i) {
      out += (i == 0 ? "" : ",") + std::to_string(static_cast<double>(i) * step);
    }
    return out + "]";
  };
  // 100 is the most, as geth; each answered block row has one entry per
  // percentile.
  rapidjson::Document ok =
      Call("eth_feeHistory", "[\"0x2\",\"latest\"," + percentiles(100, 1) + "]");
  ASSERT_TRUE(ok.HasMember("result"));
  EXPECT_EQ(ok["result"]["reward"][0].Size(), 100u);
  auto [code, message] =
      Error("eth_feeHistory", "[\"0x2\",\"latest\"," + percentiles(101, 0.5) + "]");
  EXPECT_EQ(code, kRpcInvalidParams);
  EXPECT_NE(message.find("at most 100"), std::string::npos) << message;
  // Repeats (the amplification: 100,000 copies of 50), decreasing values
  // and values outside [0, 100] are refused.
  for (const char* bad : {"[50,50]", "[10,5]", "[-1]", "[100.5]", "[\"50\"]", "[50,null]"}) {
    EXPECT_EQ(Error("eth_feeHistory", std::string("[\"0x2\",\"latest\",") + bad + "]").first,
              kRpcInvalidParams)
        << bad;
  }
  EXPECT_EQ(Error("eth_feeHistory", R"(["0x2","latest",{"a":1}])").first, kRpcInvalidParams);
}

TEST_F(EthMethodsTest, FiltersPerClientAreCapped) {
  RpcCallContext a;
  a.remote_address = "203.0.113.1";
  RpcCallContext b;
  b.remote_address = "203.0.113.2";
  std::vector<std::string> ids;
  for (size_t i = 0; i < EthFilterLimits{}.per_client; ++i) {
    rapidjson::Document d =
        Call(i % 2 ? "eth_newBlockFilter" : "eth_newFilter", i % 2 ? "[]" : "[{}]", a);
    ASSERT_TRUE(d.HasMember("result")) << i;
    ids.push_back(d["result"].GetString());
  }
  for (const char* method : {"eth_newBlockFilter", "eth_newPendingTransactionFilter"}) {
    rapidjson::Document over = Call(method, "[]", a);
    ASSERT_TRUE(over.HasMember("error"));
    EXPECT_EQ(over["error"]["code"].GetInt(), kRpcLimitExceeded);
  }
  EXPECT_EQ(Call("eth_newFilter", "[{}]", a)["error"]["code"].GetInt(), kRpcLimitExceeded);
  // Another client is not affected, and uninstalling frees a slot.
  EXPECT_TRUE(Call("eth_newBlockFilter", "[]", b).HasMember("result"));
  EXPECT_TRUE(Call("eth_uninstallFilter", "[\"" + ids[0] + "\"]")["result"].GetBool());
  EXPECT_TRUE(Call("eth_newBlockFilter", "[]", a).HasMember("result"));
}

TEST(EthFilters, UnpolledFiltersExpireAndFreeTheirSlots) {
  EthFilterLimits limits;
  limits.per_client = 2;
  limits.max_filters = 3;
  limits.timeout = std::chrono::seconds(10);
  EthFilters filters(nullptr, limits);
  auto one = filters.NewBlockFilter("a");
  auto two = filters.NewPendingTxFilter("a");
  ASSERT_TRUE(one.ok() && two.ok());
  EXPECT_EQ(filters.NewBlockFilter("a").status().code(), "too-many-filters");
  ASSERT_TRUE(filters.NewLogFilter("b", {}, 0, std::nullopt).ok());
  // All slots are taken.
  EXPECT_EQ(filters.NewBlockFilter("c").status().code(), "too-many-filters");
  // Polling keeps a filter; 10 s without a poll drops it.
  auto later = EthFilters::Clock::now() + std::chrono::seconds(11);
  EXPECT_TRUE(filters.TakeChanges(*one).has_value());
  filters.Expire(later);
  EXPECT_EQ(filters.size(), 0u);
  EXPECT_FALSE(filters.TakeChanges(*one).has_value());
  EXPECT_TRUE(filters.NewBlockFilter("a").ok());
  EXPECT_TRUE(filters.NewBlockFilter("a").ok());
  EXPECT_TRUE(filters.NewBlockFilter("c").ok());
}

TEST_F(EthMethodsTest, FilterCriteriaSizesAreBounded) {
  std::string addresses = "[";
  for (size_t i = 0; i <= kMaxFilterAddresses; ++i) {
    addresses += std::string(i ? "," : "") + "\"" + AddressOf(1).ToChecksumHex() + "\"";
  }
  addresses += "]";
  std::string topics = "[";
  for (size_t i = 0; i <= kMaxFilterTopicsPerPosition; ++i) {
    topics += std::string(i ? "," : "") + "\"" + Hash256().Hex() + "\"";
  }
  topics += "]";
  auto [code, message] = Error("eth_getLogs", R"([{"address":)" + addresses + "}]");
  EXPECT_EQ(code, kRpcInvalidParams);
  EXPECT_NE(message.find("exceed max addresses"), std::string::npos) << message;
  EXPECT_EQ(Error("eth_getLogs", R"([{"topics":[)" + topics + "]}]").first, kRpcInvalidParams);
  EXPECT_EQ(Error("eth_newFilter", R"([{"address":)" + addresses + "}]").first, kRpcInvalidParams);
  auto session = std::make_shared<FakeSession>();
  RpcCallContext ws;
  ws.session = session;
  EXPECT_EQ(Call("eth_subscribe", R"(["logs",{"address":)" + addresses + "}]", ws)["error"]["code"]
                .GetInt(),
            kRpcInvalidParams);
}

TEST(EthSubscriptions, IndexedByKindAndCappedPerConnection) {
  auto subs = std::make_shared<EthSubscriptions>(nullptr, /*max_per_session=*/3);
  auto session = std::make_shared<FakeSession>();
  auto heads = subs->Subscribe(session, EthSubscriptions::Kind::kNewHeads);
  auto logs = subs->Subscribe(session, EthSubscriptions::Kind::kLogs);
  auto txs = subs->Subscribe(session, EthSubscriptions::Kind::kPendingTxs);
  ASSERT_TRUE(heads.ok() && logs.ok() && txs.ok());
  auto over = subs->Subscribe(session, EthSubscriptions::Kind::kNewHeads);
  EXPECT_EQ(over.status().code(), "too-many-subscriptions");
  EXPECT_TRUE(over.status().Is(StatusKind::kLimitExceeded));
  EXPECT_EQ(subs->size(EthSubscriptions::Kind::kNewHeads), 1u);
  EXPECT_EQ(subs->size(EthSubscriptions::Kind::kLogs), 1u);
  EXPECT_EQ(subs->size(EthSubscriptions::Kind::kPendingTxs), 1u);
  // Unsubscribing frees a place; ids of another kind are found too.
  EXPECT_TRUE(subs->Unsubscribe(*session, *logs));
  EXPECT_FALSE(subs->Unsubscribe(*session, *logs));
  EXPECT_EQ(subs->size(EthSubscriptions::Kind::kLogs), 0u);
  EXPECT_TRUE(subs->Subscribe(session, EthSubscriptions::Kind::kLogs).ok());
  session->Close();
  EXPECT_EQ(subs->size(), 0u);
}

TEST_F(EthMethodsTest, RangeQueriesChargeRateLimitTokensByTheirWork) {
  for (int i = 0; i < 250; ++i) Mine();
  std::vector<double> charges;
  int grants = 1000;
  RpcCallContext context;
  context.public_port = true;
  context.charge = [&](double cost) {
    charges.push_back(cost);
    return grants-- > 0;
  };
  // 251 blocks: the request's token, then 2.5 more for the range.
  rapidjson::Document logs =
      Call("eth_getLogs", R"([{"fromBlock":"earliest","toBlock":"latest"}])", context);
  ASSERT_TRUE(logs.HasMember("result"));
  ASSERT_EQ(charges.size(), 2u);
  EXPECT_EQ(charges[0], 1.0);
  EXPECT_DOUBLE_EQ(charges[1], 2.5);
  // A short range pays only the request's token.
  charges.clear();
  EXPECT_TRUE(Call("eth_getLogs", R"([{"fromBlock":"0x1","toBlock":"0x10"}])", context)
                  .HasMember("result"));
  ASSERT_EQ(charges.size(), 2u);
  EXPECT_EQ(charges[1], 0.0);
  // eth_feeHistory reads each block, and its receipts for percentiles.
  charges.clear();
  EXPECT_TRUE(Call("eth_feeHistory", R"(["0x400","latest",[50]])", context).HasMember("result"));
  ASSERT_EQ(charges.size(), 2u);
  EXPECT_DOUBLE_EQ(charges[1], 5.01);
  // The request's token granted, the range's refused: -32005 and no work.
  grants = 1;
  rapidjson::Document refused =
      Call("eth_getLogs", R"([{"fromBlock":"earliest","toBlock":"latest"}])", context);
  ASSERT_TRUE(refused.HasMember("error"));
  EXPECT_EQ(refused["error"]["code"].GetInt(), kRpcLimitExceeded);
}

}  // namespace
}  // namespace depin
