// The explorer table (explorer_methods.cpp) through the dispatcher over a
// real regtest chainstate with the compute market, its mempool, the tx index
// and the market index: statistics that add up against the blocks, a
// cumulative tx count that follows a rewind, and a clear error for every
// kind of bad input.
#include <gtest/gtest.h>
#include <rapidjson/document.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "index/market_index.h"
#include "index/tx_index.h"
#include "market/compute_market.h"
#include "rpc/node_methods.h"
#include "rpc/rpc_dispatcher.h"
#include "unit/chain/mempool_test_env.h"

namespace depin {
namespace {

using chain::testing::AddressOf;
using chain::testing::ChainEnv;
using chain::testing::TestKey;
using chain::testing::UniqueTempDir;

constexpr uint64_t kGwei = kWeiPerGwei;

consensus::ChainParams MarketParams() {
  consensus::ChainParams p = chain::testing::TestParams();
  p.compute.activation_height = 0;
  return p;
}

bool WaitSynced(const index::BaseIndex& index) {
  for (int i = 0; i < 3000; ++i) {
    if (index.synced()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return false;
}

class ExplorerMethodsTest : public ::testing::Test {
 protected:
  ExplorerMethodsTest()
      : env_(MarketParams(), {market::MakeComputeMarket(MarketParams().compute)}),
        index_dir_(UniqueTempDir("depin-explorer-rpc")) {
    pool_ = std::make_unique<chain::Mempool>(chain::MempoolOptions{}, env_.chain());
    index::IndexOptions o;
    o.datadir = index_dir_;
    tx_index_ = std::make_unique<index::TxIndex>(env_.chain(), o);
    market_index_ = std::make_unique<index::MarketIndex>(env_.chain(), o);
    EXPECT_TRUE(tx_index_->Start().ok());
    EXPECT_TRUE(market_index_->Start().ok());
    EXPECT_TRUE(WaitSynced(*tx_index_));
    EXPECT_TRUE(WaitSynced(*market_index_));
    ctx_.params = &env_.params();
    ctx_.chainstate = &env_.chain();
    ctx_.mempool = pool_.get();
    ctx_.tx_index = tx_index_.get();
    ctx_.market_index = market_index_.get();
    ctx_.indexes = {tx_index_.get(), market_index_.get()};
    Register();
  }
  ~ExplorerMethodsTest() override {
    dispatcher_.reset();
    market_index_.reset();
    tx_index_.reset();
    pool_.reset();
    std::error_code ec;
    std::filesystem::remove_all(index_dir_, ec);
  }

  void Register() {
    dispatcher_ = std::make_unique<RpcDispatcher>();
    EXPECT_TRUE(dispatcher_->AddTable(ExplorerRpcTable(ctx_)).ok());
  }

  rapidjson::Document Call(const std::string& method, const std::string& params) {
    RpcCallContext context;
    context.authenticated = true;
    const std::string body =
        R"({"jsonrpc":"2.0","id":1,"method":")" + method + R"(","params":)" + params + "}";
    rapidjson::Document doc;
    doc.Parse(dispatcher_->Dispatch(body, context).c_str());
    EXPECT_FALSE(doc.HasParseError());
    return doc;
  }
  rapidjson::Document Result(const std::string& method, const std::string& params = "[]") {
    rapidjson::Document reply = Call(method, params);
    EXPECT_TRUE(reply.HasMember("result")) << method << " " << params;
    rapidjson::Document out;
    if (reply.HasMember("result")) out.CopyFrom(reply["result"], out.GetAllocator());
    return out;
  }
  // Expects an error whose message holds `part`; returns its code.
  int Error(const std::string& method, const std::string& params, const std::string& part) {
    rapidjson::Document doc = Call(method, params);
    EXPECT_TRUE(doc.HasMember("error")) << method << " " << params;
    if (!doc.HasMember("error")) return 0;
    const std::string message = doc["error"]["message"].GetString();
    EXPECT_NE(message.find(part), std::string::npos) << method << " " << params << ": " << message;
    return doc["error"]["code"].GetInt();
  }

  TxRef Transfer(uint8_t key, uint64_t nonce) const {
    return env_.Transfer(TestKey(key), nonce, Uint256(kGwei), Uint256(100 * kGwei));
  }
  // Mines a block with `n` transfers of key 1.
  std::shared_ptr<Block> MineTransfers(int n) {
    for (int i = 0; i < n; ++i) EXPECT_TRUE(pool_->Add(Transfer(1, nonce_++)).ok());
    auto block = env_.MineBlock(pool_.get(), AddressOf(TestKey(50)));
    EXPECT_NE(block, nullptr);
    EXPECT_TRUE(market_index_->BlockUntilSyncedToCurrentChain());
    EXPECT_TRUE(tx_index_->BlockUntilSyncedToCurrentChain());
    return block;
  }
  static std::string Quote(const std::string& s) { return "[\"" + s + "\"]"; }

  ChainEnv env_;
  std::filesystem::path index_dir_;
  std::unique_ptr<chain::Mempool> pool_;
  std::unique_ptr<index::TxIndex> tx_index_;
  std::unique_ptr<index::MarketIndex> market_index_;
  NodeRpcContext ctx_;
  std::unique_ptr<RpcDispatcher> dispatcher_;
  uint64_t nonce_ = 0;
};

TEST_F(ExplorerMethodsTest, BlockStatsAddUpAgainstTheBlock) {
  auto block = MineTransfers(2);
  ASSERT_NE(block, nullptr);
  const BlockHeader& h = block->header;
  auto stats = Result("getblockstats", "[1]");
  EXPECT_EQ(stats["height"].GetUint64(), 1u);
  EXPECT_EQ(std::string(stats["hash"].GetString()), block->Hash().Hex());
  EXPECT_EQ(stats["txs"].GetUint64(), 2u);
  EXPECT_EQ(stats["gasused"].GetUint64(), 2u * 21000);
  EXPECT_EQ(stats["gaslimit"].GetUint64(), h.gas_limit);
  EXPECT_EQ(stats["size"].GetUint64(), block->SerializedSize());
  EXPECT_EQ(std::string(stats["burned"].GetString()),
            CheckedMul(h.base_fee, Uint256(h.gas_used))->ToDecimal());
  // Tips of 1 gwei on 21000 gas each (the fee cap leaves room for them).
  const Uint256 fees(2 * 21000 * kGwei);
  EXPECT_EQ(std::string(stats["fees"].GetString()), fees.ToDecimal());
  const Uint256 subsidy = consensus::BlockSubsidy(1, env_.params());
  EXPECT_EQ(std::string(stats["subsidy"].GetString()), subsidy.ToDecimal());
  EXPECT_EQ(std::string(stats["minerreward"].GetString()), CheckedAdd(subsidy, fees)->ToDecimal());
  EXPECT_EQ(stats["proofs"].GetUint64(), 0u);
  const uint64_t parent_time = env_.chain().LookupBlock(h.parent_hash)->header.timestamp;
  EXPECT_EQ(stats["interval"].GetInt64(),
            static_cast<int64_t>(h.timestamp) - static_cast<int64_t>(parent_time));
  auto by_hash = Result("getblockstats", Quote(block->Hash().Hex()));
  EXPECT_TRUE(by_hash == stats);
  EXPECT_TRUE(Result("getblockstats", "[0]")["interval"].IsNull());
}

TEST_F(ExplorerMethodsTest, BlockStatsRefuseBadInput) {
  MineTransfers(1);
  EXPECT_EQ(Error("getblockstats", "[2]", "not-found"), kRpcNotFound);
  EXPECT_EQ(Error("getblockstats", "[18446744073709551615]", "not-found"), kRpcNotFound);
  EXPECT_EQ(Error("getblockstats", Quote(Hash256().Hex()), "not-found"), kRpcNotFound);
  for (const char* bad :
       {"[\"0x12\"]", "[\"0xzz\"]", "[-1]", "[1.5]", "[{}]", "[true]", "[\"1\"]"}) {
    EXPECT_EQ(Error("getblockstats", bad, "bad-hash-or-height"), kRpcInvalidParams) << bad;
  }
}

TEST_F(ExplorerMethodsTest, ChainTxStatsFollowTheChainThroughARewind) {
  MineTransfers(1);
  MineTransfers(2);
  auto third = MineTransfers(3);
  auto stats = Result("getchaintxstats");
  EXPECT_EQ(stats["txcount"].GetUint64(), 6u);
  EXPECT_EQ(stats["window_final_block_height"].GetUint64(), 3u);
  EXPECT_EQ(stats["window_block_count"].GetUint64(), 2u);
  EXPECT_EQ(stats["window_tx_count"].GetUint64(), 5u);
  stats = Result("getchaintxstats", "[1]");
  EXPECT_EQ(stats["window_tx_count"].GetUint64(), 3u);
  stats = Result("getchaintxstats", "[0]");
  EXPECT_FALSE(stats.HasMember("window_tx_count"));

  // The cached totals follow a rewind, then new blocks.
  ASSERT_TRUE(env_.chain().InvalidateBlock(third->Hash()).ok());
  EXPECT_EQ(Result("getchaintxstats")["txcount"].GetUint64(), 3u);
  EXPECT_EQ(Error("getchaintxstats", "[0, \"" + third->Hash().Hex() + "\"]", "not-found"),
            kRpcNotFound);
  pool_ = std::make_unique<chain::Mempool>(chain::MempoolOptions{}, env_.chain());
  ctx_.mempool = pool_.get();
  nonce_ = 3;
  MineTransfers(1);
  EXPECT_EQ(Result("getchaintxstats")["txcount"].GetUint64(), 4u);

  EXPECT_EQ(Error("getchaintxstats", "[3]", "bad-nblocks"), kRpcInvalidParams);
  EXPECT_EQ(Error("getchaintxstats", "[1, \"" + Hash256().Hex() + "\"]", "not-found"),
            kRpcNotFound);
  EXPECT_EQ(Error("getchaintxstats", "[-1]", ""), kRpcInvalidParams);
}

TEST_F(ExplorerMethodsTest, MarketMethodsSayWhenTheIndexIsOff) {
  ctx_.market_index = nullptr;
  Register();
  const std::string who = Quote(AddressOf(TestKey(1)).ToChecksumHex());
  EXPECT_EQ(Error("getmarketobjects", who, "marketindex-disabled"), kRpcServerError);
  EXPECT_EQ(Error("getmarketstats", "[]", "marketindex-disabled"), kRpcServerError);
  EXPECT_EQ(Error("getstoragestats", "[]", "marketindex-disabled"), kRpcServerError);
  // Bad parameters are refused before the index is looked at.
  EXPECT_EQ(Error("getmarketstats", "[0]", "bad-window"), kRpcInvalidParams);
}

TEST_F(ExplorerMethodsTest, MarketMethodsSayWhileTheIndexIsNotSynced) {
  // An index that has not caught up (here: never started) is not an answer.
  index::IndexOptions o;
  o.datadir = index_dir_ / "other";
  index::MarketIndex behind(env_.chain(), o);
  ctx_.market_index = &behind;
  Register();
  const std::string who = Quote(AddressOf(TestKey(1)).ToChecksumHex());
  EXPECT_EQ(Error("getmarketobjects", who, "marketindex-syncing"), kRpcServerError);
  EXPECT_EQ(Error("getmarketstats", "[]", "marketindex-syncing"), kRpcServerError);
  EXPECT_EQ(Error("getstoragestats", "[]", "marketindex-syncing"), kRpcServerError);
  dispatcher_.reset();
}

TEST_F(ExplorerMethodsTest, MarketMethodsRefuseBadInputAndBoundTheirWork) {
  const std::string who = "\"" + AddressOf(TestKey(1)).ToChecksumHex() + "\"";
  auto empty = Result("getmarketobjects", "[" + who + "]");
  EXPECT_TRUE(empty["objects"].GetArray().Empty());
  EXPECT_TRUE(empty["next"].IsNull());
  EXPECT_EQ(Error("getmarketobjects", "[" + who + ", \"leases\"]", "bad-kind"), kRpcInvalidParams);
  EXPECT_EQ(Error("getmarketobjects", "[" + who + ", \"\", \"nope\"]", "bad-state"),
            kRpcInvalidParams);
  for (const char* count : {"0", "101", "1000000"}) {
    EXPECT_EQ(Error("getmarketobjects", "[" + who + ", \"\", \"\", " + count + "]", "bad-count"),
              kRpcInvalidParams)
        << count;
  }
  for (const char* cursor : {"\"0x\"", "\"zz\"", "\"0x0100\"", "7", "[1]", "\"0x07\""}) {
    EXPECT_EQ(
        Error("getmarketobjects", "[" + who + ", \"\", \"\", 5, " + cursor + "]", "bad-cursor"),
        kRpcInvalidParams)
        << cursor;
  }
  // A cursor of another kind than asked for.
  const index::MarketObjectRef order{index::MarketKind::kOrder, 1, Address(),
                                     index::MarketModule::kCompute};
  EXPECT_EQ(Error("getmarketobjects",
                  "[" + who + ", \"lease\", \"\", 5, \"" + HexEncode(order.Encode()) + "\"]",
                  "bad-cursor"),
            kRpcInvalidParams);
  EXPECT_EQ(Error("getmarketobjects", "[\"0x12\"]", ""), kRpcInvalidParams);
  EXPECT_EQ(Error("getmarketstats", "[100001]", "bad-window"), kRpcInvalidParams);
  EXPECT_EQ(Error("getmarketstats", "[18446744073709551615]", "bad-window"), kRpcInvalidParams);
  EXPECT_EQ(Error("getstoragestats", "[0]", "bad-periods"), kRpcInvalidParams);
  EXPECT_EQ(Error("getstoragestats", "[1001]", "bad-periods"), kRpcInvalidParams);

  auto stats = Result("getmarketstats", "[100000]");
  EXPECT_EQ(stats["window"].GetUint64(), 100000u);
  EXPECT_EQ(stats["openorders"].GetUint64(), 0u);
  EXPECT_TRUE(stats["gpus"].GetArray().Empty());
  auto storage = Result("getstoragestats", "[1000]");
  EXPECT_EQ(storage["providers"].GetUint64(), 0u);
  // Periods before the first are not listed: at height 0 only period 0.
  EXPECT_EQ(storage["faults"].GetArray().Size(), 1u);
}

TEST_F(ExplorerMethodsTest, SearchFindsHeightsHashesAndAddressesAndRefusesOtherShapes) {
  auto block = MineTransfers(1);
  const TxRef mined = block->txs[0];
  auto found = Result("search", "[\"1\"]");
  ASSERT_EQ(found["results"].GetArray().Size(), 1u);
  EXPECT_STREQ(found["results"][0]["kind"].GetString(), "block");
  EXPECT_EQ(std::string(found["results"][0]["hash"].GetString()), block->Hash().Hex());
  EXPECT_TRUE(Result("search", "[\"2\"]")["results"].GetArray().Empty());

  found = Result("search", Quote(mined->hash.Hex()));
  ASSERT_EQ(found["results"].GetArray().Size(), 1u);
  EXPECT_STREQ(found["results"][0]["kind"].GetString(), "tx");
  EXPECT_EQ(found["results"][0]["height"].GetUint64(), 1u);
  TxRef pending = Transfer(1, nonce_++);
  ASSERT_TRUE(pool_->Add(pending).ok());
  found = Result("search", Quote(pending->hash.Hex()));
  ASSERT_EQ(found["results"].GetArray().Size(), 1u);
  EXPECT_TRUE(found["results"][0]["height"].IsNull());
  EXPECT_TRUE(Result("search", Quote(Hash256().Hex()))["results"].GetArray().Empty());

  found = Result("search", Quote(market::ComputeMarketAddress().Hex()));
  ASSERT_EQ(found["results"].GetArray().Size(), 1u);
  EXPECT_STREQ(found["results"][0]["kind"].GetString(), "address");
  EXPECT_STREQ(found["results"][0]["label"].GetString(), "module account");

  for (const std::string& bad :
       std::vector<std::string>{"", "   ", "abc", "0x", "0xzz", "0x" + std::string(62, '0') + "zz",
                                "-5", "1.5", "18446744073709551616", std::string(21, '1'),
                                std::string(300, '1'), "0x" + std::string(41, 'a')}) {
    EXPECT_EQ(Error("search", Quote(bad), "bad-query"), kRpcInvalidParams) << bad;
  }
  EXPECT_EQ(Error("search", "[5]", ""), kRpcInvalidParams);
}

}  // namespace
}  // namespace depin
